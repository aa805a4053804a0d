// Update jobs survive a platform restart (simulator/platform/ota-jobs.ts): a platform stopped in the middle of a job
// comes back with it from its database, asks the device it was updating where it stands and goes on; a paused job
// stays paused until its operator resumes it, a done one stays readable, and job ids are never reused.
import { expect, test } from '@jest/globals';
import { Rig } from '../platform/rig.js';
import { OTA_JOB_OPTIONS, SlottedFleet } from '../platform/slotted-devices.js';
import { signedImage } from './ota-rig.js';

const OPTIONS = OTA_JOB_OPTIONS; // device clocks run faster than the platform's: exp allows for it

const fleet = new SlottedFleet();
const device = (r: Rig, id: string, badFrom?: string) => fleet.device(r, id, badFrom);

async function restartPlatform(r: Rig, dataDir: string): Promise<void> {
  await r.platform.stop();
  r.platform = await r.startPlatform({ dataDir });
}

test('a platform stopped mid-job comes back with it: finished devices keep their result, the one in progress is finished', async () => {
  const rig = fleet.rig();
  const dataDir = rig.tempDir();
  await rig.start({ dataDir });
  const [a, b] = [device(rig, 'job-a'), device(rig, 'job-b')];
  await rig.platform.waitFor((p) => ['job-a', 'job-b'].every((id) => p.device(id)?.state === 'online'), 10_000);
  const id = rig.platform.startOtaJob({ devices: ['job-a', 'job-b'], percent: 50, image: signedImage('1.1.0'), maxFailures: 0, options: OPTIONS });
  // Stopped while the job works on job-b (its first command has been answered).
  await rig.platform.waitFor((p) => p.otaJob(id)?.results['job-a']?.result === 'applied', 15_000, 'job-a applied');
  await restartPlatform(rig, dataDir);

  expect(rig.platform.otaJob(id)).toMatchObject({
    id, version: '1.1.0', state: 'running', firstStage: ['job-a'],
    results: { 'job-a': { result: 'applied' }, 'job-b': { result: 'pending' } },
  });
  expect(await rig.platform.otaJobSettled(id)).toMatchObject({ state: 'done', failures: 0, results: { 'job-b': { result: 'applied' } } });
  expect([a.image?.image.version, b.image?.image.version]).toEqual(['1.1.0', '1.1.0']);
  expect(rig.platform.events({ dev: 'job-b' }).filter((e) => e.type === 'ota.applied')).toHaveLength(1);
  // The new platform asked job-b where it stood before it went on with the update.
  const names = rig.platform.commands('job-b').map((c) => c.name);
  expect(names.indexOf('ota.status')).toBeGreaterThan(names.indexOf('ota.begin'));
  expect(names.lastIndexOf('ota.begin')).toBeGreaterThan(names.indexOf('ota.status'));
});

test('a paused job stays paused across a restart until resumed; a done job stays done; ids are not reused', async () => {
  const rig = fleet.rig();
  const dataDir = rig.tempDir();
  await rig.start({ dataDir });
  const [x, y] = [device(rig, 'job-x', '1.1.0'), device(rig, 'job-y')];
  await rig.platform.waitFor((p) => ['job-x', 'job-y'].every((id) => p.device(id)?.state === 'online'), 10_000);
  const id = rig.platform.startOtaJob({ devices: ['job-x', 'job-y'], percent: 50, image: signedImage('1.1.0'), maxFailures: 0, options: OPTIONS });
  const paused = await rig.platform.otaJobSettled(id);
  expect(paused).toMatchObject({ state: 'paused', failures: 1, results: { 'job-x': { result: 'rolled_back' }, 'job-y': { result: 'pending' } } });

  await restartPlatform(rig, dataDir);
  expect(rig.platform.otaJob(id)).toEqual(paused);
  expect(y.image?.image.version).toBe('1.0.0'); // nothing went on by itself
  rig.platform.resumeOtaJob(id);
  const done = await rig.platform.otaJobSettled(id);
  expect(done).toMatchObject({ state: 'done', results: { 'job-x': { result: 'rolled_back' }, 'job-y': { result: 'applied' } } });

  await restartPlatform(rig, dataDir);
  expect(rig.platform.otaJob(id)).toEqual(done);
  expect([x.image?.image.version, y.image?.image.version]).toEqual(['1.0.0', '1.1.0']);
  const next = rig.platform.startOtaJob({ devices: ['job-y'], percent: 100, image: signedImage('1.2.0'), maxFailures: 0, options: OPTIONS });
  expect(next).not.toBe(id);
  expect(await rig.platform.otaJobSettled(next)).toMatchObject({ state: 'done', results: { 'job-y': { result: 'applied' } } });
});
