// Signed firmware updates with rollback (firmware/lifecycle/ota.ts, docs/protocol.md §18) on a device with two
// firmware slots and the bootloader model (hal/host/firmware.ts): a good image is applied and confirmed; images that
// fail their self-test, crash on boot or never reach the broker are rolled back by the bootloader and reported by
// the old image; forged, truncated, tampered and downgraded images are refused with a reason and nothing switches.
import { describe, expect, test } from '@jest/globals';
import { SELF_TEST_MS } from '../../firmware/lifecycle/ota.js';
import { linkBytes, otaSigningText, versionRank } from '../../firmware/lifecycle/ota-manifest.js';
import type { EventMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import { PowerLoss } from '../../hal/host/storage/index.js';
import { flashFactoryImage } from '../../hal/host/firmware.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { OtaDevice, signedImage } from './ota-rig.js';
import { generateKeyPairSync } from 'node:crypto';

/** Through the restart (1 s), the reboot (1.5 s) and the connection. */
const REBOOT = 4000;

function onlineBirths(d: OtaDevice): StatusMessage[] {
  return d.messages<StatusMessage>('status').filter((s) => s.state === 'online');
}

function only(events: EventMessage[]): Record<string, unknown> {
  expect(events).toHaveLength(1);
  return events[0]!.data;
}

describe('an update that works', () => {
  test('begin, chunks, apply: the new image boots pending, passes its self-test online, is confirmed and says ota.applied', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    const image = signedImage('1.1.0');
    expect(image.chunks).toHaveLength(3);
    const results = d.update(image);
    expect(results.map((r) => r.code)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    expect(results[0]!.data).toEqual({ version: '1.1.0', next: 0, chunks: 3 });
    expect(results[3]!.data).toEqual({ version: '1.1.0', next: 3, chunks: 3, done: true });
    expect(results[4]!.data).toMatchObject({ from: '1.0.0', to: '1.1.0', restart: true });
    expect(d.slots).toEqual({ active: 1, states: ['valid', 'new'] });
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.1.0', state: 'valid' });
    expect(d.slots).toEqual({ active: 1, states: ['valid', 'valid'] });
    expect(only(d.events('ota.applied'))).toEqual({ from: '1.0.0', to: '1.1.0' });
    expect(onlineBirths(d).at(-1)!.fw).toBe('1.1.0');
    // Confirmed: any reset from now on boots it again.
    d.device.restart('panic');
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.1.0', state: 'valid' });
    expect(d.events('ota.rolled_back')).toEqual([]);
  });

  test('a download resumes: repeats are answered, a gap names the chunk expected, a restart keeps the session', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    const image = signedImage('1.2.0');
    const chunk = (n: number) => ({ version: '1.2.0', ...image.chunks[n]! });
    expect(d.command('ota.begin', { ...image.manifest }).code).toBe('ok');
    expect(d.command('ota.chunk', chunk(0)).data).toEqual({ version: '1.2.0', next: 1, chunks: 3 });
    expect(d.command('ota.chunk', chunk(0)).data).toEqual({ version: '1.2.0', next: 1, chunks: 3 }); // a repeat
    expect(d.command('ota.chunk', chunk(2))).toMatchObject({ code: 'rejected', reason: 'expected chunk 1', data: { next: 1 } });
    expect(d.command('ota.apply', { version: '1.2.0' })).toMatchObject({ code: 'rejected', reason: 'incomplete: 1 of 3 chunks' });
    d.powerCycle();
    d.advance(1000);
    expect(d.command('ota.status').data).toMatchObject({ running: { version: '1.0.0', state: 'valid' }, session: { version: '1.2.0', next: 1, chunks: 3 } });
    expect(d.command('ota.status', { version: '1.2.0' })).toMatchObject({ code: 'invalid', reason: 'args: unknown field "version"' });
    // The same manifest again resumes; it does not start over.
    expect(d.command('ota.begin', { ...image.manifest }).data).toEqual({ version: '1.2.0', next: 1, chunks: 3 });
    expect(d.command('ota.chunk', chunk(1)).code).toBe('ok');
    expect(d.command('ota.chunk', chunk(2)).data).toMatchObject({ done: true });
    expect(d.command('ota.apply', { version: '1.2.0' }).code).toBe('ok');
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.2.0', state: 'valid' });
  });
});

