// Wall-clock sync with the SDK's "sntp" module: tries each host in turn, sets the HAL wall clock (which marks it
// valid), and refreshes twice a day; after a failed round it tries again in five minutes.
import SNTP from 'sntp';
import type { Timers, WallClock } from '../contract/time.js';
import type { LogLevel } from './system.js';

const REFRESH_MS = 12 * 60 * 60 * 1000;
const RETRY_MS = 5 * 60 * 1000;

export class SntpSync {
  #hosts: string[];
  #wallClock: WallClock;
  #timers: Timers;
  #log: (level: LogLevel, message: string) => void;
  #busy = false;
  #next: ReturnType<Timers['set']> | undefined;

  constructor(hosts: string[], wallClock: WallClock, timers: Timers, log: (level: LogLevel, message: string) => void) {
    this.#hosts = hosts.filter((host) => host.length > 0);
    this.#wallClock = wallClock;
    this.#timers = timers;
    this.#log = log;
  }

  /** Starts a round now unless one is running. */
  sync(): void {
    if (this.#busy || this.#hosts.length === 0) return;
    this.#timers.clear(this.#next);
    this.#busy = true;
    let index = 0;
    try {
      new SNTP({ host: this.#hosts[0]! }, (message, value) => {
        if (message === SNTP.time && typeof value === 'number') {
          this.#wallClock.set(value * 1000);
          this.#log('info', `SNTP: time set from ${this.#hosts[index]}`);
          this.#finish(REFRESH_MS);
        }
        else if (message === SNTP.error) {
          index++;
          if (index < this.#hosts.length) return this.#hosts[index]; // the module retries with the next host
          this.#log('warn', 'SNTP: no server answered');
          this.#finish(RETRY_MS);
        }
        return undefined;
      });
    } catch (error) {
      this.#log('warn', `SNTP: ${error instanceof Error ? error.message : String(error)}`);
      this.#finish(RETRY_MS);
    }
  }

  #finish(nextInMs: number): void {
    this.#busy = false;
    this.#next = this.#timers.set(() => this.sync(), nextInMs);
  }
}
