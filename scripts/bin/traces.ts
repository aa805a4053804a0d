// Level traces (docs/smart-bin.md, "Level traces"): JSON Lines, optionally gzipped. A header line starts each
// trace; the rows after it are the bursts the device took, with the truth beside them. Every line is checked;
// a bad one refuses the file with its line number.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { LEVEL_SENSORS, type LevelSensor } from '../../firmware/apps/smart-bin/level/estimate.js';
import type { LevelSettings } from '../../firmware/apps/smart-bin/level/pipeline.js';

export interface TraceHeader {
  trace: string;
  sensor: LevelSensor;
  heightMm: number;
  blindMm: number;
  highPct: number;
  lowPct: number;
  hysteresisPct?: number;
  settleS?: number;
  /** Wall-clock time of t = 0 (ms since 1970); default 2027-01-01. */
  start?: number;
  /** The metrics' margin around highPct (percentage points); default 5. */
  marginPct?: number;
}

export interface TraceRow {
  /** Seconds since the trace's start. */
  t: number;
  /** The true fill (volume over the visible depth); past 100 when overflowing. */
  truePct: number;
  /** Seconds the lid has been closed; 0 while open. */
  lid: number;
  celsius?: number;
  tilted?: boolean;
  readings: LevelReading[];
}

export interface Trace {
  header: TraceHeader;
  rows: TraceRow[];
}

export const DEFAULT_START_MS = Date.UTC(2027, 0, 1);
const FAULTS = Object.freeze(['noEcho', 'silent', 'ambient', 'range']);
const SETTING_KEYS = Object.freeze(['heightMm', 'blindMm', 'highPct', 'lowPct', 'hysteresisPct', 'settleS'] as const);

export class TraceFormatError extends Error {}

export function readTraceFile(path: string): Trace[] {
  const bytes = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
  return parseTraces(text, path);
}

export function parseTraces(text: string, name: string): Trace[] {
  const traces: Trace[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const where = `${name}:${i + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new TraceFormatError(`${where}: invalid JSON (${(error as Error).message})`);
    }
    if (isObject(value) && 'sensor' in value) {
      traces.push({ header: toHeader(value, where), rows: [] });
    } else {
      const trace = traces.at(-1);
      if (trace === undefined) throw new TraceFormatError(`${where}: a row before any header line`);
      const row = toRow(value, where);
      const previous = trace.rows.at(-1);
      if (previous !== undefined && row.t < previous.t) throw new TraceFormatError(`${where}: "t" goes back in time`);
      trace.rows.push(row);
    }
  }
  return traces;
}

/** The pipeline settings a header names. */
export function traceSettings(header: TraceHeader): Partial<LevelSettings> {
  const settings: Partial<LevelSettings> = { sensor: header.sensor };
  for (const key of SETTING_KEYS) if (header[key] !== undefined) settings[key] = header[key];
  return settings;
}

/** A row's readings as written: a number is mm, a string a fault, else the reading object. */
export function compactReading(reading: LevelReading): number | string | LevelReading {
  if ('fault' in reading) return reading.fault;
  return reading.signal === undefined && reading.ambient === undefined ? reading.mm : reading;
}

export function formatTraces(traces: readonly Trace[]): string {
  const lines: string[] = [];
  for (const { header, rows } of traces) {
    lines.push(JSON.stringify(header));
    for (const row of rows) lines.push(JSON.stringify({ ...row, readings: row.readings.map(compactReading) }));
  }
  return `${lines.join('\n')}\n`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function number(o: Record<string, unknown>, key: string, where: string, min: number, max: number, optional = false): number | undefined {
  const v = o[key];
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new TraceFormatError(`${where}: "${key}" must be a number in ${min}..${max}`);
  }
  return v;
}

function toHeader(o: Record<string, unknown>, where: string): TraceHeader {
  if (typeof o.trace !== 'string' || o.trace === '') throw new TraceFormatError(`${where}: "trace" must name the trace`);
  if (!LEVEL_SENSORS.includes(o.sensor as LevelSensor)) throw new TraceFormatError(`${where}: "sensor" must be one of ${LEVEL_SENSORS.join(', ')}`);
  const header: TraceHeader = {
    trace: o.trace, sensor: o.sensor as LevelSensor,
    heightMm: number(o, 'heightMm', where, 100, 5000)!, blindMm: number(o, 'blindMm', where, 0, 1000)!,
    highPct: number(o, 'highPct', where, 1, 100)!, lowPct: number(o, 'lowPct', where, 0, 99)!,
  };
  for (const [key, max] of [['hysteresisPct', 50], ['settleS', 3600], ['start', 8.64e15], ['marginPct', 50]] as const) {
    const v = number(o, key, where, 0, max, true);
    if (v !== undefined) header[key] = v;
  }
  return header;
}

function toRow(value: unknown, where: string): TraceRow {
  if (!isObject(value)) throw new TraceFormatError(`${where}: a row must be a JSON object`);
  const row: TraceRow = {
    t: number(value, 't', where, 0, 1e10)!, truePct: number(value, 'truePct', where, 0, 1000)!,
    lid: number(value, 'lid', where, 0, 1e10)!, readings: [],
  };
  const celsius = number(value, 'celsius', where, -60, 120, true);
  if (celsius !== undefined) row.celsius = celsius;
  if (value.tilted !== undefined) {
    if (typeof value.tilted !== 'boolean') throw new TraceFormatError(`${where}: "tilted" must be true or false`);
    row.tilted = value.tilted;
  }
  if (!Array.isArray(value.readings) || value.readings.length > 64) throw new TraceFormatError(`${where}: "readings" must be an array of at most 64`);
  for (const r of value.readings) row.readings.push(toReading(r, where));
  return row;
}

function toReading(r: unknown, where: string): LevelReading {
  if (typeof r === 'number' && Number.isFinite(r) && r >= 0) return { mm: r };
  if (typeof r === 'string' && FAULTS.includes(r)) return { fault: r as 'noEcho' };
  if (isObject(r)) {
    if (typeof r.fault === 'string' && FAULTS.includes(r.fault)) return { fault: r.fault as 'noEcho' };
    if (typeof r.mm === 'number' && Number.isFinite(r.mm) && r.mm >= 0) {
      const reading: { mm: number; signal?: number; ambient?: number } = { mm: r.mm };
      for (const key of ['signal', 'ambient'] as const) {
        const v = r[key];
        if (v === undefined) continue;
        if (typeof v !== 'number' || !Number.isFinite(v)) throw new TraceFormatError(`${where}: reading "${key}" must be a number`);
        reading[key] = v;
      }
      return reading;
    }
  }
  throw new TraceFormatError(`${where}: a reading is mm (a number ≥ 0), a fault (${FAULTS.join(', ')}) or {"mm", "signal"?, "ambient"?}`);
}
