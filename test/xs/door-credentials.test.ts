// The door reader's credential store on the real XS engine: the decision path over a list synced on the host
// gives the same outcomes as on Node at a cost that does not grow with the list; a snapshot and a delta applied
// inside XS leave the flash the Node store reads; a power cut mid-sync on XS leaves the old list in force.
import { afterAll, afterEach, describe, expect, test } from '@jest/globals';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { createHostStorage, type HostStorage } from '../../hal/host/storage/index.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { decideCredential, type DecisionContext } from '../../firmware/apps/door-reader/decision.js';
import { toHex } from '../../firmware/lib/hex.js';
import { deltaSync, encodeList, snapshotSync, type SyncPackage } from '../../scripts/platform/credential-encoder.js';
import { cards, digest, playSync, PROFILES, SITE_KEYS, uid } from '../support/door-reader/credential-device.js';
import { XsSession } from '../support/xs/session.js';
import { TestHal } from '../support/xs/test-hal.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/door-credentials.ts';
const CONTEXT: DecisionContext = { door: 1, now: Date.UTC(2026, 0, 9, 9, 0), tzOffsetMin: 60, lockdown: false };

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

function storageWith(sync?: SyncPackage): HostStorage {
  const storage = createHostStorage({ partitions: { outbox: 16 * 4096, credA: 256 * 1024, credB: 256 * 1024 } });
  writeCredentialKeys(storage.kv, SITE_KEYS);
  if (sync) expect(playSync(nodeStore(storage), sync).at(-1)!.status).toBe('done');
  return storage;
}

function nodeStore(storage: HostStorage): CredentialStore {
  return new CredentialStore({ storage, crypto: createHostCrypto() });
}

async function boot(storage: HostStorage | TestHal): Promise<XsSession> {
  const xs = await XsSession.start({ entry: ENTRY, ...(storage instanceof TestHal ? { host: storage } : { hostOptions: { storage } }) });
  sessions.push(xs);
  return xs;
}

/** Present cards (every PIN holder types its PIN, every other one wrongly) and strangers, alternating. */
function presentations(n: number, count: number) {
  const credentials = cards(n);
  return Array.from({ length: count }, (_, k) => {
    if (k % 2 === 1) return { uid: toHex(digest(`stranger ${k}`).subarray(0, 7)) };
    const j = k / 2;
    const i = (j * 7919) % n;
    const pin = credentials[i]!.pin;
    return { uid: toHex(uid(i)), ...(pin === undefined ? {} : { pin: j % 20 < 10 ? pin : '0000' }) };
  });
}

describe('the decision path on XS', () => {
  test('gives the outcomes Node gives, over present, absent, revoked and PIN cards', async () => {
    const n = 2_000;
    const storage = storageWith(snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, cards(n), PROFILES)));
    const xs = await boot(storage);
    expect((await xs.call('open')).value).toEqual({ version: 1, count: n, pins: n / 10, profiles: PROFILES.length });
    const list = presentations(n, 600);
    await xs.call('prepare', list);
    const onXs = (await xs.call<Record<string, number>>('decideAll', CONTEXT)).value;

    const store = nodeStore(storage);
    const onNode: Record<string, number> = {};
    for (const p of list) {
      const secret = Buffer.from(p.uid, 'hex');
      const record = store.lookup('card', secret);
      const pin = record?.pinRequired && p.pin !== undefined ? (store.checkPin('card', secret, p.pin) ? 'right' : 'wrong') : 'none';
      const { reason } = decideCredential(record, record ? store.profile(record.profile) : undefined, pin, CONTEXT);
      onNode[reason] = (onNode[reason] ?? 0) + 1;
    }
    expect(onXs).toEqual(onNode);
    for (const reason of ['granted', 'unknown', 'revoked', 'wrong_door', 'wrong_pin']) expect(onXs[reason]).toBeGreaterThan(0);
    expect((await xs.call('lookup', toHex(uid(7)))).value).toEqual({ validFrom: 2000, validTo: 2365, profile: 1, pinRequired: false, revoked: true });
    expect((await xs.call('checkPin', toHex(uid(20)), '1020')).value).toBe(true);
    expect((await xs.call('checkPin', toHex(uid(20)), '1021')).value).toBe(false);
  });

  test('costs the same computrons per decision at 1,000 and 16,000 credentials', async () => {
    const perDecision: number[] = [];
    for (const n of [1_000, 16_000]) {
      const xs = await boot(storageWith(snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, cards(n), PROFILES))));
      await xs.call('open');
      await xs.call('prepare', presentations(n, 400));
      const run = await xs.call('decideAll', CONTEXT);
      perDecision.push(run.callComputrons / 400);
    }
    expect(perDecision[0]).toBeGreaterThan(500);
    expect(perDecision[1]! / perDecision[0]!).toBeLessThan(1.15);
  });
});

