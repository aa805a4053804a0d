// Test-only TLS material, generated per test run (nothing secret is committed): a CA, a broker certificate it
// signs (for 127.0.0.1 and broker.test), and an unrelated CA that a device must not accept the broker with.
// Shaped like what the Moddable TLS stack accepts: RSA keys (it supports RSA key exchange), subject and authority
// key identifiers (it finds the issuer by them), and a broker that sends its chain (certificate, then CA).
import { webcrypto } from 'node:crypto';
import {
  AuthorityKeyIdentifierExtension, BasicConstraintsExtension, ExtendedKeyUsage, ExtendedKeyUsageExtension,
  KeyUsageFlags, KeyUsagesExtension, PemConverter, SubjectAlternativeNameExtension, SubjectKeyIdentifierExtension,
  X509CertificateGenerator, cryptoProvider, type X509Certificate,
} from '@peculiar/x509';

cryptoProvider.set(webcrypto as unknown as Crypto);

export interface TestCa {
  /** PEM */
  readonly cert: string;
  readonly der: Uint8Array;
  readonly certificate: X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

export interface TestPki {
  readonly ca: TestCa;
  readonly otherCa: TestCa;
  /** The broker's certificate chain (its certificate, then the CA), PEM. */
  readonly serverChain: string;
  /** PEM (PKCS #8) */
  readonly serverKey: string;
}

export const TEST_SERVER_NAME = 'broker.test';

const RSA = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
const HOUR = 3_600_000;
const validity = () => ({ notBefore: new Date(Date.now() - HOUR), notAfter: new Date(Date.now() + 24 * HOUR) });
let serial = 1;

async function makeCa(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const certificate = await X509CertificateGenerator.createSelfSigned({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    name: `CN=${name}`,
    ...validity(),
    keys,
    signingAlgorithm: RSA,
    extensions: [
      new BasicConstraintsExtension(true, undefined, true),
      new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await AuthorityKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert: certificate.toString('pem'), der: new Uint8Array(certificate.rawData), certificate, keys };
}

export async function makeTestPki(): Promise<TestPki> {
  const [ca, otherCa] = await Promise.all([makeCa('Test-only community CA'), makeCa('Test-only other CA')]);
  const keys = await webcrypto.subtle.generateKey(RSA, true, ['sign', 'verify']) as webcrypto.CryptoKeyPair;
  const server = await X509CertificateGenerator.create({
    serialNumber: (serial++).toString(16).padStart(2, '0'),
    subject: `CN=${TEST_SERVER_NAME}`,
    issuer: ca.certificate.subject,
    ...validity(),
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    signingAlgorithm: RSA,
    extensions: [
      new BasicConstraintsExtension(false),
      new KeyUsagesExtension(KeyUsageFlags.digitalSignature | KeyUsageFlags.keyEncipherment, true),
      new ExtendedKeyUsageExtension([ExtendedKeyUsage.serverAuth]),
      new SubjectAlternativeNameExtension([{ type: 'dns', value: TEST_SERVER_NAME }, { type: 'ip', value: '127.0.0.1' }]),
      await SubjectKeyIdentifierExtension.create(keys.publicKey),
      await AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  const key = PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY');
  return { ca, otherCa, serverChain: `${server.toString('pem')}\n${ca.cert}\n`, serverKey: key };
}
