// What the simulated wearer does: recordings from the shared fall data set (gzipped JSON lines, see
// ../shared/datasets/falls/README.md) when it is there, else built-in synthetic traces. 50 Hz, milli-g,
// interleaved x, y, z, as the LIS3DH chip model plays them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { toRecording } from '../../scripts/falls/recordings.js';
import { fall, sittingDown, walking } from '../../scripts/falls/synthetic.js';

export const MOTION_HZ = 50;

export interface Motion {
  /** Recording id, or "synthetic-…". */
  id: string;
  fall: boolean;
  samples: Int16Array;
}

export interface Xyz {
  x: number;
  y: number;
  z: number;
}

/** The shared data folder: $FALLS_DATA, else ../shared/datasets/falls beside the repository. */
export function fallsDataDir(): string {
  const fromEnv = process.env.FALLS_DATA;
  if (fromEnv) return fromEnv;
  const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  return resolve(repo, '..', 'shared', 'datasets', 'falls');
}

export function recordingFiles(dir = fallsDataDir()): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((name) => /\.jsonl(\.gz)?$/.test(name)).sort().map((name) => join(dir, name));
}

/**
 * Finds a recording: by id, or (without one) a random recording of the wanted kind. Reads the files
 * synchronously (about a second per file): fine for an interactive command.
 */
export function findRecording(wanted: { id?: string; fall: boolean }, dir = fallsDataDir(), random = Math.random): Motion | undefined {
  const candidates: string[] = [];
  for (const file of recordingFiles(dir)) {
    const raw = readFileSync(file);
    const text = (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      if (wanted.id !== undefined) {
        if (!line.includes(`"id":${JSON.stringify(wanted.id)}`)) continue;
        return parseRecording(line, file);
      }
      if (line.includes(`"fall":${wanted.fall}`)) candidates.push(line);
    }
  }
  if (candidates.length === 0) return undefined;
  return parseRecording(candidates[Math.floor(random() * candidates.length)]!, 'recording');
}

function parseRecording(line: string, where: string): Motion {
  const recording = toRecording(JSON.parse(line), where);
  return { id: recording.id, fall: recording.fall, samples: Int16Array.from(recording.samples, clampMg) };
}

function clampMg(value: number): number {
  return Math.max(-32768, Math.min(32767, Math.round(value)));
}

/**
 * The wearer turning from `from` to the trace's first posture over a second and holding it, then the trace:
 * a worn sensor does not jump between orientations, and the detector's long-term posture average settles.
 */
export function withLeadIn(from: Xyz, samples: Int16Array, seconds = 5): Int16Array {
  const lead = seconds * MOTION_HZ;
  const blend = Math.min(lead, MOTION_HZ);
  const out = new Int16Array(lead * 3 + samples.length);
  const to = [samples[0] ?? 0, samples[1] ?? 0, samples[2] ?? 1000];
  const start = [from.x, from.y, from.z];
  for (let i = 0; i < lead; i++) {
    const t = i < blend ? (i + 1) / blend : 1;
    for (let axis = 0; axis < 3; axis++) out[i * 3 + axis] = clampMg(start[axis]! + (to[axis]! - start[axis]!) * t);
  }
  out.set(samples, lead * 3);
  return out;
}

/** Stands, walks, trips: loss of support while pitching forward, a hard impact, then lies still on the floor. */
export function syntheticFall(seed = 1): Motion {
  return { id: 'synthetic-fall', fall: true, samples: Int16Array.from(fall(seed, 8), clampMg) };
}

/** Daily activity: walks briskly (heel strikes past the impact threshold), then sits down with a thump. */
export function syntheticActivity(seed = 2): Motion {
  return { id: 'synthetic-activity', fall: false, samples: Int16Array.from([...walking(seed, 30), ...sittingDown(seed + 1)], clampMg) };
}
