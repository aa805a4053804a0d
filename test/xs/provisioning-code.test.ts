// Provisioning codes on the real XS engine (firmware/lifecycle/provisioning-code.ts): the same outcomes, in the same
// order, as on Node for a good code, its reuse, forgeries (bits flipped through the record, r or s out of range),
// truncations and garbage, and the same bytes written. xsnap has no P-256: the entry injects a verifier that
// calls node:crypto on the host, and only after the in-engine range guard (a zero s never reaches it).
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { base32Decode, base32Encode } from '../../firmware/lib/base32.js';
import { CODE_PREFIX } from '../../firmware/lifecycle/code-layout.js';
import { applyProvisioningCode, SETUP_DOMAIN, SETUP_SECRET_KEY, type CodeOutcome } from '../../firmware/lifecycle/provisioning-code.js';
import { readProvisioning } from '../../firmware/runtime/provisioning.js';
import type { KeyValueStore } from '../../hal/contract/storage.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { p256HostHandler } from '../support/xs/p256-host.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { makeProvisioningCode, publicKeyHex } from '../../scripts/platform/provisioning-code.js';
import { KEYS, WALL_TIME } from '../door-reader/door-reader-device.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/provisioning-code.ts';
const NOW = WALL_TIME / 1000;
const SECRET = 'LABEL-2K9Q-77XM';

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

function withRecord(text: string, change: (bytes: Uint8Array) => void): string {
  const bytes = base32Decode(text.slice(CODE_PREFIX.length))!;
  change(bytes);
  return CODE_PREFIX + base32Encode(bytes);
}

function dump(kv: KeyValueStore): Record<string, unknown> {
  return Object.fromEntries(['prov', 'cred', 'door', SETUP_DOMAIN].flatMap((domain) => kv.keys(domain).map((key) => {
    const value = kv.get(domain, key);
    return [`${domain}/${key}`, value instanceof ArrayBuffer ? Buffer.from(value).toString('hex') : value];
  })));
}

test('parse, guard, unseal and apply on XS give the outcomes and the writes they give on Node', async () => {
  const signing = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const publicHex = publicKeyHex(signing);
  const make = (overrides: Record<string, unknown> = {}) => makeProvisioningCode({
    model: 'door-reader', site: 'site-x', device: 'door-x', host: '127.0.0.1', port: 1883, tls: false, user: 'site-x.door-x', pass: 'pw',
    keys: KEYS, setupSecret: SECRET, issuedAt: NOW - 60, expiresAt: NOW + 3600, ...overrides,
  }, signing).text;
  const good = make();
  const zeroS = withRecord(make(), (bytes) => bytes.fill(0, bytes.length - 32));
  const texts = [
    // code id, issue time, host, sealed secrets, seal MAC, then the signature
    ...[3, 20, 60, 200, 250].map((at) => withRecord(good, (bytes) => { bytes[at]! ^= 0x10; })),
    withRecord(good, (bytes) => { bytes[bytes.length - 1]! ^= 1; }),
    zeroS,
    good.slice(0, 300), '', 'CTP1.0', `${good}A`,
    make({ expiresAt: NOW - 1, issuedAt: NOW - 100 }),
    make({ setupSecret: 'ANOTHER-LABEL' }),
    make({ model: 'smart-bin' }),
    good, good, make({ issuedAt: NOW - 120 }),
  ];

  const storage = createHostStorage({ partitions: { outbox: 16 * 4096 } });
  storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SECRET);
  const p256 = p256HostHandler();
  const xs = await XsSession.start({
    entry: ENTRY,
    hostOptions: { storage },
    hostHandlers: { verifyP256: p256.handler },
  });
  sessions.push(xs);
  const onXs = (await xs.call('applyAll', texts, publicHex, 'door-reader', NOW)).value as CodeOutcome[];

  const nodeKv = createHostStorage({}).kv;
  nodeKv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SECRET);
  const context = { kv: nodeKv, crypto: createHostCrypto(), model: 'door-reader', provisioningKey: Buffer.from(publicHex, 'hex'), now: NOW };
  const onNode = texts.map((text) => applyProvisioningCode(text, context));

  expect(onXs).toEqual(onNode);
  expect(onXs.map((outcome) => (outcome.ok ? 'ok' : outcome.reason))).toEqual([
    'forged', 'forged', 'forged', 'forged', 'forged', 'forged', 'forged',
    'malformed', 'malformed', 'malformed', 'malformed',
    'expired', 'not_for_this_device', 'wrong_model',
    'ok', 'reused', 'stale',
  ]);
  expect(dump(storage.kv)).toEqual(dump(nodeKv));
  expect(readProvisioning(storage.kv)).toMatchObject({ site: 'site-x', device: 'door-x', user: 'site-x.door-x', pass: 'pw' });
  // The guard runs in XS: a zero s never reaches the verifier, a signature in range does.
  const before = p256.calls();
  expect((await xs.call('applyAll', [zeroS], publicHex, 'door-reader', null)).value).toMatchObject([{ ok: false, reason: 'forged' }]);
  expect(p256.calls()).toBe(before);
  expect((await xs.call('applyAll', [texts[5]], publicHex, 'door-reader', null)).value).toMatchObject([{ ok: false, reason: 'forged' }]);
  expect(p256.calls()).toBe(before + 1);
});
