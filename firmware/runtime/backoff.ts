// Reconnect delays: exponential with "equal jitter" (half fixed, half random) and a cap. The fixed half keeps a
// fleet that lost its broker together from hammering it in lock-step, without ever retrying at once.

export interface BackoffOptions {
  initialMs?: number;
  maxMs?: number;
  factor?: number;
  /** Uniform in [0, 1). */
  random?: () => number;
}

export class Backoff {
  #initial: number;
  #max: number;
  #factor: number;
  #random: () => number;
  #attempt = 0;

  constructor(options: BackoffOptions = {}) {
    this.#initial = options.initialMs ?? 1000;
    this.#max = options.maxMs ?? 120_000;
    this.#factor = options.factor ?? 2;
    this.#random = options.random ?? Math.random;
    if (!(this.#initial > 0) || !(this.#max >= this.#initial) || !(this.#factor >= 1))
      throw new RangeError('backoff: need 0 < initialMs <= maxMs and factor >= 1');
  }

  get attempt(): number {
    return this.#attempt;
  }

  /** Delay before the next attempt, in ms. */
  next(): number {
    const ceiling = Math.min(this.#max, this.#initial * this.#factor ** this.#attempt);
    if (ceiling < this.#max) this.#attempt++;
    const half = ceiling / 2;
    return Math.round(half + this.#random() * half);
  }

  reset(): void {
    this.#attempt = 0;
  }
}
