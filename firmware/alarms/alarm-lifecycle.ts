// A device's side of an alarm (docs/protocol.md §9): a cause (a press, a detector) opens a local window (a
// chance to confirm or cancel; a cause with a 0 s window raises at once) → alarm.raised (durable event, alarmId
// made here) → the platform's updates on the `alarm` channel move what the device shows → resolved or
// cancelled. Not accepted within acceptTimeoutS: an alarm.reminder event and an escalated indication. A
// condition that ends by itself (a fire out, a bin emptied) is reported once as alarm.cleared; the alarm stays
// shown until the platform resolves it, and the condition coming back after that raises a new alarm.
// Every state change is written to the key-value store first, so a reboot resumes where it stopped; the
// alarm.raised event itself is in the durable outbox, which delivers it whenever the network is back.
// The device names its causes, their windows and cancel events, its key-value domain, and maps the
// indications below to its own LED/buzzer/screen.
import type { KeyValueStore, MonotonicClock, TimerId, Timers, WallClock } from '../../hal/contract/index.js';
import { alarmAdvances, isFinalAlarmState } from '../protocol/alarm.js';
import { PROTOCOL_VERSION, type AlarmUpdateMessage } from '../protocol/messages.js';
import { type AlarmRecord, AlarmRecords, type ClearNote, clearNote, type DetectorFigures, PART_MAX, type WindowRecord } from './alarm-record.js';

/** How one cause raises an alarm on this device. */
export interface AlarmCauseSpec {
  /** Seconds its window lasts before the alarm goes out (read when the window opens); 0: raised at once. */
  windowS(): number;
  /** The event type that reports its window cancelled on the device (data: afterMs, heldMs, detector). */
  cancelledEvent: string;
}

export interface AlarmSettings {
  acceptTimeoutS: number;
  maxReminders: number;
}

/** What the device shows: a cause's window, the alarm's progress, how it ended ('aborted': cancelled on the device). */
export type AlarmIndication =
  | 'window' | 'raised' | 'escalated' | 'accepted' | 'dispatched' | 'onsite' | 'resolved' | 'cancelled' | 'aborted';

export interface AlarmLifecycleOptions<Cause extends string> {
  causes: Readonly<Record<Cause, AlarmCauseSpec>>;
  kv: KeyValueStore;
  /** The device's key-value domain: its `window` and `alarm` records are kept there. */
  domain: string;
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
  show(indication: AlarmIndication, cause: Cause): void;
  /** Something changed that may keep the radio awake or let it sleep. */
  changed(): void;
  log(level: 'info' | 'warn', message: string): void;
}

interface OpenWindow<Cause extends string> extends WindowRecord<Cause> {
  timer: TimerId;
  openedAt: number;
  endsAt: number;
}

/** An open alarm as the device shows it. */
export interface OpenAlarm<Cause extends string> {
  id: string;
  cause: Cause;
  state: AlarmRecord<Cause>['state'];
  escalated: boolean;
  reminders: number;
  /** The part (compartment) it concerns, when not the whole device. */
  c?: number;
  /** Present (true) once its condition has ended on the device. */
  cleared?: true;
}

export interface AlarmCounters<Cause extends string> {
  raised: number;
  reminders: number;
  /** Windows cancelled on the device, per cause. */
  cancelled: Record<Cause, number>;
  staleUpdates: number;
}

export class AlarmLifecycle<Cause extends string> {
  #o: AlarmLifecycleOptions<Cause>;
  #records: AlarmRecords<Cause>;
  #window: OpenWindow<Cause> | undefined;
  #alarm: AlarmRecord<Cause> | undefined;
  #acceptTimer: TimerId | undefined;
  #counters: AlarmCounters<Cause>;

  constructor(options: AlarmLifecycleOptions<Cause>) {
    this.#o = options;
    const causes = Object.keys(options.causes) as Cause[];
    this.#records = new AlarmRecords(options.kv, options.domain, causes);
    const cancelled = {} as Record<Cause, number>;
    for (const cause of causes) cancelled[cause] = 0;
    this.#counters = { raised: 0, reminders: 0, cancelled, staleUpdates: 0 };
  }

