// Time and timers. Monotonic time never jumps; wall time may be unknown until SNTP (or the platform) sets it.

export interface MonotonicClock {
  /** Whole milliseconds since boot. Never decreases. */
  now(): number;
}

export interface WallClock {
  /** Milliseconds since the Unix epoch, or the best guess when `valid` is false. */
  now(): number;
  /** True once the time was set from a trusted source since boot. */
  readonly valid: boolean;
  /** Sets wall time from a trusted source (SNTP); marks it valid. */
  set(epochMs: number): void;
}

export type TimerId = object;

export interface Timers {
  /** Calls back once after `ms`. */
  set(callback: () => void, ms: number): TimerId;
  /** Calls back every `ms`. */
  repeat(callback: () => void, ms: number): TimerId;
  clear(id: TimerId | undefined): void;
}
