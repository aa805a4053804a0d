// The chip itself: restart, deep sleep (where the chip has it), watchdog, facts for health telemetry, and a log
// line sink.

export type ResetReason =
  | 'power-on' | 'software' | 'watchdog' | 'panic' | 'brownout' | 'deep-sleep' | 'external' | 'unknown';

export interface Watchdog {
  /** Restarts the device unless fed within `timeoutMs`. */
  start(timeoutMs: number): void;
  feed(): void;
  stop(): void;
}

/** A pin that ends a deep sleep when it reads `level`. */
export interface WakePin {
  readonly pin: number;
  readonly level: 0 | 1;
}

export interface DeepSleepOptions {
  /** Wake after this many milliseconds. */
  readonly ms?: number;
  /** Wake as soon as any of these pins reads its level (only pins in the board's `wakePins`, when it lists them). */
  readonly wake?: readonly WakePin[];
}

/** What ended the deep sleep this boot comes from. */
export type WakeCause =
  | { readonly by: 'timer' }
  /**
   * `pins`: the wake pins that were at their level (empty when the chip cannot tell); `timerLeftMs`: what the
   * sleep's timer had left when the pin woke it (absent without a timer, or where the chip cannot tell).
   */
  | { readonly by: 'pin'; readonly pins: readonly number[]; readonly timerLeftMs?: number };

export interface HeapUse {
  readonly slotBytes: number;
  readonly chunkBytes: number;
}

export interface System {
  restart(): void;
  /**
   * Optional (absent where the chip or the build has no deep sleep): powers the chip down until `ms` have
   * passed or a wake pin reads its level, then it boots again with resetReason 'deep-sleep'. RAM, timers and
   * connections are lost; storage survives. Never returns on a chip; a host binding stops the device before it
   * returns, so do nothing after calling it. Throws a RangeError for bad options (deepSleepProblem), before
   * anything is powered down.
   */
  deepSleep?(options: DeepSleepOptions): void;
  /** Present with deepSleep: what woke this boot from deep sleep; undefined after any other reset. */
  wakeCause?(): WakeCause | undefined;
  readonly watchdog: Watchdog;
  /** Free heap bytes, or undefined where the engine cannot tell. */
  freeHeap(): number | undefined;
  /**
   * Optional: what the JS engine's heaps hold now (XS: slot heap and chunk heap, in this chip's bytes), or
   * undefined where the build does not count them (Moddable: only -d and -i builds are instrumented).
   */
  heapUsed?(): HeapUse | undefined;
  resetReason(): ResetReason;
  /** Stable hardware id (e.g. MAC as hex), used when no device id is provisioned. */
  readonly hardwareId: string;
  readonly firmwareVersion: string;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/**
 * Why `options` cannot be a deep sleep (a message for the RangeError), or undefined when they can. `wakePins`:
 * the board's wake-capable pins (Board.wakePins); undefined lets any pin wake. Every binding checks with this,
 * so the host refuses what a chip would.
 */
export function deepSleepProblem(options: DeepSleepOptions, wakePins?: readonly number[]): string | undefined {
  if (typeof options !== 'object' || options === null) return 'deepSleep needs an options object';
  const { ms, wake } = options;
  if (ms !== undefined && !(typeof ms === 'number' && Number.isFinite(ms) && ms > 0)) return `deepSleep: ms must be a number > 0, got ${String(ms)}`;
  if (wake !== undefined && !Array.isArray(wake)) return 'deepSleep: wake must be an array of { pin, level }';
  const seen: number[] = [];
  for (const entry of wake ?? []) {
    const pin: unknown = entry?.pin;
    if (typeof pin !== 'number' || !Number.isSafeInteger(pin) || pin < 0) return `deepSleep: wake pin must be an integer >= 0, got ${String(pin)}`;
    if (entry.level !== 0 && entry.level !== 1) return `deepSleep: wake level of pin ${pin} must be 0 or 1, got ${String(entry.level)}`;
    if (seen.includes(pin)) return `deepSleep: wake pin ${pin} given twice`;
    if (wakePins && !wakePins.includes(pin)) return `deepSleep: pin ${pin} cannot wake this board from deep sleep (wake pins: ${wakePins.join(', ')})`;
    seen.push(pin);
  }
  if (ms === undefined && seen.length === 0) return 'deepSleep: give ms or a wake pin (with neither only a reset would wake the chip)';
  return undefined;
}
