// The pendant's side of an alarm (docs/protocol.md §9, docs/sos-button.md): a press or a detected fall opens a
// local window (confirmation pattern, or the fall's cancel window) → alarm.raised (durable event, alarmId made
// here) → the platform's updates on the `alarm` channel move what the wearer is shown → resolved or cancelled.
// Not accepted within acceptTimeoutS: an alarm.reminder event and a louder, faster local pattern.
// Every state change is written to the key-value store first, so a reboot resumes where it stopped; the
// alarm.raised event itself is in the durable outbox, which delivers it whenever the network is back.
import type { MonotonicClock, TimerId, Timers, WallClock } from '../../../hal/contract/index.js';
import { alarmAdvances, isFinalAlarmState } from '../../protocol/alarm.js';
import type { AlarmUpdateMessage } from '../../protocol/messages.js';
import type { AlarmCause, AlarmRecord, AlarmRecords, FallSummary, WindowRecord } from './alarm-record.js';
import type { Indication } from './patterns.js';

export interface AlarmSettings {
  fallCancelS: number;
  pressConfirmS: number;
  acceptTimeoutS: number;
  maxReminders: number;
}

export interface AlarmLifecycleOptions {
  records: AlarmRecords;
  timers: Timers;
  clock: MonotonicClock;
  wallClock: WallClock;
  settings(): AlarmSettings;
  /** Queues a durable event; returns its seq. */
  emit(type: string, data: Record<string, unknown>): number;
  /** The seq the next event will get (the outbox's). */
  nextSeq(): number;
  /** Whether an event queued now would leave at once and everything before it has been acknowledged. */
  delivered(): boolean;
  deviceId(): string;
  show(indication: Indication | undefined): void;
  /** Something changed that may keep the radio awake or let it sleep. */
  changed(): void;
  log(level: 'info' | 'warn', message: string): void;
}

interface OpenWindow extends WindowRecord {
  timer: TimerId;
  openedAt: number;
  endsAt: number;
}

export interface AlarmCounters {
  raised: number;
  reminders: number;
  fallsCancelled: number;
  pressesCancelled: number;
  staleUpdates: number;
}

export class AlarmLifecycle {
  #o: AlarmLifecycleOptions;
  #window: OpenWindow | undefined;
  #alarm: AlarmRecord | undefined;
  #acceptTimer: TimerId | undefined;
  #counters: AlarmCounters = { raised: 0, reminders: 0, fallsCancelled: 0, pressesCancelled: 0, staleUpdates: 0 };

  constructor(options: AlarmLifecycleOptions) {
    this.#o = options;
  }

  get counters(): Readonly<AlarmCounters> {
    return this.#counters;
  }

  /** A window or an open alarm: the radio stays up, the wearer is shown it. */
  get busy(): boolean {
    return this.#window !== undefined || this.#alarm !== undefined;
  }

