// The platform's firmware updates (simulator/platform/ota.ts) against real simulated devices with firmware slots on
// the embedded broker: one device updated with every step awaited and its report read back; a job over three devices
// whose first stage fails (the new version's app does not start on that unit: rolled back) pauses with the other two
// untouched, and resumed, updates them. The CLI's ota-image makes a file a device takes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@jest/globals';
import { OtaDevice, signedImage } from '../lifecycle/ota-rig.js';
import type { OtaImage } from '../../scripts/platform/ota-image.js';
import { runAll, runCli } from '../platform-cli/run.js';
import { Rig } from './rig.js';
import { OTA_JOB_OPTIONS, SlottedFleet } from './slotted-devices.js';

const OPTIONS = OTA_JOB_OPTIONS; // device clocks run faster than the platform's: exp allows for it

const fleet = new SlottedFleet({ reason: 'this unit\'s sensor is not supported by the new version', record: true });
const device = (r: Rig, id: string, badFrom?: string) => fleet.device(r, id, badFrom);

async function online(r: Rig, ids: string[]): Promise<void> {
  await r.platform.waitFor((p) => ids.every((id) => p.device(id)?.state === 'online'), 10_000);
}

test('one device: every step awaited, then its report; a refused image says why', async () => {
  const rig = await fleet.rig().start();
  const d = device(rig, 'ota-1');
  await online(rig, ['ota-1']);
  expect(await rig.platform.updateFirmware('ota-1', signedImage('0.9.0'), OPTIONS)).toEqual({
    dev: 'ota-1', version: '0.9.0', result: 'refused', reason: expect.stringContaining('ota.begin: rejected downgrade'),
  });
  expect(await rig.platform.updateFirmware('ota-1', signedImage('1.1.0'), OPTIONS)).toEqual({ dev: 'ota-1', version: '1.1.0', result: 'applied' });
  expect(d.image?.image.version).toBe('1.1.0');
  expect(rig.platform.events({ dev: 'ota-1' }).map((e) => e.type)).toContain('ota.applied');
});

test('a job: the first stage fails and rolls back, the job pauses before the rest; resumed, it updates them', async () => {
  const rig = await fleet.rig().start();
  const [a, b, c] = [device(rig, 'ota-a', '1.1.0'), device(rig, 'ota-b'), device(rig, 'ota-c')];
  await online(rig, ['ota-a', 'ota-b', 'ota-c']);
  const id = rig.platform.startOtaJob({
    devices: ['ota-a', 'ota-b', 'ota-c'], percent: 30, image: signedImage('1.1.0'), maxFailures: 0, options: OPTIONS,
  });
  expect(rig.platform.otaJob(id)).toMatchObject({ state: 'running', firstStage: ['ota-a'] });
  const paused = await rig.platform.otaJobSettled(id);
  expect(paused).toMatchObject({
    state: 'paused', failures: 1,
    results: {
      'ota-a': { result: 'rolled_back', reason: expect.stringContaining('self-test failed: safe mode: the app failed to start') },
      'ota-b': { result: 'pending' }, 'ota-c': { result: 'pending' },
    },
  });
  expect(a.image?.image.version).toBe('1.0.0');
  expect([b.image?.image.version, c.image?.image.version]).toEqual(['1.0.0', '1.0.0']);

  rig.platform.resumeOtaJob(id);
  const done = await rig.platform.otaJobSettled(id);
  expect(done).toMatchObject({ state: 'done', results: { 'ota-b': { result: 'applied' }, 'ota-c': { result: 'applied' } } });
  expect([b.image?.image.version, c.image?.image.version]).toEqual(['1.1.0', '1.1.0']);
});

test('platform ota-image: a signed image file a device takes; bad input is exit 2', async () => {
  const rig = fleet.rig();
  const dir = rig.tempDir();
  const key = join(dir, 'firmware.pem');
  // The version is checked before the key is read: the bad run needs no key yet.
  const [made, bad] = await runAll([
    ['provisioning-key', '--out', key],
    ['ota-image', '--sim', 'ok', '--model', 'generic', '--version', '1.4', '--signing-key', key, '--out', join(dir, 'x.json')],
  ]);
  expect(made!.code).toBe(0);
  expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('--version: expected MAJOR.MINOR.PATCH') });
  const publicHex = /provisioningKey ([0-9a-f]{130})/.exec(made!.stdout)![1]!;
  const out = join(dir, 'image.json');
  const signed = await runCli(['ota-image', '--sim', 'ok', '--model', 'generic', '--version', '1.4.0', '--signing-key', key, '--chunk-bytes', '1024', '--out', out]);
  expect(signed).toMatchObject({ code: 0, stdout: expect.stringContaining('generic 1.4.0, 6000 bytes in 6 chunks') });

  const d = new OtaDevice({ firmwareKey: new Uint8Array(Buffer.from(publicHex, 'hex')) }).boot();
  d.advance(1000);
  const image = JSON.parse(readFileSync(out, 'utf8')) as OtaImage;
  expect(d.update(image).map((r) => r.code)).toEqual(Array(8).fill('ok'));
  d.advance(4000);
  expect(d.running).toEqual({ version: '1.4.0', state: 'valid' });
});
