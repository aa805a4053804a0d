// Virtual time for the host binding: one monotonic clock, a wall clock and timers, in two modes.
// - SteppedClock: time moves only when a test calls advance(); timers fire in time order, ties in the order
//   they were set, including timers that callbacks set while advancing. Deterministic.
// - RealTimeClock: time follows the host's monotonic clock (optionally sped up); Node timers drive firing.
import type { MonotonicClock, TimerId, Timers, WallClock } from '../contract/time.js';

export interface ClockOptions {
  /** Wall time (ms since the epoch) at boot: the device's best guess until something sets it. Default 0. */
  wallTimeMs?: number;
  /** Whether the boot wall time counts as trusted (as if SNTP had already answered). Default false. */
  wallTimeValid?: boolean;
}

interface ScheduledTimer {
  readonly callback: () => void;
  /** 0 for a one-shot timer. */
  readonly interval: number;
  due: number;
  /** Insertion order breaks ties between timers due at the same instant. */
  order: number;
  /** Periods in a row a repeating timer fired already overdue (real time: bounded catch-up). */
  behind?: number;
}

/** Shared machinery: the timer queue and the wall clock, over a monotonic time source. */
export abstract class VirtualClock implements MonotonicClock {
  readonly timers: Timers;
  readonly wallClock: WallClock;
  #queue: ScheduledTimer[] = [];
  #order = 0;
  #wallBase: number;
  #wallSetAt = 0;
  #wallValid: boolean;

  constructor(options: ClockOptions = {}) {
    this.#wallBase = options.wallTimeMs ?? 0;
    this.#wallValid = options.wallTimeValid ?? false;
    this.timers = {
      set: (callback, ms) => this.#schedule(callback, ms, 0),
      repeat: (callback, ms) => this.#schedule(callback, ms, Math.max(1, Math.ceil(ms))),
      clear: (id) => this.#clear(id),
    };
    const clock = this;
    this.wallClock = {
      now: () => clock.#wallBase + (clock.now() - clock.#wallSetAt),
      get valid() {
        return clock.#wallValid;
      },
      set(epochMs: number) {
        if (!Number.isFinite(epochMs)) throw new RangeError(`wall time must be a finite number, got ${epochMs}`);
        clock.#wallBase = epochMs;
        clock.#wallSetAt = clock.now();
        clock.#wallValid = true;
      },
    };
  }

  /** Milliseconds since boot. */
  abstract now(): number;

  /** Number of timers still scheduled. */
  get pendingTimers(): number {
    return this.#queue.length;
  }

  /** Monotonic time at which the next timer is due, or undefined when none is scheduled. */
  nextDue(): number | undefined {
    return this.#queue[0]?.due;
  }

  /** Cancels every timer: a discarded device must not keep running. */
  clearAll(): void {
    this.#queue = [];
    this.queueChanged();
  }

  /**
   * How many missed periods in a row a repeating timer that fell behind fires, each at its own due time with time
   * held there, before it skips to the present. Stepped: all of them. Real time: a bounded number, because the
   * device did not stall, only the host did (a watchdog feed must not be skipped past the watchdog), but a long
   * stall must not turn into an endless burst of sensor polls.
   */
  protected get catchUpPeriods(): number {
    return Infinity;
  }

  /** Called whenever the earliest due time may have changed. */
  protected queueChanged(): void {}

  /**
   * Fires the earliest timer if it is due at or before `limit`. Returns false when none is.
   * `onFire` runs first with the timer's due time, so a stepped clock can move to it.
   */
  protected fireNext(limit: number, onFire: (due: number) => void): boolean {
    const timer = this.#queue[0];
    if (timer === undefined || timer.due > limit) return false;
    this.#queue.shift();
    const firedAt = timer.due;
    if (timer.interval > 0) {
      timer.due += timer.interval;
      timer.behind = timer.due <= limit ? (timer.behind ?? 0) + 1 : 0;
      if (timer.behind > this.catchUpPeriods) {
        timer.due = limit + timer.interval;
        timer.behind = 0;
      }
      timer.order = this.#order++;
      this.#insert(timer);
    }
    onFire(firedAt);
    timer.callback();
    return true;
  }

  #schedule(callback: () => void, ms: number, interval: number): TimerId {
    if (typeof callback !== 'function') throw new TypeError('timer callback must be a function');
    // Whole milliseconds, as the device's Timer takes them: a fractional delay must not leak into now().
    const delay = Number.isFinite(ms) && ms > 0 ? Math.ceil(ms) : 0;
    const timer: ScheduledTimer = { callback, interval, due: this.now() + delay, order: this.#order++ };
    this.#insert(timer);
    this.queueChanged();
    return timer;
  }

