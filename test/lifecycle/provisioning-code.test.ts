// Provisioning codes (firmware/lifecycle/provisioning-code.ts, docs/protocol.md §17): a code made by the platform
// CLI's encoder and applied on an unprovisioned device gives a provisioning that readProvisioning() accepts and a
// device that connects with the site's keys in place; forged, expired, reused, stale, truncated, oversize, garbage
// codes, codes for another model or sealed to another device are refused with a reason and write nothing. On Node,
// with node:crypto's P-256 verifier (the XS run is test/xs/provisioning-code.test.ts).
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { isP256Input } from '../../hal/contract/crypto.js';
import { createHostCrypto, verifyP256OnHost } from '../../hal/host/crypto.js';
import { base32Decode, base32Encode } from '../../firmware/lib/base32.js';
import { eraseKept } from '../../firmware/lifecycle/factory-reset.js';
import { CODE_MAX_CHARS, CODE_PREFIX } from '../../firmware/lifecycle/code-layout.js';
import { applyProvisioningCode, SETUP_DOMAIN, SETUP_SECRET_KEY, type CodeContext } from '../../firmware/lifecycle/provisioning-code.js';
import { readProvisioning } from '../../firmware/runtime/provisioning.js';
import type { KeyValueStore } from '../../hal/contract/storage.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import { createHostStorage, PowerLoss } from '../../hal/host/storage/index.js';
import { doorMask, mintPass } from '../../scripts/door/visitor-pass.js';
import { makeProvisioningCode, publicKeyHex, recordApplied, recordIssued, type CodeRequest } from '../../scripts/platform/provisioning-code.js';
import { doorReaderKind, DoorWorld } from '../../simulator/kinds/door-reader.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { KEYS } from '../door-reader/door-reader-device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { makeTestPki } from '../support/tls.js';
import { RigDevice, steppedDevice, TestDevice, WALL_TIME } from '../support/device.js';
import { runCli } from '../platform-cli/run.js';

const NOW = WALL_TIME / 1000;
const SETUP_SECRET = 'K7QX-M2PD-9WRT';
const platformKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const PUBLIC_KEY = Buffer.from(publicKeyHex(platformKey), 'hex');

function request(overrides: Partial<CodeRequest> = {}): CodeRequest {
  return {
    model: 'door-reader', site: 'site-1', device: 'door-reader-1', host: '127.0.0.1', port: 1883, tls: false,
    user: 'site-1.door-reader-1', pass: 'device password', keys: KEYS, setupSecret: SETUP_SECRET,
    issuedAt: NOW - 60, expiresAt: NOW + 3600, ...overrides,
  };
}

const code = (overrides: Partial<CodeRequest> = {}, key: KeyObject = platformKey) => makeProvisioningCode(request(overrides), key).text;

/** A device's store as flashed: its label's setup secret, or (null) none. */
function flashedKv(secret: string | null = SETUP_SECRET): KeyValueStore {
  const kv = createHostStorage({}).kv;
  if (secret !== null) kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, secret);
  return kv;
}

function context(kv: KeyValueStore, overrides: Partial<CodeContext> = {}): CodeContext {
  return { kv, crypto: createHostCrypto(), model: 'door-reader', provisioningKey: PUBLIC_KEY, now: NOW, ...overrides };
}

/** Every key of every domain a code can write, with its value: equal before and after = nothing written. */
function contents(kv: KeyValueStore): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const domain of ['prov', 'cred', 'door', SETUP_DOMAIN]) {
    for (const key of kv.keys(domain)) {
      const value = kv.get(domain, key);
      out[`${domain}/${key}`] = value instanceof ArrayBuffer ? Buffer.from(value).toString('hex') : value;
    }
  }
  return out;
}

function refusedWithNothingWritten(kv: KeyValueStore, text: string, overrides: Partial<CodeContext> = {}) {
  const before = contents(kv);
  const outcome = applyProvisioningCode(text, context(kv, overrides));
  expect(contents(kv)).toEqual(before);
  if (outcome.ok) throw new Error('applied a code that should be refused');
  expect(outcome.detail.length).toBeGreaterThan(0);
  return outcome.reason;
}

function withRecord(text: string, change: (bytes: Uint8Array) => Uint8Array): string {
  return CODE_PREFIX + base32Encode(change(base32Decode(text.slice(CODE_PREFIX.length))!));
}

