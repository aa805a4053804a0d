// The simulated chip: restart hands control to whoever owns the device instance (the simulator reboots it),
// the watchdog runs on the device's virtual clock, log lines go to a sink and a short in-memory tail.
import type { ResetReason, System, Watchdog } from '../contract/system.js';
import type { TimerId, Timers } from '../contract/time.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogSink = (level: LogLevel, message: string) => void;

export interface LogLine {
  readonly level: LogLevel;
  readonly message: string;
}

export interface HostSystemOptions {
  /** The device's timers; the watchdog uses them. */
  timers: Timers;
  /** Called (in a microtask, once) when the device restarts itself or its watchdog bites. */
  onRestart?: (reason: ResetReason) => void;
  /** Why this boot happened. Default 'power-on'. */
  resetReason?: ResetReason;
  hardwareId?: string;
  firmwareVersion?: string;
  /** Free heap in bytes. Default: unknown (a Node process has no meaningful device heap). */
  freeHeap?: () => number | undefined;
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

  constructor(options: HostSystemOptions) {
    this.#options = options;
    this.#resetReason = options.resetReason ?? 'power-on';
    this.hardwareId = options.hardwareId ?? '000000000000';
    this.firmwareVersion = options.firmwareVersion ?? '0.0.0-host';
    this.watchdog = createWatchdog(options.timers, () => this.#restart('watchdog'));
  }

  /** Why the device asked to restart, once it has. */
  get restartReason(): ResetReason | undefined {
    return this.#restartReason;
  }

  restart(): void {
    this.#restart('software');
  }

  freeHeap(): number | undefined {
    return this.#options.freeHeap?.();
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

  #restart(reason: ResetReason): void {
    if (this.#restartReason !== undefined) return;
    this.#restartReason = reason;
    this.watchdog.stop();
    const onRestart = this.#options.onRestart;
    if (onRestart) queueMicrotask(() => onRestart(reason));
  }
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
