// The kiosk's screen model on the real XS engine: the tour of every screen gives the same views, intents, rule
// checks and answers as on Node, in both modes, and what an input costs (its new screen laid out and checked);
// and the model's restore after a reboot (reports and pass requests from its memory) is the same on both.
import { afterAll, expect, test } from '@jest/globals';
import { play, rebootTour, tour, type Played } from './entries/kiosk-screen.js';
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
      expect(onXs.callComputrons / tour(elderly).length).toBeLessThan(30_000); // ≈ 21,000 measured, the text-width check in both languages included
    }
  } finally {
    await xs.close();
  }
}, 60_000);

test('on XS: after a reboot the reports come back with their stage, late updates are taken, a rating is given once', async () => {
  const script = rebootTour();
  const onNode = JSON.parse(JSON.stringify(play(SCREEN, script, false))) as Played;
  const xs = await XsSession.start({ entry: ENTRY, meteringLimit: 2e9 });
  try {
    expect((await xs.call('play', SCREEN, script, false)).value).toEqual(onNode);
  } finally {
    await xs.close();
  }
  const at = (step: string, arg?: string) => script.findIndex((s, i) => s[0] === step && (arg === undefined || s[1] === arg) && i > script.findIndex((r) => r[0] === 'reboot'));
  const taken = (i: number) => onNode.taken[i];
  // After the first reboot: the platform's late progress and pass are taken, and Alice's report shows it.
  expect(taken(at('reportProgress', 'k1'))).toBe(true);
  expect(taken(at('passIssued'))).toBe(true);
  const firstRate = script.findIndex((s) => s[1] === 'rate.4');
  const report = onNode.views[firstRate - 1]!;
  expect(report.screen).toBe('report');
  expect(report.body.find((n) => n.id === 'report.steps')?.items?.map((s) => s.state)).toEqual(['done', 'done', 'done', 'done', 'done']);
  expect(onNode.intents[firstRate]).toContainEqual({ kind: 'rate', ref: 'k1', stars: 4 });
  // After the second: rated stays rated (no stars offered, a tap on one refused).
  const secondRate = script.findIndex((s) => s[1] === 'rate.5');
  expect(taken(secondRate)).toBe(false);
  expect(onNode.intents.flat().filter((i) => i.kind === 'rate')).toHaveLength(1);
  // A new report after the reboots gets a new ref; Bob sees none of Alice's.
  expect(onNode.intents.flat().filter((i) => i.kind === 'repair').map((i) => (i as { ref: string }).ref)).toEqual(['k1', 'k3']);
  expect(onNode.views.at(-1)!.body.map((n) => n.id)).toEqual(['reports.none']);
}, 60_000);
