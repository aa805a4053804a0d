// Boot-loop guard: a device that keeps resetting abnormally (a panic, a watchdog, a brownout) before it ever runs
// stable goes into safe mode instead of looping: the runtime alone, no app (so no relay moves and no lid opens),
// connected, saying `safe` with its reset history in its birth, taking only diagnostics, config, resume, update
// and factory reset. A property's staff never has to bring a laptop to a looping door.
//
// Flash: nothing is written on a normal boot or a deep-sleep wake (a pendant wakes often); only an abnormal reset,
// the first stable run after one, and entering or leaving safe mode write, each one small record in `sys`.
import type { KeyValueStore, ResetReason } from '../../hal/contract/index.js';
import { shape } from '../protocol/fields.js';
import type { CommandSpec } from '../runtime/dispatcher.js';

const DOMAIN = 'sys';
const STREAK_KEY = 'streak';
const RESETS_KEY = 'resets';
const SAFE_KEY = 'safe';
const SAFE_FW_KEY = 'safeFw';

/** Leaves safe mode (docs/protocol.md §7.6). */
export const RESUME = 'lifecycle.resume';

/** Resets that mean something went wrong; any other reason (power on, restart, deep-sleep wake) is not counted. */
export const ABNORMAL_RESETS: readonly ResetReason[] = Object.freeze(['panic', 'watchdog', 'brownout'] as ResetReason[]);
/** Abnormal resets in a row, without a stable run between them, that mean a loop. */
export const LOOP_RESETS = 3;
/** Up this long without a reset: the streak ends (a deliberate deep sleep counts as a clean end too). */
export const STABLE_MS = 5 * 60_000;
/** Abnormal resets remembered for the birth: `<boot>:<reason>`, oldest first. */
export const RESET_HISTORY = 8;

export interface BootVerdict {
  /** Why the device is in safe mode, or undefined. */
  readonly safe: string | undefined;
  /** The remembered abnormal resets, `<boot>:<reason>`, oldest first. */
  readonly resets: readonly string[];
}

export class BootGuard {
  #kv: KeyValueStore;
  #streak = 0;
  #resets: string[] = [];
  #safe: string | undefined;

  constructor(kv: KeyValueStore) {
    this.#kv = kv;
    const streak = kv.get(DOMAIN, STREAK_KEY);
    this.#streak = typeof streak === 'number' && Number.isInteger(streak) && streak > 0 ? streak : 0;
    const resets = kv.get(DOMAIN, RESETS_KEY);
    if (typeof resets === 'string' && resets !== '') this.#resets = resets.split(',').filter((r) => /^\d{1,10}:[a-z-]{1,16}$/.test(r)).slice(-RESET_HISTORY);
    const safe = kv.get(DOMAIN, SAFE_KEY);
    if (typeof safe === 'string' && safe !== '') this.#safe = safe;
  }

  get safe(): string | undefined {
    return this.#safe;
  }

  get resets(): readonly string[] {
    return this.#resets;
  }

  /**
   * This boot's verdict from why the chip reset. `firmware`: the running version; a device in safe mode whose
   * firmware changed since (an update was installed) tries a normal boot again.
   */
  boot(reason: ResetReason, boot: number, firmware: string): BootVerdict {
    if (this.#safe !== undefined && this.#kv.get(DOMAIN, SAFE_FW_KEY) !== firmware) this.#leave();
    if (ABNORMAL_RESETS.includes(reason)) {
      this.#streak++;
      this.#resets = [...this.#resets, `${boot}:${reason}`].slice(-RESET_HISTORY);
      this.#kv.set(DOMAIN, RESETS_KEY, this.#resets.join(','));
      this.#kv.set(DOMAIN, STREAK_KEY, this.#streak);
      if (this.#safe === undefined && this.#streak >= LOOP_RESETS) this.#enter(`${this.#streak} abnormal resets in a row (last: ${reason})`, firmware);
    } else if (reason === 'deep-sleep') {
      this.stable(); // the last boot ended in a deliberate sleep: it ran well
    }
    return { safe: this.#safe, resets: this.#resets };
  }

  /** The device ran long enough (or slept on purpose): the streak ends. Safe mode stays until resumed. */
  stable(): void {
    if (this.#streak === 0) return;
    this.#streak = 0;
    this.#kv.set(DOMAIN, STREAK_KEY, 0);
  }

  /** The app could not even start: safe mode at once, from this boot on. */
  failed(why: string, firmware: string): void {
    if (this.#safe === undefined) this.#enter(why, firmware);
  }

  /** An operator's resume: the next boot is normal again. */
  resume(): boolean {
    if (this.#safe === undefined) return false;
    this.#leave();
    return true;
  }

  #enter(why: string, firmware: string): void {
    this.#safe = why.slice(0, 80);
    this.#kv.set(DOMAIN, SAFE_FW_KEY, firmware);
    this.#kv.set(DOMAIN, SAFE_KEY, this.#safe);
  }

  /** Out of safe mode with a clean slate: the next loop needs LOOP_RESETS resets again. */
  #leave(): void {
    this.#safe = undefined;
    this.#kv.delete(DOMAIN, SAFE_KEY);
    this.#kv.delete(DOMAIN, SAFE_FW_KEY);
    this.stable();
  }
}

/**
 * `lifecycle.resume`: out of safe mode, the next boot starts the app again (restart to make it so). It takes no
 * args: any is `invalid`, as for every lifecycle command.
 */
export function resumeCommand(guard: BootGuard): CommandSpec {
  return {
    validate: (args) => shape(args, 'args', {}),
    run: () => (guard.resume() ? { code: 'ok', data: { restartNeeded: true } } : { code: 'ok', data: { safe: false } }),
  };
}
