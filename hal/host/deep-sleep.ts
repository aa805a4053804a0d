// The owner's side of a host device in deep sleep (test harnesses, the simulator). No device instance exists
// while it sleeps: the owner passes the time and reports its physical inputs; the chip wakes when its timer
// runs out or a wake pin reads its level (a level, not an edge: a pin already at its level wakes it at once),
// and the next instance is due `bootMs` later, as a chip spends a moment booting.
import type { WakeCause } from '../contract/system.js';
import type { DeepSleepRequest } from './system.js';

export class SleepingChip {
  readonly request: DeepSleepRequest;
  readonly bootMs: number;
  #elapsed = 0;
  #woke: { cause: WakeCause; at: number } | undefined;

  constructor(request: DeepSleepRequest, bootMs = 0) {
    if (!(bootMs >= 0) || !Number.isFinite(bootMs)) throw new RangeError(`bootMs must be >= 0, got ${bootMs}`);
    this.request = request;
    this.bootMs = bootMs;
  }

  /** Milliseconds since it went down. */
  get elapsedMs(): number {
    return this.#elapsed;
  }

  /** Milliseconds it spent powered down: until its wake, or so far. */
  get asleepMs(): number {
    return this.#woke?.at ?? this.#elapsed;
  }

  /** Why it woke, once it has. */
  get cause(): WakeCause | undefined {
    return this.#woke?.cause;
  }

  /** Milliseconds until the next instance must boot: 0 when due, Infinity while nothing will wake it. */
  get bootInMs(): number {
    const wakeAt = this.#woke?.at ?? this.request.ms;
    return wakeAt === undefined ? Infinity : Math.max(0, wakeAt + this.bootMs - this.#elapsed);
  }

  /** Time passes (the owner steps at most bootInMs at a time to boot the next instance on time). */
  pass(ms: number): void {
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`pass() needs a finite ms >= 0, got ${ms}`);
    this.#elapsed += ms;
    const { ms: timer } = this.request;
    if (!this.#woke && timer !== undefined && this.#elapsed >= timer) this.#woke = { cause: { by: 'timer' }, at: timer };
  }

  /** The owner's inputs changed (and once right after the sleep began): a wake pin at its level wakes it now. */
  checkPins(level: (pin: number) => 0 | 1 | undefined): boolean {
    if (this.#woke) return false;
    const pins = this.request.wake.filter((wake) => level(wake.pin) === wake.level).map((wake) => wake.pin);
    if (pins.length === 0) return false;
    const { ms: timer } = this.request;
    const timerLeftMs = timer === undefined ? undefined : Math.max(0, timer - this.#elapsed);
    this.#woke = { cause: { by: 'pin', pins, ...(timerLeftMs === undefined ? {} : { timerLeftMs }) }, at: this.#elapsed };
    return true;
  }
}
