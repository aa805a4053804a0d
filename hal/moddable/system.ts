// The chip on Moddable: restart (ECMA-419 System), reset reason (ESP-IDF esp_reset_reason via the SDK's
// resetReason module), free heap ("instrumentation"), a software watchdog and trace() logging.
import Instrumentation from 'instrumentation';
import getResetReason from 'resetReason';
import type { KeyValueStore } from '../contract/storage.js';
import type { ResetReason, System, Watchdog } from '../contract/system.js';
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

export interface ModdableSystemOptions {
  hardwareId: string;
  firmwareVersion: string;
  timers: Timers;
  clock: MonotonicClock;
  kv: KeyValueStore;
  log?: (level: LogLevel, message: string) => void;
}

export class ModdableSystem implements System {
  readonly hardwareId: string;
  readonly firmwareVersion: string;
  readonly watchdog: Watchdog;
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
