// The io pieces and the door drivers on the real XS engine: the same scenario (virtual IO, stepped clock and
// simulated chips inside the engine) gives the same outcome on XS as on Node, and that outcome is right.
import { afterAll, expect, test } from '@jest/globals';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { main } from './xs/door-drivers-scenario.js';

afterAll(() => killAllWorkers());

test('door drivers and io give the same, expected outcome on XS and on Node', async () => {
  const node = main();
  expect(node).toEqual({
    relayAtBoot: ['0:0'],
    relay: ['0:0', '0:1', '300:0'],
    led: ['0:0', '0:1', '50:0', '100:1', '150:0'],
    events: [
      '30 press', '2000 long', '2530 release 2500', '2550 contact true',
      // Wiegand frames end 25 ms after their last bit; bits 2 ms apart, 100 ms after a frame, 250 ms between keys.
      '2600 qr PASS.abc', '2675 card 26 7b3039', '2893 key 1', '3157 key 2', '3421 key #',
    ],
    cards: ['deadbeef', '04528a1a3b6480'],
    wiegandFramingErrors: 1,
    qrDropped: 1,
  });
  const xs = await runOnXs({ entry: 'test/drivers/xs/door-drivers-scenario.ts' });
  expect(xs.result).toEqual(node);
}, 120_000);
