// 100,000 credentials (10,000 with a PIN) fit a 1.5 MiB slot at 12 bytes each (plus half a byte of directory),
// sync in at most 320 chunks that each fit a protocol payload, and are looked up with two flash reads each.
import { describe, expect, test } from '@jest/globals';
import { MAX_PAYLOAD_BYTES } from '../../firmware/protocol/limits.js';
import { parseInbound } from '../../firmware/protocol/validate.js';
import { RECORD_BYTES } from '../../firmware/apps/door-reader/credentials/format.js';
import { slotLayout } from '../../firmware/apps/door-reader/credentials/layout.js';
import { encodeList, snapshotSync, syncCommands } from '../../scripts/platform/credential-encoder.js';
import { cards, credentialStorage, openStore, playSync, PROFILES, SITE_KEYS, uid } from '../support/door-reader/credential-device.js';

const N = 100_000;
const SLOT_BYTES = 1536 * 1024;

describe('100,000 credentials', () => {
  const credentials = cards(N);
  const sync = snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, credentials, PROFILES));
  const storage = credentialStorage({ slotBytes: SLOT_BYTES });
  const store = openStore(storage);
  const steps = playSync(store, sync);

  test('fit one slot: 12 bytes per record, half a byte of directory per credential', () => {
    expect(steps.at(-1)).toMatchObject({ status: 'done', summary: { count: N, pins: N / 10, added: N } });
    const layout = slotLayout({ profiles: PROFILES.length, count: N, pins: N / 10 }, 4096);
    expect(layout.end).toBeLessThanOrEqual(SLOT_BYTES);
    expect(layout.pins.directory - layout.main.records).toBe(Math.ceil((N * RECORD_BYTES) / 4096) * 4096);
    const directoryBytes = layout.main.records - layout.main.directory;
    expect(directoryBytes / N).toBeLessThanOrEqual(0.55);
    expect(RECORD_BYTES).toBeLessThanOrEqual(12);
  });

  test('travel in at most 320 chunks, each a valid command within the payload limit', () => {
    expect(sync.chunks.length).toBeLessThanOrEqual(320);
    const commands = syncCommands(sync, { exp: 1_800_000_000_000 });
    for (const command of [commands[0]!, commands[1]!, commands.at(-1)!]) {
      const text = JSON.stringify(command);
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX_PAYLOAD_BYTES);
      expect(parseInbound('command', text, false).ok).toBe(true);
    }
  });

  test('are looked up with two flash reads, present or absent', () => {
    const flash = storage.partition('credA')!;
    const before = flash.reads;
    let found = 0;
    for (let i = 0; i < 500; i++) {
      const present = credentials[(i * 7919) % N]!;
      if (store.lookup('card', present.secret)?.validTo === present.validTo) found++;
      if (store.lookup('card', uid(N + i))) found++;
    }
    expect(found).toBe(500);
    expect(flash.reads - before).toBe(2000);
    expect(store.checkPin('card', uid(0), credentials[0]!.pin!)).toBe(true);
  });
});
