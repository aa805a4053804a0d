// Streams recordings from the shared fall-data format: gzipped JSON lines, one recording per line
// (see /work/shared/datasets/falls/README.md). The files are large, so they are read line by line.
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fifoDroppedMeanMg } from '../../firmware/drivers/lis3dh/registers.js';

export interface Recording {
  id: string;
  dataset: string;
  subject: string;
  activity: string;
  fall: boolean;
  placement?: string;
  hz: number;
  unit: string;
  /** Interleaved x, y, z in milli-g. */
  samples: number[];
}

/** What the driver adds back at ±8 g, high resolution (6 mg). */
const FIFO_DROPPED_MEAN_MG = fifoDroppedMeanMg('high-resolution', 8);

export class RecordingFormatError extends Error {}

/**
 * What the device reads for a value in milli-g: the LIS3DH at ±8 g, high resolution, read through its FIFO
 * (as in simulator/chips/lis3dh.ts). The chip rounds to 4 mg digits and saturates at 12 bits; the FIFO keeps
 * the 10 most significant bits, which floors (toward −∞, two's complement) to 16 mg; the driver adds back the
 * mean of the dropped bits (6 mg): 1000 reads as 998.
 */
export function lis3dhFifoMg(mg: number): number {
  const digit = Math.min(2047, Math.max(-2048, Math.round(mg / 4)));
  return (Math.floor(digit / 4) * 16 + FIFO_DROPPED_MEAN_MG) | 0;
}

/** The recording as the device's FIFO would deliver it (see lis3dhFifoMg). */
export function asFifo(recording: Recording): Recording {
  return { ...recording, samples: recording.samples.map(lis3dhFifoMg) };
}

/** Checks one parsed line and returns it as a Recording, or throws a RecordingFormatError saying what is wrong. */
export function toRecording(value: unknown, where: string): Recording {
  if (typeof value !== 'object' || value === null) throw new RecordingFormatError(`${where}: not a JSON object`);
  const r = value as Record<string, unknown>;
  const text = (key: string): string => {
    if (typeof r[key] !== 'string') throw new RecordingFormatError(`${where}: "${key}" must be a string`);
    return r[key] as string;
  };
  if (typeof r.fall !== 'boolean') throw new RecordingFormatError(`${where}: "fall" must be true or false`);
  if (r.hz !== 50) throw new RecordingFormatError(`${where}: "hz" must be 50 (got ${String(r.hz)})`);
  if (r.unit !== 'mg') throw new RecordingFormatError(`${where}: "unit" must be "mg" (got ${String(r.unit)})`);
  const samples = r.samples;
  if (!Array.isArray(samples) || samples.length % 3 !== 0) {
    throw new RecordingFormatError(`${where}: "samples" must be an array of x, y, z triples`);
  }
  for (const v of samples) {
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new RecordingFormatError(`${where}: non-numeric sample`);
  }
  return {
    id: text('id'), dataset: text('dataset'), subject: text('subject'), activity: text('activity'),
    fall: r.fall, placement: typeof r.placement === 'string' ? r.placement : undefined,
    hz: 50, unit: 'mg', samples: samples as number[],
  };
}

/** Yields the recordings of one stream of JSON lines (already decompressed). Blank lines are skipped. */
export async function* readRecordingLines(input: Readable, name: string): AsyncGenerator<Recording> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch (error) {
      throw new RecordingFormatError(`${name}:${lineNo}: invalid JSON (${(error as Error).message})`);
    }
    yield toRecording(parsed, `${name}:${lineNo}`);
  }
}

/** Yields the recordings of a `.jsonl.gz` file (or a plain `.jsonl` file). */
export async function* readRecordings(path: string): AsyncGenerator<Recording> {
  const file = createReadStream(path);
  const input = path.endsWith('.gz') ? file.pipe(createGunzip()) : file;
  file.on('error', (error) => input.destroy(error));
  yield* readRecordingLines(input, path);
}
