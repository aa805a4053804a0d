// The KFall converter (scripts/falls/import-kfall.ts): CSV parsing, gaps, 100 → 50 Hz pair averaging in milli-g,
// labels by task and the subject prefix, and that its output is a valid recording of the shared format.
import {
  convertKfallFile, durationSeconds, isFallTask, KfallFormatError, parseKfallCsv, parseKfallName, resampleToMg,
} from '../../scripts/falls/import-kfall.js';
import { toRecording } from '../../scripts/falls/recordings.js';

const HEADER = 'TimeStamp(s),FrameCounter,AccX,AccY,AccZ,GyrX,GyrY,GyrZ,EulerX,EulerY,EulerZ';

/** A KFall CSV from rows of [frame, x, y, z] (g); time = frame / 100 unless given as a fifth value. */
function csv(rows: [number, number, number, number, number?][]): string {
  return [HEADER, ...rows.map(([f, x, y, z, t]) => `${t ?? (f / 100).toFixed(2)},${f},${x},${y},${z},0.1,0.2,0.3,40.6,-14.7,56.9`)].join('\n') + '\n';
}

describe('parseKfallCsv', () => {
  test('reads x, y, z in g per frame', () => {
    const got = parseKfallCsv(csv([[1, -0.25, -0.809, -0.188], [2, -0.07, -1.023, 0.056]]), 'a.csv');
    expect(got).toEqual({ acc: [-0.25, -0.809, -0.188, -0.07, -1.023, 0.056], filled: 0 });
  });

  test('a single missing frame is filled by holding the previous sample', () => {
    const got = parseKfallCsv(csv([[1, 0.1, -1, 0], [2, 0.2, -1, 0], [4, 0.4, -1, 0], [5, 0.5, -1, 0]]), 'a.csv');
    expect(got.filled).toBe(1);
    expect(got.acc.filter((_, i) => i % 3 === 0)).toEqual([0.1, 0.2, 0.2, 0.4, 0.5]);
  });

  test('a longer gap, a repeated frame or time going backwards skips the file, naming file and line', () => {
    const gap = () => parseKfallCsv(csv([[1, 0, -1, 0], [2, 0, -1, 0], [5, 0, -1, 0]]), 'SA06/S06T01R01.csv');
    expect(gap).toThrow(KfallFormatError);
    expect(gap).toThrow(/^SA06\/S06T01R01\.csv:4: 2 frames missing/);
    const repeated = () => parseKfallCsv(csv([[1, 0, -1, 0], [2, 0, -1, 0], [2, 0, -1, 0]]), 'b.csv');
    expect(repeated).toThrow(/b\.csv:4: frame 2 after frame 2/);
    const backInTime = () => parseKfallCsv(csv([[1, 0, -1, 0, 0.02], [2, 0, -1, 0, 0.01]]), 'c.csv');
    expect(backInTime).toThrow(/c\.csv:3: time 0.01 s after 0.02 s/);
    const timeGap = () => parseKfallCsv(csv([[1, 0, -1, 0, 0.01], [2, 0, -1, 0, 0.05]]), 'd.csv');
    expect(timeGap).toThrow(/d\.csv:3: 3 frames missing/);
    try {
      gap();
    } catch (error) {
      expect((error as KfallFormatError).reason).toBe('gap');
    }
  });

  test('a malformed row is an error naming the file and line', () => {
    const text = csv([[1, 0, -1, 0], [2, 0, -1, 0]]) + '0.03,3,0.1,oops,0.2,0,0,0,0,0,0\n';
    expect(() => parseKfallCsv(text, 'SA07/S07T05R02.csv')).toThrow(/^SA07\/S07T05R02\.csv:4: AccY is not a number \("oops"\)/);
    expect(() => parseKfallCsv(`${HEADER}\n0.01,1,0.1\n`, 'e.csv')).toThrow(/e\.csv:2: 3 columns/);
    expect(() => parseKfallCsv('Time,Frame,X,Y,Z\n', 'f.csv')).toThrow(/f\.csv:1: header lacks TimeStamp\(s\), FrameCounter, AccX/);
    try {
      parseKfallCsv(text, 'x.csv');
    } catch (error) {
      expect((error as KfallFormatError).reason).toBe('malformed');
    }
  });
});

describe('resampleToMg', () => {
  test('averages each pair of samples, converts g to milli-g and rounds half away from zero', () => {
    const acc = [
      0.001, -1.0, 0.25, // pair 1
      0.002, -0.999, 0.26,
      -0.001, 16.0, -0.003, // pair 2
      -0.002, 15.999, -0.004,
      0.5, 0.5, 0.5, // unpaired last sample: dropped
    ];
    expect(resampleToMg(acc)).toEqual([2, -1000, 255, -2, 16000, -4]);
  });

  test('whole numbers come out exact and there is no −0', () => {
    const out = resampleToMg([-0.07, -1.019, -0.0005, -0.07, -1.019, 0]);
    expect(out).toEqual([-70, -1019, 0]);
    expect(Object.is(out[2], 0)).toBe(true);
  });
});

describe('labels and names', () => {
  test('T20–T34 are falls; T01–T19, T35, T36 are ADLs; other tasks are refused', () => {
    expect(['T20', 'T27', 'T34'].map(isFallTask)).toEqual([true, true, true]);
    expect(['T01', 'T19', 'T35', 'T36'].map(isFallTask)).toEqual([false, false, false, false]);
    expect(() => isFallTask('T37')).toThrow(/unknown KFall task/);
    expect(() => isFallTask('T00')).toThrow(/unknown KFall task/);
  });

  test('the subject comes from the folder and must match the file name', () => {
    expect(parseKfallName('SA06/S06T20R01.csv')).toEqual({ subject: 'SA06', task: 'T20', trial: 'S06T20R01' });
    expect(() => parseKfallName('SA06/S07T20R01.csv')).toThrow(/subject S07 in folder SA06/);
    expect(() => parseKfallName('SA06/notes.csv')).toThrow(/not SAxx/);
  });
});

describe('convertKfallFile', () => {
  const text = csv([[1, -0.07, -1.023, 0.056], [2, -0.07, -1.019, 0.044], [3, 2.5, -3.001, 0.5], [4, 2.5, -3.0, 0.5]]);

  test('a fall: id, "KFall-" subject, task, 50 Hz milli-g, and it passes toRecording', () => {
    const { recording, filled } = convertKfallFile('SA06/S06T20R01.csv', text);
    expect(filled).toBe(0);
    expect(recording).toEqual({
      id: 'KFall/SA06/S06T20R01', dataset: 'KFall', subject: 'KFall-SA06', activity: 'T20', fall: true,
      placement: 'waist', hz: 50, unit: 'mg', samples: [-70, -1021, 50, 2500, -3001, 500],
    });
    expect(Object.keys(recording)).toEqual(['id', 'dataset', 'subject', 'activity', 'fall', 'placement', 'hz', 'unit', 'samples']);
    expect(toRecording(JSON.parse(JSON.stringify(recording)), 'kfall')).toEqual(recording);
    expect(durationSeconds(recording)).toBeCloseTo(0.04, 10);
  });

  test('an ADL is labelled as one', () => {
    const { recording } = convertKfallFile('SA38/S38T35R03.csv', text);
    expect(recording).toMatchObject({ id: 'KFall/SA38/S38T35R03', subject: 'KFall-SA38', activity: 'T35', fall: false });
  });
});
