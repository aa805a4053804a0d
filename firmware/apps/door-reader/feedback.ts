// What the person at the door sees and hears. Each outcome has its own LED and buzzer pattern; between outcomes
// the LED shows the reader's standing state (offline blink, lockdown, held open), and an alarm overrides all
// until it clears.
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import type { Indicator } from '../../io/indicator.js';

export interface Look {
  led: readonly number[];
  buzzer: readonly number[];
}

// [on ms, off ms, ...]
export const PATTERNS = {
  /** One steady light for the unlock time, one short beep. */
  granted: (unlockMs: number): Look => ({ led: [unlockMs], buzzer: [150] }),
  /** Three quick flashes, three short beeps. */
  denied: { led: [100, 100, 100, 100, 100, 100], buzzer: [80, 80, 80, 80, 80] } as Look,
  /** A card that needs its PIN: a quick double chirp, then the LED blinks while the keypad waits. */
  pinPrompt: { led: [100, 300], buzzer: [40, 60, 40] } as Look,
  /** Idle states, repeated. */
  offline: [60, 2940] as readonly number[],
  lockdown: [700, 300] as readonly number[],
  holdOpen: [1000] as readonly number[],
  /** Held open or forced: fast flashing and a pulsing tone until it clears. */
  alarm: { led: [250, 250], buzzer: [500, 500] } as Look,
} as const;

export type IdleState = 'online' | 'offline' | 'lockdown' | 'hold_open';

export interface FeedbackOptions {
  led?: Indicator | undefined;
  buzzer?: Indicator | undefined;
  timers: Timers;
}

export class Feedback {
  #led: Indicator | undefined;
  #buzzer: Indicator | undefined;
  #timers: Timers;
  #idle: IdleState = 'offline';
  #alarm = false;
  /** The setup's LED pattern while the reader is being set up (firmware/lifecycle/setup-look.ts). */
  #setup: readonly number[] | undefined;
  #transient: TimerId | undefined;
  /** What is showing, for tests and the simulator: the outcome or standing state. */
  #showing = 'offline';

  constructor(options: FeedbackOptions) {
    this.#led = options.led;
    this.#buzzer = options.buzzer;
    this.#timers = options.timers;
    this.#standing();
  }

  get showing(): string {
    return this.#showing;
  }

  granted(unlockMs: number): void {
    this.#flash('granted', PATTERNS.granted(unlockMs));
  }

  denied(): void {
    this.#flash('denied', PATTERNS.denied);
  }

  /** Waits `ms` for a PIN. */
  pinPrompt(ms: number): void {
    const cycles = Math.max(1, Math.floor(ms / 400));
    this.#flash('pin', PATTERNS.pinPrompt, cycles, ms);
  }

  /** Ends a PIN prompt early (PIN entered or given up). */
  endPrompt(): void {
    if (this.#showing === 'pin') this.#standing();
  }

  setIdle(state: IdleState): void {
    if (state === this.#idle) return;
    this.#idle = state;
    if (this.#transient === undefined) this.#standing();
  }

  setSetup(pattern: readonly number[] | undefined): void {
    if (pattern === this.#setup) return;
    this.#setup = pattern;
    if (this.#transient === undefined) this.#standing();
  }

  setAlarm(on: boolean): void {
    if (on === this.#alarm) return;
    this.#alarm = on;
    if (this.#transient === undefined || on) this.#standing();
  }

  close(): void {
    this.#timers.clear(this.#transient);
    this.#transient = undefined;
    this.#led?.stop();
    this.#buzzer?.stop();
  }

  #flash(name: string, look: Look, ledRepeat = 1, forMs = duration(look.led) * ledRepeat): void {
    if (this.#alarm) return; // the alarm keeps the indicators; outcomes still reach the events
    this.#timers.clear(this.#transient);
    this.#showing = name;
    this.#led?.play(look.led, ledRepeat);
    this.#buzzer?.play(look.buzzer, 1);
    this.#transient = this.#timers.set(() => this.#standing(), Math.max(forMs, duration(look.buzzer)));
  }

  #standing(): void {
    this.#timers.clear(this.#transient);
    this.#transient = undefined;
    if (this.#alarm) {
      this.#showing = 'alarm';
      this.#led?.play(PATTERNS.alarm.led, true);
      this.#buzzer?.play(PATTERNS.alarm.buzzer, true);
      return;
    }
    this.#buzzer?.stop();
    if (this.#setup) {
      this.#showing = 'setup';
      this.#led?.play(this.#setup, true);
      return;
    }
    this.#showing = this.#idle;
    const pattern = this.#idle === 'offline' ? PATTERNS.offline
      : this.#idle === 'lockdown' ? PATTERNS.lockdown
        : this.#idle === 'hold_open' ? PATTERNS.holdOpen
          : undefined;
    if (pattern) this.#led?.play(pattern, true);
    else this.#led?.stop();
  }
}

function duration(pattern: readonly number[]): number {
  return pattern.reduce((sum, ms) => sum + ms, 0);
}
