// The chip on Moddable: restart (ECMA-419 System), reset reason (ESP-IDF esp_reset_reason via the SDK's
// resetReason module), free heap ("instrumentation"), a software watchdog and trace() logging; deep sleep where
// the build includes our native for it (the entry passes it to startDevice).
import Debug from 'debug';
import Instrumentation from 'instrumentation';
import getResetReason from 'resetReason';
import type { KeyValueStore } from '../contract/storage.js';
import { deepSleepProblem } from '../contract/system.js';
import type { DeepSleepOptions, HeapUse, ResetReason, System, WakeCause, Watchdog } from '../contract/system.js';
import type { MonotonicClock, TimerId, Timers } from '../contract/time.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function traceLog(level: LogLevel, message: string): void {
  trace(`[${level}] ${message}\n`);
}

/** esp_reset_reason_t, in ESP-IDF's order (ESP_RST_UNKNOWN = 0 ...). */
const RESET_REASONS: readonly ResetReason[] = Object.freeze([
  'unknown', 'power-on', 'external', 'software', 'panic', 'watchdog', 'watchdog', 'watchdog', 'deep-sleep', 'brownout',
] as const);

/** Set just before the software watchdog restarts the chip, so the next boot can tell. */
const WATCHDOG_MARK = Object.freeze({ domain: 'sys', key: 'wdtRestart' } as const);

/**
 * Deep-sleep primitives of a build that has them: hal/moddable/esp32/deep-sleep.js (ESP-IDF timer, ext1 and ext0
 * wake-up), included only by the SOS button's ESP32 manifest.
 */
export interface DeepSleepNative {
  /**
   * Arms the timer (ms > 0, else none), ext1 on `mask` (bit n = GPIO n, 0: none) at `level` and, with `lowPin` ≥ 0,
   * ext0 on that pin at level 0 (ext1's level then 1); powers down.
   */
  start(ms: number, mask: number, level: 0 | 1, lowPin?: number): void;
  /** 1: woken by the timer, 2: by a pin (ext1 or ext0), 0: no deep-sleep wake. */
  cause(): number;
  /** The pins that woke the chip, as a bit mask. */
  pins(): number;
  /** After a pin wake: what the sleep's timer had left, ms (−1: no timer, or unknown). */
  timerLeft?(): number;
}

const WAKE_TIMER = 1;
const WAKE_PIN = 2;
/** ESP32 GPIOs run 0–39. */
const GPIO_COUNT = 40;

export interface ModdableSystemOptions {
  hardwareId: string;
  firmwareVersion: string;
  timers: Timers;
  clock: MonotonicClock;
  kv: KeyValueStore;
  log?: (level: LogLevel, message: string) => void;
  /** The build's deep-sleep native (absent: no deep sleep), and the board's wake-capable pins. */
  deepSleep?: DeepSleepNative;
  wakePins?: readonly number[];
}

export class ModdableSystem implements System {
  readonly hardwareId: string;
  readonly firmwareVersion: string;
  readonly watchdog: Watchdog;
  /** Present when the build has the deep-sleep native (see System.deepSleep). */
  readonly deepSleep?: (options: DeepSleepOptions) => void;
  readonly wakeCause?: () => WakeCause | undefined;
  #resetReason: ResetReason;
  #log: (level: LogLevel, message: string) => void;
  #kv: KeyValueStore;

  constructor(options: ModdableSystemOptions) {
    this.hardwareId = options.hardwareId;
    this.firmwareVersion = options.firmwareVersion;
    this.#log = options.log ?? traceLog;
    this.#kv = options.kv;
    this.#resetReason = this.#readResetReason();
    this.watchdog = new SoftwareWatchdog(options.timers, options.clock, () => {
      this.#log('error', 'watchdog not fed: restarting');
      try {
        this.#kv.set(WATCHDOG_MARK.domain, WATCHDOG_MARK.key, true);
      } catch {
        // Restart anyway.
      }
      this.restart();
    });
    const native = options.deepSleep;
    if (native) {
      const cause = this.#resetReason === 'deep-sleep' ? readWakeCause(native) : undefined;
      const wakePins = options.wakePins;
      this.deepSleep = (sleepOptions) => sleep(native, sleepOptions, wakePins);
      this.wakeCause = () => cause;
    }
  }

  restart(): void {
    const restart = (globalThis as { System?: { restart?: () => void } }).System?.restart;
    if (typeof restart !== 'function') throw new Error('restart is not supported on this platform');
    restart();
  }

  /** Only instrumented builds (mcconfig -d or -i) count memory; release builds report undefined. */
  freeHeap(): number | undefined {
    const index = Instrumentation.map('System Free Memory');
    return index === undefined ? undefined : Instrumentation.get(index);
  }

