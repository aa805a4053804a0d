// When a battery device's radio is up. Wi-Fi costs ~100 mA while connecting and more while transmitting, against
// microamps to a milliamp asleep, so the radio is up only to report: after boot, when the device has news (the
// app calls wake()), at each check-in, and for as long as the app says it is busy (an open alarm). Then the
// runtime publishes a retained `sleeping` status with wakeIn = the next check-in and disconnects
// (docs/protocol.md §5). The CPU keeps running while the radio sleeps; deep-sleep.ts may power it down too.
import type { MonotonicClock, TimerId, Timers } from '../../hal/contract/index.js';
import type { RuntimeState } from '../runtime/device-runtime.js';

export interface RadioRuntime {
  readonly state: RuntimeState;
  sleep(wakeInSeconds: number): void;
  wake(): void;
  readonly outbox: { readonly depth: number };
}

export interface DutySettings {
  checkInS: number;
  awakeS: number;
  connectGiveUpS: number;
  retryS: number;
}

export interface DutyCycleOptions {
  runtime: RadioRuntime;
  timers: Timers;
  clock: MonotonicClock;
  settings(): DutySettings;
  /** Something is going on that needs the radio up (an open alarm): it stays up, whatever the timers say. */
  busy(): boolean;
  /** The radio is coming up for `reason` (after a sleep). */
  onWake?(reason: string): void;
  /** The radio has gone to sleep (sleeping status sent) until nextWakeAt. */
  onSleep?(): void;
  log(level: 'info', message: string): void;
}

const TICK_MS = 1000;

export interface DutyCounters {
  /** Times the radio came back from sleep. */
  wakes: number;
  /** Milliseconds the radio was up (connecting, connected or retrying) since boot. */
  radioMs: number;
  sleeps: number;
}

export class DutyCycle {
  #o: DutyCycleOptions;
  #awakeUntil = 0;
  #giveUpAt = 0;
  #tick: TimerId | undefined;
  #checkIn: TimerId | undefined;
  #lastTick = 0;
  #nextWakeAt: number | undefined;
  #counters: DutyCounters = { wakes: 0, radioMs: 0, sleeps: 0 };

  constructor(options: DutyCycleOptions) {
    this.#o = options;
  }

  get counters(): Readonly<DutyCounters> {
    return this.#counters;
  }

  /** Monotonic time of the next planned check-in while asleep. */
  get nextWakeAt(): number | undefined {
    return this.#nextWakeAt;
  }

  /** At boot: the runtime connects by itself; give it the usual awake time. */
  start(): void {
    this.#stayAwake();
  }

  /**
   * At boot with the radio left down (the app's connectAtBoot() said no: a wake that may have nothing to report):
   * asleep as after a sleep, the next check-in in `ms`, until wake().
   */
  startAsleep(ms: number): void {
    this.#plan(ms);
  }

  /** Asleep until a check-in (after a sleep or startAsleep), i.e. until wake(). */
  get asleep(): boolean {
    return this.#checkIn !== undefined;
  }

  stop(): void {
    this.#o.timers.clear(this.#tick);
    this.#o.timers.clear(this.#checkIn);
    this.#tick = this.#checkIn = undefined;
  }

  /** Something to report or to wait for: bring the radio up (if asleep) and keep it up a while. */
  wake(reason: string): void {
    const { runtime } = this.#o;
    if (runtime.state === 'sleeping' || this.asleep) {
      this.#o.timers.clear(this.#checkIn);
      this.#checkIn = undefined;
      this.#nextWakeAt = undefined;
      this.#counters.wakes++;
      this.#o.log('info', `radio up (${reason})`);
      this.#o.onWake?.(reason);
      runtime.wake();
    }
    this.#stayAwake();
  }

  /** Connected: linger long enough for retained alarm/config updates and queued commands. */
  connected(): void {
    this.#awakeUntil = Math.max(this.#awakeUntil, this.#o.clock.now() + this.#o.settings().awakeS * 1000);
  }

  #stayAwake(): void {
    const now = this.#o.clock.now();
    const s = this.#o.settings();
    if (this.#tick === undefined) {
      this.#giveUpAt = now + s.connectGiveUpS * 1000;
      this.#lastTick = now;
      this.#tick = this.#o.timers.repeat(() => this.#evaluate(), TICK_MS);
    }
    this.#awakeUntil = Math.max(this.#awakeUntil, now + s.awakeS * 1000);
  }

  #evaluate(): void {
    const { runtime, clock } = this.#o;
    const now = clock.now();
    this.#account(now);
    const state = runtime.state;
    if (state === 'unprovisioned' || state === 'stopped' || state === 'sleeping') {
      // No radio to manage (or someone else put it to sleep).
      this.#o.timers.clear(this.#tick);
      this.#tick = undefined;
      return;
    }
    if (this.#o.busy()) {
      this.#giveUpAt = now + this.#o.settings().connectGiveUpS * 1000;
      return;
    }
    const s = this.#o.settings();
    const pending = runtime.outbox.depth > 0;
    if (state === 'online') {
      this.#giveUpAt = now + s.connectGiveUpS * 1000;
      if (now >= this.#awakeUntil && !pending) this.#sleep(s.checkInS);
      // Acknowledgements that never come must not keep the radio up for ever.
      else if (pending && now >= this.#awakeUntil + s.connectGiveUpS * 1000) this.#sleep(Math.min(s.retryS, s.checkInS));
    } else if (now >= this.#giveUpAt && now >= this.#awakeUntil) {
      this.#sleep(pending ? Math.min(s.retryS, s.checkInS) : s.checkInS);
    }
  }

  #sleep(seconds: number): void {
    this.#o.timers.clear(this.#tick);
    this.#tick = undefined;
    this.#counters.sleeps++;
    this.#o.log('info', `radio asleep for ${seconds} s`);
    this.#o.runtime.sleep(seconds);
    this.#plan(seconds * 1000);
    this.#o.onSleep?.();
  }

  #plan(ms: number): void {
    this.#o.timers.clear(this.#checkIn);
    this.#nextWakeAt = this.#o.clock.now() + ms;
    this.#checkIn = this.#o.timers.set(() => this.wake('check-in'), ms);
  }

  #account(now: number): void {
    this.#counters.radioMs += now - this.#lastTick;
    this.#lastTick = now;
  }
}