  get counters(): Readonly<AlarmCounters<Cause>> {
    return this.#counters;
  }

  /** A window or an open alarm: the radio stays up, the device shows it. */
  get busy(): boolean {
    return this.#window !== undefined || this.#alarm !== undefined;
  }

  get window(): { cause: Cause; remainingMs: number } | undefined {
    const w = this.#window;
    return w && { cause: w.cause, remainingMs: Math.max(0, w.endsAt - this.#o.clock.now()) };
  }

  get alarm(): OpenAlarm<Cause> | undefined {
    const a = this.#alarm;
    return a && {
      id: a.id, cause: a.cause, state: a.state, escalated: a.escalated, reminders: a.reminders,
      ...(a.c !== undefined ? { c: a.c } : {}), ...(a.cleared ? { cleared: true } : {}),
    };
  }

  /** At boot: resume a window or an open alarm from the key-value store. */
  restore(): void {
    const records = this.#records;
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
      if (alarm.cleared && this.#o.nextSeq() <= alarm.cleared.seq) {
        this.#o.log('warn', `alarm ${alarm.id}: reporting it cleared again after a restart`);
        this.#emitCleared(alarm);
      }
      this.#o.log('info', `alarm ${alarm.id} (${alarm.cause}) resumed in state ${alarm.state}`);
      this.#showAlarm();
      if (!accepted(alarm) && !alarm.cleared) this.#armAcceptTimer(this.#remaining(alarm.at, alarm.tv, this.#o.settings().acceptTimeoutS));
      return;
    }
    const window = records.loadWindow();
    if (window) {
      this.#o.log('info', `${window.cause} window resumed after a restart`);
      this.#openWindow(window, this.#remaining(window.at, window.tv, this.#o.causes[window.cause].windowS()));
    }
  }

  /** A person asks for help (a press): re-sends an open alarm as a reminder, else opens the cause's window. */
  press(cause: Cause): void {
    if (this.#alarm) {
      this.#remind(cause);
      return;
    }
    if (!this.#window) this.#begin(cause);
  }

  /**
   * A detector found `cause` (on part `c`, a compartment, when not the whole device). Returns false when it was
   * ignored: a window or an alarm whose condition has not cleared is open already. An open alarm that has cleared
   * is left to the platform (which resolves it from alarm.cleared) and a new one is raised.
   */
  detected(cause: Cause, figures: DetectorFigures, c?: number): boolean {
    if (this.#window || (this.#alarm && !this.#alarm.cleared)) return false;
    if (c !== undefined && !(Number.isInteger(c) && c >= 0 && c <= PART_MAX)) throw new RangeError(`alarm part ${c}: expected 0–${PART_MAX}`);
    this.#begin(cause, figures, c);
    return true;
  }

  /**
   * The condition that raised the open alarm has ended (`note`: what the device knows about how, e.g. when it was
   * emptied). Reported once as a durable alarm.cleared event, even across a reboot; no more reminders. The alarm
   * stays open and shown until the platform resolves or cancels it. Returns false when there is no open alarm or
   * it was cleared already.
   */
  clear(note?: ClearNote): boolean {
    const alarm = this.#alarm;
    if (!alarm || alarm.cleared) return false;
    const copy = note ? clearNote(note) : undefined;
    alarm.cleared = { seq: this.#o.nextSeq(), at: this.#o.wallClock.now(), ...(copy && Object.keys(copy).length > 0 ? { note: copy } : {}) };
    alarm.escalated = false;
    // Record first, then the event: restore() writes the event again if power went between the two.
    this.#records.saveAlarm(alarm);
    this.#emitCleared(alarm);
    this.#o.timers.clear(this.#acceptTimer);
    this.#acceptTimer = undefined;
    this.#o.log('info', `alarm ${alarm.id} (${alarm.cause}) cleared on the device`);
    this.#showAlarm();
    this.#o.changed();
    return true;
  }

  /** The open window is cancelled on the device (a long press held heldMs). Returns false when there was none. */
  cancel(heldMs: number): boolean {
    const w = this.#window;
    if (!w) return false;
    this.#closeWindow();
    const elapsedMs = this.#o.clock.now() - w.openedAt;
    this.#counters.cancelled[w.cause]++;
    this.#o.emit(this.#o.causes[w.cause].cancelledEvent, { afterMs: elapsedMs, heldMs, ...(w.detector ? { detector: { ...w.detector } } : {}) });
    this.#o.log('info', `${w.cause} cancelled on the device`);
    this.#o.show('aborted', w.cause);
    this.#o.changed();
    return true;
  }

  /** Confirmed during a window (a short press): no need to wait, raise now. */
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
      this.#o.log('info', `alarm update for ${update.alarmId} (${update.state}) ignored: not this device's open alarm`);
      return;
    }
    const current: AlarmUpdateMessage | undefined = alarm.state === 'sent'
      ? undefined
      : { v: PROTOCOL_VERSION, msg: 'alarm', alarmId: alarm.id, state: alarm.state, ts: alarm.ts };
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
      this.#records.clearAlarm();
      this.#o.show(update.state, alarm.cause);
      this.#o.log('info', `alarm ${alarm.id} ${update.state}`);
      this.#o.changed();
      return;
    }
    if (!moved) return; // a new note or ETA for the same state: nothing to persist or show
    this.#records.saveAlarm(alarm);
    this.#showAlarm();
  }

  close(): void {
    if (this.#window) this.#o.timers.clear(this.#window.timer);
    this.#o.timers.clear(this.#acceptTimer);
    this.#acceptTimer = undefined;
  }

  /** Opens the cause's window, or raises at once when it has none. */
  #begin(cause: Cause, figures?: DetectorFigures, c?: number): void {
    const record: WindowRecord<Cause> = {
      cause, at: this.#o.wallClock.now(), tv: this.#o.wallClock.valid, ...(figures ? { detector: figures } : {}), ...(c !== undefined ? { c } : {}),
    };
    const windowS = this.#o.causes[cause].windowS();
    if (windowS === 0) {
      this.#raise(record);
      return;
    }
    this.#records.saveWindow(record);
    this.#openWindow(record, windowS * 1000);
  }

  #openWindow(record: WindowRecord<Cause>, ms: number): void {
    const timer = this.#o.timers.set(() => this.confirmNow(), ms);
    const now = this.#o.clock.now();
    this.#window = { ...record, timer, openedAt: now, endsAt: now + ms };
    this.#o.show('window', record.cause);
    this.#o.changed();
  }

