// Converts the public KFall dataset (Yu et al., "KFall: A Comprehensive Motion Dataset to Detect Pre-impact Fall
// for the Elderly Based on Wearable Inertial Sensors", Frontiers in Aging Neuroscience 13:692865, 2021) into the
// shared fall-data format (../shared/datasets/falls/README.md, read by recordings.ts). The data stays outside the
// repository; docs/fall-detection.md says where it came from and what it is used for (judging unseen wearers).
//
//   npx tsx scripts/falls/import-kfall.ts --from DIR --out FILE.jsonl.gz
//
// DIR holds the SAxx folders of KFall's sensor_data, each with SxxTyyRzz.csv files: TimeStamp(s), FrameCounter,
// AccX/Y/Z in g at 100 Hz (sensor on the lower back; each axis reads at most ±4 g in these files, so hard impacts
// clip), then gyroscope and Euler angles (not used).
// Tasks T20–T34 are falls (F01–F15 in KFall's label files); T01–T19, T35 and T36 are ADLs.
// Each file becomes one recording: pairs of consecutive samples (20 ms) averaged to 50 Hz, in integer milli-g.
// Subjects are named "KFall-SAxx": SisFall's SA01… are other people, and cross-validation groups by subject.
// A missing single frame is filled by holding the previous sample; a longer gap, a repeated or backward frame
// or time, or a malformed row skips the file (reported on stderr and counted).
import { Command } from 'commander';
import { createWriteStream } from 'node:fs';
import { readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Recording } from './recordings.js';

/** KFall's native rate and the format's rate. */
export const KFALL_HZ = 100;
export const OUT_HZ = 50;
/** Frames that may be missing in a row and still be filled (by holding the previous sample). */
export const MAX_FILLED_FRAMES = 1;

export type SkipReason = 'malformed' | 'gap' | 'non-monotonic' | 'name';

/** Why a file cannot be converted; `reason` groups the skips in the summary. */
export class KfallFormatError extends Error {
  constructor(readonly reason: SkipReason, message: string) {
    super(message);
  }
}

export interface KfallCsv {
  /** Interleaved x, y, z in g at 100 Hz, one triple per frame (missing frames filled). */
  acc: number[];
  /** Frames filled by holding the previous sample. */
  filled: number;
}

const REQUIRED_COLUMNS = ['TimeStamp(s)', 'FrameCounter', 'AccX', 'AccY', 'AccZ'] as const;

/**
 * Parses one KFall sensor CSV (text of the file; `name` is used in errors). Throws a KfallFormatError naming the
 * file and line for a malformed row, a gap of more than MAX_FILLED_FRAMES missing frames, or a frame counter or
 * time stamp that does not increase.
 */
export function parseKfallCsv(text: string, name: string): KfallCsv {
  const lines = text.split(/\r?\n/);
  const header = lines[0].split(',').map((h) => h.trim());
  const column = REQUIRED_COLUMNS.map((c) => header.indexOf(c));
  const missing = REQUIRED_COLUMNS.filter((_, i) => column[i] < 0);
  if (missing.length > 0) throw new KfallFormatError('malformed', `${name}:1: header lacks ${missing.join(', ')}`);
  const [tCol, fCol, xCol, yCol, zCol] = column;
  const width = Math.max(...column) + 1;
  const acc: number[] = [];
  let filled = 0;
  let prevFrame: number | undefined;
  let prevTime = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i];
    if (line.trim() === '') continue;
    const where = `${name}:${i + 1}`;
    const cells = line.split(',');
    if (cells.length < width) throw new KfallFormatError('malformed', `${where}: ${cells.length} columns, expected at least ${width}`);
    const number = (col: number, label: string): number => {
      const cell = cells[col].trim();
      const v = Number(cell);
      if (cell === '' || !Number.isFinite(v)) throw new KfallFormatError('malformed', `${where}: ${label} is not a number (${JSON.stringify(cell)})`);
      return v;
    };
    const time = number(tCol, 'TimeStamp(s)');
    const frame = number(fCol, 'FrameCounter');
    if (!Number.isInteger(frame)) throw new KfallFormatError('malformed', `${where}: FrameCounter is not an integer (${frame})`);
    const xyz = [number(xCol, 'AccX'), number(yCol, 'AccY'), number(zCol, 'AccZ')];
    if (prevFrame !== undefined) {
      const step = frame - prevFrame;
      if (step <= 0) throw new KfallFormatError('non-monotonic', `${where}: frame ${frame} after frame ${prevFrame}`);
      if (time <= prevTime) throw new KfallFormatError('non-monotonic', `${where}: time ${time} s after ${prevTime} s`);
      // Missing frames are counted by the frame counter; a longer gap in either counter or time skips the file
      // (a time step of 1.5 frames is jitter, not a missing frame).
      const gap = step - 1;
      const timeGap = Math.round((time - prevTime) * KFALL_HZ) - 1;
      if (Math.max(gap, timeGap) > MAX_FILLED_FRAMES) {
        throw new KfallFormatError('gap', `${where}: ${Math.max(gap, timeGap)} frames missing (frame ${prevFrame} → ${frame}, ${prevTime} s → ${time} s)`);
      }
      for (let k = 0; k < gap; k++) acc.push(...acc.slice(-3));
      filled += gap;
    }
    acc.push(...xyz);
    prevFrame = frame;
    prevTime = time;
  }
  if (acc.length === 0) throw new KfallFormatError('malformed', `${name}: no samples`);
  return { acc, filled };
}

