// One compartment's lid: a hobby servo swings it, a switch says when it is really shut, an obstacle sensor in
// the opening stops it closing on a hand (anti-pinch). Closing: the servo goes to the closed angle; an obstacle
// meanwhile sends it back open at once and a new try follows; the switch must report shut within the travel time.
// After MAX_TRIES failed closes the lid stays OPEN (a jammed lid must not crush anything) and the app raises
// `lidJammed`; it keeps trying now and then, and a close that succeeds clears it.
// Without a servo (a manual lid) the switch alone tells the state; without a switch the servo's end of travel does.
import type { TimerId, Timers } from '../../../hal/contract/time.js';

export type LidState = 'closed' | 'opening' | 'open' | 'closing' | 'jammed';

export interface LidServo {
  angle(degrees: number): void;
  release(): void;
}

export interface LidOptions {
  servo: LidServo | undefined;
  /** Whether the lid switch is fitted (its changes arrive through switchChanged()). */
  hasSwitch: boolean;
  timers: Timers;
  onClosed(): void;
  onOpened(): void;
  onJammed(tries: number): void;
  onPinch(): void;
}

export const OPEN_DEG = 100;
export const CLOSED_DEG = 0;
/** Servo travel between the two ends, with margin (a 0.12 s/60° servo under a lid's load). */
export const TRAVEL_MS = 1500;
/** Tries to close before the lid counts as jammed; the wait between them. */
export const MAX_TRIES = 3;
export const RETRY_MS = 3000;
/** A jammed lid tries again this often (a bag taken out, an arm withdrawn). */
export const JAMMED_RETRY_MS = 60_000;

export class Lid {
  #o: LidOptions;
  #state: LidState = 'closed';
  #switchShut: boolean | undefined;
  #blocked = false;
  #tries = 0;
  #timer: TimerId | undefined;
  #holdTimer: TimerId | undefined;
  #pinches = 0;
  #jammed = false;

  constructor(options: LidOptions) {
    this.#o = options;
  }

  get state(): LidState {
    return this.#state;
  }

  /** Shut as far as the lid knows: the switch when fitted, else the servo's state. */
  get shut(): boolean {
    return this.#o.hasSwitch ? this.#switchShut === true : this.#state === 'closed';
  }

  /** Failed to close MAX_TRIES times and not shut since. */
  get jammed(): boolean {
    return this.#jammed;
  }

  get pinches(): number {
    return this.#pinches;
  }

  /** At boot: whatever the servo did before, close (a deposit interrupted by a power cut ends with a shut lid). */
  start(): void {
    this.#tries = 0;
    this.#close();
  }

  /** Opens for `holdMs`, then closes by itself. */
  open(holdMs: number): void {
    this.#clear();
    this.#tries = 0;
    if (!this.#o.servo) return; // a manual lid: the resident opens it
    this.#state = 'opening';
    this.#o.servo.angle(OPEN_DEG);
    this.#timer = this.#o.timers.set(() => {
      this.#timer = undefined;
      this.#state = 'open';
      this.#o.onOpened();
    }, TRAVEL_MS);
    this.#holdTimer = this.#o.timers.set(() => {
      this.#holdTimer = undefined;
      this.close();
    }, holdMs);
  }

  /** Closes now (a deposit done early, a maintenance close). */
  close(): void {
    this.#o.timers.clear(this.#holdTimer);
    this.#holdTimer = undefined;
    this.#tries = 0;
    this.#close();
  }

  switchChanged(shut: boolean): void {
    this.#switchShut = shut;
    if (!this.#o.servo) {
      this.#state = shut ? 'closed' : 'open';
      if (shut) this.#o.onClosed();
      else this.#o.onOpened();
      return;
    }
    if (shut && this.#state === 'closing') this.#closed();
  }

  obstacleChanged(blocked: boolean): void {
    this.#blocked = blocked;
    if (blocked && this.#state === 'closing') {
      // Anti-pinch: back open at once, try again shortly.
      this.#pinches++;
      this.#o.servo?.angle(OPEN_DEG);
      this.#state = 'open';
      this.#o.onPinch();
      this.#failedTry();
    }
  }

  stop(): void {
    this.#clear();
    this.#o.timers.clear(this.#holdTimer);
    this.#holdTimer = undefined;
  }

  #close(): void {
    this.#clear();
    const servo = this.#o.servo;
    if (!servo) return;
    if (this.#blocked) {
      this.#state = 'open';
      this.#failedTry();
      return;
    }
    this.#state = 'closing';
    servo.angle(CLOSED_DEG);
    this.#timer = this.#o.timers.set(() => {
      this.#timer = undefined;
      if (!this.#o.hasSwitch) return this.#closed();
      if (this.#switchShut) return this.#closed();
      // The servo is at its end but the switch says open: something is in the way. Back open, try again.
      servo.angle(OPEN_DEG);
      this.#state = 'open';
      this.#failedTry();
    }, TRAVEL_MS);
  }

  #failedTry(): void {
    this.#clear();
    this.#tries++;
    if (this.#tries >= MAX_TRIES) {
      this.#state = 'jammed';
      if (!this.#jammed) {
        this.#jammed = true;
        this.#o.onJammed(this.#tries);
      }
      this.#timer = this.#o.timers.set(() => this.#retryJammed(), JAMMED_RETRY_MS);
      return;
    }
    this.#timer = this.#o.timers.set(() => this.#close(), RETRY_MS);
  }

  #retryJammed(): void {
    this.#timer = undefined;
    this.#tries = MAX_TRIES - 1; // one more try; failing it stays jammed
    this.#close();
  }

  #closed(): void {
    this.#clear();
    this.#state = 'closed';
    this.#tries = 0;
    this.#jammed = false;
    this.#o.servo?.release(); // a shut lid rests on its seat: no holding current, no servo hum
    this.#o.onClosed();
  }

  #clear(): void {
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }
}
