// Feeds the accelerometer's FIFO to the fall detector: every pollMs the FIFO (50 Hz, 32 deep) is drained and
// each sample pushed. When the wearer has been still for stillS seconds (the SOS button on a night stand, a nap)
// polling stops and the accelerometer's wake-on-motion interrupt (INT1) brings it back, so the CPU can sleep
// without waking twice a second. A slow check of the FIFO stands in for an interrupt that never comes.
// Before the chip deep-sleeps (wake on impact, issue 13) the accelerometer is armed to watch alone: an impact
// raises INT1, which wakes the chip, and the FIFO keeps the samples before it (sampled at IMPACT_WAKE.sleepRateHz).
// After that boot, startAfterImpact() feeds the detector that history, brought up to 50 Hz, then polls for the
// seconds it needs after the impact (`deciding`).
import type { Timers, TimerId } from '../../../hal/contract/index.js';
import { IMPACT_WAKE, SLEEP_RATES_HZ, upsample } from '../../sensing/impact-wake.js';

/** What the LIS3DH driver offers (firmware/drivers/lis3dh). */
export interface Accelerometer {
  configure(options: { rate?: number; range?: number }): void;
  /** Samples per second as configured (or as found running at boot). */
  readonly rate: number;
  /** Drains the FIFO into `into` (x, y, z interleaved, milli-g); returns the samples read. */
  readFifo(into: Int16Array): number;
  /** Latches INT1 on motion above the threshold (gravity filtered out); captureHistory freezes the FIFO on the samples up to it. */
  enableWakeOnMotion(options: { thresholdMg: number; durationMs: number; highPassHz?: number; captureHistory?: boolean }): void;
  disableWakeOnMotion(): void;
  /** Releases a latched INT1. */
  acknowledgeWake(): boolean;
  /** Stops sampling to save current; configure() starts it again. */
  powerDown(): void;
  close(): void;
}

export interface Detector<Alert> {
  push(x: number, y: number, z: number): Alert | undefined;
  /** An impact waits to be judged (its decision comes later). */
  readonly pending?: boolean;
}

export interface FallWatchOptions<Alert> {
  accel: Accelerometer;
  timers: Timers;
  /** A new detector; `afterWake`: it starts on a wake on impact (IMPACT_WAKE.detectorOptions apply). */
  detector: (afterWake: boolean) => Detector<Alert>;
  onFall(alert: Alert): void;
  /** Seconds of stillness before polling stops (0: never). */
  stillS(): number;
  /** INT1 is wired (the driver then calls motion() on its rising edge); without it polling never stops. */
  wakeLine: boolean;
  log(level: 'info' | 'warn', message: string): void;
  pollMs?: number;
}

/** How the accelerometer samples for the detector (and watches while the chip deep-sleeps). */
export const ACCEL_SETTINGS = Object.freeze({ rateHz: 50, rangeG: 8 });
const SAMPLE_HZ = ACCEL_SETTINGS.rateHz;
const FIFO_DEPTH = 32;
/** Per-axis spread under which a second of samples counts as still (sensor noise is ~10–20 mg). */
const STILL_SPREAD_MG = 80;
/** Wake-on-motion threshold: a deliberate movement, not a breath. */
const WAKE_THRESHOLD_MG = 160;
/** While still, the FIFO is also looked at this often, in case the interrupt is missed. */
const STILL_CHECK_MS = 60_000;
/**
 * After a wake on impact, how long the detector gets before the chip may sleep again: its decision comes 2.5 s
 * after the peak, and the peak may follow the trigger by a moment (the trigger is the start of the impact).
 */
export const IMPACT_DECISION_MS = 4000;
/** The longest a wake on impact stays up while impacts keep coming (jogging would otherwise hold it forever). */
export const IMPACT_JUDGE_MAX_MS = 20_000;
/** How often the FIFO is drained while awake (default pollMs): under the 0.64 s it holds at 50 Hz. */
export const FIFO_POLL_MS = 500;

export interface FallWatchCounters {
  samples: number;
  fifoOverruns: number;
  accelErrors: number;
  stillPeriods: number;
}

export class FallWatch<Alert> {
  #o: FallWatchOptions<Alert>;
  #pollMs: number;
  #buffer = new Int16Array(FIFO_DEPTH * 3);
  #detector: Detector<Alert> | undefined;
  #timer: TimerId | undefined;
  #running = false;
  #still = false;
  #stillSeconds = 0;
  #window = new Int16Array(6); // min x, y, z, max x, y, z of the current second
  #windowCount = 0;
  #counters: FallWatchCounters = { samples: 0, fifoOverruns: 0, accelErrors: 0, stillPeriods: 0 };
  /** Timer of the decision after a wake on impact (set while deciding). */
  #deciding: TimerId | undefined;

  constructor(options: FallWatchOptions<Alert>) {
    this.#o = options;
    this.#pollMs = options.pollMs ?? FIFO_POLL_MS;
  }

