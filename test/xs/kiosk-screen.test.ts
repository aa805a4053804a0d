// The kiosk's screen model on the real XS engine: the tour of every screen gives the same views, intents, rule
// checks and answers as on Node, in both modes, and what an input costs (its new screen laid out and checked).
import { afterAll, expect, test } from '@jest/globals';
import { play, tour } from './entries/kiosk-screen.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/kiosk-screen.ts';
const SCREEN = { widthPx: 800, heightPx: 480, dpi: 133 };
afterAll(() => killAllWorkers());

test('on XS: the tour gives the same trees, intents and rule checks as on Node, standard and elderly, at under 30,000 computrons an input', async () => {
  const xs = await XsSession.start({ entry: ENTRY, meteringLimit: 2e9 });
  try {
    for (const elderly of [false, true]) {
      const onNode = JSON.parse(JSON.stringify(play(SCREEN, tour(elderly), elderly)));
      const onXs = await xs.call('play', SCREEN, tour(elderly), elderly);
      expect(onXs.value).toEqual(onNode);
      expect(onNode.taken.every(Boolean)).toBe(true);
      expect(onXs.callComputrons / tour(elderly).length).toBeLessThan(30_000); // ≈ 17,500 measured
    }
  } finally {
    await xs.close();
  }
}, 60_000);