  #closeWindow(persist = true): void {
    const w = this.#window;
    if (!w) return;
    this.#o.timers.clear(w.timer);
    this.#window = undefined;
    if (persist) this.#records.clearWindow();
  }

  #raise(window: WindowRecord<Cause>): void {
    const seq = this.#o.nextSeq();
    const alarm: AlarmRecord<Cause> = {
      id: alarmId(this.#o.deviceId(), seq), seq, cause: window.cause, at: window.at, tv: window.tv,
      state: 'sent', ts: 0, reminders: 0, escalated: false, ...(window.detector ? { detector: window.detector } : {}),
      ...(window.c !== undefined ? { c: window.c } : {}),
    };
    if (this.#alarm) this.#o.log('info', `alarm ${this.#alarm.id} cleared and superseded by ${alarm.id}; the platform resolves it`);
    // Record first, then the event, then drop the window: a restart between any two is resolved by restore().
    this.#records.saveAlarm(alarm);
    this.#alarm = alarm;
    this.#emitRaised(alarm);
    this.#records.clearWindow();
    this.#counters.raised++;
    this.#o.log('info', `alarm ${alarm.id} raised (${alarm.cause})`);
    this.#showAlarm();
    this.#armAcceptTimer(this.#o.settings().acceptTimeoutS * 1000);
    this.#o.changed();
  }

  #emitRaised(alarm: AlarmRecord<Cause>): void {
    const seq = this.#o.emit('alarm.raised', {
      alarmId: alarm.id, cause: alarm.cause, ...(alarm.c !== undefined ? { c: alarm.c } : {}),
      ...(alarm.detector ? { detector: { ...alarm.detector } } : {}),
    });
    if (seq !== alarm.seq) {
      // Only if the outbox numbered differently than announced; keep the record true to the event.
      alarm.seq = seq;
      this.#records.saveAlarm(alarm);
    }
  }

  #emitCleared(alarm: AlarmRecord<Cause>): void {
    const cleared = alarm.cleared!;
    const seq = this.#o.emit('alarm.cleared', {
      ...cleared.note, alarmId: alarm.id, cause: alarm.cause, ...(alarm.c !== undefined ? { c: alarm.c } : {}), at: cleared.at,
    });
    if (seq !== cleared.seq) {
      cleared.seq = seq;
      this.#records.saveAlarm(alarm);
    }
  }

  #armAcceptTimer(firstMs: number): void {
    this.#o.timers.clear(this.#acceptTimer);
    this.#acceptTimer = this.#o.timers.set(() => this.#acceptOverdue(), firstMs);
  }

  #acceptOverdue(): void {
    this.#acceptTimer = undefined;
    const alarm = this.#alarm;
    if (!alarm || accepted(alarm) || alarm.cleared) return;
    if (!alarm.escalated) {
      alarm.escalated = true;
      this.#records.saveAlarm(alarm);
      this.#o.log('warn', `alarm ${alarm.id} not accepted in time: escalating`);
    }
    this.#showAlarm();
    this.#remind('timeout');
    if (this.#alarm === alarm) this.#armAcceptTimer(this.#o.settings().acceptTimeoutS * 1000);
  }

  /**
   * Re-sends the alarm as an alarm.reminder (`trigger`: 'timeout', or the cause a person pressed again), but
   * only once everything queued before has been delivered: while the first copy is still in the outbox the
   * platform cannot have seen it, and piling reminders into a full outbox could evict the alarm itself.
   */
  #remind(trigger: string): void {
    const alarm = this.#alarm;
    if (!alarm || alarm.reminders >= this.#o.settings().maxReminders || !this.#o.delivered()) return;
    alarm.reminders++;
    this.#records.saveAlarm(alarm);
    this.#counters.reminders++;
    this.#o.emit('alarm.reminder', { alarmId: alarm.id, cause: alarm.cause, n: alarm.reminders, trigger });
  }

  #showAlarm(): void {
    const alarm = this.#alarm;
    if (!alarm) return;
    if (alarm.escalated && !accepted(alarm)) this.#o.show('escalated', alarm.cause);
    else if (alarm.state === 'sent' || alarm.state === 'raised') this.#o.show('raised', alarm.cause);
    else if (alarm.state === 'accepted' || alarm.state === 'dispatched' || alarm.state === 'onsite') this.#o.show(alarm.state, alarm.cause);
  }

  /** Milliseconds left of a span that began at wall time `at`; the whole span when the time is not to be trusted. */
  #remaining(at: number, trusted: boolean, totalS: number): number {
    const { wallClock } = this.#o;
    if (!trusted || !wallClock.valid) return totalS * 1000;
    return Math.max(0, Math.min(totalS * 1000, at + totalS * 1000 - wallClock.now()));
  }
}

function accepted(alarm: AlarmRecord<string>): boolean {
  return alarm.state === 'accepted' || alarm.state === 'dispatched' || alarm.state === 'onsite';
}

/** `<dev>.<seq>` (docs/protocol.md §9), the device part shortened when needed to stay a 64-character token. */
export function alarmId(device: string, seq: number): string {
  const suffix = `.${seq}`;
  return device.slice(0, 64 - suffix.length) + suffix;
}
