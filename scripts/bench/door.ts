// npm run bench:door — the door reader's decision path on the real XS engine, at 1k, 10k and 100k credentials.
// For each size the platform encoder builds a snapshot, the store (on Node, same code) syncs it into simulated
// NOR flash, then XS opens that flash through the host-backed HAL and decides presentations: half of them cards
// on the list (some with a PIN to check), half unknown cards. A decision = lookup (HMAC, directory read, bucket
// read) + profile + PIN check when required + the record check (decideCredential). Prints computrons per decision
// (XS's own deterministic count, HAL round trips included), the 100k/1k ratio and the flash bytes per credential.
import { createHostCrypto } from '../../hal/host/crypto.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { RECORD_BYTES } from '../../firmware/apps/door-reader/credentials/format.js';
import { slotLayout } from '../../firmware/apps/door-reader/credentials/layout.js';
import { toHex } from '../../firmware/lib/hex.js';
import { cards, digest, playSync, PROFILES, SITE_KEYS, uid } from '../../test/support/door-reader/credential-device.js';
import { encodeList, snapshotSync } from '../platform/credential-encoder.js';
import { XsSession } from '../../test/support/xs/session.js';
import { killAllWorkers } from '../../test/support/xs/xsnap.js';

const SIZES = [1_000, 10_000, 100_000];
/** Per slot: 100k credentials + 10k PIN entries + profiles need about 1.42 MB. */
const SLOT_BYTES = 1536 * 1024;
const PRESENT = 1_000;
const ABSENT = 1_000;
const ENTRY = 'test/xs/entries/door-credentials.ts';
/** Day 2200 of the list (2026-01-09), 10:00 local, door 1. */
const CONTEXT = { door: 1, now: Date.UTC(2026, 0, 9, 9, 0), tzOffsetMin: 60, lockdown: false };

interface Measure {
  n: number;
  perDecision: number;
}

async function measure(n: number): Promise<Measure> {
  const storage = createHostStorage({ partitions: { outbox: 16 * 4096, credA: SLOT_BYTES, credB: SLOT_BYTES } });
  writeCredentialKeys(storage.kv, SITE_KEYS);
  const credentials = cards(n);
  const store = new CredentialStore({ storage, crypto: createHostCrypto() });
  const last = playSync(store, snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, credentials, PROFILES))).at(-1)!;
  if (last.status !== 'done') throw new Error(`bench: sync of ${n} failed: ${JSON.stringify(last)}`);

  // Every PIN holder among them types a PIN (a wrong one every other time).
  const presentations = Array.from({ length: PRESENT + ABSENT }, (_, k) => {
    if (k % 2 === 1) return { uid: toHex(digest(`stranger ${k}`).subarray(0, 7)) };
    const j = k / 2;
    const i = (j * 7919) % n; // a prime stride: spread over the list, PIN holders and revoked cards in proportion
    const credential = credentials[i]!;
    const pin = credential.pin === undefined ? {} : { pin: Math.floor(j / 10) % 2 === 0 ? credential.pin : '0000' };
    return { uid: toHex(uid(i)), ...pin };
  });

  const xs = await XsSession.start({ entry: ENTRY, hostOptions: { storage } });
  try {
    const status = (await xs.call<{ count: number }>('open')).value;
    if (status.count !== n) throw new Error(`bench: XS sees ${status.count} credentials, expected ${n}`);
    await xs.call('prepare', presentations);
    const run = await xs.call<Record<string, number>>('decideAll', CONTEXT);
    const decided = Object.values(run.value).reduce((a, b) => a + b, 0);
    if (decided !== presentations.length || (run.value.unknown ?? 0) < ABSENT)
      throw new Error(`bench: unexpected outcomes ${JSON.stringify(run.value)}`);
    return { n, perDecision: run.callComputrons / decided };
  } finally {
    await xs.close();
  }
}

async function main(): Promise<void> {
  const results: Measure[] = [];
  for (const n of SIZES) {
    const result = await measure(n);
    results.push(result);
    console.log(`credentials=${n} computrons_per_decision=${Math.round(result.perDecision)}`);
  }
  const ratio = results.at(-1)!.perDecision / results[0]!.perDecision;
  // Flash bytes of one main record. The bucket directory adds 4 bytes per bucket of ~8 records (0.5 B per
  // credential, so 12.5 B all told); a card + PIN credential also has a 12-byte PIN table entry.
  const layout = slotLayout({ profiles: PROFILES.length, count: 100_000, pins: 10_000 }, 4096);
  if (layout.end > SLOT_BYTES) throw new Error('bench: 100k credentials do not fit the slot');
  console.log(`ratio_100k_1k=${ratio.toFixed(2)} bytes_per_credential=${RECORD_BYTES}`);
}

main()
  .catch((error: unknown) => {
    console.error(error instanceof Error ? error.stack : error);
    process.exitCode = 1;
  })
  .finally(() => killAllWorkers());
