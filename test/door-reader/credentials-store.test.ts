// The credential store's lookups: every kind of credential and record flag, absent and revoked ones, card + PIN,
// profiles; no raw secret in flash; a constant number of flash reads per lookup whatever the list's size; a
// damaged or missing list serves nothing rather than something wrong.
import { describe, expect, test } from '@jest/globals';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { CredentialStore } from '../../firmware/apps/door-reader/credentials/index.js';
import { bucketOf, decodeProfile, encodeProfile } from '../../firmware/apps/door-reader/credentials/format.js';
import { HEADER_BYTES } from '../../firmware/apps/door-reader/credentials/layout.js';
import { type CredentialInput, encodeList, keyedHash, snapshotSync } from '../../scripts/platform/credential-encoder.js';
import { cards, credentialStorage, digest, openStore, playSync, PROFILES, SITE_KEYS, uid } from '../support/door-reader/credential-device.js';

const MIXED: CredentialInput[] = [
  { kind: 'card', secret: uid(1), validFrom: 2100, validTo: 2500, profile: 0 },
  { kind: 'card', secret: uid(2), validFrom: 2100, validTo: 2500, profile: 1, pin: '4711' },
  { kind: 'card', secret: uid(3), validFrom: 0, validTo: 0xffff, profile: 2, revoked: true },
  { kind: 'pin', secret: '918273', validFrom: 2200, validTo: 2210, profile: 1 },
  { kind: 'qr', secret: 'resident:7f3a-99', validFrom: 1500, validTo: 3000, profile: 1023 },
  { kind: 'card', secret: new Uint8Array([0x04, 0xa1, 0xb2, 0xc3]), validFrom: 2000, validTo: 2000, profile: 300, pin: '0000' },
];

function storeWith(credentials: readonly CredentialInput[], version = 1) {
  const storage = credentialStorage();
  const store = openStore(storage);
  const steps = playSync(store, snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, version, credentials, PROFILES),
    credentials.length < 100 ? { recordsPerChunk: 2 } : {}));
  expect(steps.at(-1)!.status).toBe('done');
  return { storage, store };
}

describe('lookup', () => {
  const { storage, store } = storeWith(MIXED);

  test('finds every kind of credential with its validity, profile and flags', () => {
    expect(store.version).toBe(1);
    expect(store.count).toBe(MIXED.length);
    for (const credential of MIXED) {
      expect(store.lookup(credential.kind, credential.secret)).toEqual({
        validFrom: credential.validFrom, validTo: credential.validTo, profile: credential.profile,
        pinRequired: credential.pin !== undefined, revoked: credential.revoked ?? false,
      });
    }
  });

  test('absent credentials, and a secret under another kind, are unknown', () => {
    expect(store.lookup('card', uid(4))).toBeUndefined();
    expect(store.lookup('card', new Uint8Array([0x04, 0xa1, 0xb2]))).toBeUndefined();
    expect(store.lookup('pin', '918274')).toBeUndefined();
    expect(store.lookup('card', '918273')).toBeUndefined();
    expect(store.lookup('qr', uid(1))).toBeUndefined();
    expect(store.lookup('card', new Uint8Array(0))).toBeUndefined();
  });

  test('card + PIN: only the right PIN of that card passes', () => {
    expect(store.checkPin('card', uid(2), '4711')).toBe(true);
    expect(store.checkPin('card', uid(2), '4712')).toBe(false);
    expect(store.checkPin('card', uid(2), '47111')).toBe(false);
    expect(store.checkPin('card', uid(2), '')).toBe(false);
    expect(store.checkPin('card', new Uint8Array([0x04, 0xa1, 0xb2, 0xc3]), '0000')).toBe(true);
    expect(store.checkPin('card', new Uint8Array([0x04, 0xa1, 0xb2, 0xc3]), '4711')).toBe(false);
    expect(store.checkPin('card', uid(1), '4711')).toBe(false); // no PIN on that card
    expect(store.checkPin('card', uid(9), '4711')).toBe(false);
  });

  test('profiles decode as encoded; an index beyond the table has none', () => {
    PROFILES.forEach((profile, n) => expect(store.profile(n)).toEqual({ ...profile, doors: profile.doors >>> 0 }));
    expect(store.profile(PROFILES.length)).toBeUndefined();
    expect(store.profile(-1)).toBeUndefined();
    expect(store.profile(1.5)).toBeUndefined();
  });

  test('a second store on the same storage (a restart) serves the same list', () => {
    const again = openStore(storage);
    expect(again.status()).toEqual({ version: 1, count: MIXED.length, pins: 2, profiles: PROFILES.length });
    expect(again.lookup('card', uid(2))).toEqual(store.lookup('card', uid(2)));
  });

  test('flash holds keyed hashes only: no UID, PIN or QR text', () => {
    const flash = Buffer.concat([storage.partition('credA')!.snapshot(), storage.partition('credB')!.snapshot()]);
    for (const credential of MIXED) {
      const secret = typeof credential.secret === 'string' ? Buffer.from(credential.secret) : Buffer.from(credential.secret);
      expect(flash.indexOf(secret)).toBe(-1);
      if (credential.pin) expect(flash.indexOf(Buffer.from(credential.pin))).toBe(-1);
    }
    // ...but the tags are there: the list is really in this flash.
    expect(flash.indexOf(Buffer.from(keyedHash(SITE_KEYS, 'card', uid(1)).subarray(0, 6)))).toBeGreaterThan(0);
  });
});

