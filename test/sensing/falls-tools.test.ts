// The host-side tools: the recording loader, the figures, the trainer, subject folds and the eval line.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRecordings, RecordingFormatError, type Recording } from '../../scripts/falls/recordings.js';
import { summarize } from '../../scripts/falls/metrics.js';
import { subjectFolds } from '../../scripts/falls/cross-validate.js';
import { recordingScore, trainModel, type LabelledCandidates } from '../../scripts/falls/stumps.js';
import { evaluateFile, resultLine, XsDetector } from '../../scripts/falls/eval.js';
import { emptyImpactFeatures } from '../../firmware/sensing/impact-features.js';
import { thresholdFor } from '../../firmware/sensing/fall-model.js';
import { fall, sittingDown, walking } from '../../scripts/falls/synthetic.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';

const dir = mkdtempSync(join(tmpdir(), 'falls-'));

function recording(id: string, subject: string, isFall: boolean, samples: number[]): Recording {
  return { id, dataset: 'Synthetic', subject, activity: isFall ? 'F01' : 'D01', fall: isFall, placement: 'waist', hz: 50, unit: 'mg', samples };
}

function writeGz(name: string, lines: string[]): string {
  const path = join(dir, name);
  writeFileSync(path, gzipSync(lines.join('\n') + '\n'));
  return path;
}

async function collect(path: string): Promise<Recording[]> {
  const out: Recording[] = [];
  for await (const r of readRecordings(path)) out.push(r);
  return out;
}

const synthetic = [
  recording('A/fall1', 'A', true, fall(1)),
  recording('A/walk', 'A', false, walking(2, 20)),
  recording('B/fall2', 'B', true, fall(3)),
  recording('B/sit', 'B', false, sittingDown(4)),
];

describe('recording loader', () => {
  test('streams gzipped JSON lines into recordings, skipping blank lines', async () => {
    const path = writeGz('ok.jsonl.gz', [...synthetic.map((r) => JSON.stringify(r)), '']);
    const got = await collect(path);
    expect(got.map((r) => r.id)).toEqual(synthetic.map((r) => r.id));
    expect(got[0].samples).toEqual(synthetic[0].samples);
  });

  test('a bad line is an error naming the file and line', async () => {
    const path = writeGz('bad.jsonl.gz', [JSON.stringify(synthetic[0]), '{"id": 1']);
    await expect(collect(path)).rejects.toThrow(/bad\.jsonl\.gz:2: invalid JSON/);
    const wrongRate = writeGz('rate.jsonl.gz', [JSON.stringify({ ...synthetic[0], hz: 200 })]);
    await expect(collect(wrongRate)).rejects.toThrow(RecordingFormatError);
    const ragged = writeGz('ragged.jsonl.gz', [JSON.stringify({ ...synthetic[0], samples: [1, 2] })]);
    await expect(collect(ragged)).rejects.toThrow(/triples/);
  });
});

describe('figures', () => {
  test('sensitivity, specificity and false alerts per recording', () => {
    const s = summarize([
      { fall: true, alerts: 1 }, { fall: true, alerts: 3 }, { fall: true, alerts: 0 },
      { fall: false, alerts: 0 }, { fall: false, alerts: 2 },
    ]);
    expect(s).toMatchObject({ recordings: 5, falls: 3, adls: 2, detected: 2, falseAlarms: 1, falseAlerts: 4 });
    expect(s.sensitivity).toBeCloseTo(66.667, 2);
    expect(s.specificity).toBe(50);
  });
});