describe('syncs applied on XS', () => {
  const v1 = encodeList(SITE_KEYS, 1, cards(300), PROFILES);
  const v2 = encodeList(SITE_KEYS, 2, [...cards(250), ...cards(30, 900)], PROFILES);

  async function play(xs: XsSession, sync: SyncPackage): Promise<unknown> {
    let step = (await xs.call<{ status: string }>('begin', sync.begin)).value;
    for (const chunk of sync.chunks) {
      if (step.status !== 'progress') break;
      step = (await xs.call<{ status: string }>('chunk', chunk)).value;
    }
    return step;
  }

  test('a snapshot then a delta, read back by the Node store from the same flash', async () => {
    const storage = storageWith();
    const xs = await boot(storage);
    await xs.call('open');
    expect(await play(xs, snapshotSync(SITE_KEYS, v1, { recordsPerChunk: 40 }))).toMatchObject({ status: 'done', summary: { added: 300, count: 300 } });
    expect(await play(xs, deltaSync(SITE_KEYS, v1, v2, { recordsPerChunk: 40 }))).toMatchObject({
      status: 'done', summary: { version: 2, previous: 1, added: 30, removed: 50, updated: 0, count: 280 },
    });
    expect((await xs.call('lookup', toHex(uid(905)))).value).toMatchObject({ profile: 905 % 3 });
    expect((await xs.call('lookup', toHex(uid(260)))).value).toBeNull();
    const store = nodeStore(storage);
    expect(store.status()).toEqual({ version: 2, count: 280, pins: 28, profiles: PROFILES.length });
    expect(store.lookup('card', uid(905))).toBeDefined();
  });

  test('a tampered chunk is refused on XS too', async () => {
    const xs = await boot(storageWith());
    await xs.call('open');
    const sync = snapshotSync(SITE_KEYS, v1, { recordsPerChunk: 40 });
    const chunks = sync.chunks.map((c, i) => (i === 2 ? { ...c, data: `${c.data[0] === 'A' ? 'B' : 'A'}${c.data.slice(1)}` } : c));
    expect(await play(xs, { ...sync, chunks })).toMatchObject({ status: 'failed', reason: 'chunk_hash' });
    expect((await xs.call<{ version: number }>('open')).value.version).toBe(0);
  });

  test('a power cut in the middle of a delta on XS leaves the old list after reboot', async () => {
    const storage = storageWith(snapshotSync(SITE_KEYS, v1));
    let xs = await boot(storage);
    await xs.call('open');
    const sync = deltaSync(SITE_KEYS, v1, v2, { recordsPerChunk: 40 });
    await xs.call('begin', sync.begin);
    await xs.call('chunk', sync.chunks[0]);
    storage.failAfterWrites(3, { torn: true });
    let died = -1;
    for (let i = 1; i < sync.chunks.length && died < 0; i++) {
      await xs.call('chunk', sync.chunks[i]).catch((error: Error) => {
        expect(error.message).toMatch(/PowerLoss|power/i);
        died = i;
      });
    }
    expect(died).toBeGreaterThan(0); // the worker died on a chunk, before the sync could switch
    await xs.close();
    xs = await boot(xs.host.rebooted());
    expect((await xs.call('open')).value).toEqual({ version: 1, count: 300, pins: 30, profiles: PROFILES.length });
    expect((await xs.call('lookup', toHex(uid(260)))).value).not.toBeNull();
    expect(await play(xs, sync)).toMatchObject({ status: 'done', summary: { version: 2 } });
  });
});
