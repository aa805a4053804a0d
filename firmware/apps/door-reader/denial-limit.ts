// Repeated denied reads (a card held to the wrong door again and again, someone trying cards or PINs, a faulty
// reader) would each be a durable event: a flash write and a publish. A token bucket lets `perMinute` denials a
// minute through as events (bursts up to that many); the rest are only counted, and once the bucket allows again
// one summary says how many were held back and why. The reader still shows "denied" for every read.
import type { MonotonicClock, TimerId, Timers } from '../../../hal/contract/time.js';

export interface HeldBackDenials {
  count: number;
  /** Count per denial reason. */
  reasons: Record<string, number>;
  /** Device uptime (ms) of the first and the last denial held back. */
  fromUp: number;
  toUp: number;
}

export interface DenialLimitOptions {
  clock: MonotonicClock;
  timers: Timers;
  /** Read at every denial, so a config change applies at once. */
  perMinute: () => number;
  /** Called when held-back denials may be reported (from a timer, or just before the next recorded denial). */
  onHeldBack: (summary: HeldBackDenials) => void;
}

export class DenialLimit {
  #o: DenialLimitOptions;
  #tokens: number;
  #refilledAt: number;
  #held: HeldBackDenials | undefined;
  #timer: TimerId | undefined;

  constructor(options: DenialLimitOptions) {
    this.#o = options;
    this.#tokens = options.perMinute();
    this.#refilledAt = options.clock.now();
  }

  /** Denials counted and not yet reported. */
  get heldBack(): number {
    return this.#held?.count ?? 0;
  }

  /** Whether this denial may be recorded as an event; when not, it is counted for the next summary. */
  admit(reason: string): boolean {
    this.#refill();
    this.#report();
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return true;
    }
    const now = this.#o.clock.now();
    const held = this.#held ??= { count: 0, reasons: {}, fromUp: now, toUp: now };
    held.count++;
    held.reasons[reason] = (held.reasons[reason] ?? 0) + 1;
    held.toUp = now;
    this.#schedule();
    return false;
  }

  /** Reports what is held back at once, whatever the limit: a clean stop (restart, update) must not lose it. */
  close(): void {
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
    const held = this.#held;
    this.#held = undefined;
    if (held) this.#o.onHeldBack(held);
  }

  #refill(): void {
    const now = this.#o.clock.now();
    const perMinute = this.#o.perMinute();
    this.#tokens = Math.min(perMinute, this.#tokens + ((now - this.#refilledAt) * perMinute) / 60_000);
    this.#refilledAt = now;
  }

  /** The summary takes a token like any event, so a steady stream of denials cannot write faster than the limit. */
  #report(): void {
    const held = this.#held;
    if (!held || this.#tokens < 1) return;
    this.#tokens -= 1;
    this.#held = undefined;
    this.#o.onHeldBack(held);
  }

  #schedule(): void {
    if (this.#timer !== undefined) return;
    const wait = Math.ceil(((1 - this.#tokens) * 60_000) / this.#o.perMinute());
    this.#timer = this.#o.timers.set(() => {
      this.#timer = undefined;
      this.#refill();
      this.#report();
      if (this.#held) this.#schedule();
    }, Math.max(1, wait));
  }
}