  #clear(id: TimerId | undefined): void {
    if (id === undefined) return;
    const index = this.#queue.indexOf(id as ScheduledTimer);
    if (index < 0) return;
    this.#queue.splice(index, 1);
    this.queueChanged();
  }

  #insert(timer: ScheduledTimer): void {
    let index = this.#queue.length;
    while (index > 0) {
      const before = this.#queue[index - 1]!;
      if (before.due < timer.due || (before.due === timer.due && before.order < timer.order)) break;
      index--;
    }
    this.#queue.splice(index, 0, timer);
  }
}

/** Time moves only when advance() is called. For tests. */
export class SteppedClock extends VirtualClock {
  #now = 0;

  now(): number {
    return this.#now;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, in time order; now() reads each
   * timer's due time inside its callback. A callback that throws stops the advance and the error propagates.
   */
  advance(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance() needs a finite ms >= 0, got ${ms}`);
    const target = this.#now + ms;
    while (this.fireNext(target, (due) => { this.#now = Math.max(this.#now, due); }));
    this.#now = target;
  }

  /** Advances to the next due timer and fires it (and any due at the same instant). False when none is left. */
  runNext(): boolean {
    const due = this.nextDue();
    if (due === undefined) return false;
    this.advance(Math.max(0, due - this.#now));
    return true;
  }
}

export interface RealTimeClockOptions extends ClockOptions {
  /** Virtual milliseconds per real millisecond. Default 1. */
  speed?: number;
  /** Receives errors thrown by timer callbacks; the clock keeps running. Default: console.error. */
  onError?: (error: unknown) => void;
}

const MAX_HOST_TIMEOUT_MS = 2 ** 31 - 1;
/** Missed periods a repeating timer makes up after a host stall: a 10 s watchdog feed covers 1000 s. */
export const REAL_TIME_CATCH_UP_PERIODS = 100;

/** Time follows the host clock, scaled by `speed`. For the simulator. */
export class RealTimeClock extends VirtualClock {
  readonly speed: number;
  #startedAt = performance.now();
  #onError: (error: unknown) => void;
  #hostTimer: NodeJS.Timeout | undefined;
  #closed = false;
  #firing = false;
  /**
   * While overdue timers fire, time stands at each one's due time (never before a time already handed out):
   * when the host stalls, timers set by those callbacks keep their spacing relative to the events that set
   * them, as on the device, instead of all landing at once after the stall.
   */
  #firingAt: number | undefined;
  #latest = 0;

  constructor(options: RealTimeClockOptions = {}) {
    super(options);
    const speed = options.speed ?? 1;
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`speed must be a positive number, got ${speed}`);
    this.speed = speed;
    this.#onError = options.onError ?? ((error) => console.error('timer callback failed:', error));
  }

  /**
   * Whole milliseconds, as a device's tick counter gives them. An overdue timer holds time at its due time until
   * it has fired: what runs meanwhile (network callbacks after a host stall) never sees a time the device could
   * not have reached yet, so it cannot push the overdue timers past each other (a keypad's next bit after the
   * reader's end-of-frame timeout).
   */
  now(): number {
    if (this.#firingAt !== undefined) return this.#firingAt;
    let now = this.#realNow();
    const due = this.nextDue();
    if (due !== undefined && due < now) now = due;
    if (now > this.#latest) this.#latest = now;
    return this.#latest;
  }

  #realNow(): number {
    return Math.floor((performance.now() - this.#startedAt) * this.speed);
  }

  /** Stops firing timers for good. */
  close(): void {
    this.#closed = true;
    this.clearAll();
  }

  protected override get catchUpPeriods(): number {
    return REAL_TIME_CATCH_UP_PERIODS;
  }

  protected override queueChanged(): void {
    if (this.#firing) return; // #fireDue re-arms when it is done
    this.#arm();
  }

  #arm(): void {
    if (this.#hostTimer !== undefined) clearTimeout(this.#hostTimer);
    this.#hostTimer = undefined;
    const due = this.nextDue();
    if (due === undefined || this.#closed) return;
    // Node caps a timeout at 2^31-1 ms; a later timer is simply re-armed when that one fires early.
    const wait = Math.min(MAX_HOST_TIMEOUT_MS, Math.max(0, Math.ceil((due - this.now()) / this.speed)));
    this.#hostTimer = setTimeout(() => this.#fireDue(), wait);
  }

  #fireDue(): void {
    this.#hostTimer = undefined;
    this.#firing = true;
    try {
      const limit = Math.max(this.#realNow(), this.#latest);
      for (;;) {
        try {
          if (!this.fireNext(limit, (due) => { this.#firingAt = Math.max(due, this.#latest); })) break;
        } catch (error) {
          this.#onError(error);
        }
        this.#latest = this.#firingAt ?? this.#latest;
      }
    } finally {
      this.#firing = false;
      this.#firingAt = undefined;
    }
    this.#arm();
  }
}
