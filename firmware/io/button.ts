// A push button with debounce: onPress when the press settles, onLongPress once while it stays held past
// `longPressMs`, onRelease with how long it was held (from the first edge of the press to the first edge of the
// release). A button already held when constructed is ignored until it has been released.
import type { DigitalConstructor, PinSpecifier } from '../../hal/contract/io.js';
import type { MonotonicClock, TimerId, Timers } from '../../hal/contract/time.js';
import { DebouncedInput } from './debounced-input.js';

export interface ButtonOptions {
  io: DigitalConstructor;
  pin: PinSpecifier;
  timers: Timers;
  clock: MonotonicClock;
  /** Pressed pulls the line low (internal pull-up). Default true. */
  activeLow?: boolean;
  /** Default 30. */
  debounceMs?: number;
  /** Default 2000. */
  longPressMs?: number;
  onPress?(): void;
  onLongPress?(): void;
  onRelease?(heldMs: number): void;
}

export class Button {
  #input: DebouncedInput;
  #options: ButtonOptions;
  #clock: MonotonicClock;
  #timers: Timers;
  #longPressMs: number;
  #debounceMs: number;
  #pressedAt: number | undefined;
  #longTimer: TimerId | undefined;

  constructor(options: ButtonOptions) {
    const longPressMs = options.longPressMs ?? 2000;
    if (!(longPressMs > 0) || !Number.isFinite(longPressMs)) throw new RangeError(`Button: longPressMs must be > 0, got ${longPressMs}`);
    this.#options = options;
    this.#clock = options.clock;
    this.#timers = options.timers;
    this.#longPressMs = longPressMs;
    this.#debounceMs = options.debounceMs ?? 30;
    this.#input = new DebouncedInput({
      io: options.io,
      pin: options.pin,
      timers: options.timers,
      clock: options.clock,
      activeLow: options.activeLow ?? true,
      debounceMs: this.#debounceMs,
      onSettled: (pressed, at) => (pressed ? this.#pressed(at!) : this.#released(at!)),
    });
  }

  /** Settled state (true also for a button held since construction). */
  get pressed(): boolean {
    return this.#input.active;
  }

  close(): void {
    this.#timers.clear(this.#longTimer);
    this.#longTimer = undefined;
    this.#input.close();
  }

  #pressed(at: number): void {
    this.#pressedAt = at;
    this.#armLongPress(Math.max(0, at + this.#longPressMs - this.#clock.now()));
    this.#options.onPress?.();
  }

  // When the mark comes while an edge is still settling (a release just before it, or a glitch), the decision
  // waits for the debounce: a release cancels it, a glitch only delays it.
  #armLongPress(wait: number): void {
    this.#longTimer = this.#timers.set(() => {
      if (this.#input.settling) return this.#armLongPress(this.#debounceMs);
      this.#longTimer = undefined;
      this.#options.onLongPress?.();
    }, wait);
  }

  #released(at: number): void {
    this.#timers.clear(this.#longTimer);
    this.#longTimer = undefined;
    const pressedAt = this.#pressedAt;
    this.#pressedAt = undefined;
    if (pressedAt !== undefined) this.#options.onRelease?.(at - pressedAt);
  }
}
