// TLS provisioning (kv prov/tls, prov/ca, prov/tlsName): what the runtime accepts, the reasons it gives for what it
// refuses, and the TLS options it then connects with.
import { decodeBase64 } from '../../firmware/lib/base64.js';
import { parseCaCertificate } from '../../firmware/runtime/ca-certificate.js';
import { readProvisioning, tlsOptions, writeProvisioning, type Provisioning } from '../../firmware/runtime/provisioning.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice } from '../support/device.js';
import { makeTestPki, type TestPki } from '../support/tls.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
}, 60_000);

// Outside loopback: the device's own credentials too (test/runtime/provisioning.test.ts has those rules).
const BASE: Provisioning = { site: 's1', device: 'd1', host: '192.168.1.10', port: 8883, user: 's1.d1', pass: 'd1-secret' };

function read(extra: Record<string, string | number | boolean | ArrayBuffer>) {
  const { kv } = createHostStorage({ partitions: {} });
  writeProvisioning(kv, BASE);
  for (const [key, value] of Object.entries(extra)) kv.set('prov', key, value);
  return readProvisioning(kv);
}

function bytesOf(buffer: ArrayBuffer | string | undefined): number[] {
  if (!(buffer instanceof ArrayBuffer)) throw new Error('expected DER bytes');
  return [...new Uint8Array(buffer)];
}

describe('base64', () => {
  test('decodes padded base64 as Node does', () => {
    for (const length of [0, 1, 2, 3, 4, 5, 64, 257]) {
      const bytes = Uint8Array.from({ length }, (_, i) => (i * 37 + length) & 0xff);
      expect([...decodeBase64(Buffer.from(bytes).toString('base64'))!]).toEqual([...bytes]);
    }
  });

  test('refuses what is not padded base64', () => {
    for (const text of ['QQ', 'QQ=', 'Q===', '====', 'QU*=', 'QQ==QQ==', 'QUJD\n']) expect(decodeBase64(text)).toBeUndefined();
  });
});

describe('parseCaCertificate', () => {
  test('PEM and DER of the same certificate give the same DER', () => {
    const fromPem = parseCaCertificate(pki.ca.cert);
    const fromDer = parseCaCertificate(pki.ca.der.slice().buffer);
    expect(fromPem).toBeInstanceOf(Uint8Array);
    expect([...(fromPem as Uint8Array)]).toEqual([...pki.ca.der]);
    expect([...(fromDer as Uint8Array)]).toEqual([...pki.ca.der]);
  });

  test('PEM with Windows line ends and text around the block is fine', () => {
    const pem = `Bag Attributes\r\n${pki.ca.cert.replace(/\n/g, '\r\n')}\r\n`;
    expect([...(parseCaCertificate(pem) as Uint8Array)]).toEqual([...pki.ca.der]);
  });

  test.each([
    ['a private key', () => pki.serverKey, /BEGIN CERTIFICATE/],
    ['a truncated PEM', () => pki.ca.cert.slice(0, 200), /END CERTIFICATE/],
    ['two certificates', () => pki.ca.cert + pki.otherCa.cert, /more than one certificate/],
    ['a PEM body that is not base64', () => pki.ca.cert.replace(/\n[A-Za-z0-9+/]{10}/, '\n!!!!!!!!!!'), /not base64/],
    ['DER cut short', () => pki.ca.der.slice(0, 300).buffer, /DER length/],
    ['DER with bytes after it', () => Uint8Array.from([...pki.ca.der, 0]).buffer, /DER length/],
    ['bytes that are not DER', () => Uint8Array.from([0x04, 0x02, 1, 2]).buffer, /SEQUENCE/],
    ['a SEQUENCE that is no certificate', () => Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x05]).buffer, /X\.509/],
    ['a number', () => 42, /PEM text or DER bytes/],
  ])('refuses %s with a reason', (_name, value, reason) => {
    const result = parseCaCertificate(value());
    expect(typeof result).toBe('string');
    expect(result).toMatch(reason);
  });
});

