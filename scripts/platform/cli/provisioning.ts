// `platform provisioning-key` (the platform's signing key pair for provisioning codes) and `platform
// provisioning-code` (a device's signed, sealed, single-use code: printed, drawn with --qr, and recorded in the
// ledger of issued codes beside the signing key). docs/protocol.md §17.
import { X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { renderUnicodeCompact } from 'uqr';
import { keysOfModel, MODEL_KEYS } from '../../../firmware/lifecycle/model-keys.js';
import { MQTT_PORT, MQTTS_PORT } from '../../../firmware/runtime/provisioning.js';
import { makeProvisioningCode, newProvisioningKeyPair, publicKeyHex, readSigningKey, recordIssued } from '../provisioning-code.js';
import { idOption, loadKeys, output, UsageError, type KeyOptions } from './common.js';
import { keyFlags } from './flags.js';

/** The ledger's file name, in the signing key's directory. */
export const LEDGER_FILE = 'provisioning-codes.json';
const SETUP_SECRET = /^[\x21-\x7e]{8,63}$/;

interface KeyPairOptions {
  out: string;
  force?: boolean;
}

export function provisioningKeyCommand(program: Command): void {
  program.command('provisioning-key')
    .description('write a new P-256 signing key for provisioning codes (PKCS#8 PEM, 0600) and print its public key')
    .requiredOption('--out <file>', 'the private key file to write')
    .option('--force', 'replace an existing key (devices built with the old public key then refuse new codes)')
    .addHelpText('after', '\nPut the printed public key (130 hex digits) in the device build\'s config "provisioningKey" (manifests/shared.json).')
    .action((options: KeyPairOptions) => {
      const { privatePem, publicHex } = newProvisioningKeyPair();
      try {
        writeFileSync(options.out, privatePem, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
        chmodSync(options.out, 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`--out: ${options.out} exists: devices trust its public key; --force replaces it`);
        throw new UsageError(`--out: cannot write ${options.out}${code ? ` (${code})` : ''}`);
      }
      process.stdout.write(`wrote ${resolve(options.out)} (0600)\nprovisioningKey ${publicHex}\n`);
    });
}

interface CodeOptions extends KeyOptions {
  device?: string;
  model: string;
  site?: string;
  broker: string;
  ca?: string;
  tlsName?: string;
  user?: string;
  devicePass?: string;
  credentials?: string;
  setupSecret?: string;
  signingKey: string;
  ledger?: string;
  hours: string;
  qr?: boolean;
  json?: boolean;
}

export function provisioningCodeCommand(program: Command): void {
  const command = program.command('provisioning-code')
    .description('make a device\'s provisioning code: signed, expiring, single use, its secrets sealed to the device\'s setup secret')
    .requiredOption('--device <id>', 'the device id it gets')
    .requiredOption('--model <model>', `its model (${Object.keys(MODEL_KEYS).join(', ')})`)
    .option('--site <id>', 'site id (default: the keys file\'s "site")')
    .requiredOption('--broker <url>', 'the site broker as the device reaches it: mqtts://host:8883 (or mqtt://127.0.0.1:1883 on a bench)')
    .option('--ca <file>', 'the broker\'s CA certificate, PEM or DER (required for mqtts://)')
    .option('--tls-name <name>', 'the name in the broker\'s certificate, when the broker URL has an IP address')
    .option('--user <name>', 'the device\'s MQTT user (default SITE.DEVICE)')
    .option('--device-pass <password>', 'the device\'s MQTT password (default: from --credentials, else $CT_DEVICE_PASS)')
    .option('--credentials <file>', 'broker-config\'s credentials.json: the device\'s user and password')
    .option('--setup-secret <text>', 'the device\'s setup secret, from the inventory (its label) (default: $CT_SETUP_SECRET)')
    .requiredOption('--signing-key <file>', 'the platform\'s provisioning key (provisioning-key --out)')
    .option('--ledger <file>', `the ledger of issued codes (default: ${LEDGER_FILE} beside the signing key)`)
    .option('--hours <n>', 'hours until it expires (up to 720)', '24')
    .option('--qr', 'also draw the QR code in the terminal')
    .option('--json', 'print the code and its fields as JSON');
  keyFlags(command, ['hash', 'sync', 'pass', 'command']);
  command.action((options: CodeOptions) => {
    const keys = loadKeys(options);
    const site = idOption(options.site ?? keys.site, '--site');
    const device = idOption(options.device, '--device');
    if (!keysOfModel(options.model)) throw new UsageError(`--model: ${JSON.stringify(options.model)}: one of ${Object.keys(MODEL_KEYS).join(', ')}`);
    const broker = brokerOf(options.broker);
    const ca = options.ca === undefined ? undefined : caDer(options.ca);
    if (broker.tls && !ca) throw new UsageError('--ca: mqtts:// needs the broker\'s CA certificate');
    if (!broker.tls && ca) throw new UsageError('--ca: given for a plain mqtt:// broker');
    const credential = deviceCredential(options, site, device);
    const setupSecret = options.setupSecret ?? process.env.CT_SETUP_SECRET;
    if (setupSecret === undefined || !SETUP_SECRET.test(setupSecret)) throw new UsageError('--setup-secret: the device\'s label secret (8–63 printable ASCII characters, no spaces) is required');
    const hours = Number(options.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 720) throw new UsageError(`--hours: expected above 0, up to 720, got ${JSON.stringify(options.hours)}`);
    let signingKey;
    try {
      signingKey = readSigningKey(readFileSync(options.signingKey, 'utf8'));
    } catch (error) {
      throw new UsageError(`--signing-key: ${options.signingKey}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const issuedAt = Math.floor(Date.now() / 1000);
    const expiresAt = issuedAt + Math.round(hours * 3600);
    let code;
    try {
      code = makeProvisioningCode({
        model: options.model, site, device, ...broker, ...(options.tlsName === undefined ? {} : { tlsName: options.tlsName }), ...(ca ? { ca } : {}),
        ...credential, keys, setupSecret, issuedAt, expiresAt,
      }, signingKey);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const ledger = options.ledger ?? join(dirname(resolve(options.signingKey)), LEDGER_FILE);
    recordIssued(ledger, { id: code.codeId, site, device, model: options.model, issuedAt, expiresAt });
    const out = output(options.json);
    out.line(code.text);
    out.data({ text: code.text, id: code.codeId, site, device, model: options.model, issuedAt, expiresAt, expiresIso: new Date(expiresAt * 1000).toISOString(), ledger, publicKey: publicKeyHex(signingKey) });
    if (options.qr) process.stdout.write(`${renderUnicodeCompact(code.text, { border: 2 })}\n`);
  });
}

function brokerOf(url: string): { host: string; port: number; tls: boolean } {
  const match = /^(mqtts?):\/\/(\[[0-9A-Fa-f:]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?\/?$/.exec(url);
  if (!match) throw new UsageError(`--broker: ${JSON.stringify(url)}: expected mqtts://host:port (or mqtt://host:port)`);
  const tls = match[1] === 'mqtts';
  const port = match[3] === undefined ? (tls ? MQTTS_PORT : MQTT_PORT) : Number(match[3]);
  if (port < 1 || port > 65535) throw new UsageError(`--broker: port ${port} out of range`);
  return { host: match[2]!, port, tls };
}

function caDer(path: string): Uint8Array {
  try {
    return new Uint8Array(new X509Certificate(readFileSync(path)).raw);
  } catch (error) {
    throw new UsageError(`--ca: ${path}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'not an X.509 certificate (PEM or DER)'}`);
  }
}

function deviceCredential(options: CodeOptions, site: string, device: string): { user: string; pass: string } {
  let user = options.user ?? `${site}.${device}`;
  let pass = options.devicePass ?? process.env.CT_DEVICE_PASS;
  if (options.credentials !== undefined) {
    let file: { devices?: Array<{ site?: string; device?: string; user?: string; pass?: string }> };
    try {
      file = JSON.parse(readFileSync(options.credentials, 'utf8')) as typeof file;
    } catch {
      throw new UsageError(`--credentials: cannot read ${options.credentials} as JSON`);
    }
    const entry = file.devices?.find((candidate) => candidate.site === site && candidate.device === device);
    if (!entry || typeof entry.user !== 'string' || typeof entry.pass !== 'string') throw new UsageError(`--credentials: ${options.credentials} has no device ${device} of site ${site}`);
    user = options.user ?? entry.user;
    pass = options.devicePass ?? entry.pass;
  }
  if (pass === undefined) throw new UsageError('the device\'s MQTT password: --credentials FILE, --device-pass or $CT_DEVICE_PASS');
  return { user, pass };
}
