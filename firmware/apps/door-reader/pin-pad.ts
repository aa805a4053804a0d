// PIN entry on a keypad (Wiegand keypad bursts): digits collect, '#' submits, '*' clears. An entry left unfinished
// for `timeoutMs` after its last key is dropped. Wrong PINs are counted: after `maxAttempts` in a row the pad
// locks for `lockoutMs` (every PIN is refused unheard), which makes guessing a 4-digit PIN take months.
// The count and the lock survive a restart (`memory`), so cutting the reader's power does not reset them; after
// a restart a lock runs its full period again, since the time already served is not known.
import type { MonotonicClock, TimerId, Timers } from '../../../hal/contract/time.js';

const PIN_MAX_DIGITS = 12;

export interface PinPadOptions {
  timers: Timers;
  clock: MonotonicClock;
  settings(): { timeoutMs: number; maxAttempts: number; lockoutMs: number };
  onSubmit(pin: string): void;
  /** A partial entry timed out. */
  onAbandon?(): void;
  /** Where the failure count and the lock are kept across restarts: 'locked', a count of failures, or nothing. */
  memory?: {
    read(): number | 'locked' | undefined;
    write(state: number | 'locked' | undefined): void;
  };
}

export class PinPad {
  #options: PinPadOptions;
  #digits = '';
  #timer: TimerId | undefined;
  #failures = 0;
  #lockedUntil = 0;
  #lastFailure = Number.NEGATIVE_INFINITY;
  #unlockTimer: TimerId | undefined;
  #forgetTimer: TimerId | undefined;

  constructor(options: PinPadOptions) {
    this.#options = options;
    const remembered = options.memory?.read();
    if (remembered === 'locked') this.#lock(options.clock.now());
    else if (typeof remembered === 'number' && Number.isInteger(remembered) && remembered > 0) {
      // How long ago they were is unknown: they count as if just made, and are forgotten after a quiet period.
      this.#failures = remembered;
      this.#lastFailure = options.clock.now();
      this.#forgetLater(options.settings().lockoutMs);
    }
  }

  get entering(): boolean {
    return this.#digits.length > 0;
  }

  /** True while wrong PINs have locked the pad. */
  get locked(): boolean {
    return this.#options.clock.now() < this.#lockedUntil;
  }

  get failures(): number {
    return this.#failures;
  }

  key(key: string): void {
    if (key === '*') return this.clear();
    if (key === '#') {
      const pin = this.#digits;
      this.clear();
      if (pin.length > 0) this.#options.onSubmit(pin);
      return;
    }
    if (key.length !== 1 || key < '0' || key > '9') return;
    if (this.#digits.length < PIN_MAX_DIGITS) this.#digits += key;
    this.#options.timers.clear(this.#timer);
    this.#timer = this.#options.timers.set(() => {
      this.#timer = undefined;
      this.#digits = '';
      this.#options.onAbandon?.();
    }, this.#options.settings().timeoutMs);
  }

  clear(): void {
    this.#options.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#digits = '';
  }

  /** A PIN was wrong; returns true when this failure locked the pad. */
  failed(): boolean {
    const { maxAttempts, lockoutMs } = this.#options.settings();
    const now = this.#options.clock.now();
    // Failures are forgotten only after a quiet lockout period, never by a success: otherwise a resident could
    // interleave guesses with their own PIN and never be locked out.
    if (now - this.#lastFailure >= lockoutMs) this.#failures = 0;
    this.#lastFailure = now;
    if (++this.#failures < maxAttempts) {
      this.#options.memory?.write(this.#failures);
      this.#forgetLater(lockoutMs);
      return false;
    }
    this.#lock(now);
    return true;
  }

  close(): void {
    this.clear();
    this.#options.timers.clear(this.#unlockTimer);
    this.#unlockTimer = undefined;
    this.#options.timers.clear(this.#forgetTimer);
    this.#forgetTimer = undefined;
  }

  /** After a quiet `ms` the count is forgotten, in memory and in storage (so a later restart does not revive it). */
  #forgetLater(ms: number): void {
    this.#options.timers.clear(this.#forgetTimer);
    this.#forgetTimer = this.#options.timers.set(() => {
      this.#forgetTimer = undefined;
      this.#failures = 0;
      this.#options.memory?.write(undefined);
    }, ms);
  }

  #lock(now: number): void {
    const { lockoutMs } = this.#options.settings();
    this.#options.timers.clear(this.#forgetTimer);
    this.#forgetTimer = undefined;
    this.#failures = 0;
    this.#lockedUntil = now + lockoutMs;
    this.#options.memory?.write('locked');
    this.#options.timers.clear(this.#unlockTimer);
    // Forget the lock once served, so the next restart does not lock the pad again.
    this.#unlockTimer = this.#options.timers.set(() => {
      this.#unlockTimer = undefined;
      if (this.#failures === 0) this.#options.memory?.write(undefined);
    }, lockoutMs);
  }
}
