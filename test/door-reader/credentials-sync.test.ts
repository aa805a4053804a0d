// Credential sync: snapshots and deltas with the right change counts; the old list serving until the switch,
// through lost chunks, cut-off syncs and restarts; tampered, forged, stale and malformed syncs refused with the
// old list kept; each block of the free slot erased once per sync and the slot in force never touched.
import { beforeEach, describe, expect, test } from '@jest/globals';
import type { CredentialStore, SyncStep } from '../../firmware/apps/door-reader/credentials/index.js';
import { RECORD_BYTES } from '../../firmware/apps/door-reader/credentials/format.js';
import type { HostStorage } from '../../hal/host/storage/index.js';
import { chunkBodies, type CredentialInput, deltaSync, encodeList, type EncodedList, signSync, snapshotSync,
  type SyncPackage } from '../../scripts/platform/credential-encoder.js';
import { cards, credentialStorage, digest, openStore, playSync, PROFILES, SITE_KEYS, uid } from '../support/door-reader/credential-device.js';

const SMALL = { recordsPerChunk: 16 };
const list = (version: number, credentials: readonly CredentialInput[]): EncodedList => encodeList(SITE_KEYS, version, credentials, PROFILES);

const V1 = cards(200);
/** v2: cards 0..149 kept (card 3 revoked, card 4 moved to another profile), 150..199 removed, 1000..1059 added. */
const V2 = [
  ...V1.slice(0, 150).map((c, i) => (i === 3 ? { ...c, revoked: true } : i === 4 ? { ...c, profile: 2 } : c)),
  ...cards(60, 1000),
];

function last(steps: SyncStep[]): SyncStep {
  return steps.at(-1)!;
}

function summaryOf(step: SyncStep) {
  if (step.status !== 'done') throw new Error(`sync did not complete: ${JSON.stringify(step)}`);
  return step.summary;
}

/** The store answers exactly like `credentials` (and knows nothing of `absent`). */
function expectServes(store: CredentialStore, credentials: readonly CredentialInput[], absent: readonly CredentialInput[] = []): void {
  for (const c of credentials) {
    expect(store.lookup(c.kind, c.secret)).toEqual({
      validFrom: c.validFrom, validTo: c.validTo, profile: c.profile, pinRequired: c.pin !== undefined, revoked: c.revoked ?? false,
    });
    if (c.pin !== undefined) expect(store.checkPin(c.kind, c.secret, c.pin)).toBe(true);
  }
  for (const c of absent) expect(store.lookup(c.kind, c.secret)).toBeUndefined();
}

let storage: HostStorage;
let store: CredentialStore;
beforeEach(() => {
  storage = credentialStorage();
  store = openStore(storage);
});