/** Rounds half away from zero, after removing floating-point noise far below a milli-g; never yields −0. */
function roundMg(mg: number): number {
  const clean = Math.round(mg * 1e6) / 1e6;
  return Math.sign(clean) * Math.round(Math.abs(clean)) || 0;
}

/**
 * 100 Hz interleaved x, y, z in g → 50 Hz interleaved x, y, z in integer milli-g: each pair of consecutive
 * samples (a 20 ms window) is averaged. A last unpaired sample is dropped.
 */
export function resampleToMg(acc: readonly number[]): number[] {
  const frames = Math.floor(acc.length / 3);
  const out: number[] = [];
  for (let f = 0; f + 1 < frames; f += 2) {
    for (let axis = 0; axis < 3; axis++) out.push(roundMg(((acc[f * 3 + axis] + acc[(f + 1) * 3 + axis]) / 2) * 1000));
  }
  return out;
}

export interface KfallName {
  /** "SA06" */
  subject: string;
  /** "T20" */
  task: string;
  /** "S06T20R01" */
  trial: string;
}

/** Splits "SA06/S06T20R01.csv" into subject, task and trial; throws a KfallFormatError ('name') otherwise. */
export function parseKfallName(path: string): KfallName {
  const m = /(?:^|\/)(SA(\d+))\/(S(\d+)(T\d+)R\d+)\.csv$/.exec(path);
  if (!m) throw new KfallFormatError('name', `${path}: not SAxx/SxxTyyRzz.csv`);
  const [, subject, folderNo, trial, fileNo, task] = m;
  if (Number(folderNo) !== Number(fileNo)) throw new KfallFormatError('name', `${path}: file of subject S${fileNo} in folder ${subject}`);
  return { subject, task, trial };
}

/** Whether a KFall task is a fall (T20–T34) or an ADL (T01–T19, T35, T36). Throws for any other task. */
export function isFallTask(task: string): boolean {
  const m = /^T(\d+)$/.exec(task);
  const n = m ? Number(m[1]) : NaN;
  if (n >= 20 && n <= 34) return true;
  if ((n >= 1 && n <= 19) || n === 35 || n === 36) return false;
  throw new KfallFormatError('name', `unknown KFall task ${JSON.stringify(task)}`);
}

/** The recording of one parsed file, in the shared format (key order as in the README). */
export function toKfallRecording(name: KfallName, csv: KfallCsv): Recording {
  return {
    id: `KFall/${name.subject}/${name.trial}`,
    dataset: 'KFall',
    subject: `KFall-${name.subject}`,
    activity: name.task,
    fall: isFallTask(name.task),
    placement: 'waist',
    hz: OUT_HZ,
    unit: 'mg',
    samples: resampleToMg(csv.acc),
  };
}