  get running(): boolean {
    return this.#running;
  }

  /** Polling stopped for stillness, waiting for motion. */
  get still(): boolean {
    return this.#still;
  }

  get counters(): Readonly<FallWatchCounters> {
    return this.#counters;
  }

  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#detector = this.#o.detector(false);
    this.#stillSeconds = 0;
    this.#windowCount = 0;
    try {
      this.#o.accel.disableWakeOnMotion(); // a chip kept running across the boot may still be armed for deep sleep
      this.#o.accel.configure({ rate: SAMPLE_HZ, range: ACCEL_SETTINGS.rangeG });
    } catch (error) {
      this.#failed(error);
    }
    this.#poll();
    this.#timer = this.#o.timers.repeat(() => this.#poll(), this.#pollMs);
  }

  /**
   * Booted by a wake on impact: the FIFO holds the samples up to the trigger (captured while the chip slept).
   * They go to a new detector first, then polling goes on as after start(); `deciding` for IMPACT_DECISION_MS,
   * then `decided` runs (the chip may sleep again unless the detector found a fall).
   */
  startAfterImpact(decided?: () => void): void {
    if (this.#running) return;
    this.#running = true;
    this.#detector = this.#o.detector(true);
    this.#stillSeconds = 0;
    this.#windowCount = 0;
    this.#o.log('info', 'woken on impact: deciding');
    this.#awaitDecision(IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS - IMPACT_DECISION_MS, decided);
    const accel = this.#o.accel;
    // Each step on its own: a failed read must not leave INT1 latched or the chip at the sleep rate.
    for (const step of [
      () => this.#drainHistory(), // before anything resets the FIFO
      () => accel.acknowledgeWake(),
      () => accel.disableWakeOnMotion(), // stream again, keeping what came after the history
      () => { if (accel.rate !== SAMPLE_HZ) accel.configure({ rate: SAMPLE_HZ, range: ACCEL_SETTINGS.rangeG }); },
    ]) {
      try {
        step();
      } catch (error) {
        this.#failed(error);
      }
    }
    this.#timer = this.#o.timers.repeat(() => this.#poll(), this.#pollMs);
  }

  /** After a wake on impact, until the detector has had the seconds it needs: the chip must not sleep yet. */
  get deciding(): boolean {
    return this.#deciding !== undefined;
  }

  /**
   * Waits `ms`, then, while the detector still has an impact to judge (the fall may come seconds after the jolt
   * that woke the chip: a stumble first), up to `spareMs` more in poll steps, so one wake covers the episode.
   */
  #awaitDecision(ms: number, spareMs: number, decided?: () => void): void {
    this.#deciding = this.#o.timers.set(() => {
      if (this.#running && this.#detector?.pending === true && spareMs > 0) {
        const step = Math.min(this.#pollMs, spareMs);
        this.#awaitDecision(step, spareMs - step, decided);
        return;
      }
      this.#deciding = undefined;
      decided?.();
    }, ms);
  }

  /**
   * The chip is about to deep-sleep: polling stops and the accelerometer watches alone, INT1 raised by a change
   * over thresholdMg, gravity filtered out, sampling at IMPACT_WAKE.sleepRateHz, the FIFO keeping the samples
   * before it (IMPACT_WAKE: the device pipeline the figures are measured on). Throws when the bus fails (then the
   * chip must stay up: nothing would wake it on a fall); resume() undoes it.
   */
  armImpactWake(setting: { thresholdMg: number; durationMs: number }): void {
    const { sleepRateHz, highPassHz, captureHistory } = IMPACT_WAKE;
    const accel = this.#o.accel;
    try { // throws first: polling goes on
      accel.configure({ rate: sleepRateHz });
      accel.enableWakeOnMotion({ ...setting, highPassHz, captureHistory });
    } catch (error) {
      try {
        accel.configure({ rate: SAMPLE_HZ });
      } catch {
        // The bus failed: the poll reports it.
      }
      throw error;
    }
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#still = false;
  }

  /** The deep sleep did not happen after armImpactWake(): polling as before. */
  resume(): void {
    if (!this.#running || this.#timer !== undefined) return;
    try {
      this.#o.accel.disableWakeOnMotion();
      this.#o.accel.configure({ rate: SAMPLE_HZ });
    } catch (error) {
      this.#failed(error);
    }
    this.#poll();
    this.#timer = this.#o.timers.repeat(() => this.#poll(), this.#pollMs);
  }

  /** Stops detection and puts the accelerometer in power-down (also when detection never ran: it samples from reset). */
  stop(): void {
    try {
      if (this.#still) this.#o.accel.disableWakeOnMotion();
      this.#o.accel.powerDown();
    } catch {
      // The bus failed: nothing more to undo.
    }
    this.#running = false;
    this.#still = false;
    this.#o.timers.clear(this.#timer);
    this.#o.timers.clear(this.#deciding);
    this.#timer = this.#deciding = undefined;
    this.#detector = undefined;
  }

  /** INT1 rose: the wearer moves again. */
  motion(): void {
    this.#resume('wake-on-motion');
  }

  close(): void {
    this.stop();
    this.#o.accel.close();
  }

  #poll(): void {
    if (!this.#running) return;
    let moved: boolean;
    try {
      moved = this.#drain();
    } catch (error) {
      this.#failed(error);
      return;
    }
    if (!this.#running) return;
    if (this.#still) {
      if (moved) this.#resume('motion seen by the slow check');
      return;
    }
    const stillS = this.#o.stillS();
    if (stillS > 0 && this.#stillSeconds >= stillS && this.#o.wakeLine) this.#sleep();
  }

  /** Reads the FIFO and pushes each sample to the detector; true when a completed second showed movement. */
  #drain(): boolean {
    const count = this.#o.accel.readFifo(this.#buffer);
    if (count >= FIFO_DEPTH && !this.#still && this.#deciding === undefined) this.#counters.fifoOverruns++;
    return this.#feed(this.#buffer, count);
  }

  /**
   * The history after a wake on impact (full on purpose), measured at the sleep rate: up to 50 Hz first. A chip
   * found at a rate this firmware never sets for sleeping (not in SLEEP_RATES_HZ) is read and its history dropped:
   * the detector would take it for 50 Hz samples.
   */
  #drainHistory(): void {
    const rate = this.#o.accel.rate;
    if (rate === SAMPLE_HZ) {
      this.#drain();
      return;
    }
    const count = this.#o.accel.readFifo(this.#buffer);
    if (!SLEEP_RATES_HZ.includes(rate)) {
      this.#o.log('warn', `accelerometer found at ${rate} Hz: its history is dropped`);
      return;
    }
    const factor = SAMPLE_HZ / rate;
    const history = new Int16Array(count * factor * 3);
    this.#feed(history, upsample(this.#buffer, count, factor, history));
  }

  /** Pushes `count` samples to the detector; true when a completed second showed movement. */
  #feed(b: Int16Array, count: number): boolean {
    const detector = this.#detector!;
    let moved = false;
    for (let i = 0; i < count * 3; i += 3) {
      this.#counters.samples++;
      if (this.#track(b[i]!, b[i + 1]!, b[i + 2]!)) moved = true;
      const alert = detector.push(b[i]!, b[i + 1]!, b[i + 2]!);
      if (alert !== undefined) this.#o.onFall(alert);
      if (!this.#running) return moved;
    }
    return moved;
  }

  /** Per-second spread of each axis; returns true when a completed second showed movement. */
  #track(x: number, y: number, z: number): boolean {
    const w = this.#window;
    if (this.#windowCount === 0) {
      w[0] = w[3] = x;
      w[1] = w[4] = y;
      w[2] = w[5] = z;
    } else {
      if (x < w[0]!) w[0] = x; else if (x > w[3]!) w[3] = x;
      if (y < w[1]!) w[1] = y; else if (y > w[4]!) w[4] = y;
      if (z < w[2]!) w[2] = z; else if (z > w[5]!) w[5] = z;
    }
    if (++this.#windowCount < SAMPLE_HZ) return false;
    this.#windowCount = 0;
    const still = w[3]! - w[0]! < STILL_SPREAD_MG && w[4]! - w[1]! < STILL_SPREAD_MG && w[5]! - w[2]! < STILL_SPREAD_MG;
    this.#stillSeconds = still ? this.#stillSeconds + 1 : 0;
    return !still;
  }

  #sleep(): void {
    try {
      this.#o.accel.enableWakeOnMotion({ thresholdMg: WAKE_THRESHOLD_MG, durationMs: 0 });
    } catch (error) {
      this.#failed(error);
      return;
    }
    this.#still = true;
    this.#counters.stillPeriods++;
    this.#o.timers.clear(this.#timer);
    this.#timer = this.#o.timers.repeat(() => this.#poll(), STILL_CHECK_MS);
  }

  #resume(why: string): void {
    if (!this.#still) return;
    this.#still = false;
    this.#stillSeconds = 0;
    this.#windowCount = 0;
    try {
      this.#o.accel.acknowledgeWake();
      this.#o.accel.disableWakeOnMotion();
    } catch (error) {
      this.#failed(error);
    }
    this.#o.log('info', `accelerometer polling resumed (${why})`);
    this.#o.timers.clear(this.#timer);
    // The FIFO holds the last 0.64 s before the wake-up: the start of the movement reaches the detector.
    this.#poll();
    this.#timer = this.#o.timers.repeat(() => this.#poll(), this.#pollMs);
  }

  #failed(error: unknown): void {
    if (this.#counters.accelErrors++ === 0) {
      this.#o.log('warn', `accelerometer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
