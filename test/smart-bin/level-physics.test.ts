// The bin's physical model (what the sensors report), the level-trace format, and eval:bin's figures on Node.
import { describe, expect, test } from '@jest/globals';
import { FIXED_SPEED_OF_SOUND, speedOfSound } from '../../firmware/apps/smart-bin/level/estimate.js';
import { BinCompartment } from '../../simulator/kinds/bin-physics.js';
import { random } from '../../scripts/falls/synthetic.js';
import { committedTraces, evaluateFile, maePct, meetsTarget, runOnNode } from '../../scripts/bin/eval.js';
import { generateTrace, SCENARIOS } from '../../scripts/bin/generate.js';
import { scoreTrace } from '../../scripts/bin/metrics.js';
import { formatTraces, parseTraces, TraceFormatError, type Trace } from '../../scripts/bin/traces.js';

const quiet = { wallEcho: 0, multipath: 0, dropout: 0 };
const many = <T>(n: number, f: () => T): T[] => Array.from({ length: n }, f);

describe('bin physics', () => {
  test('deposits raise the heap; emptying clears it; the same seed gives the same bin', () => {
    const make = () => {
      const bin = new BinCompartment({ rng: random(5) });
      for (let i = 0; i < 40; i++) bin.add({ litres: 3 }, { bag: i % 3 === 0 });
      return bin;
    };
    const bin = make();
    expect(bin.volumePct).toBeCloseTo((100 * 120e6) / (600 * 600) / 850, 0); // 120 L over 0.36 m² of 850 mm
    expect(bin.truePct).toBeGreaterThan(bin.volumePct); // the heap's top is above its mean
    expect(make().truePct).toBe(bin.truePct);
    bin.empty();
    expect(bin.truePct).toBe(0);
  });

  test('heaps slump with time toward their settled slope', () => {
    const bin = new BinCompartment({ rng: random(6) });
    bin.add({ litres: 20 });
    const fresh = bin.truePct - bin.volumePct;
    bin.settle(24);
    expect(bin.truePct - bin.volumePct).toBeLessThan(fresh / 2);
  });

  test('ultrasonic: cold air reads long by the speed of sound; a quiet bin reads its surface', () => {
    const bin = new BinCompartment({ ...quiet, rng: random(7) });
    bin.add({ mm: 200 });
    bin.settle(48);
    const rng = random(8);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const at = (celsius: number) => median(many(21, () => bin.ultrasonic({ celsius, lidOpen: false, rng }) as number));
    const trueMm = 1100 - (bin.truePct / 100) * 850;
    expect(Math.abs(at(20) - (trueMm * FIXED_SPEED_OF_SOUND) / speedOfSound(20))).toBeLessThan(15);
    expect(at(-10) / at(35)).toBeCloseTo(speedOfSound(35) / speedOfSound(-10), 2);
  });

  test('ultrasonic: inside the blind zone it gives the blind limit, a second echo or nothing; never a far floor', () => {
    const bin = new BinCompartment({ ...quiet, rng: random(9) });
    bin.add({ mm: 1000 }); // up to the sensor
    const rng = random(10);
    const readings = many(200, () => bin.ultrasonic({ celsius: 20, lidOpen: false, rng }));
    expect(readings).toContain('noEcho');
    const echoes = readings.filter((r): r is number => typeof r === 'number');
    expect(echoes.some((mm) => mm <= 250)).toBe(true);
    expect(Math.max(...echoes)).toBeLessThan(500);
  });

  test('ultrasonic: wall echoes are shorter than a deep surface, multipath longer, dropouts happen', () => {
    const bin = new BinCompartment({ wallEcho: 0.3, wallMm: 600, multipath: 0.1, dropout: 0.1, rng: random(11) });
    const rng = random(12);
    const readings = many(500, () => bin.ultrasonic({ celsius: 20, lidOpen: false, rng }));
    const echoes = readings.filter((r): r is number => typeof r === 'number');
    expect(readings.filter((r) => r === 'noEcho').length).toBeGreaterThan(20);
    expect(echoes.filter((mm) => Math.abs(mm - 602) < 15).length).toBeGreaterThan(50);
    expect(echoes.filter((mm) => mm > 1300).length).toBeGreaterThan(10);
  });

  test('tof: sunlight shortens the range and blinds it; dark, it reads the heap', () => {
    const bin = new BinCompartment({ ...quiet, heightMm: 2000, blindMm: 100, rng: random(13) });
    const rng = random(14);
    const dark = many(50, () => bin.tof({ ambient: 0, rng }));
    expect(dark.every((r) => typeof r === 'object' && 'mm' in r && Math.abs(r.mm - 2000) < 60)).toBe(true);
    const sun = many(50, () => bin.tof({ ambient: 1, rng }));
    expect(sun.some((r) => typeof r === 'object' && 'ambient' in r)).toBe(true);
    expect(sun.every((r) => !(typeof r === 'object' && 'mm' in r))).toBe(true); // 2 m is past daylight range
  });
});

