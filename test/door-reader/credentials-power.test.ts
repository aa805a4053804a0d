// Power lost at every storage write of a sync — flash erases and writes, the key-value switch; cut clean or torn
// — leaves the device, after it powers up again, serving exactly the old list or exactly the new one, never a
// mix and never nothing; and the same sync run again then completes.
import { describe, expect, test } from '@jest/globals';
import type { CredentialStore } from '../../firmware/apps/door-reader/credentials/index.js';
import { PowerLoss } from '../../hal/host/storage/index.js';
import { type CredentialInput, deltaSync, encodeList, snapshotSync, type SyncPackage } from '../../scripts/platform/credential-encoder.js';
import { cards, credentialStorage, openStore, playSync, PROFILES, SITE_KEYS } from '../support/door-reader/credential-device.js';

const V1 = cards(80);
const V2 = [...V1.slice(0, 50).map((c, i) => (i % 7 === 0 ? { ...c, validTo: c.validTo + 30, revoked: i === 14 } : c)), ...cards(40, 500)];
const list = (version: number, credentials: readonly CredentialInput[]) => encodeList(SITE_KEYS, version, credentials, PROFILES);
const OPTIONS = { recordsPerChunk: 8 };

/** Which of the lists the store serves, checking every credential of both: 'v1', 'v2', or a failure. */
function serving(store: CredentialStore, lists: Record<string, readonly CredentialInput[]>): string {
  const name = Object.keys(lists).find((key) => store.version === Number(key.slice(1)));
  if (!name) return `unknown version ${store.version}`;
  const served = lists[name]!;
  const mine = new Set(served.map((c) => Buffer.from(c.secret as Uint8Array).toString('hex')));
  for (const c of served) {
    const record = store.lookup(c.kind, c.secret);
    if (!record || record.validTo !== c.validTo || record.revoked !== (c.revoked ?? false)) return `${name} without its card ${JSON.stringify(record)}`;
    if (c.pin !== undefined && !store.checkPin(c.kind, c.secret, c.pin)) return `${name} without a PIN`;
  }
  for (const c of Object.values(lists).flat()) {
    if (!mine.has(Buffer.from(c.secret as Uint8Array).toString('hex')) && store.lookup(c.kind, c.secret)) return `${name} with a foreign card`;
  }
  return name;
}

interface Scenario {
  name: string;
  /** The list in force before the sync (undefined: none). */
  before?: SyncPackage;
  sync: SyncPackage;
  lists: Record<string, readonly CredentialInput[]>;
  old: string;
  next: string;
}

const scenarios: Scenario[] = [
  { name: 'first snapshot', sync: snapshotSync(SITE_KEYS, list(1, V1), OPTIONS), lists: { v0: [], v1: V1 }, old: 'v0', next: 'v1' },
  {
    name: 'delta', before: snapshotSync(SITE_KEYS, list(1, V1), OPTIONS), sync: deltaSync(SITE_KEYS, list(1, V1), list(2, V2), OPTIONS),
    lists: { v1: V1, v2: V2 }, old: 'v1', next: 'v2',
  },
  {
    name: 'snapshot over a list', before: snapshotSync(SITE_KEYS, list(1, V1), OPTIONS), sync: snapshotSync(SITE_KEYS, list(2, V2), OPTIONS),
    lists: { v1: V1, v2: V2 }, old: 'v1', next: 'v2',
  },
];

function prepared(scenario: Scenario, seed: number) {
  const storage = credentialStorage({ seed });
  if (scenario.before) expect(playSync(openStore(storage), scenario.before).at(-1)!.status).toBe('done');
  return storage;
}

describe.each(scenarios)('power cut during a $name', (scenario) => {
  const probe = prepared(scenario, 1);
  const start = probe.power.mutations;
  expect(playSync(openStore(probe), scenario.sync).at(-1)!.status).toBe('done');
  const mutations = probe.power.mutations - start;

  test.each([false, true])('at each of its writes (torn: %s): the old list, whole; the sync then completes', (torn) => {
    expect(mutations).toBeGreaterThan(10);
    for (let cut = 0; cut < mutations; cut++) {
      const storage = prepared(scenario, cut + 7);
      storage.failAfterWrites(cut, { torn });
      expect(() => playSync(openStore(storage), scenario.sync)).toThrow(PowerLoss);
      storage.powerOn();
      const store = openStore(storage);
      // The switch is the sync's last write: cut anywhere, the old list is in force, whole and alone.
      expect([cut, serving(store, scenario.lists)]).toEqual([cut, scenario.old]);
      expect(store.status().problem).toBeUndefined();
      // Back up, the same sync sent again completes.
      expect([cut, playSync(store, scenario.sync).at(-1)!.status]).toEqual([cut, 'done']);
      expect([cut, serving(openStore(storage), scenario.lists)]).toEqual([cut, scenario.next]);
    }
  });

  test('with no cut the new list is in force, whole and alone', () => {
    expect(serving(openStore(probe), scenario.lists)).toBe(scenario.next);
  });
});