describe('snapshot and delta', () => {
  test('a snapshot then a delta: counts added, removed, updated and the new version', () => {
    expect(summaryOf(last(playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL))))).toEqual({
      sync: 's0-1', kind: 'snapshot', version: 1, previous: 0, added: 200, removed: 0, updated: 0,
      count: 200, pins: 20, profiles: PROFILES.length,
    });
    expectServes(store, V1);

    const steps = playSync(store, deltaSync(SITE_KEYS, list(1, V1), list(2, V2), SMALL));
    expect(summaryOf(last(steps))).toEqual({
      sync: 's1-2', kind: 'delta', version: 2, previous: 1, added: 60, removed: 50, updated: 2,
      count: 210, pins: 21, profiles: PROFILES.length,
    });
    expectServes(store, V2, V1.slice(150));
    expect(store.lookup('card', uid(3))?.revoked).toBe(true);
    expect(store.lookup('card', uid(4))?.profile).toBe(2);
  });

  test('a snapshot over a list counts its changes against that list too', () => {
    playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL));
    expect(summaryOf(last(playSync(store, snapshotSync(SITE_KEYS, list(7, V2)))))).toMatchObject({
      kind: 'snapshot', version: 7, previous: 1, added: 60, removed: 50, updated: 2, count: 210,
    });
    expectServes(store, V2, V1.slice(150));
  });

  test('a delta changes PINs and profiles too', () => {
    playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL));
    // Card 10 gets another PIN (its record stays), card 20 loses its PIN, card 11 gains one.
    const changed = V1.map((c, i) =>
      i === 10 ? { ...c, pin: '2468' } : i === 20 ? { kind: c.kind, secret: c.secret, validFrom: 1, validTo: 9, profile: 0 } : i === 11 ? { ...c, pin: '1357' } : c);
    const profiles = [...PROFILES, { doors: 8, schedule: [{ days: 1, start: 0, end: 60 }] }];
    const steps = playSync(store, deltaSync(SITE_KEYS, list(1, V1), encodeList(SITE_KEYS, 2, changed, profiles)));
    expect(summaryOf(last(steps))).toMatchObject({ added: 0, removed: 0, updated: 2, pins: 20, profiles: 4 });
    expect(store.checkPin('card', uid(10), '2468')).toBe(true);
    expect(store.checkPin('card', uid(10), V1[10]!.pin!)).toBe(false);
    expect(store.lookup('card', uid(20))).toMatchObject({ pinRequired: false, validTo: 9 });
    expect(store.checkPin('card', uid(20), V1[20]!.pin!)).toBe(false);
    expect(store.lookup('card', uid(11))).toMatchObject({ pinRequired: true });
    expect(store.checkPin('card', uid(11), '1357')).toBe(true);
    expect(store.profile(3)).toEqual(profiles[3]);
  });

  test('an empty list syncs, and a delta can empty a list', () => {
    expect(summaryOf(last(playSync(store, snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, [], [])))))).toMatchObject({ count: 0, profiles: 0 });
    playSync(store, snapshotSync(SITE_KEYS, list(2, V1), SMALL));
    expect(summaryOf(last(playSync(store, deltaSync(SITE_KEYS, list(2, V1), list(3, []), SMALL))))).toMatchObject({ removed: 200, count: 0 });
    expect(store.lookup('card', uid(0))).toBeUndefined();
  });

  test('slots alternate and the slot in force is never written during a sync', () => {
    const [a, b] = [storage.partition('credA')!, storage.partition('credB')!];
    playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL));
    expect(storage.kv.get('cred', 'active')).toBe('credA 1');
    const [writesA, erasesA] = [a.writes, a.erases];
    playSync(store, deltaSync(SITE_KEYS, list(1, V1), list(2, V2), SMALL));
    expect(storage.kv.get('cred', 'active')).toBe('credB 2');
    expect([a.writes, a.erases]).toEqual([writesA, erasesA]);
    const [writesB, erasesB] = [b.writes, b.erases];
    playSync(store, snapshotSync(SITE_KEYS, list(3, V1)));
    expect(storage.kv.get('cred', 'active')).toBe('credA 3');
    expect([b.writes, b.erases]).toEqual([writesB, erasesB]);
  });

  test('flash wear: each block erased once per sync, written a block at a time, one key-value write', () => {
    const big = cards(3000);
    const flash = storage.partition('credA')!;
    const kvWrites = storage.kv.writes;
    playSync(store, snapshotSync(SITE_KEYS, list(1, big)));
    expect(Math.max(...flash.eraseCounts)).toBe(1);
    const recordBlocks = Math.ceil((3000 * RECORD_BYTES) / flash.blockSize);
    expect(flash.writes).toBeLessThan(recordBlocks + 10);
    expect(flash.bytesWritten / flash.writes).toBeGreaterThan(2000);
    expect(storage.kv.writes - kvWrites).toBe(1);
  });
});

