// Clocks and timers on Moddable: "time" (Time.ticks, Time.set) and "timer" (Timer).
import Time from 'time';
import Timer from 'timer';
import type { MonotonicClock, TimerId, Timers, WallClock } from '../contract/time.js';

type Log = (level: 'error', message: string) => void;

/**
 * Time.ticks is a 32-bit millisecond counter (an int32 on ESP32: it turns negative after 24.8 days and wraps
 * after 49.7). Differences taken modulo 2^32 and summed give a clock that never goes back, as long as it is read
 * at least once per 49 days; a slow timer guarantees that.
 */
export class TicksClock implements MonotonicClock {
  #last = Time.ticks;
  #elapsed = 0;
  #keepAlive: Timer;

  constructor() {
    this.#keepAlive = Timer.repeat(() => this.now(), 24 * 60 * 60 * 1000);
  }

  now(): number {
    const ticks = Time.ticks;
    this.#elapsed += (ticks - this.#last) >>> 0;
    this.#last = ticks;
    return this.#elapsed;
  }

  close(): void {
    Timer.clear(this.#keepAlive);
  }
}

/**
 * Date.now() is the RTC; it starts at the epoch (or whatever survived a soft restart) until set. set() moves the
 * system clock with Time.set (whole seconds) so every module agrees, and keeps the sub-second remainder as an
 * offset. Valid only once set since boot.
 */
export class SystemWallClock implements WallClock {
  #valid = false;
  #offset = 0;

  get valid(): boolean {
    return this.#valid;
  }

  now(): number {
    return Date.now() + this.#offset;
  }

  set(epochMs: number): void {
    if (!Number.isFinite(epochMs) || epochMs < 0) throw new RangeError(`wall time must be a finite positive number, got ${epochMs}`);
    Time.set(Math.floor(epochMs / 1000));
    // Time.set is a no-op on some hosts (the Linux simulator): the offset covers whatever it did not do.
    this.#offset = epochMs - Date.now();
    this.#valid = true;
  }
}

/**
 * Timer wrapped so that an exception in a callback is logged rather than reaching XS, where an unhandled
 * exception in a host callback aborts the VM (and restarts an ESP32).
 */
export function createTimers(log: Log): Timers {
  const guard = (callback: () => void) => () => {
    try {
      callback();
    } catch (error) {
      log('error', `timer callback failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return {
    set: (callback, ms) => Timer.set(guard(callback), toInterval(ms)),
    repeat: (callback, ms) => Timer.repeat(guard(callback), Math.max(1, toInterval(ms))),
    clear: (id: TimerId | undefined) => Timer.clear(id as Timer | undefined),
  };
}

/** Timer takes whole, non-negative milliseconds. */
function toInterval(ms: number): number {
  return Number.isFinite(ms) && ms > 0 ? Math.round(ms) : 0;
}