describe('training tools', () => {
  test('subject folds cover every subject once', () => {
    const folds = subjectFolds(['S3', 'S1', 'S2', 'S1', 'S4', 'S5'], 2);
    expect(folds).toEqual([['S1', 'S3', 'S5'], ['S2', 'S4']]);
    expect(subjectFolds(['a', 'b'], 5)).toEqual([['a'], ['b']]);
  });

  test('the trainer separates falls from activities on a clear feature and picks a threshold between them', () => {
    const candidate = (angleDeg: number, postActivityMg: number) => ({ ...emptyImpactFeatures(), angleDeg, postActivityMg, peakMg: 3000 });
    const recordings: LabelledCandidates[] = [];
    for (let i = 0; i < 40; i++) {
      recordings.push({ dataset: 'D', subject: `S${i % 4}`, fall: true, candidates: [candidate(60 + i, 5), candidate(2, 400)] });
      recordings.push({ dataset: 'D', subject: `S${i % 4}`, fall: false, candidates: [candidate(i % 20, 300 - i)] });
    }
    const model = trainModel(recordings, { rounds: 5, shrink: 1, gates: [] });
    const detected = recordings.map((r) => recordingScore(model, r) >= model.threshold);
    expect(detected).toEqual(recordings.map((r) => r.fall));
  });

  test('gates rule candidates out before scoring, and each placement gets its own threshold', () => {
    const candidate = (angleDeg: number, postActivityMg: number) => ({ ...emptyImpactFeatures(), angleDeg, postActivityMg, postMeanMg: 1000, peakMg: 3000 });
    const recordings: LabelledCandidates[] = [];
    for (let i = 0; i < 40; i++) {
      // On the belt falls turn the body further than at the neck: the best cut differs per placement.
      recordings.push({ dataset: 'W', subject: `W${i % 4}`, placement: 'waist', fall: true, candidates: [candidate(70 + i, 5)] });
      recordings.push({ dataset: 'W', subject: `W${i % 4}`, placement: 'waist', fall: false, candidates: [candidate(30 + (i % 30), 20)] });
      recordings.push({ dataset: 'N', subject: `N${i % 4}`, placement: 'neck', fall: true, candidates: [candidate(40 + i, 5)] });
      recordings.push({ dataset: 'N', subject: `N${i % 4}`, placement: 'neck', fall: false, candidates: [candidate(i % 30, 20), candidate(90, 900)] });
    }
    const model = trainModel(recordings, { rounds: 10, gates: [{ feature: 'postActivityMg', min: 0, max: 250 }] });
    expect(model.gates).toEqual([{ feature: 'postActivityMg', min: 0, max: 250 }]);
    // The shaking candidate (angle 90, activity 900) would look like a fall by its angle; the gate removes it.
    expect(recordingScore(model, { dataset: 'N', subject: 'x', fall: false, candidates: [candidate(90, 900)] })).toBe(Number.NEGATIVE_INFINITY);
    expect(model.thresholds?.neck).toBeDefined();
    expect(model.thresholds?.waist).toBeDefined();
    for (const r of recordings) {
      const threshold = thresholdFor(model, r.placement as 'neck' | 'waist');
      expect(recordingScore(model, r) >= threshold).toBe(r.fall);
    }
  });
});

describe('eval', () => {
  test('prints the one-line summary for a file (on Node)', async () => {
    const path = writeGz('eval.jsonl.gz', synthetic.map((r) => JSON.stringify(r)));
    const result = await evaluateFile(path, undefined);
    expect(resultLine(result)).toBe(
      'dataset=Synthetic recordings=4 falls=2 adls=2 sensitivity=100.00 specificity=100.00 false_alerts=0 computrons_per_sample=n/a');
  });

  test('on the real XS engine: same alerts, and computrons per sample', async () => {
    const path = writeGz('eval-xs.jsonl.gz', synthetic.map((r) => JSON.stringify(r)));
    const xs = await XsDetector.start();
    try {
      const mismatches: string[] = [];
      const result = await evaluateFile(path, xs, (r) => mismatches.push(r.id));
      expect(mismatches).toEqual([]);
      expect(result.outcomes.map((o) => o.alerts)).toEqual([1, 0, 1, 0]);
      expect(result.computronsPerSample).toBeGreaterThan(20);
      expect(result.computronsPerSample).toBeLessThan(5000);
      expect(resultLine(result)).toMatch(/ computrons_per_sample=\d+\.\d$/);
      // The device pipeline: a detector per wake on impact, on XS as on Node; the line says what it assumed.
      const profile = { ...IMPACT_WAKE, wakeMs: 300 };
      const device = await evaluateFile(path, xs, (r) => mismatches.push(r.id), { kind: 'device', profile });
      expect(mismatches).toEqual([]);
      const onNode = await evaluateFile(path, undefined, undefined, { kind: 'device', profile });
      expect(device.outcomes).toEqual(onNode.outcomes);
      expect(device.device).toEqual(onNode.device);
      expect(resultLine(device)).toMatch(/ computrons_per_sample=\d+\.\d pipeline=device wake_ms=300 until_judged=false adl_wakes_per_hour=\d+\.\d falls_never_woke=0$/);
    } finally {
      await xs.close();
    }
  });
});
