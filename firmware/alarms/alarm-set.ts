// Several alarms open at once (a bin: fire, tilt, overflow per compartment, lid jammed, a sensor fault), each on
// its own AlarmLifecycle under a short key (`fire`, `over2`, `fault1`). A key's records live in a key-value domain
// of their own, `<app domain>.<key>`, so each survives a reboot as a single alarm does. Causes raise at once (no
// window: a detector, not a person, decided), and the platform's updates go to the lifecycle holding that alarmId.
// Lifecycles exist only while they hold an alarm: a quiet device keeps none in RAM.
import { checkName } from '../lib/kv-rules.js';
import type { AlarmUpdateMessage } from '../protocol/messages.js';
import { type AlarmCauseSpec, type AlarmIndication, AlarmLifecycle, type AlarmLifecycleOptions, type OpenAlarm } from './alarm-lifecycle.js';
import type { ClearNote, DetectorFigures } from './alarm-record.js';

export interface AlarmSetOptions<Cause extends string>
  extends Omit<AlarmLifecycleOptions<Cause>, 'causes' | 'domain' | 'show'> {
  causes: readonly Cause[];
  /** Every key the device may raise under: restore() looks for records under these. */
  keys: readonly string[];
  /** The app's key-value domain; each key's records go to `<domain>.<key>` (15 characters at most). */
  domain: string;
  show(indication: AlarmIndication, cause: Cause, key: string): void;
}

export interface KeyedAlarm<Cause extends string> extends OpenAlarm<Cause> {
  key: string;
}

export interface AlarmSetCounters {
  raised: number;
  reminders: number;
  staleUpdates: number;
  /** Updates for an alarm this device does not hold (resolved already, or another device's). */
  unknownUpdates: number;
}

/** Detector causes have no window; their cancel event is never sent (nothing cancels a detector's alarm). */
const AT_ONCE: AlarmCauseSpec = Object.freeze({ windowS: () => 0, cancelledEvent: 'alarm.cancelled' });

export class AlarmSet<Cause extends string> {
  #o: AlarmSetOptions<Cause>;
  #causes: Readonly<Record<Cause, AlarmCauseSpec>>;
  #open = new Map<string, AlarmLifecycle<Cause>>();
  #done = { raised: 0, reminders: 0, staleUpdates: 0 };
  #unknownUpdates = 0;

  constructor(options: AlarmSetOptions<Cause>) {
    for (const key of options.keys) checkName('domain', domainOf(options.domain, key));
    this.#o = options;
    const causes = {} as Record<Cause, AlarmCauseSpec>;
    for (const cause of options.causes) causes[cause] = AT_ONCE;
    this.#causes = causes;
  }

  /** Some alarm is open: the radio stays up. */
  get busy(): boolean {
    for (const lifecycle of this.#open.values()) if (lifecycle.busy) return true;
    return false;
  }

  get counters(): AlarmSetCounters {
    const sum = { ...this.#done, unknownUpdates: this.#unknownUpdates };
    for (const lifecycle of this.#open.values()) {
      sum.raised += lifecycle.counters.raised;
      sum.reminders += lifecycle.counters.reminders;
      sum.staleUpdates += lifecycle.counters.staleUpdates;
    }
    return sum;
  }

  /** The open alarms, in key order. */
  open(): KeyedAlarm<Cause>[] {
    const list: KeyedAlarm<Cause>[] = [];
    for (const key of this.#o.keys) {
      const alarm = this.#open.get(key)?.alarm;
      if (alarm) list.push({ key, ...alarm });
    }
    return list;
  }

  /** The open alarm under `key`, if any. */
  alarm(key: string): OpenAlarm<Cause> | undefined {
    return this.#open.get(key)?.alarm;
  }

  /** At boot: every key with a stored alarm resumes (and re-sends what a power cut kept from going out). */
  restore(): void {
    for (const key of this.#o.keys) {
      if (this.#o.kv.get(domainOf(this.#o.domain, key), 'alarm') === undefined) continue;
      const lifecycle = this.#lifecycle(key);
      lifecycle.restore();
      this.#release(key, lifecycle);
    }
  }

  /**
   * Raises `cause` under `key` at once (part `c`: the compartment; `figures`: what was measured, e.g. tempC).
   * False when that key's alarm is open and its condition has not cleared.
   */
  raise(key: string, cause: Cause, figures: DetectorFigures = {}, c?: number): boolean {
    if (!this.#o.keys.includes(key)) throw new RangeError(`alarm key ${JSON.stringify(key)} is not one of this device's`);
    if (!Object.hasOwn(this.#causes, cause)) throw new RangeError(`alarm cause ${JSON.stringify(cause)} is not one of this device's`);
    const lifecycle = this.#lifecycle(key);
    try {
      return lifecycle.detected(cause, figures, c);
    } finally {
      this.#release(key, lifecycle);
    }
  }

  /** The condition under `key` has ended: alarm.cleared, once. False when nothing is open there or it was cleared. */
  clear(key: string, note?: ClearNote): boolean {
    return this.#open.get(key)?.clear(note) ?? false;
  }

  /** A platform update (validated by the runtime), given to the lifecycle holding its alarmId. */
  update(update: AlarmUpdateMessage): void {
    for (const [key, lifecycle] of this.#open) {
      if (lifecycle.alarm?.id !== update.alarmId) continue;
      lifecycle.update(update);
      this.#release(key, lifecycle);
      return;
    }
    this.#unknownUpdates++;
    this.#o.log('info', `alarm update for ${update.alarmId} (${update.state}) ignored: no open alarm of this device has that id`);
  }

  close(): void {
    for (const lifecycle of this.#open.values()) lifecycle.close();
  }

  #lifecycle(key: string): AlarmLifecycle<Cause> {
    let lifecycle = this.#open.get(key);
    if (!lifecycle) {
      lifecycle = new AlarmLifecycle({
        ...this.#o, causes: this.#causes, domain: domainOf(this.#o.domain, key),
        show: (indication, cause) => this.#o.show(indication, cause, key),
      });
      this.#open.set(key, lifecycle);
    }
    return lifecycle;
  }

  /** Drops a lifecycle that holds nothing any more, keeping its counts. */
  #release(key: string, lifecycle: AlarmLifecycle<Cause>): void {
    if (lifecycle.busy) return;
    lifecycle.close();
    this.#done.raised += lifecycle.counters.raised;
    this.#done.reminders += lifecycle.counters.reminders;
    this.#done.staleUpdates += lifecycle.counters.staleUpdates;
    this.#open.delete(key);
  }
}

/** `<domain>.<key>`: the key-value domain of one key's alarm records. */
export function domainOf(domain: string, key: string): string {
  return `${domain}.${key}`;
}