describe('a provisioning code applied on a device', () => {
  test('an unprovisioned door reader takes it, connects, and holds the site keys (a visitor pass opens its door)', () => {
    const world = new DoorWorld();
    const d = new RigDevice(steppedDevice({
      kind: { ...doorReaderKind, board: simDoorReader, createWorld: () => world },
      partitions: { outbox: 128 * 1024, credA: 64 * 1024, credB: 64 * 1024 },
      provisioning: false,
      transport: () => new FakeMqtt(),
    }));
    d.storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
    d.boot();
    d.advance(1000);
    expect(d.runtime.state).toBe('unprovisioned');

    const outcome = applyProvisioningCode(code(), context(d.storage.kv, { crypto: d.hal.crypto }));
    expect(outcome).toMatchObject({ ok: true, site: 'site-1', device: 'door-reader-1', timeChecked: true, expiresAt: NOW + 3600 });
    expect(readProvisioning(d.storage.kv)).toEqual({ site: 'site-1', device: 'door-reader-1', host: '127.0.0.1', port: 1883, user: 'site-1.door-reader-1', pass: 'device password' });
    expect(contents(d.storage.kv)).toMatchObject({
      'cred/hashKey': Buffer.from(KEYS.hashKey).toString('hex'), 'cred/syncKey': Buffer.from(KEYS.syncKey).toString('hex'),
      'door/passKey': Buffer.from(KEYS.passKey).toString('hex'), 'door/passKeyId': KEYS.passKeyId, 'door/cmdKey': Buffer.from(KEYS.commandKey).toString('hex'),
    });

    d.powerCycle(1000);
    d.advance(2000);
    expect(d.runtime.state).toBe('online');
    const pass = mintPass(KEYS.passKey, { keyId: KEYS.passKeyId, passId: 9, doors: doorMask([0]), validFrom: NOW - 60, validTo: NOW + 3600, maxUses: 1 });
    world.scanQr(pass);
    d.advance(100);
    expect(d.messages<EventMessage>('event').filter((event) => event.type.startsWith('access.')).map((event) => `${event.type}:${String(event.data.reason)}`)).toEqual(['access.granted:granted']);
  });

  test('a TLS broker outside loopback: the CA (DER) and the name go to prov; a test device of another model refuses it', async () => {
    const pki = await makeTestPki();
    const text = code({ host: '10.1.2.3', port: 8883, tls: true, ca: pki.ca.der, tlsName: 'broker.test' });
    const kv = flashedKv();
    expect(applyProvisioningCode(text, context(kv))).toMatchObject({ ok: true });
    const provisioning = readProvisioning(kv);
    expect(provisioning).toMatchObject({ host: '10.1.2.3', port: 8883, tls: true, tlsName: 'broker.test' });
    expect(Buffer.from((provisioning as { ca: ArrayBuffer }).ca)).toEqual(Buffer.from(pki.ca.der));

    const device = new TestDevice({ provisioning: false, transport: () => new FakeMqtt() });
    device.storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
    expect(refusedWithNothingWritten(device.storage.kv, text, { model: 'test' })).toBe('wrong_model');
  });

  test('reapplying provisioning removes what the new code does not set (no stale TLS name or lab setting)', () => {
    const kv = flashedKv();
    kv.set('prov', 'insecure', true);
    kv.set('prov', 'tlsName', 'old.example');
    expect(applyProvisioningCode(code(), context(kv))).toMatchObject({ ok: true });
    expect(kv.keys('prov').sort()).toEqual(['device', 'host', 'pass', 'port', 'site', 'user']);
  });

  test('every model gets the keys its map names: a smart bin its hash and command keys in cred, nothing of the door', () => {
    const kv = flashedKv();
    expect(applyProvisioningCode(code({ model: 'smart-bin', device: 'bin-1' }), context(kv, { model: 'smart-bin' }))).toMatchObject({ ok: true });
    expect(Object.keys(contents(kv)).filter((key) => !key.startsWith('prov/') && !key.startsWith('setup/')).sort()).toEqual(['cred/cmdKey', 'cred/hashKey']);
  });

  test('without trusted time it is accepted and says the time went unchecked', () => {
    const kv = flashedKv();
    expect(applyProvisioningCode(code(), context(kv, { now: undefined }))).toMatchObject({ ok: true, timeChecked: false });
  });
  test('a power cut at any write leaves the device wholly on its old settings, unprovisioned, or wholly on the new code', () => {
    const oldCode = code({ issuedAt: NOW - 600, device: 'old-door', pass: 'old password' });
    const newCode = code({ host: '127.0.0.2', device: 'new-door', user: 'new-user' });
    const settingsOf = (text: string) => {
      const kv = flashedKv();
      applyProvisioningCode(text, context(kv));
      return readProvisioning(kv);
    };
    const [oldSettings, newSettings] = [settingsOf(oldCode), settingsOf(newCode)];
    const seen = new Set<string>();
    for (let cutAt = 0; ; cutAt++) {
      const storage = createHostStorage({});
      storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
      expect(applyProvisioningCode(oldCode, context(storage.kv))).toMatchObject({ ok: true });
      storage.failAfterWrites(cutAt);
      let finished = false;
      try {
        finished = applyProvisioningCode(newCode, context(storage.kv)).ok;
      } catch (error) {
        expect(error).toBeInstanceOf(PowerLoss);
      }
      storage.powerOn();
      const after = readProvisioning(storage.kv);
      const state = typeof after === 'string' ? 'unprovisioned' : JSON.stringify(after) === JSON.stringify(newSettings) ? 'new' : JSON.stringify(after) === JSON.stringify(oldSettings) ? 'old' : 'mixed';
      seen.add(state);
      expect(state).not.toBe('mixed');
      // Once the ledger has it (from the first write on), the code never applies again.
      if (cutAt > 0 || finished) expect(refusedWithNothingWritten(storage.kv, newCode)).toBe('reused');
      if (finished) {
        expect(state).toBe('new');
        expect(cutAt).toBeGreaterThan(10); // ledger, prov/site, stale prov keys, site keys, then prov: each step was cut once
        break;
      }
    }
    expect([...seen].sort()).toEqual(['new', 'old', 'unprovisioned']);
  });
});