describe('the old list serves until the switch', () => {
  beforeEach(() => {
    playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL));
  });
  const delta = () => deltaSync(SITE_KEYS, list(1, V1), list(2, V2), SMALL);

  test('during a sync, and when it is cut off midway, even across a restart', () => {
    const sync = delta();
    expect(store.beginSync(sync.begin)).toMatchObject({ status: 'progress', next: 0, chunks: sync.chunks.length });
    const half = Math.floor(sync.chunks.length / 2);
    for (const chunk of sync.chunks.slice(0, half)) {
      expect(store.applyChunk(chunk).status).toBe('progress');
      expect(store.version).toBe(1);
    }
    expectServes(store, V1);

    const restarted = openStore(storage);
    expect(restarted.status()).toEqual({ version: 1, count: 200, pins: 20, profiles: PROFILES.length });
    expectServes(restarted, V1);
    expect(restarted.applyChunk(sync.chunks[half]!)).toEqual({ status: 'refused', message: 'no sync session "s1-2": begin it again' });
    expect(summaryOf(last(playSync(restarted, sync)))).toMatchObject({ version: 2, added: 60, removed: 50, updated: 2 });
    expectServes(restarted, V2);
  });

  test('lost chunks: the device asks for the next one and the sync resumes; repeats change nothing', () => {
    const sync = delta();
    store.beginSync(sync.begin);
    store.applyChunk(sync.chunks[0]!);
    store.applyChunk(sync.chunks[1]!);
    expect(store.applyChunk(sync.chunks[4]!)).toEqual({ status: 'refused', message: 'expected chunk 2', next: 2 });
    expect(store.applyChunk(sync.chunks[0]!)).toEqual({ status: 'progress', sync: 's1-2', next: 2, chunks: sync.chunks.length });
    expect(store.beginSync(sync.begin)).toEqual({ status: 'progress', sync: 's1-2', next: 2, chunks: sync.chunks.length });
    expect(store.status().session).toEqual({ sync: 's1-2', kind: 'delta', version: 2, next: 2, chunks: sync.chunks.length });
    let step: SyncStep | undefined;
    for (const chunk of sync.chunks.slice(2)) step = store.applyChunk(chunk);
    expect(summaryOf(step!)).toMatchObject({ added: 60, removed: 50, updated: 2 });
    expect(store.applyChunk(sync.chunks.at(-1)!).status).toBe('refused');
    expect(store.status().session).toBeUndefined();
  });

  test('a new sync supersedes one in progress', () => {
    const first = delta();
    store.beginSync(first.begin);
    store.applyChunk(first.chunks[0]!);
    const second = snapshotSync(SITE_KEYS, list(3, V2), { sync: 'again' });
    expect(store.beginSync(second.begin)).toMatchObject({ status: 'progress', next: 0, superseded: { sync: 's1-2', kind: 'delta', version: 2 } });
    expect(store.applyChunk(first.chunks[1]!).status).toBe('refused');
    expect(summaryOf(last(playSync(store, second))).version).toBe(3);
  });

  test('the list already in force is acknowledged, not rebuilt', () => {
    const writes = storage.partition('credB')!.writes;
    expect(store.beginSync(snapshotSync(SITE_KEYS, list(1, V1), { sync: 'retry' }).begin)).toEqual({ status: 'current', version: 1 });
    expect(storage.partition('credB')!.writes).toBe(writes);
  });
});

