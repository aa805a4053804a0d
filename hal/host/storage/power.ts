// Power-loss injection shared by the simulated flash partitions and key-value store of one device: they sit on
// the same supply, so "cut the power at the n-th write" counts writes across all of them.

/** Thrown by a storage operation when the simulated power is cut, and by every operation until powerOn(). */
export class PowerLoss extends Error {
  constructor(message = 'power lost') {
    super(message);
    this.name = 'PowerLoss';
  }
}

export interface FailOptions {
  /** The cut operation partly lands: a random prefix of a write, a random span of an erase. */
  torn?: boolean;
}

/** What a storage device must do with the operation it was about to perform. */
export type WriteGate = { cut: false } | { cut: true; torn: boolean };

export class PowerRail {
  #budget: number | undefined;
  #torn = false;
  #dead = false;
  #mutations = 0;
  #random: () => number;

  constructor(options: { seed?: number } = {}) {
    this.#random = mulberry32(options.seed ?? 1);
  }

  /** Mutating operations (writes, erases, sets, deletes) attempted so far, the cut one included. */
  get mutations(): number {
    return this.#mutations;
  }

  get dead(): boolean {
    return this.#dead;
  }

  /** The next `count` mutating operations succeed; the one after is cut and the device stays dead. */
  failAfterWrites(count: number, options: FailOptions = {}): void {
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`failAfterWrites: bad count ${count}`);
    this.#budget = count;
    this.#torn = options.torn ?? false;
  }

  /** Reboot: storage works again and no cut is pending. */
  powerOn(): void {
    this.#dead = false;
    this.#budget = undefined;
  }

  /** Throws PowerLoss while the device is dead. */
  check(): void {
    if (this.#dead) throw new PowerLoss('storage used while the power is off');
  }

  /** Called before each mutating operation. */
  gate(): WriteGate {
    this.check();
    this.#mutations++;
    if (this.#budget === undefined) return { cut: false };
    if (this.#budget > 0) {
      this.#budget--;
      return { cut: false };
    }
    this.#budget = undefined;
    this.#dead = true;
    return { cut: true, torn: this.#torn };
  }

  /** Deterministic number in [0, 1), from the seed. */
  random(): number {
    return this.#random();
  }

  /** Deterministic integer in [0, bound]. */
  randomInt(bound: number): number {
    return Math.min(bound, Math.floor(this.#random() * (bound + 1)));
  }
}

function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