describe('refused with a reason, nothing written', () => {
  test('a bit flipped anywhere in the record', () => {
    const text = code();
    const length = base32Decode(text.slice(CODE_PREFIX.length))!.length;
    const kv = flashedKv();
    const reasons = new Set<string>();
    for (let at = 0; at < length; at++) {
      const bit = 1 << (at % 8);
      reasons.add(refusedWithNothingWritten(kv, withRecord(text, (bytes) => {
        bytes[at]! ^= bit;
        return bytes;
      })));
    }
    // A flip in the version byte is another format; elsewhere, a length byte makes a malformed record, the rest a forgery.
    expect([...reasons].sort()).toEqual(['forged', 'malformed', 'unsupported']);
  });

  test('signed with another key, or a signature the SDK must never see (r or s zero or ≥ n)', () => {
    const kv = flashedKv();
    expect(refusedWithNothingWritten(kv, code({}, generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey))).toBe('forged');
    const order = Buffer.from('ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551', 'hex');
    for (const [r, s] of [[new Uint8Array(32), new Uint8Array(32)], [Uint8Array.of(...new Uint8Array(31), 1), new Uint8Array(32)], [order, Uint8Array.of(...new Uint8Array(31), 1)]]) {
      const forged = withRecord(code(), (bytes) => {
        bytes.set(r!, bytes.length - 64);
        bytes.set(s!, bytes.length - 32);
        return bytes;
      });
      expect(refusedWithNothingWritten(kv, forged)).toBe('forged');
      const signature = Uint8Array.of(...r!, ...s!);
      expect(isP256Input(PUBLIC_KEY, signature)).toBe(false);
      expect(verifyP256OnHost(PUBLIC_KEY, new Uint8Array(8), signature)).toBe(false);
    }
  });

  test('expired, not yet valid, or a build without a provisioning key', () => {
    const kv = flashedKv();
    expect(refusedWithNothingWritten(kv, code({ issuedAt: NOW - 7200, expiresAt: NOW - 1 }))).toBe('expired');
    expect(refusedWithNothingWritten(kv, code({ issuedAt: NOW + 3600, expiresAt: NOW + 7200 }))).toBe('not_yet_valid');
    expect(refusedWithNothingWritten(kv, code(), { provisioningKey: undefined })).toBe('no_key');
    const { verifyP256: _, ...withoutVerifier } = createHostCrypto();
    expect(refusedWithNothingWritten(kv, code(), { crypto: withoutVerifier })).toBe('no_key');
  });

  test('reused, also after a factory reset, and older than a code already applied', () => {
    const storage = createHostStorage({});
    storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
    const first = code({ issuedAt: NOW - 600 });
    expect(applyProvisioningCode(first, context(storage.kv))).toMatchObject({ ok: true });
    expect(refusedWithNothingWritten(storage.kv, first)).toBe('reused');
    eraseKept(storage, { domains: ['door'] });
    expect(storage.kv.keys('prov')).toEqual([]);
    expect(refusedWithNothingWritten(storage.kv, first)).toBe('reused');
    expect(refusedWithNothingWritten(storage.kv, code({ issuedAt: NOW - 700 }))).toBe('stale');
    expect(applyProvisioningCode(code({ issuedAt: NOW - 500 }), context(storage.kv))).toMatchObject({ ok: true });
  });

  test('truncated anywhere, oversize, or garbage', () => {
    const text = code();
    const kv = flashedKv();
    for (let length = 0; length < text.length; length += 7) expect(['malformed', 'unsupported']).toContain(refusedWithNothingWritten(kv, text.slice(0, length)));
    expect(refusedWithNothingWritten(kv, `${CODE_PREFIX}${'A'.repeat(CODE_MAX_CHARS)}`)).toBe('oversize');
    const garbage = ['', 'hello', text.toLowerCase(), `${text}8`, `${text.slice(0, -1)}1`, `${text}AAAA`, 'CTV1.ABCDEFGH', `${CODE_PREFIX}\u0000`, `CTP2.${text.slice(5)}`];
    expect(garbage.map((item) => refusedWithNothingWritten(kv, item))).toEqual([
      'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'malformed', 'unsupported',
    ]);
  });

  test('made for another model, sealed to another device, on a device with no setup secret, or settings the device refuses', () => {
    const kv = flashedKv();
    expect(refusedWithNothingWritten(kv, code({ model: 'sos-button' }))).toBe('wrong_model');
    expect(refusedWithNothingWritten(kv, code({ setupSecret: 'ANOTHER-LABEL' }))).toBe('not_for_this_device');
    expect(refusedWithNothingWritten(flashedKv(null), code())).toBe('no_setup_secret');
    // A broker on a network over plain MQTT: readProvisioning's rules, checked before anything is written.
    expect(refusedWithNothingWritten(kv, code({ host: 'broker.example' }))).toBe('invalid_settings');
  });
});