describe('refused syncs keep the old list', () => {
  beforeEach(() => {
    playSync(store, snapshotSync(SITE_KEYS, list(1, V1), SMALL));
  });

  function expectRefused(sync: SyncPackage, reason: string): void {
    const step = last(playSync(store, sync));
    expect(step).toMatchObject({ status: 'failed', reason });
    expect(store.status()).toMatchObject({ version: 1, count: 200 });
    expect(store.status().session).toBeUndefined();
    expectServes(store, V1, V2.slice(150));
  }

  test('a tampered chunk is rejected, the session ends, the genuine sync then succeeds', () => {
    const sync = deltaSync(SITE_KEYS, list(1, V1), list(2, V2), SMALL);
    const bodies = chunkBodies(sync);
    bodies[3]![5] ^= 0x01;
    const tampered = { ...sync, chunks: sync.chunks.map((c, i) => (i === 3 ? { ...c, data: Buffer.from(bodies[3]!).toString('base64') } : c)) };
    expectRefused(tampered, 'chunk_hash');
    expect(store.applyChunk(sync.chunks[4]!).status).toBe('refused');
    expect(summaryOf(last(playSync(store, sync))).version).toBe(2);
  });

  test('a manifest changed in transit, or signed with another key, is refused', () => {
    const sync = deltaSync(SITE_KEYS, list(1, V1), list(2, V2), SMALL);
    expectRefused({ ...sync, begin: { ...sync.begin, count: sync.begin.count + 1 } }, 'bad_mac');
    expectRefused(deltaSync({ ...SITE_KEYS, syncKey: digest('forger') }, list(1, V1), list(2, V2)), 'bad_mac');
  });

  test('stale versions and deltas from another base are refused', () => {
    expectRefused(snapshotSync(SITE_KEYS, list(1, V2)), 'stale_version');
    expectRefused(deltaSync(SITE_KEYS, list(5, V1), list(6, V2)), 'base_mismatch');
    expectRefused(deltaSync(SITE_KEYS, list(0, []), list(6, V2)), 'base_mismatch');
  });

  test('signed content that is malformed or does not add up is refused', () => {
    const good = snapshotSync(SITE_KEYS, list(2, V2), SMALL);
    const { mac: _mac, hashes: _hashes, ...fields } = good.begin;
    const bodies = chunkBodies(good);
    // Two records of a chunk swapped: not in ascending order.
    const swapped = bodies.map((body) => body.slice());
    const main = swapped.findIndex((body) => body[0] === 1);
    swapped[main]!.set(bodies[main]!.subarray(1, 13), 13);
    swapped[main]!.set(bodies[main]!.subarray(13, 25), 1);
    expectRefused(signSync(SITE_KEYS, fields, swapped), 'bad_chunk');
    // Profiles again after the records; records before all the profiles are in.
    expectRefused(signSync(SITE_KEYS, fields, [...bodies, bodies[0]!]), 'bad_chunk');
    expectRefused(signSync(SITE_KEYS, fields, [bodies[main]!, ...bodies.filter((_, i) => i !== main)]), 'count_mismatch');
    // A chunk cut mid-record, and a chunk of an unknown stream.
    expectRefused(signSync(SITE_KEYS, fields, [...bodies.slice(0, -1), bodies.at(-1)!.subarray(0, 20)]), 'bad_chunk');
    expectRefused(signSync(SITE_KEYS, fields, [...bodies, new Uint8Array([3])]), 'bad_chunk');
    // Counts and digest the content does not match.
    expectRefused(signSync(SITE_KEYS, { ...fields, count: fields.count + 1 }, bodies), 'count_mismatch');
    expectRefused(signSync(SITE_KEYS, { ...fields, count: fields.count - 1 }, bodies), 'count_mismatch');
    expectRefused(signSync(SITE_KEYS, { ...fields, digest: 'ab'.repeat(32) }, bodies), 'digest_mismatch');
  });

  test('a delta removing a credential the list does not hold is refused', () => {
    const delta = deltaSync(SITE_KEYS, list(1, [...V1, ...cards(1, 5000)]), list(2, V1));
    expectRefused(delta, 'bad_delta');
  });

  test('a list larger than the slot is refused before anything is written', () => {
    const small = credentialStorage({ slotBytes: 64 * 1024 });
    const tight = openStore(small);
    expect(last(playSync(tight, snapshotSync(SITE_KEYS, list(1, cards(6000)))))).toMatchObject({ status: 'failed', reason: 'too_large' });
    expect(small.partition('credA')!.erases).toBe(0);
  });
});
