// The simulated chip: restart hands control to whoever owns the device instance (the simulator reboots it),
// the watchdog runs on the device's virtual clock, log lines go to a sink and a short in-memory tail.
// Deep sleep halts the device at once (no timer fires any more), records the wake conditions and goes down
// through the same onRestart path with reason 'deep-sleep'; the owner boots the next instance when they are met
// (see deep-sleep.ts) and tells it its wakeCause.
import { deepSleepProblem } from '../contract/system.js';
import type { DeepSleepOptions, HeapUse, ResetReason, System, WakeCause, WakePin, Watchdog } from '../contract/system.js';
import type { MonotonicClock, TimerId, Timers } from '../contract/time.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export interface HostSystemOptions {
  /** The device's timers; the watchdog uses them. */
  timers: Timers;
  /** Called (in a microtask, once) when the device restarts itself, its watchdog bites or it deep-sleeps. */
  onRestart?: (reason: ResetReason) => void;
  /** Why this boot happened. Default 'power-on'. */
  resetReason?: ResetReason;
  /** Offer deepSleep/wakeCause. Default true. */
  deepSleep?: boolean;
  /** The board's wake-capable pins (Board.wakePins). */
  wakePins?: readonly number[];
  /** What ended the deep sleep this boot comes from (with resetReason 'deep-sleep'). */
  wakeCause?: WakeCause;
  /** The device's clock: deepSleepRequest.at. */
  clock?: MonotonicClock;
  /** Stops the device at once (its timers), as a chip powering down would. */
  halt?: () => void;
  hardwareId?: string;
  firmwareVersion?: string;
  /** Free heap in bytes. Default: unknown (a Node process has no meaningful device heap). */
  freeHeap?: () => number | undefined;
  /** What the engine's heaps hold. Default: absent (Node's heap says nothing about the device's). */
  heapUsed?: () => HeapUse | undefined;
  log?: LogSink;
  /** Log lines kept in `logs`. Default 100. */
  logLimit?: number;
}

export class HostSystem implements System {
  readonly hardwareId: string;
  readonly firmwareVersion: string;
  readonly watchdog: Watchdog;
  /** The newest log lines, oldest first. */
  readonly logs: LogLine[] = [];
  #options: HostSystemOptions;
  #resetReason: ResetReason;
  #restartReason: ResetReason | undefined;
  #sleepRequest: DeepSleepRequest | undefined;

  constructor(options: HostSystemOptions) {
    this.#options = options;
    this.#resetReason = options.resetReason ?? 'power-on';
    this.hardwareId = options.hardwareId ?? '000000000000';
    this.firmwareVersion = options.firmwareVersion ?? '0.0.0-host';
    this.watchdog = createWatchdog(options.timers, () => this.#restart('watchdog'));
    if (options.deepSleep !== false) {
      this.deepSleep = (sleep) => this.#deepSleep(sleep);
      this.wakeCause = () => (this.#resetReason === 'deep-sleep' ? this.#options.wakeCause : undefined);
    }
  }

  /** The wake conditions, once the device has gone into deep sleep. */
  get deepSleepRequest(): DeepSleepRequest | undefined {
    return this.#sleepRequest;
  }

  /** Present unless the options turned it off (see System.deepSleep). */
  readonly deepSleep?: (options: DeepSleepOptions) => void;
  readonly wakeCause?: () => WakeCause | undefined;

  get restartReason(): ResetReason | undefined {
    return this.#restartReason;
  }

  restart(): void {
    this.#restart('software');
  }

  freeHeap(): number | undefined {
    return this.#options.freeHeap?.();
  }

  heapUsed(): HeapUse | undefined {
    return this.#options.heapUsed?.();
  }

  resetReason(): ResetReason {
    return this.#resetReason;
  }

  setResetReason(reason: ResetReason): void {
    this.#resetReason = reason;
  }

  log(level: LogLevel, message: string): void {
    this.logs.push({ level, message });
    if (this.logs.length > (this.#options.logLimit ?? 100)) this.logs.shift();
    this.#options.log?.(level, message);
  }

  #deepSleep(options: DeepSleepOptions): void {
    const problem = deepSleepProblem(options, this.#options.wakePins);
    if (problem !== undefined) throw new RangeError(problem);
    if (this.#restartReason !== undefined) return; // already going down
    const wake = (options.wake ?? []).map(({ pin, level }) => Object.freeze({ pin, level }));
    this.#sleepRequest = Object.freeze({
      ...(options.ms === undefined ? {} : { ms: options.ms }),
      wake: Object.freeze(wake),
      at: this.#options.clock?.now() ?? 0,
    });
    this.#options.halt?.();
    this.#restart('deep-sleep');
  }

  #restart(reason: ResetReason): void {
    if (this.#restartReason !== undefined) return;
    this.#restartReason = reason;
    this.watchdog.stop();
    const onRestart = this.#options.onRestart;
    if (onRestart) queueMicrotask(() => onRestart(reason));
  }
}

/** What a device asked for when it went into deep sleep. */
export interface DeepSleepRequest {
  readonly ms?: number;
  readonly wake: readonly WakePin[];
  /** The device's monotonic time when it went down. */
  readonly at: number;
}

function createWatchdog(timers: Timers, bite: () => void): Watchdog {
  let timer: TimerId | undefined;
  let timeout = 0;
  const arm = () => {
    timers.clear(timer);
    timer = timers.set(bite, timeout);
  };
  return {
    start(timeoutMs) {
      if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs)) throw new RangeError(`watchdog timeout must be > 0 ms, got ${timeoutMs}`);
      timeout = timeoutMs;
      arm();
    },
    feed() {
      if (timer !== undefined) arm();
    },
    stop() {
      timers.clear(timer);
      timer = undefined;
    },
  };
}