describe('level traces', () => {
  const small: Trace = {
    header: { trace: 't', sensor: 'ultrasonic', heightMm: 1100, blindMm: 250, highPct: 80, lowPct: 10 },
    rows: [
      { t: 3600, truePct: 10, lid: 600, celsius: 12, readings: [{ mm: 1015 }, { fault: 'noEcho' }, { mm: 1016, signal: 40 }] },
      { t: 7200, truePct: 11, lid: 0, tilted: true, readings: [] },
    ],
  };

  test('round trip: numbers are mm, strings faults, objects keep signal/ambient', () => {
    const text = formatTraces([small]);
    expect(text.split('\n')[1]).toContain('"readings":[1015,"noEcho",{"mm":1016,"signal":40}]');
    expect(parseTraces(text, 'x')).toEqual([small]);
  });

  test('bad lines refuse the file with their line number', () => {
    const header = JSON.stringify(small.header);
    for (const [text, why] of [
      ['{"t":1,"truePct":1,"lid":1,"readings":[]}', /:1: a row before any header/],
      [`${header}\n{"t":1,"truePct":1,"lid":1,"readings":["boom"]}`, /:2: a reading is/],
      [`${header}\n{"t":5,"truePct":1,"lid":1,"readings":[]}\n{"t":4,"truePct":1,"lid":1,"readings":[]}`, /:3: "t" goes back/],
      [`${header}\nnot json`, /:2: invalid JSON/],
      ['{"trace":"t","sensor":"sonar","heightMm":1,"blindMm":0,"highPct":80,"lowPct":10}', /:1: "sensor"/],
      [`${header}\n{"t":1,"truePct":1,"lid":1,"readings":[],"tilted":"yes"}`, /:2: "tilted"/],
    ] as const) {
      expect(() => parseTraces(text, 'f')).toThrow(TraceFormatError);
      expect(() => parseTraces(text, 'f')).toThrow(why);
    }
  });

  test('false_full and missed_full count as docs/smart-bin.md defines them', () => {
    const rows = [10, 50, 70, 86, 90, 90, 88, 30].map((truePct, i) => ({ t: (i + 1) * 3600, truePct, lid: 600, readings: [{ mm: 500 }] }));
    const trace: Trace = { header: { ...small.header }, rows };
    const fill = rows.map((r) => r.truePct);
    // Full raised at 50 % (false), never during the 4 h over 85 % (missed).
    expect(scoreTrace(trace, { fill, full: [false, true, false, false, false, false, false, false], reports: 0 })).toMatchObject({ falseFull: 1, missedFull: 1, absErrorSum: 0, estimates: 8 });
    expect(scoreTrace(trace, { fill, full: [false, false, false, true, true, true, true, false], reports: 0 })).toMatchObject({ falseFull: 0, missedFull: 0 });
  });
});

describe('eval:bin on Node', () => {
  test('the generator is deterministic and writes what the parser reads', () => {
    const scenario = { ...SCENARIOS[0]!, days: 2 };
    const trace = generateTrace(scenario, 3);
    expect(generateTrace(scenario, 3)).toEqual(trace);
    expect(trace.rows).toHaveLength(48);
    expect(parseTraces(formatTraces([trace]), 'g')[0]).toEqual(JSON.parse(JSON.stringify(trace)));
  });

  test('every committed trace file meets the target: fill_mae_pct ≤ 3, false_full = 0, missed_full = 0', async () => {
    const files = committedTraces();
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const file of files) {
      const result = await evaluateFile(file, undefined);
      expect({ file, mae: maePct(result.score) <= 3, meets: meetsTarget(result) }).toEqual({ file, mae: true, meets: true });
    }
  });

  test('the pipeline beats no compensation: the winter traces read worse without the temperature', async () => {
    const [winter] = committedTraces().filter((f) => f.includes('winter'));
    const { readTraceFile } = await import('../../scripts/bin/traces.js');
    const trace = readTraceFile(winter!)[0]!;
    const blindToCold = { ...trace, rows: trace.rows.map(({ celsius: _c, ...row }) => row) };
    const mae = (t: Trace) => { const s = scoreTrace(t, runOnNode(t)); return s.absErrorSum / s.estimates; };
    expect(mae(blindToCold)).toBeGreaterThan(mae(trace) + 2);
  });
});