describe('readProvisioning with TLS', () => {
  test('a PEM CA is read back as DER, with the server name', () => {
    const provisioning = read({ tls: true, ca: pki.ca.cert, tlsName: 'broker.site1.example' });
    if (typeof provisioning === 'string') throw new Error(provisioning);
    expect(provisioning).toMatchObject({ ...BASE, tls: true, tlsName: 'broker.site1.example' });
    expect(bytesOf(provisioning.ca)).toEqual([...pki.ca.der]);
    const tls = tlsOptions(provisioning);
    expect(tls.serverName).toBe('broker.site1.example');
    expect([...tls.ca!]).toEqual([...pki.ca.der]);
  });

  test('a DER CA fits the key-value store and is accepted as is', () => {
    const provisioning = read({ tls: true, ca: pki.ca.der.slice().buffer });
    if (typeof provisioning === 'string') throw new Error(provisioning);
    expect(bytesOf(provisioning.ca)).toEqual([...pki.ca.der]);
    expect(tlsOptions(provisioning)).not.toHaveProperty('serverName');
  });

  test('without TLS settings nothing changes (on loopback: elsewhere TLS is required)', () => {
    expect(read({ host: '127.0.0.1', port: 1883 })).toEqual({ ...BASE, host: '127.0.0.1', port: 1883 });
    expect(read({ host: '127.0.0.1', port: 1883, tls: false })).toEqual({ ...BASE, host: '127.0.0.1', port: 1883 });
  });

  test.each([
    ['a CA that is not a certificate', { tls: true, ca: 'hello' }, /^prov\/ca: PEM text without/],
    ['TLS without a CA', { tls: true }, /^prov\/tls is true but prov\/ca .* is missing/],
    ['a CA without TLS (never plain TCP by mistake)', { ca: 'x' }, /prov\/tls is not true/],
    ['a server name without TLS', { tls: false, tlsName: 'broker.example' }, /prov\/tls is not true/],
    ['tls that is not a boolean', { tls: 1 }, /^prov\/tls must be true or false/],
    ['the TLS port without TLS (the password would go out in the clear)', {}, /^prov\/port 8883 is MQTT over TLS but prov\/tls is not true/],
  ])('refuses %s with a clear reason', (_name, extra, reason) => {
    expect(read(extra)).toMatch(reason);
  });

  test('an unusable server name is named as such', () => {
    expect(read({ tls: true, ca: pki.ca.cert, tlsName: 'bad name' })).toBe('prov/tlsName must be a DNS name or IPv4 address');
  });
});

describe('the runtime with TLS provisioning', () => {
  test('connects with the CA and server name as TLS options', () => {
    let fake!: FakeMqtt;
    const d = new TestDevice({
      provisioning: { ...BASE, tls: true, ca: pki.ca.cert, tlsName: 'broker.test' },
      transport: () => (fake = new FakeMqtt()),
    });
    d.boot();
    expect(d.runtime.state).toBe('online');
    expect(fake.options!.port).toBe(8883);
    expect(fake.options!.secure!.serverName).toBe('broker.test');
    expect([...fake.options!.secure!.ca!]).toEqual([...pki.ca.der]);
    d.hal.dispose();
  });

  test('a bad CA value leaves the device unprovisioned with the reason logged; it keeps working offline', () => {
    let fake!: FakeMqtt;
    const d = new TestDevice({
      provisioning: { ...BASE, tls: true, ca: '-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n' },
      transport: () => (fake = new FakeMqtt()),
    });
    d.boot();
    expect(d.runtime.state).toBe('unprovisioned');
    expect(fake.connects).toBe(0);
    expect(d.hal.system.logs).toContainEqual({ level: 'error', message: 'not provisioned: prov/ca: PEM body is not base64' });
    d.runtime.emit('test.kept', {});
    expect(d.runtime.outbox.depth).toBe(1);
    d.hal.dispose();
  });
});