  get window(): { cause: AlarmCause; remainingMs: number } | undefined {
    const w = this.#window;
    return w && { cause: w.cause, remainingMs: Math.max(0, w.endsAt - this.#o.clock.now()) };
  }

  get alarm(): { id: string; cause: AlarmCause; state: AlarmRecord['state']; escalated: boolean; reminders: number } | undefined {
    const a = this.#alarm;
    return a && { id: a.id, cause: a.cause, state: a.state, escalated: a.escalated, reminders: a.reminders };
  }

  /** At boot: resume a window or an open alarm from the key-value store. */
  restore(): void {
    const { records } = this.#o;
    const alarm = records.loadAlarm();
    if (alarm) {
      // An alarm record outranks a window left behind by a reboot between the two writes of #raise.
      records.clearWindow();
      this.#alarm = alarm;
      if (this.#o.nextSeq() <= alarm.seq) {
        // Power went between writing the record and the event: write the event now.
        this.#o.log('warn', `alarm ${alarm.id}: raising again after a restart`);
        this.#emitRaised(alarm);
      }
      this.#o.log('info', `alarm ${alarm.id} (${alarm.cause}) resumed in state ${alarm.state}`);
      this.#showAlarm();
      if (!accepted(alarm)) this.#armAcceptTimer(this.#remaining(alarm.at, alarm.tv, this.#o.settings().acceptTimeoutS));
      return;
    }
    const window = records.loadWindow();
    if (window) {
      const total = window.cause === 'fall' ? this.#o.settings().fallCancelS : this.#o.settings().pressConfirmS;
      this.#o.log('info', `${window.cause} window resumed after a restart`);
      this.#openWindow(window, this.#remaining(window.at, window.tv, total));
    }
  }

  /** A press (or a hold) asking for help. */
  press(): void {
    if (this.#alarm) {
      this.#remind('button');
      return;
    }
    if (this.#window) return;
    const confirmS = this.#o.settings().pressConfirmS;
    const record: WindowRecord = { cause: 'button', at: this.#o.wallClock.now(), tv: this.#o.wallClock.valid };
    if (confirmS === 0) this.#raise(record);
    else this.#begin(record, confirmS * 1000);
  }

  /** A fall the detector confirmed. Returns false when it was ignored (an alarm or a window is open already). */
  fall(summary: FallSummary): boolean {
    if (this.busy) return false;
    const record: WindowRecord = { cause: 'fall', at: this.#o.wallClock.now(), tv: this.#o.wallClock.valid, fall: summary };
    this.#begin(record, this.#o.settings().fallCancelS * 1000);
    return true;
  }

  /** The wearer cancels the open window (long press). Returns false when there was none. */
  cancel(heldMs: number): boolean {
    const w = this.#window;
    if (!w) return false;
    this.#closeWindow();
    const elapsedMs = this.#o.clock.now() - w.openedAt;
    if (w.cause === 'fall') {
      this.#counters.fallsCancelled++;
      this.#o.emit('fall.cancelled', { afterMs: elapsedMs, heldMs, ...(w.fall ? { detector: { ...w.fall } } : {}) });
    } else {
      this.#counters.pressesCancelled++;
      this.#o.emit('sos.cancelled', { afterMs: elapsedMs, heldMs });
    }
    this.#o.log('info', `${w.cause} cancelled by the wearer`);
    this.#o.show('aborted');
    this.#o.changed();
    return true;
  }

  /** A short press during a window: no need to wait, raise now. */
  confirmNow(): boolean {
    const w = this.#window;
    if (!w) return false;
    this.#closeWindow(false);
    this.#raise(w);
    return true;
  }

  /** An update from the platform (already validated). Stale, repeated and backward updates are ignored. */
  update(update: AlarmUpdateMessage): void {
    const alarm = this.#alarm;
    if (!alarm || update.alarmId !== alarm.id) {
      this.#o.log('info', `alarm update for ${update.alarmId} (${update.state}) ignored: not this pendant's open alarm`);
      return;
    }
    const current: AlarmUpdateMessage | undefined = alarm.state === 'sent'
      ? undefined
      : { v: 1, msg: 'alarm', alarmId: alarm.id, state: alarm.state, ts: alarm.ts };
    if (!alarmAdvances(current, update)) {
      this.#counters.staleUpdates++;
      return;
    }
    const moved = alarm.state !== update.state;
    alarm.state = update.state;
    alarm.ts = update.ts;
    if (accepted(alarm) || isFinalAlarmState(alarm.state)) {
      this.#o.timers.clear(this.#acceptTimer);
      this.#acceptTimer = undefined;
      alarm.escalated = false;
    }
    if (isFinalAlarmState(update.state)) {
      this.#alarm = undefined;
      this.#o.records.clearAlarm();
      this.#o.show(update.state === 'resolved' ? 'resolved' : 'cancelled');
      this.#o.log('info', `alarm ${alarm.id} ${update.state}`);
      this.#o.changed();
      return;
    }
    if (!moved) return; // a new note or ETA for the same state: nothing to persist or show
    this.#o.records.saveAlarm(alarm);
    this.#showAlarm();
  }

  /** Indication for the current state (after a transient pattern ended, e.g. low battery). */
  reshow(): void {
    if (this.#window) this.#o.show(this.#window.cause === 'fall' ? 'fallWindow' : 'confirm');
    else if (this.#alarm) this.#showAlarm();
  }

  close(): void {
    if (this.#window) this.#o.timers.clear(this.#window.timer);
    this.#o.timers.clear(this.#acceptTimer);
    this.#acceptTimer = undefined;
  }

  #begin(record: WindowRecord, ms: number): void {
    this.#o.records.saveWindow(record);
    this.#openWindow(record, ms);
  }

  #openWindow(record: WindowRecord, ms: number): void {
    const timer = this.#o.timers.set(() => this.confirmNow(), ms);
    const now = this.#o.clock.now();
    this.#window = { ...record, timer, openedAt: now, endsAt: now + ms };
    this.#o.show(record.cause === 'fall' ? 'fallWindow' : 'confirm');
    this.#o.changed();
  }

  #closeWindow(persist = true): void {
    const w = this.#window;
    if (!w) return;
    this.#o.timers.clear(w.timer);
    this.#window = undefined;
    if (persist) this.#o.records.clearWindow();
  }

  #raise(window: WindowRecord): void {
    const seq = this.#o.nextSeq();
    const alarm: AlarmRecord = {
      id: alarmId(this.#o.deviceId(), seq), seq, cause: window.cause, at: window.at, tv: window.tv,
      state: 'sent', ts: 0, reminders: 0, escalated: false, ...(window.fall ? { fall: window.fall } : {}),
    };
    // Record first, then the event, then drop the window: a restart between any two is resolved by restore().
    this.#o.records.saveAlarm(alarm);
    this.#alarm = alarm;
    this.#emitRaised(alarm);
    this.#o.records.clearWindow();
    this.#counters.raised++;
    this.#o.log('info', `alarm ${alarm.id} raised (${alarm.cause})`);
    this.#showAlarm();
    this.#armAcceptTimer(this.#o.settings().acceptTimeoutS * 1000);
    this.#o.changed();
  }

  #emitRaised(alarm: AlarmRecord): void {
    const seq = this.#o.emit('alarm.raised', {
      alarmId: alarm.id, cause: alarm.cause, ...(alarm.fall ? { detector: { ...alarm.fall } } : {}),
    });
    if (seq !== alarm.seq) {
      // Only if the outbox numbered differently than announced; keep the record true to the event.
      alarm.seq = seq;
      this.#o.records.saveAlarm(alarm);
    }
  }

  #armAcceptTimer(firstMs: number): void {
    this.#o.timers.clear(this.#acceptTimer);
    this.#acceptTimer = this.#o.timers.set(() => this.#acceptOverdue(), firstMs);
  }

  #acceptOverdue(): void {
    this.#acceptTimer = undefined;
    const alarm = this.#alarm;
    if (!alarm || accepted(alarm)) return;
    if (!alarm.escalated) {
      alarm.escalated = true;
      this.#o.records.saveAlarm(alarm);
      this.#o.log('warn', `alarm ${alarm.id} not accepted in time: escalating`);
    }
    this.#showAlarm();
    this.#remind('timeout');
    if (this.#alarm === alarm) this.#armAcceptTimer(this.#o.settings().acceptTimeoutS * 1000);
  }

  /**
   * Re-sends the alarm as an alarm.reminder, but only once everything queued before has been delivered: while
   * the first copy is still in the outbox the platform cannot have seen it, and piling reminders into a full
   * outbox could evict the alarm itself.
   */
  #remind(trigger: 'timeout' | 'button'): void {
    const alarm = this.#alarm;
    if (!alarm || alarm.reminders >= this.#o.settings().maxReminders || !this.#o.delivered()) return;
    alarm.reminders++;
    this.#o.records.saveAlarm(alarm);
    this.#counters.reminders++;
    this.#o.emit('alarm.reminder', { alarmId: alarm.id, cause: alarm.cause, n: alarm.reminders, trigger });
  }

  #showAlarm(): void {
    const alarm = this.#alarm;
    if (!alarm) return;
    if (alarm.escalated && !accepted(alarm)) this.#o.show('escalated');
    else if (alarm.state === 'sent' || alarm.state === 'raised') this.#o.show('raised');
    else if (alarm.state === 'accepted' || alarm.state === 'dispatched' || alarm.state === 'onsite') this.#o.show(alarm.state);
  }

  /** Milliseconds left of a span that began at wall time `at`; the whole span when the time is not to be trusted. */
  #remaining(at: number, trusted: boolean, totalS: number): number {
    const { wallClock } = this.#o;
    if (!trusted || !wallClock.valid) return totalS * 1000;
    return Math.max(0, Math.min(totalS * 1000, at + totalS * 1000 - wallClock.now()));
  }
}

function accepted(alarm: AlarmRecord): boolean {
  return alarm.state === 'accepted' || alarm.state === 'dispatched' || alarm.state === 'onsite';
}

/** `<dev>.<seq>` (docs/protocol.md §9), the device part shortened when needed to stay a 64-character token. */
export function alarmId(device: string, seq: number): string {
  const suffix = `.${seq}`;
  return device.slice(0, 64 - suffix.length) + suffix;
}