describe('cost does not grow with the list', () => {
  test.each([1_000, 10_000])('%i credentials: two flash reads per lookup, present or absent', (n) => {
    const { storage, store } = storeWith(cards(n));
    const flash = storage.partition('credA')!;
    const before = flash.reads;
    const lookups = 400;
    let found = 0;
    for (let i = 0; i < lookups / 2; i++) {
      if (store.lookup('card', uid((i * 7919) % n))) found++;
      if (store.lookup('card', uid(n + i))) found++;
    }
    expect(found).toBe(lookups / 2);
    expect((flash.reads - before) / lookups).toBe(2);
  });

  test('buckets hold about eight records each', () => {
    const n = 20_000;
    const buckets = Math.ceil(n / 8);
    const sizes = new Array<number>(buckets).fill(0);
    for (let i = 0; i < n; i++) sizes[bucketOf(keyedHash(SITE_KEYS, 'card', uid(i)), buckets)]!++;
    expect(Math.max(...sizes)).toBeLessThan(30);
    expect(sizes.reduce((a, b) => a + b, 0) / buckets).toBeCloseTo(8, 5);
  });
});

describe('no list, or a damaged one', () => {
  test('before any sync nothing is known and nothing throws', () => {
    const store = openStore(credentialStorage());
    expect(store.status()).toEqual({ version: 0, count: 0, pins: 0, profiles: 0 });
    expect(store.lookup('card', uid(1))).toBeUndefined();
    expect(store.checkPin('card', uid(1), '1234')).toBe(false);
    expect(store.profile(0)).toBeUndefined();
  });

  test('without provisioned keys lookups find nothing and syncs are refused', () => {
    const storage = credentialStorage({ keys: false });
    const store = openStore(storage);
    const sync = snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, MIXED, PROFILES));
    expect(store.beginSync(sync.begin)).toMatchObject({ status: 'failed', reason: 'no_keys' });
    expect(store.lookup('card', uid(1))).toBeUndefined();
  });

  test('a corrupted header makes the store serve nothing and say why', () => {
    const { storage } = storeWith(MIXED);
    const flash = storage.partition('credA')!;
    flash.write(15, 1, new Uint8Array([0x00])); // the count's low byte: the header check no longer matches
    const store = openStore(storage);
    expect(store.status()).toMatchObject({ version: 0, count: 0, problem: expect.stringContaining('check failed') });
    expect(store.lookup('card', uid(1))).toBeUndefined();
  });

  test('a header of another version than the switch names is not trusted', () => {
    const { storage } = storeWith(MIXED, 5);
    storage.kv.set('cred', 'active', 'credA 4');
    expect(openStore(storage).status()).toMatchObject({ version: 0, problem: 'credA holds version 5, expected 4' });
    expect(HEADER_BYTES).toBeLessThanOrEqual(storage.partition('credA')!.blockSize);
  });

  test('a store needs both slot partitions', () => {
    const storage = credentialStorage();
    expect(() => new CredentialStore({ storage, crypto: createHostCrypto(), partitions: ['credA', 'credX'] })).toThrow('no flash partition "credX"');
    expect(() => new CredentialStore({ storage, crypto: createHostCrypto(), partitions: ['credA'] })).toThrow('two partitions');
  });
});

describe('formats', () => {
  test('profiles refuse what the device would refuse', () => {
    expect(() => encodeProfile({ doors: 1, schedule: [{ days: 0, start: 0, end: 60 }] })).toThrow('weekdays');
    expect(() => encodeProfile({ doors: 1, schedule: [{ days: 1, start: 600, end: 600 }] })).toThrow('0..1440');
    expect(() => encodeProfile({ doors: 1, schedule: Array(7).fill({ days: 1, start: 0, end: 1 }) })).toThrow('at most 6');
    const profile = { doors: 0x8000_0001, schedule: [{ days: 0x41, start: 1380, end: 1440 }] };
    expect(decodeProfile(encodeProfile(profile))).toEqual(profile);
  });

  test('keyed hashes depend on the site key', () => {
    const other = { ...SITE_KEYS, hashKey: digest('another site') };
    expect(keyedHash(other, 'card', uid(1))).not.toEqual(keyedHash(SITE_KEYS, 'card', uid(1)));
  });
});
