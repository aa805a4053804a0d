// The pendant's pending alarm state in the key-value store, so that a reboot loses nothing: a cancel window
// that was running, an alarm that is open and how far it got. Written on state changes only (a handful of
// writes per alarm), never per second. Corrupt or foreign records are dropped, never trusted.
import type { KeyValueStore } from '../../../hal/contract/index.js';
import type { AlarmState } from '../../protocol/messages.js';

export const KV_DOMAIN = 'sos';
const WINDOW_KEY = 'window';
const ALARM_KEY = 'alarm';

export type AlarmCause = 'button' | 'fall';

/** The detector's figures for one fall (score and features), as numbers: reported for tuning. */
export type FallSummary = Readonly<Record<string, number>>;

const FALL_FIELDS_MAX = 24;

/** Copies the finite numbers of a detector alert (whatever features it carries). */
export function summarizeFall(alert: object): FallSummary {
  const summary: Record<string, number> = {};
  let count = 0;
  for (const [key, value] of Object.entries(alert)) {
    if (typeof value !== 'number' || !Number.isFinite(value) || !/^[A-Za-z][A-Za-z0-9_]{0,31}$/.test(key)) continue;
    summary[key] = Math.round(value * 1000) / 1000;
    if (++count === FALL_FIELDS_MAX) break;
  }
  return summary;
}

/** A fall or press waiting out its cancel window. */
export interface WindowRecord {
  cause: AlarmCause;
  /** Wall time it began, and whether that time was trusted. */
  at: number;
  tv: boolean;
  fall?: FallSummary;
}

/** An alarm raised by this pendant and not yet resolved or cancelled. */
export interface AlarmRecord {
  id: string;
  /** The seq its alarm.raised event was given: tells after a crash whether the event was written. */
  seq: number;
  cause: AlarmCause;
  at: number;
  tv: boolean;
  /** Last state the platform reported ('sent' until it reports one) and that update's ts. */
  state: AlarmState | 'sent';
  ts: number;
  reminders: number;
  escalated: boolean;
  fall?: FallSummary;
}

const CAUSES: readonly string[] = ['button', 'fall'];
const STATES: readonly string[] = ['sent', 'raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled'];

export class AlarmRecords {
  #kv: KeyValueStore;

  constructor(kv: KeyValueStore) {
    this.#kv = kv;
  }

  loadWindow(): WindowRecord | undefined {
    const r = this.#read(WINDOW_KEY);
    if (!r || !CAUSES.includes(r.cause as string) || !isTime(r.at) || typeof r.tv !== 'boolean') return undefined;
    return { cause: r.cause as AlarmCause, at: r.at as number, tv: r.tv, ...fallOf(r) };
  }

  saveWindow(record: WindowRecord): void {
    this.#kv.set(KV_DOMAIN, WINDOW_KEY, JSON.stringify(record));
  }

  clearWindow(): void {
    this.#kv.delete(KV_DOMAIN, WINDOW_KEY);
  }

  loadAlarm(): AlarmRecord | undefined {
    const r = this.#read(ALARM_KEY);
    if (!r || typeof r.id !== 'string' || !/^[A-Za-z0-9._:-]{1,64}$/.test(r.id)) return undefined;
    if (!isCount(r.seq) || r.seq < 1 || !CAUSES.includes(r.cause as string) || !isTime(r.at) || typeof r.tv !== 'boolean') return undefined;
    if (!STATES.includes(r.state as string) || !isTime(r.ts) || !isCount(r.reminders) || typeof r.escalated !== 'boolean') return undefined;
    return {
      id: r.id, seq: r.seq as number, cause: r.cause as AlarmCause, at: r.at as number, tv: r.tv,
      state: r.state as AlarmRecord['state'], ts: r.ts as number, reminders: r.reminders as number, escalated: r.escalated,
      ...fallOf(r),
    };
  }

  saveAlarm(record: AlarmRecord): void {
    this.#kv.set(KV_DOMAIN, ALARM_KEY, JSON.stringify(record));
  }

  clearAlarm(): void {
    this.#kv.delete(KV_DOMAIN, ALARM_KEY);
  }

  #read(key: string): Record<string, unknown> | undefined {
    try {
      const text = this.#kv.get(KV_DOMAIN, key);
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

function fallOf(r: Record<string, unknown>): { fall?: FallSummary } {
  return typeof r.fall === 'object' && r.fall !== null && !Array.isArray(r.fall) ? { fall: summarizeFall(r.fall) } : {};
}
