// The time decisions use. With SNTP (or any trusted source) it is the wall clock. Without it — a cold boot with
// the network down — it is the last trusted time we saw plus the uptime since: time never runs backwards past
// what we knew, so a credential that had expired stays expired (it may be later than that in truth, so a
// credential expiring during the outage works until the clock is set again; that is the price of opening doors
// offline at all). The trusted time is saved at most once an hour (flash wear).
import type { KeyValueStore, MonotonicClock, WallClock } from '../../../hal/contract/index.js';

const KV_DOMAIN = 'door';
const KV_KEY = 'lastTime';
const SAVE_EVERY_MS = 3_600_000;

export class DoorTime {
  #wall: WallClock;
  #clock: MonotonicClock;
  #kv: KeyValueStore;
  /** Seconds since the epoch last saved. */
  #savedS: number;

  constructor(wall: WallClock, clock: MonotonicClock, kv: KeyValueStore) {
    this.#wall = wall;
    this.#clock = clock;
    this.#kv = kv;
    // A decimal string: NVS numbers are 32-bit and seconds outgrow them in 2038.
    const stored = Number(kv.get(KV_DOMAIN, KV_KEY));
    this.#savedS = Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
  }

  /** True when decisions use trusted time. */
  get trusted(): boolean {
    return this.#wall.valid;
  }

  /** Epoch ms for decisions. */
  now(): number {
    if (this.#wall.valid) {
      const now = this.#wall.now();
      if (now - this.#savedS * 1000 >= SAVE_EVERY_MS) this.#save(now);
      return now;
    }
    // The saved time was taken during an earlier boot: adding this boot's uptime stays below the truth.
    return Math.max(this.#wall.now(), this.#savedS * 1000 + this.#clock.now());
  }

  #save(now: number): void {
    this.#savedS = Math.floor(now / 1000);
    try {
      this.#kv.set(KV_DOMAIN, KV_KEY, String(this.#savedS));
    } catch {
      // Not worth failing a decision over; the next hour tries again.
    }
  }
}