/** Converts one file: `path` is "SAxx/SxxTyyRzz.csv" (relative to the sensor_data folder), `text` its content. */
export function convertKfallFile(path: string, text: string): { recording: Recording; filled: number } {
  const name = parseKfallName(path);
  isFallTask(name.task); // an unknown task is refused before its CSV is parsed
  const csv = parseKfallCsv(text, path);
  return { recording: toKfallRecording(name, csv), filled: csv.filled };
}

/** Seconds of a recording in the shared format. */
export function durationSeconds(recording: Pick<Recording, 'samples' | 'hz'>): number {
  return recording.samples.length / 3 / recording.hz;
}

/** The "SAxx/SxxTyyRzz.csv"-style paths under `dir`, sorted by subject then file name. */
async function listFiles(dir: string): Promise<string[]> {
  const subjects = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory() && /^SA\d+$/.test(d.name)).map((d) => d.name).sort();
  const paths: string[] = [];
  for (const s of subjects) {
    const files = (await readdir(join(dir, s))).filter((f) => f.toLowerCase().endsWith('.csv')).sort();
    paths.push(...files.map((f) => `${s}/${f}`));
  }
  return paths;
}

async function main(): Promise<void> {
  const program = new Command()
    .description('Convert KFall sensor_data (SAxx/SxxTyyRzz.csv, 100 Hz, g) to the shared recordings format')
    .requiredOption('--from <dir>', 'the folder holding the SAxx folders (KFall/sensor_data)')
    .requiredOption('--out <file>', 'output .jsonl.gz')
    .parse();
  const opts = program.opts<{ from: string; out: string }>();
  const paths = await listFiles(opts.from);
  if (paths.length === 0) program.error(`no SAxx/*.csv files under ${opts.from}`);

  const gzip = createGzip();
  const tmp = `${opts.out}.tmp`;
  const written = pipeline(gzip, createWriteStream(tmp));
  const skipped = new Map<SkipReason, number>();
  const subjects = new Set<string>();
  let falls = 0;
  let adls = 0;
  let filledFrames = 0;
  let filledFiles = 0;
  let seconds = 0;
  let shortest: { id: string; s: number } | undefined;
  let longest: { id: string; s: number } | undefined;
  for (const path of paths) {
    let result: { recording: Recording; filled: number };
    try {
      result = convertKfallFile(path, await readFile(join(opts.from, path), 'utf8'));
    } catch (error) {
      if (!(error instanceof KfallFormatError)) throw error;
      process.stderr.write(`skipped (${error.reason}): ${error.message}\n`);
      skipped.set(error.reason, (skipped.get(error.reason) ?? 0) + 1);
      continue;
    }
    const { recording, filled } = result;
    if (filled > 0) {
      filledFrames += filled;
      filledFiles += 1;
    }
    if (recording.fall) falls += 1; else adls += 1;
    subjects.add(recording.subject);
    const s = durationSeconds(recording);
    seconds += s;
    if (!shortest || s < shortest.s) shortest = { id: recording.id, s };
    if (!longest || s > longest.s) longest = { id: recording.id, s };
    if (!gzip.write(`${JSON.stringify(recording)}\n`)) await once(gzip, 'drain');
  }
  gzip.end();
  await written;
  await rename(tmp, opts.out);

  const skippedTotal = [...skipped.values()].reduce((a, b) => a + b, 0);
  const reasons = [...skipped].map(([r, n]) => `${r}=${n}`).join(' ');
  const sorted = [...subjects].sort();
  process.stdout.write(
    `files=${paths.length} written=${falls + adls} falls=${falls} adls=${adls} subjects=${subjects.size}` +
    (sorted.length > 0 ? ` (${sorted[0]}…${sorted[sorted.length - 1]})` : '') + '\n' +
    `skipped=${skippedTotal}${reasons ? ` (${reasons})` : ''} filled_frames=${filledFrames} in ${filledFiles} files\n` +
    `hours=${(seconds / 3600).toFixed(2)} duration_s=${shortest?.s.toFixed(2) ?? '-'} (${shortest?.id ?? '-'})` +
    `…${longest?.s.toFixed(2) ?? '-'} (${longest?.id ?? '-'})\n` +
    `out=${opts.out}\n`,
  );
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
