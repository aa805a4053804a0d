// What the simulated wearer does: recordings from the shared fall data set (gzipped JSON lines, see
// ../shared/datasets/falls/README.md) when it is there, else built-in synthetic traces. 50 Hz, milli-g,
// interleaved x, y, z, as the LIS3DH chip model plays them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

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
  const value = JSON.parse(line) as { id?: unknown; fall?: unknown; hz?: unknown; unit?: unknown; samples?: unknown };
  if (typeof value.id !== 'string' || typeof value.fall !== 'boolean' || value.hz !== MOTION_HZ || value.unit !== 'mg'
    || !Array.isArray(value.samples) || value.samples.length % 3 !== 0 || !value.samples.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    throw new Error(`${where}: not a 50 Hz milli-g recording`);
  }
  return { id: value.id, fall: value.fall, samples: Int16Array.from(value.samples as number[], clampMg) };
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

/** Deterministic noise (mulberry32). */
function noise(seed: number): (mg: number) => number {
  let a = seed >>> 0;
  return (mg) => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((((t ^ (t >>> 14)) >>> 0) / 4294967296) - 0.5) * 2 * mg;
  };
}

class Trace {
  readonly values: number[] = [];
  #noise: (mg: number) => number;
  constructor(seed: number) {
    this.#noise = noise(seed);
  }
  add(x: number, y: number, z: number, noiseMg: number): void {
    this.values.push(x + this.#noise(noiseMg), y + this.#noise(noiseMg), z + this.#noise(noiseMg));
  }
  still(seconds: number, x: number, y: number, z: number, noiseMg = 8): void {
    for (let i = 0; i < seconds * MOTION_HZ; i++) this.add(x, y, z, noiseMg);
  }
  /** Walking upright (gravity on y): a 2 Hz bounce with heel strikes reaching strikeMg. */
  walk(seconds: number, strikeMg: number): void {
    for (let i = 0; i < seconds * MOTION_HZ; i++) {
      const phase = (i % 25) / 25;
      const strike = phase < 0.08 ? strikeMg - 1000 : 0;
      this.add(120 * Math.sin(4 * Math.PI * phase), 1000 + 250 * Math.sin(2 * Math.PI * phase) + strike, 60 * Math.cos(2 * Math.PI * phase), 40);
    }
  }
  samples(): Int16Array {
    return Int16Array.from(this.values, clampMg);
  }
}

/** Stands, walks, trips: loss of support while pitching forward, a hard impact, then lies still on the floor. */
export function syntheticFall(seed = 1): Motion {
  const t = new Trace(seed);
  t.still(2, 0, 1000, 0, 10);
  t.walk(4, 1400);
  for (let i = 0; i < 20; i++) {
    const angle = (Math.PI / 2) * (i / 20);
    const magnitude = 1000 - 800 * Math.sin((Math.PI * i) / 20);
    t.add(0, magnitude * Math.cos(angle), magnitude * Math.sin(angle), 30);
  }
  for (const m of [1800, 4200, 3100, 1600, 500, 1400, 900, 1100]) t.add(150, 200, m, 40);
  t.still(8, 0, 0, 1000, 6);
  return { id: 'synthetic-fall', fall: true, samples: t.samples() };
}

/** Daily activity: walks briskly (heel strikes past the impact threshold), sits down with a thump, sits. */
export function syntheticActivity(seed = 2): Motion {
  const t = new Trace(seed);
  t.still(2, 0, 1000, 0);
  t.walk(30, 1900);
  for (let i = 0; i < 40; i++) {
    const angle = (Math.PI / 12) * (i / 40);
    const magnitude = 1000 - 250 * Math.sin((Math.PI * i) / 40);
    t.add(0, magnitude * Math.cos(angle), -magnitude * Math.sin(angle), 20);
  }
  const lean = Math.PI / 12;
  for (const m of [1300, 1750, 1400, 1100]) t.add(0, m * Math.cos(lean), -m * Math.sin(lean), 20);
  t.still(8, 0, 1000 * Math.cos(lean), -1000 * Math.sin(lean), 10);
  return { id: 'synthetic-activity', fall: false, samples: t.samples() };
}
