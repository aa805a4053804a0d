// The smart bin's level pipeline on the real XS engine: the same estimates and the same flags as on Node for
// a committed trace, and its cost per raw reading.
import { afterAll, expect, test } from '@jest/globals';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { estimateLevel, type LevelSetup } from '../../firmware/apps/smart-bin/level/estimate.js';
import { committedTraces, runOnNode } from '../../scripts/bin/eval.js';
import { DEFAULT_START_MS, readTraceFile, traceSettings } from '../../scripts/bin/traces.js';
import type { TraceRun } from '../../scripts/bin/xs-level.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/level-pipeline.ts';
afterAll(() => killAllWorkers());

test('on XS: a committed trace gives the same fills and full flags as on Node, at under 2,000 computrons a reading', async () => {
  const trace = readTraceFile(committedTraces().find((f) => f.includes('walls'))!)[0]!;
  const xs = await XsSession.start({ entry: ENTRY, meteringLimit: 2e9 });
  try {
    const bursts = trace.rows.map(({ t, lid, celsius, tilted, readings }) => ({ t, lid, celsius, tilted, readings }));
    const empty = await xs.call<TraceRun>('runTrace', {}, DEFAULT_START_MS, []);
    const run = await xs.call<TraceRun>('runTrace', traceSettings(trace.header), trace.header.start ?? DEFAULT_START_MS, bursts);
    expect(run.value).toEqual(runOnNode(trace));
    expect(run.value.fill.filter((f) => f !== null).length).toBeGreaterThan(trace.rows.length / 2);
    expect(run.value.full).toContain(true);
    const readings = trace.rows.reduce((n, r) => n + r.readings.length, 0);
    expect((run.callComputrons - empty.callComputrons) / readings).toBeLessThan(2000);
  } finally {
    await xs.close();
  }
}, 60_000);

test('on XS: single bursts (blind zone, no echo, cold air, a known reflector) match Node', async () => {
  const setup: LevelSetup = { heightMm: 1100, blindMm: 250, sensor: 'ultrasonic' };
  const cases: [LevelReading[], number | undefined, number[] | undefined][] = [
    [[{ mm: 240 }, { mm: 236 }, { mm: 480 }, { fault: 'noEcho' }, { mm: 244 }], 20, undefined],
    [[{ fault: 'noEcho' }, { fault: 'noEcho' }, { fault: 'noEcho' }, { mm: 900 }], 20, undefined],
    [[{ mm: 850 }, { mm: 852 }, { mm: 848 }, { mm: 500 }, { mm: 1700 }], -10, undefined],
    [[{ mm: 520 }, { mm: 522 }, { mm: 519 }, { mm: 900 }, { mm: 905 }], 5, [521]],
  ];
  const xs = await XsSession.start({ entry: ENTRY });
  try {
    for (const [readings, celsius, reflectors] of cases) {
      const onXs = await xs.call('estimate', readings, setup, celsius, reflectors);
      expect(onXs.value).toEqual(JSON.parse(JSON.stringify(estimateLevel(readings, setup, celsius, reflectors))));
    }
  } finally {
    await xs.close();
  }
}, 60_000);
