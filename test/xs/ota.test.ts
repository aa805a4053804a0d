// Firmware updates on the real XS engine (firmware/lifecycle/ota.ts): the same outcomes, in the same order, and the
// same slot bytes as on Node for a good image's begin, chunks (a repeat, a gap) and apply, and for forged, unsigned
// (r or s out of range: never reaches the verifier), truncated, tampered and downgraded ones.
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { p256HostHandler } from '../support/xs/p256-host.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { createHostHal } from '../../hal/host/index.js';
import { publicKeyHex } from '../../scripts/platform/provisioning-code.js';
import { playOta, type OtaStep } from '../support/ota-script.js';
import { SIGNING_KEY, signedImage } from '../lifecycle/ota-rig.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

test('manifest checks, the signature guard and the hash chain on XS give what they give on Node', async () => {
  const keyHex = publicKeyHex(SIGNING_KEY);
  const good = signedImage('1.1.0', 'ok', { size: 5000 });
  const chunk = (n: number, change: Record<string, unknown> = {}): OtaStep => ({ name: 'ota.chunk', args: { version: '1.1.0', ...good.chunks[n]!, ...change } });
  const tampered = Buffer.from(good.chunks[1]!.data, 'base64');
  tampered[7]! ^= 0x40;
  const steps: OtaStep[] = [
    { name: 'ota.begin', args: { ...good.manifest, sig: '00'.repeat(64) } }, // r = s = 0: the guard, no verify
    { name: 'ota.begin', args: { ...good.manifest, sig: 'ff'.repeat(64) } }, // r, s ≥ n: the guard
    { name: 'ota.begin', args: { ...good.manifest, version: '1.1.1' } }, // forged: a field changed
    { name: 'ota.begin', args: { ...signedImage('1.0.0').manifest } }, // downgrade
    { name: 'ota.begin', args: { ...signedImage('1.1.0', 'ok', { model: 'kiosk' }).manifest } },
    { name: 'ota.begin', args: { ...good.manifest } },
    chunk(0), chunk(0), chunk(2), chunk(1, { data: tampered.toString('base64') }),
    { name: 'ota.begin', args: { ...good.manifest } },
    chunk(0), chunk(1), chunk(2), chunk(3, { data: Buffer.from(good.chunks[4]!.data, 'base64').subarray(1).toString('base64') }),
    { name: 'ota.begin', args: { ...good.manifest } },
    ...good.chunks.map((_, i) => chunk(i)),
    { name: 'ota.apply', args: { version: '1.1.0' } },
  ];

  const p256 = p256HostHandler();
  const xs = await XsSession.start({
    entry: 'test/xs/entries/ota.ts',
    hostOptions: { storage: createHostStorage({ partitions: { outbox: 16 * 4096 } }) },
    hostHandlers: { verifyP256: p256.handler },
  });
  sessions.push(xs);
  const onXs = (await xs.call('play', keyHex, steps)).value as ReturnType<typeof playOta>;
  const nodeHal = createHostHal({ storage: createHostStorage({ partitions: { outbox: 16 * 4096 } }), crypto: createHostCrypto() });
  const onNode = playOta(nodeHal, keyHex, steps);
  nodeHal.dispose();

  expect(onXs).toEqual(onNode);
  expect(onXs.outcomes.map((o) => (o.code === 'ok' ? 'ok' : (o.reason ?? '').split(/[:,]/)[0]))).toEqual([
    'forged', 'forged', 'forged', 'downgrade', 'wrong_model', 'ok',
    'ok', 'ok', 'expected chunk 1', 'chunk_hash',
    'ok', 'ok', 'ok', 'ok', 'bad_chunk',
    'ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'ok',
  ]);
  expect(onXs.outcomes.at(-2)!.data).toMatchObject({ done: true, next: 5, chunks: 5 });
  expect(onXs.finished).toBe(true);
  // The guard ran in XS: the two signatures out of range never reached the verifier; the forged field, the downgrade,
  // the other model (its signature is good: wrong_model comes after it) and the three good begins did.
  expect(p256.calls()).toBe(1 + 1 + 1 + 3);
});
