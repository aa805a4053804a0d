// A switch on a Digital input, debounced by settling: every edge restarts a timer, and the level is taken once
// it has been stable for `debounceMs`. Robust to bounce and to edges an interrupt controller merges.
import type { Digital, DigitalConstructor, PinSpecifier } from '../../hal/contract/io.js';
import type { MonotonicClock, TimerId, Timers } from '../../hal/contract/time.js';

export interface DebouncedInputOptions {
  io: DigitalConstructor;
  pin: PinSpecifier;
  timers: Timers;
  /** Active is a low level (switch to ground, internal pull-up). Otherwise active high with a pull-down. */
  activeLow: boolean;
  debounceMs: number;
  /** When given, changes carry the time of the edge that began them. */
  clock?: MonotonicClock;
  /** A settled change; `at` is the time of its first edge (when a clock was given). */
  onSettled(active: boolean, at: number | undefined): void;
}

export class DebouncedInput {
  #pin: Digital;
  #timers: Timers;
  #debounceMs: number;
  #activeLevel: 0 | 1;
  #active: boolean;
  #clock: MonotonicClock | undefined;
  #edgeAt: number | undefined;
  #timer: TimerId | undefined;
  #onSettled: DebouncedInputOptions['onSettled'];

  constructor(options: DebouncedInputOptions) {
    const { io, debounceMs } = options;
    if (!(debounceMs >= 0) || !Number.isFinite(debounceMs)) throw new RangeError(`debounceMs must be >= 0, got ${debounceMs}`);
    this.#timers = options.timers;
    this.#debounceMs = debounceMs;
    this.#clock = options.clock;
    this.#onSettled = options.onSettled;
    this.#activeLevel = options.activeLow ? 0 : 1;
    this.#pin = new io({
      pin: options.pin,
      mode: options.activeLow ? io.InputPullUp : io.InputPullDown,
      edge: io.Rising | io.Falling,
      onReadable: () => this.#onEdge(),
    });
    this.#active = this.#pin.read() === this.#activeLevel;
  }

  /** The settled state. */
  get active(): boolean {
    return this.#active;
  }

  /** True while an edge has not settled yet: the level may be about to change. */
  get settling(): boolean {
    return this.#timer !== undefined;
  }

  close(): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#pin.close();
  }

  #onEdge(): void {
    // The first edge of a burst marks when the change began; later bounces only restart the wait.
    if (this.#timer === undefined) this.#edgeAt = this.#clock?.now();
    else this.#timers.clear(this.#timer);
    this.#timer = this.#timers.set(() => this.#settle(), this.#debounceMs);
  }

  #settle(): void {
    this.#timer = undefined;
    const active = this.#pin.read() === this.#activeLevel;
    if (active === this.#active) return;
    this.#active = active;
    this.#onSettled(active, this.#edgeAt);
  }
}
