// Once the radio has gone to sleep and nothing is going on, the whole chip deep-sleeps until the next planned
// radio wake (check-in, or retry when events wait), or until a wake pin (a button) reads its level. Every wake
// boots the app again: what must survive is in the key-value store and the outbox is in flash. The app says
// what keeps the chip up (blocker): anything that needs the CPU running, such as a sensor stream it watches.
import { CLOSE_DRAIN_MS } from '../../hal/contract/mqtt.js';
import type { MonotonicClock, System, TimerId, Timers, WakePin } from '../../hal/contract/index.js';

export interface DeepSleepGateOptions {
  system: System;
  timers: Timers;
  clock: MonotonicClock;
  /** Pins that wake the chip (a button, at its pressed level). */
  wake: readonly WakePin[];
  /**
   * What keeps the device up, or undefined when it may deep-sleep now. `retry`: it ends by itself (a pattern
   * still playing), so look again shortly; otherwise the next radio sleep brings the next chance.
   */
  blocker(): { reason: string; retry?: boolean } | undefined;
  /** Monotonic time of the radio's next planned wake. */
  nextWakeAt(): number | undefined;
  /**
   * Right before powering down: arms what watches while the chip sleeps (an accelerometer's wake on impact) and
   * returns its wake pins, with how to undo the arming when the sleep does not happen. Throwing keeps the chip up.
   */
  arm?(): { wake: readonly WakePin[]; undo(): void } | undefined;
  log(level: 'info' | 'warn', message: string): void;
}

/**
 * Time between the radio going to sleep and the chip powering down: lets the sleeping status and the TCP close
 * leave the network stack (a clean close may take up to CLOSE_DRAIN_MS when the socket was full), and short
 * patterns finish.
 */
export const SETTLE_MS = CLOSE_DRAIN_MS + 1000;

export class DeepSleepGate {
  #o: DeepSleepGateOptions;
  #timer: TimerId | undefined;
  #failed = false;

  constructor(options: DeepSleepGateOptions) {
    this.#o = options;
  }

  /** Whether this build and chip can deep-sleep at all. */
  get available(): boolean {
    return typeof this.#o.system.deepSleep === 'function' && !this.#failed;
  }

  /**
   * The radio just went to sleep: deep-sleep after the settle time if nothing is going on by then. `settleMs`: 0
   * when the radio never came up this boot (nothing to let leave the network stack).
   */
  radioAsleep(settleMs = SETTLE_MS): void {
    if (!this.available) return;
    this.#arm(settleMs);
  }

  cancel(): void {
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #arm(settleMs = SETTLE_MS): void {
    this.cancel();
    this.#timer = this.#o.timers.set(() => this.#attempt(), settleMs);
  }

  #attempt(): void {
    this.#timer = undefined;
    const blocker = this.#o.blocker();
    if (blocker !== undefined) {
      if (blocker.retry) this.#arm();
      return;
    }
    const wakeAt = this.#o.nextWakeAt();
    const ms = wakeAt === undefined ? undefined : Math.max(1, wakeAt - this.#o.clock.now());
    let armed: ReturnType<NonNullable<DeepSleepGateOptions['arm']>>;
    try {
      armed = this.#o.arm?.();
    } catch (error) {
      this.#o.log('warn', `deep sleep put off, arming failed: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const wake = armed ? [...this.#o.wake, ...armed.wake] : this.#o.wake;
    if (ms === undefined && wake.length === 0) return;
    this.#o.log('info', `deep sleep${ms === undefined ? '' : ` for ${Math.round(ms / 1000)} s`}${wake.length ? `, woken by pin ${wake.map((w) => w.pin).join(', ')}` : ''}`);
    try {
      this.#o.system.deepSleep!({ ...(ms === undefined ? {} : { ms }), wake });
    } catch (error) {
      // A board whose wake pin cannot wake the chip: stay in light sleep rather than lose that input.
      this.#failed = true;
      armed?.undo();
      this.#o.log('warn', `deep sleep refused, staying in light sleep: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