  /**
   * XS's own counts ("XS Slot Heap Used": live slots × their size; "XS Chunk Heap Used"), instrumented builds only.
   * A collection runs first, so the figures are what is live (as `npm run bench:heap` measures), not what garbage
   * happens to be waiting: a few milliseconds once per health report, and only in -d / -i builds.
   */
  heapUsed(): HeapUse | undefined {
    const slots = Instrumentation.map('XS Slot Heap Used');
    const chunks = Instrumentation.map('XS Chunk Heap Used');
    if (slots !== undefined && chunks !== undefined) Debug.gc();
    const slotBytes = slots === undefined ? undefined : Instrumentation.get(slots);
    const chunkBytes = chunks === undefined ? undefined : Instrumentation.get(chunks);
    return slotBytes === undefined || chunkBytes === undefined ? undefined : { slotBytes, chunkBytes };
  }

  resetReason(): ResetReason {
    return this.#resetReason;
  }

  log(level: LogLevel, message: string): void {
    this.#log(level, message);
  }

  #readResetReason(): ResetReason {
    let reason = RESET_REASONS[getResetReason().reason] ?? 'unknown';
    try {
      if (this.#kv.get(WATCHDOG_MARK.domain, WATCHDOG_MARK.key) === true) {
        this.#kv.delete(WATCHDOG_MARK.domain, WATCHDOG_MARK.key);
        if (reason === 'software') reason = 'watchdog';
      }
    } catch (error) {
      this.#log('warn', `reset reason: ${error instanceof Error ? error.message : String(error)}`);
    }
    return reason;
  }
}

function sleep(native: DeepSleepNative, options: DeepSleepOptions, wakePins: readonly number[] | undefined): void {
  const problem = deepSleepProblem(options, wakePins) ?? wakeSourceProblem(options);
  if (problem !== undefined) throw new RangeError(problem);
  const wake = options.wake ?? [];
  const high = wake.filter((w) => w.level === 1);
  // Mixed levels: the one low pin (a button to ground) on ext0, the high ones (INT1) on ext1 "any high".
  const low = high.length > 0 ? wake.find((w) => w.level === 0) : undefined;
  let mask = 0;
  for (const { pin } of low ? high : wake) mask += 2 ** pin; // pins reach 39: no 32-bit bitwise operators
  if (low) native.start(options.ms ?? 0, mask, 1, low.pin);
  else native.start(options.ms ?? 0, mask, wake[0]?.level ?? 0);
}

/**
 * ESP32 ext1 wakes on "any pin high" or "all pins low", ext0 on one pin at either level: pins at level 1 go on
 * ext1, and one pin at level 0 (on ext1 alone, or on ext0 beside level-1 pins); two low pins cannot both wake it.
 */
function wakeSourceProblem(options: DeepSleepOptions): string | undefined {
  const wake = options.wake ?? [];
  if (wake.some((w) => w.pin >= GPIO_COUNT)) return `deepSleep: no GPIO ${Math.max(...wake.map((w) => w.pin))} on the ESP32`;
  if (wake.filter((w) => w.level === 0).length > 1) return 'deepSleep: the ESP32 wakes on one pin at level 0 at most (ext1 at level 0 would need all of them low)';
  return undefined;
}

function readWakeCause(native: DeepSleepNative): WakeCause | undefined {
  const cause = native.cause();
  if (cause === WAKE_TIMER) return { by: 'timer' };
  if (cause !== WAKE_PIN) return undefined;
  const mask = native.pins();
  const pins: number[] = [];
  for (let pin = 0; pin < GPIO_COUNT; pin++) if (Math.floor(mask / 2 ** pin) % 2 === 1) pins.push(pin);
  const left = native.timerLeft?.() ?? -1;
  return { by: 'pin', pins, ...(left >= 0 ? { timerLeftMs: left } : {}) };
}

/**
 * Restarts the chip when not fed in time while the event loop still runs (a stuck state machine, a lost timer).
 * A busy loop in JavaScript stops this watchdog too; the ESP-IDF task watchdog (enabled in manifests/sdkconfig)
 * catches that, since Moddable feeds it only between event-loop turns.
 */
export class SoftwareWatchdog implements Watchdog {
  #timers: Timers;
  #clock: MonotonicClock;
  #onExpire: () => void;
  #timeout = 0;
  #fedAt = 0;
  #check: TimerId | undefined;

  constructor(timers: Timers, clock: MonotonicClock, onExpire: () => void) {
    this.#timers = timers;
    this.#clock = clock;
    this.#onExpire = onExpire;
  }

  start(timeoutMs: number): void {
    if (!Number.isFinite(timeoutMs) || timeoutMs <= 0) throw new RangeError(`watchdog: bad timeout ${timeoutMs}`);
    this.stop();
    this.#timeout = timeoutMs;
    this.#fedAt = this.#clock.now();
    this.#check = this.#timers.repeat(() => {
      if (this.#clock.now() - this.#fedAt < this.#timeout) return;
      this.stop();
      this.#onExpire();
    }, Math.min(1000, Math.max(10, Math.floor(timeoutMs / 4))));
  }

  feed(): void {
    this.#fedAt = this.#clock.now();
  }

  stop(): void {
    this.#timers.clear(this.#check);
    this.#check = undefined;
  }
}