describe('an update fixes a device in safe mode', () => {
  test('a factory image whose app cannot start: safe mode takes the update, and the new image runs its app', () => {
    const d = new OtaDevice({ factory: 'fails-self-test' }).boot();
    d.advance(1000);
    expect(onlineBirths(d).at(-1)!.safe).toMatch(/the app failed to start/);
    expect(onlineBirths(d).at(-1)!.cmds).toEqual(expect.arrayContaining(['ota.begin', 'ota.chunk', 'ota.apply', 'ota.status']));
    expect(d.update(signedImage('1.0.1')).map((r) => r.code)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.0.1', state: 'valid' });
    expect(onlineBirths(d).at(-1)).toMatchObject({ fw: '1.0.1' });
    expect(onlineBirths(d).at(-1)!.safe).toBeUndefined(); // a new firmware version boots normally again
    expect(only(d.events('ota.applied'))).toEqual({ from: '1.0.0', to: '1.0.1' });
  });
});

describe('images that fail are rolled back by the bootloader', () => {
  test('one failing its self-test (its app does not start: safe mode) restarts unconfirmed; the old image says why', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    expect(d.update(signedImage('1.1.0', 'fails-self-test')).at(-1)!.code).toBe('ok');
    d.advance(REBOOT);
    expect(onlineBirths(d).at(-1)).toMatchObject({ fw: '1.1.0', safe: expect.stringContaining('the app failed to start') });
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    expect(d.slots).toEqual({ active: 0, states: ['valid', 'aborted'] });
    expect(only(d.events('ota.rolled_back'))).toEqual({ version: '1.1.0', running: '1.0.0', why: expect.stringMatching(/^self-test failed: safe mode: the app failed to start/) });
    expect(d.events('ota.applied')).toEqual([]);
    expect(onlineBirths(d).at(-1)!.safe).toBeUndefined(); // the old image runs its app again
  });

  test('one crashing on boot never runs: the bootloader goes back at the next boot', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    d.update(signedImage('1.1.0', 'crashes'));
    d.advance(2 * REBOOT);
    expect(d.device.restarts).toBeGreaterThanOrEqual(2); // the update's restart, the crash
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    expect(onlineBirths(d).map((b) => b.fw)).toEqual(['1.0.0', '1.0.0']);
    expect(only(d.events('ota.rolled_back'))).toMatchObject({ version: '1.1.0', why: expect.stringContaining('reset before it confirmed itself') });
  });

  test('one that never reaches the broker is rolled back after the self-test bound', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    d.update(signedImage('1.1.0', 'never-connects'));
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.1.0', state: 'pending' });
    d.advance(SELF_TEST_MS - REBOOT);
    expect(d.running).toEqual({ version: '1.1.0', state: 'pending' });
    d.advance(2 * REBOOT);
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    expect(only(d.events('ota.rolled_back'))).toMatchObject({ version: '1.1.0', why: expect.stringContaining(`no broker connection with the app running within ${SELF_TEST_MS / 1000} s`) });
    // A rolled-back version may be tried again (once the platform fixed what stopped it).
    expect(d.command('ota.begin', { ...signedImage('1.1.0').manifest }).code).toBe('ok');
  });

  test('anti-rollback: never below the highest version ever confirmed, even over an image put back by serial and a factory reset', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    d.update(signedImage('1.3.0'));
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.3.0', state: 'valid' });
    // Someone flashes the old factory image over serial, then erases the device.
    flashFactoryImage(d.storage, { version: '1.0.0', behaviour: 'ok' });
    d.powerCycle();
    d.advance(1000);
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    d.runtime.factoryReset('button');
    d.advance(20_000);
    writeProvisioning(d.storage.kv, { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883 });
    d.powerCycle();
    d.advance(1000);
    expect(d.command('ota.begin', { ...signedImage('1.2.9').manifest })).toMatchObject({ code: 'rejected', reason: 'downgrade: version 1.2.9 is not above 1.3.0, the highest ever confirmed' });
    expect(d.command('ota.begin', { ...signedImage('1.3.1').manifest }).code).toBe('ok');
  });
});