describe('the platform side', () => {
  test('the CLI makes a code a device applies, records its id, and refuses a second report of it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'prov-code-'));
    const keysFile = join(dir, 'keys.json');
    const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');
    writeFileSync(keysFile, JSON.stringify({ site: 'site-1', hashKey: hex(KEYS.hashKey), syncKey: hex(KEYS.syncKey), passKey: hex(KEYS.passKey), passKeyId: KEYS.passKeyId, commandKey: hex(KEYS.commandKey) }), { mode: 0o600 });
    const keyRun = await runCli(['provisioning-key', '--out', join(dir, 'prov.pem')]);
    expect(keyRun.code).toBe(0);
    const publicKey = Buffer.from(/provisioningKey ([0-9a-f]{130})/.exec(keyRun.stdout)![1]!, 'hex');
    const run = await runCli(['provisioning-code', '--keys', keysFile, '--device', 'door-reader-1', '--model', 'door-reader', '--broker', 'mqtt://127.0.0.1:1883',
      '--setup-secret', SETUP_SECRET, '--device-pass', 'pw-1', '--signing-key', join(dir, 'prov.pem'), '--json']);
    expect(run).toMatchObject({ code: 0 });
    const printed = JSON.parse(run.stdout) as { text: string; id: string };
    const kv = flashedKv();
    const outcome = applyProvisioningCode(printed.text, context(kv, { provisioningKey: publicKey, now: Math.floor(Date.now() / 1000) }));
    expect(outcome).toMatchObject({ ok: true, codeId: printed.id });
    expect(readProvisioning(kv)).toMatchObject({ site: 'site-1', device: 'door-reader-1', user: 'site-1.door-reader-1', pass: 'pw-1' });

    const ledger = join(dir, 'provisioning-codes.json');
    expect(JSON.parse(readFileSync(ledger, 'utf8'))).toMatchObject({ codes: [{ id: printed.id, device: 'door-reader-1', model: 'door-reader' }] });
    expect(recordApplied(ledger, printed.id, 'site-1', 'door-reader-1', 1)).toBe('ok');
    expect(recordApplied(ledger, printed.id, 'site-1', 'door-reader-1', 2)).toBe('reused');
    expect(recordApplied(ledger, printed.id, 'site-1', 'door-reader-2', 2)).toBe('wrong_device');
    expect(recordApplied(ledger, '00'.repeat(16), 'site-1', 'door-reader-1', 2)).toBe('unknown');
    expect(() => recordIssued(ledger, { id: printed.id, site: 'site-1', device: 'x', model: 'generic', issuedAt: 0, expiresAt: 1 })).toThrow(/issued before/);

    const refused = await runCli(['provisioning-code', '--keys', keysFile, '--device', 'door-reader-1', '--model', 'door-reader', '--broker', 'mqtts://broker.example:8883',
      '--setup-secret', SETUP_SECRET, '--device-pass', 'pw-1', '--signing-key', join(dir, 'prov.pem')]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--ca: mqtts:\/\/ needs the broker's CA certificate/);
  }, 60_000); // three CLI runs, each a tsx start (≈ 5 s each on two busy cores)
});
