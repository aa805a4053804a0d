// The chip itself: restart, watchdog, facts for health telemetry, and a log line sink.

export type ResetReason =
  | 'power-on' | 'software' | 'watchdog' | 'panic' | 'brownout' | 'deep-sleep' | 'external' | 'unknown';

export interface Watchdog {
  /** Restarts the device unless fed within `timeoutMs`. */
  start(timeoutMs: number): void;
  feed(): void;
  stop(): void;
}

export interface System {
  restart(): void;
  readonly watchdog: Watchdog;
  /** Free heap bytes, or undefined where the engine cannot tell. */
  freeHeap(): number | undefined;
  resetReason(): ResetReason;
  /** Stable hardware id (e.g. MAC as hex), used when no device id is provisioned. */
  readonly hardwareId: string;
  readonly firmwareVersion: string;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}
