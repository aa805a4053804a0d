// A device's pending alarm state in the key-value store, so that a reboot loses nothing: a window that was
// running, an alarm that is open and how far it got. Written on state changes only (a handful of writes per
// alarm), never per second. Corrupt or foreign records (a cause this device does not have) are dropped, never
// trusted. Keys `window` and `alarm`, in the domain the device names.
import type { KeyValueStore } from '../../hal/contract/index.js';
import type { AlarmState } from '../protocol/messages.js';

const WINDOW_KEY = 'window';
const ALARM_KEY = 'alarm';

/** A detector's figures for what raised the alarm (score, features), as numbers: reported for tuning. */
export type DetectorFigures = Readonly<Record<string, number>>;

const FIGURES_MAX = 24;
/** Parts (compartments) a device may number: 0–255. */
export const PART_MAX = 255;

/** Copies the finite numbers of a detector's output (whatever it carries), rounded to 0.001. */
export function detectorFigures(output: object): DetectorFigures {
  const figures: Record<string, number> = {};
  let count = 0;
  for (const [key, value] of Object.entries(output)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key)) continue;
    figures[key] = Math.round(value * 1000) / 1000;
    if (++count === FIGURES_MAX) break;
  }
  return figures;
}

/** What the device says about a condition that ended (emptied at, temperature now, ...): short and flat. */
export type ClearNote = Readonly<Record<string, number | string | boolean>>;

const NOTE_TEXT_MAX = 64;
const RESERVED: readonly string[] = Object.freeze(['alarmId', 'cause', 'c', 'at']);

/** Copies the flat values of a note (finite numbers, booleans, strings up to 64 characters), as detectorFigures does. */
export function clearNote(output: object): ClearNote {
  const note: Record<string, number | string | boolean> = {};
  let count = 0;
  for (const [key, value] of Object.entries(output)) {
    if (!/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key) || RESERVED.includes(key)) continue; // the event's own fields
    if (typeof value === 'number' && Number.isFinite(value)) note[key] = value;
    else if (typeof value === 'boolean' || (typeof value === 'string' && value.length <= NOTE_TEXT_MAX)) note[key] = value;
    else continue;
    if (++count === FIGURES_MAX) break;
  }
  return note;
}

/** A cause waiting out its window before the alarm goes out. */
export interface WindowRecord<Cause extends string> {
  cause: Cause;
  /** Wall time it began, and whether that time was trusted. */
  at: number;
  tv: boolean;
  detector?: DetectorFigures;
  /** The part of the device it concerns (a bin's compartment), when not the whole device. */
  c?: number;
}

/** The condition that raised an alarm has ended: when, and the seq its alarm.cleared event was given. */
export interface ClearedRecord {
  seq: number;
  at: number;
  note?: ClearNote;
}

/** An alarm raised by this device and not yet resolved or cancelled. */
export interface AlarmRecord<Cause extends string> {
  id: string;
  /** The seq its alarm.raised event was given: tells after a crash whether the event was written. */
  seq: number;
  cause: Cause;
  at: number;
  tv: boolean;
  /** Last state the platform reported ('sent' until it reports one) and that update's ts. */
  state: AlarmState | 'sent';
  ts: number;
  reminders: number;
  escalated: boolean;
  detector?: DetectorFigures;
  c?: number;
  cleared?: ClearedRecord;
}

const STATES: readonly string[] = ['sent', 'raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled'];

export class AlarmRecords<Cause extends string> {
  #kv: KeyValueStore;
  #domain: string;
  #causes: readonly string[];

  constructor(kv: KeyValueStore, domain: string, causes: readonly Cause[]) {
    this.#kv = kv;
    this.#domain = domain;
    this.#causes = causes;
  }

  loadWindow(): WindowRecord<Cause> | undefined {
    const r = this.#read(WINDOW_KEY);
    if (!r || !this.#causes.includes(r.cause as string) || !isTime(r.at) || typeof r.tv !== 'boolean') return undefined;
    return { cause: r.cause as Cause, at: r.at as number, tv: r.tv, ...figuresOf(r), ...partOf(r) };
  }

  saveWindow(record: WindowRecord<Cause>): void {
    this.#kv.set(this.#domain, WINDOW_KEY, JSON.stringify(record));
  }

  clearWindow(): void {
    this.#kv.delete(this.#domain, WINDOW_KEY);
  }

  loadAlarm(): AlarmRecord<Cause> | undefined {
    const r = this.#read(ALARM_KEY);
    if (!r || typeof r.id !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(r.id)) return undefined;
    if (!isCount(r.seq) || r.seq < 1 || !this.#causes.includes(r.cause as string) || !isTime(r.at) || typeof r.tv !== 'boolean') return undefined;
    if (!STATES.includes(r.state as string) || !isTime(r.ts) || !isCount(r.reminders) || typeof r.escalated !== 'boolean') return undefined;
    return {
      id: r.id, seq: r.seq as number, cause: r.cause as Cause, at: r.at as number, tv: r.tv,
      state: r.state as AlarmRecord<Cause>['state'], ts: r.ts as number, reminders: r.reminders as number, escalated: r.escalated,
      ...figuresOf(r), ...partOf(r), ...clearedOf(r),
    };
  }

  saveAlarm(record: AlarmRecord<Cause>): void {
    this.#kv.set(this.#domain, ALARM_KEY, JSON.stringify(record));
  }

  clearAlarm(): void {
    this.#kv.delete(this.#domain, ALARM_KEY);
  }

  #read(key: string): Record<string, unknown> | undefined {
    try {
      const text = this.#kv.get(this.#domain, key);
      if (typeof text !== 'string') return undefined;
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
    } catch {
      return undefined;
    }
  }
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function isTime(value: unknown): value is number {
  return isCount(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function figuresOf(r: Record<string, unknown>): { detector?: DetectorFigures } {
  return isObject(r.detector) ? { detector: detectorFigures(r.detector) } : {};
}

function partOf(r: Record<string, unknown>): { c?: number } {
  return isCount(r.c) && r.c <= PART_MAX ? { c: r.c } : {};
}

/** A cleared mark that does not read right is dropped: the alarm is then still open, the safer way to be wrong. */
function clearedOf(r: Record<string, unknown>): { cleared?: ClearedRecord } {
  const x = r.cleared;
  if (!isObject(x) || !isCount(x.seq) || x.seq < 1 || !isTime(x.at)) return {};
  return { cleared: { seq: x.seq, at: x.at, ...(isObject(x.note) ? { note: clearNote(x.note) } : {}) } };
}