describe('refused images: a reason, and nothing switches', () => {
  test('unsigned, forged, another key, another model, downgraded, oversized, truncated, tampered', () => {
    const d = new OtaDevice().boot();
    d.advance(1000);
    const good = signedImage('1.1.0');
    const begin = (manifest: Record<string, unknown>) => d.command('ota.begin', manifest);
    expect(begin({ ...good.manifest, sig: undefined })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('args.sig') });
    expect(begin({ ...good.manifest, sig: '0'.repeat(128) })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/^forged/) });
    expect(begin({ ...good.manifest, version: '1.1.1' })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/^forged/) });
    expect(begin({ ...good.manifest, size: 2599 })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/^forged/) });
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    expect(begin({ ...signedImage('1.1.0', 'ok', { key: otherKey }).manifest })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/^forged/) });
    expect(begin({ ...signedImage('1.1.0', 'ok', { model: 'door-reader' }).manifest })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^wrong_model/) });
    expect(begin({ ...signedImage('1.0.0').manifest })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^downgrade/) });
    expect(begin({ ...signedImage('0.9.9').manifest })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^downgrade/) });
    expect(begin({ ...signedImage('2.0.0', 'ok', { size: 70_000 }).manifest })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^too_large/) });
    expect(begin({ ...good.manifest, extra: 1 })).toMatchObject({ code: 'invalid', reason: 'args.extra: not allowed' });

    // Truncated: the last chunk short; the session ends.
    expect(begin({ ...good.manifest }).code).toBe('ok');
    const chunk = (n: number, change: Record<string, unknown> = {}) => d.command('ota.chunk', { version: '1.1.0', ...good.chunks[n]!, ...change });
    expect(chunk(0).code).toBe('ok');
    expect(chunk(1).code).toBe('ok');
    const last = Buffer.from(good.chunks[2]!.data, 'base64');
    expect(chunk(2, { data: last.subarray(0, 100).toString('base64') })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^bad_chunk: chunk 2: 100 bytes, expected 552; the session ended/) });
    expect(chunk(2)).toMatchObject({ code: 'rejected', reason: 'no update session for 1.1.0: begin it again' });
    expect(d.command('ota.apply', { version: '1.1.0' })).toMatchObject({ code: 'rejected', reason: 'no update session for 1.1.0' });

    // Tampered: one byte of a chunk, or the announced hash of the next.
    expect(begin({ ...good.manifest }).code).toBe('ok');
    const tampered = Buffer.from(good.chunks[0]!.data, 'base64');
    tampered[10]! ^= 1;
    expect(chunk(0, { data: tampered.toString('base64') })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^chunk_hash/) });
    expect(begin({ ...good.manifest }).code).toBe('ok');
    expect(chunk(0, { next: 'ab'.repeat(32) })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/^chunk_hash/) });

    // Nothing switched: a restart boots the factory image, valid.
    expect(d.slots).toEqual({ active: 0, states: ['valid', 'empty'] });
    d.powerCycle();
    d.advance(REBOOT);
    expect(d.running).toEqual({ version: '1.0.0', state: 'valid' });
    expect(d.events(/^ota\./)).toEqual([]);
  });

  test('a build without a firmware key takes no update; a pending image takes none before it confirms itself', () => {
    const d = new OtaDevice({ firmwareKey: false }).boot();
    d.advance(1000);
    expect(d.command('ota.begin', { ...signedImage('1.1.0').manifest })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/^no_key/) });

    const e = new OtaDevice().boot();
    e.advance(1000);
    e.update(signedImage('1.1.0', 'never-connects'));
    e.advance(REBOOT);
    expect(e.running!.state).toBe('pending');
    expect(() => e.hal.firmware!.begin(1000)).toThrow(/pending/);
  });

  test('versions: MAJOR.MINOR.PATCH in numeric order; the signing text and links are fixed', () => {
    expect(versionRank('1.10.0')! > versionRank('1.9.9')!).toBe(true);
    expect(versionRank('1.0.0-sim')).toBeUndefined();
    expect(versionRank('1.0.0-sim', true)).toBe(versionRank('1.0.0'));
    expect(versionRank('1.0')).toBeUndefined();
    expect(versionRank('65536.0.0')).toBeUndefined();
    expect(otaSigningText({ model: 'kiosk', version: '1.2.3', size: 10, chunkBytes: 256, chunks: 1, head: 'ab' })).toBe('ct-ota/1\nkiosk\n1.2.3\n10\n256\n1\nab');
    expect([...linkBytes(258, new Uint8Array([9]), new Uint8Array([7, 7]))]).toEqual([0, 0, 1, 2, 9, 7, 7]);
  });
});

describe('power cuts at every step of an update', () => {
  /**
   * Cuts the power at the n-th storage write from begin on (torn: the cut write lands in part), powers on again and
   * finishes the update from where the device says it is; every boot must find a working image, and the update
   * must end applied and confirmed.
   */
  test.each([false, true])('torn %s: always a bootable image, and the update completes', (torn) => {
    let cuts = 0;
    for (let writes = 0; ; writes++) {
      const d = new OtaDevice().boot();
      d.advance(1000);
      const image = signedImage('1.1.0');
      d.storage.failAfterWrites(writes, { torn });
      const step = (run: () => void): boolean => {
        if (d.storage.power.dead) return false;
        try {
          run();
        } catch (error) {
          // A cut shows as PowerLoss, or as a command that got no result (its result's write was cut).
          if (!(error instanceof PowerLoss) && !d.storage.power.dead) throw error;
        }
        return !d.storage.power.dead;
      };
      step(() => d.update(image)) && step(() => d.advance(REBOOT));
      const wasCut = d.storage.power.dead;
      d.storage.powerOn();
      d.powerCycle();
      d.advance(REBOOT);
      // Never a device without a working image: it boots one and reaches the broker.
      expect(d.device.state).toBe('online');
      expect(['1.0.0', '1.1.0']).toContain(d.running!.version);
      if (d.running!.version === '1.0.0') {
        // Finish it: a repeated begin resumes (or starts again), chunks from where the device says.
        const begun = d.command('ota.begin', { ...image.manifest });
        expect(begun.code).toBe('ok');
        for (const chunk of image.chunks.slice((begun.data as { next: number }).next)) expect(d.command('ota.chunk', { version: '1.1.0', ...chunk }).code).toBe('ok');
        expect(d.command('ota.apply', { version: '1.1.0' }).code).toBe('ok');
        d.advance(REBOOT);
      }
      expect(d.running).toEqual({ version: '1.1.0', state: 'valid' });
      expect(d.events('ota.applied').length).toBeGreaterThanOrEqual(1);
      expect(d.events('ota.applied').every((e) => e.data.to === '1.1.0')).toBe(true);
      if (!wasCut) break;
      cuts++;
    }
    expect(cuts).toBeGreaterThan(15);
  });
});
