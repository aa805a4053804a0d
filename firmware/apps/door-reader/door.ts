// The door: lock relay, door contact and the rules that tie them together.
//
// - The relay's resting state (off) is LOCKED for both lock types; only a decision, an exit request or a
//   command energizes it. Nothing here touches the relay at construction: at boot it stays as the Relay driver
//   left it (off), so a reset can never open the door.
// - A release lasts `unlockMs`. Fail-secure locks (strikes) relock as soon as the door opens: the latch is out
//   of the keeper and the coil is spared. Fail-safe locks (maglocks) stay released until the door has closed
//   again (or the time runs out), so the magnet does not grab a door in motion and re-engages at once after.
// - An opening is authorized while the relay is released, within a short grace after it relocked, after an
//   exit request, or in hold-open mode. Any other opening raises `forced`. A door open longer than
//   `heldOpenMs` (outside hold-open mode) raises `held_open`. Both clear when the door closes.
import type { MonotonicClock, TimerId, Timers } from '../../../hal/contract/time.js';

export type DoorMode = 'normal' | 'hold_open' | 'lockdown';
export type LockType = 'fail-secure' | 'fail-safe';
export type DoorAlarmKind = 'held_open' | 'forced';

export interface DoorSettings {
  unlockMs: number;
  heldOpenMs: number;
  lockType: LockType;
}

export interface DoorAlarm {
  kind: DoorAlarmKind;
  state: 'raised' | 'cleared';
  /** How long the door has been open (ms). */
  openMs: number;
}

/** The part of firmware/io's Relay the door uses. */
export interface LockRelay {
  on(): void;
  off(): void;
  readonly energized: boolean;
}

export interface DoorOptions {
  relay: LockRelay;
  timers: Timers;
  clock: MonotonicClock;
  settings(): DoorSettings;
  /** The door's state when the controller starts (from the contact), if it has one. */
  open?: boolean;
  onAlarm(alarm: DoorAlarm): void;
  /** Anything visible changed (relay, door, mode, alarms). */
  onChange?(): void;
}

/** After a relock, an opening this soon still belongs to the grant (a latch under load, a slow push). */
const RELOCK_GRACE_MS = 1500;

export class Door {
  #options: DoorOptions;
  #relay: LockRelay;
  #timers: Timers;
  #clock: MonotonicClock;
  #mode: DoorMode = 'normal';
  #open: boolean;
  #openedAt = 0;
  #authorizedUntil = -1;
  #releaseTimer: TimerId | undefined;
  #heldTimer: TimerId | undefined;
  #raised = new Set<DoorAlarmKind>();

  constructor(options: DoorOptions) {
    this.#options = options;
    this.#relay = options.relay;
    this.#timers = options.timers;
    this.#clock = options.clock;
    this.#open = options.open ?? false;
    // Open since before boot: we cannot know whether it was forced, but it can be held open.
    if (this.#open) {
      this.#openedAt = this.#clock.now();
      this.#watchHeldOpen();
    }
  }

  get mode(): DoorMode {
    return this.#mode;
  }

  get open(): boolean {
    return this.#open;
  }

  get released(): boolean {
    return this.#relay.energized;
  }

  get alarms(): DoorAlarmKind[] {
    return [...this.#raised];
  }

  /** Releases the lock for `ms` (default unlockMs). Refused (false) in lockdown unless `override`. */
  release(ms = this.#options.settings().unlockMs, override = false): boolean {
    if (this.#mode === 'lockdown' && !override) return false;
    if (this.#mode === 'hold_open') return true;
    this.#timers.clear(this.#releaseTimer);
    this.#relay.on();
    this.#authorizedUntil = this.#clock.now() + ms + RELOCK_GRACE_MS;
    this.#releaseTimer = this.#timers.set(() => this.#relock(), ms);
    this.#changed();
    return true;
  }

  /** The next opening within `ms` is not forced (an exit request on a door with mechanical egress). */
  authorize(ms: number): void {
    this.#authorizedUntil = Math.max(this.#authorizedUntil, this.#clock.now() + ms);
  }

  setMode(mode: DoorMode): void {
    if (mode === this.#mode) return;
    const previous = this.#mode;
    this.#mode = mode;
    this.#timers.clear(this.#releaseTimer);
    this.#releaseTimer = undefined;
    if (mode === 'hold_open') {
      this.#relay.on();
      this.#timers.clear(this.#heldTimer);
      this.#heldTimer = undefined;
      this.#clear('held_open');
      this.#clear('forced');
    } else {
      if (this.#relay.energized) this.#relay.off();
      if (previous === 'hold_open') {
        // People who passed while it was held open are not intruders.
        this.#authorizedUntil = this.#clock.now() + RELOCK_GRACE_MS;
        if (this.#open) {
          this.#openedAt = this.#clock.now();
          this.#watchHeldOpen();
        }
      }
    }
    this.#changed();
  }

  /** The door contact settled: true = open. */
  contact(open: boolean): void {
    if (open === this.#open) return;
    this.#open = open;
    const now = this.#clock.now();
    if (open) {
      this.#openedAt = now;
      const authorized = this.#mode === 'hold_open' || this.#relay.energized || now <= this.#authorizedUntil;
      if (!authorized) this.#raise('forced');
      if (this.#mode !== 'hold_open' && this.#relay.energized && this.#options.settings().lockType === 'fail-secure') this.#relock();
      this.#watchHeldOpen();
    } else {
      this.#timers.clear(this.#heldTimer);
      this.#heldTimer = undefined;
      // One grant, one passage.
      this.#authorizedUntil = -1;
      if (this.#mode !== 'hold_open' && this.#relay.energized) this.#relock();
      this.#clear('held_open');
      this.#clear('forced');
    }
    this.#changed();
  }

  close(): void {
    this.#timers.clear(this.#releaseTimer);
    this.#timers.clear(this.#heldTimer);
    this.#releaseTimer = this.#heldTimer = undefined;
  }

  #relock(): void {
    this.#timers.clear(this.#releaseTimer);
    this.#releaseTimer = undefined;
    if (this.#mode === 'hold_open') return;
    if (this.#relay.energized) this.#relay.off();
    this.#authorizedUntil = Math.min(this.#authorizedUntil, this.#clock.now() + RELOCK_GRACE_MS);
    this.#changed();
  }

  #watchHeldOpen(): void {
    this.#timers.clear(this.#heldTimer);
    this.#heldTimer = undefined;
    if (this.#mode === 'hold_open') return;
    const wait = Math.max(0, this.#openedAt + this.#options.settings().heldOpenMs - this.#clock.now());
    this.#heldTimer = this.#timers.set(() => {
      this.#heldTimer = undefined;
      if (this.#open && this.#mode !== 'hold_open') this.#raise('held_open');
    }, wait);
  }

  #raise(kind: DoorAlarmKind): void {
    if (this.#raised.has(kind)) return;
    this.#raised.add(kind);
    this.#options.onAlarm({ kind, state: 'raised', openMs: this.#clock.now() - this.#openedAt });
    this.#changed();
  }

  #clear(kind: DoorAlarmKind): void {
    if (!this.#raised.delete(kind)) return;
    this.#options.onAlarm({ kind, state: 'cleared', openMs: this.#clock.now() - this.#openedAt });
  }

  #changed(): void {
    this.#options.onChange?.();
  }
}
