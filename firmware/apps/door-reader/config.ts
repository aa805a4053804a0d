// The door reader's settings (config/desired), on top of the runtime's own.
import type { ConfigSpec, ConfigValues } from '../../runtime/config.js';
import type { LockType } from './door.js';

export const DOOR_CONFIG = {
  /** This door's number (0–31): credential profiles and passes scope doors by bit (bit d = door d). */
  door: { type: 'integer', min: 0, max: 31, default: 0 },
  /** Local time offset from UTC in minutes, for weekly schedules and validity dates. */
  tzOffsetMin: { type: 'integer', min: -720, max: 840, default: 0 },
  /** How long a grant releases the lock. */
  unlockMs: { type: 'integer', min: 500, max: 60_000, default: 4000 },
  /** 'fail-secure' (strike on the relay's NO contact) or 'fail-safe' (maglock on NC); see docs/door-reader.md. */
  lockType: { type: 'string', maxLength: 16, default: 'fail-secure', values: ['fail-secure', 'fail-safe'] },
  /** Door open longer than this raises door.held_open. */
  heldOpenS: { type: 'integer', min: 5, max: 3600, default: 30 },
  /** Time to finish a PIN (after a card that needs one, or since the last key). */
  pinTimeoutS: { type: 'integer', min: 3, max: 60, default: 10 },
  /** Wrong PINs in a row before the keypad locks. */
  pinMaxAttempts: { type: 'integer', min: 1, max: 20, default: 5 },
  pinLockoutS: { type: 'integer', min: 10, max: 3600, default: 300 },
  /** Whether the exit button releases the lock (false: doors with mechanical egress; it only shunts the alarm). */
  exitReleases: { type: 'boolean', default: true },
  /** Denied reads recorded as events per minute (bursts up to as many); the rest are counted in one summary. */
  deniedPerMinute: { type: 'integer', min: 1, max: 600, default: 12 },
} satisfies ConfigSpec;

export interface DoorSettingsView {
  door: number;
  tzOffsetMin: number;
  unlockMs: number;
  lockType: LockType;
  heldOpenMs: number;
  pinTimeoutMs: number;
  pinMaxAttempts: number;
  pinLockoutMs: number;
  exitReleases: boolean;
  deniedPerMinute: number;
}

export function doorSettings(values: ConfigValues<typeof DOOR_CONFIG>): DoorSettingsView {
  return {
    door: values.door,
    tzOffsetMin: values.tzOffsetMin,
    unlockMs: values.unlockMs,
    lockType: values.lockType === 'fail-safe' ? 'fail-safe' : 'fail-secure',
    heldOpenMs: values.heldOpenS * 1000,
    pinTimeoutMs: values.pinTimeoutS * 1000,
    pinMaxAttempts: values.pinMaxAttempts,
    pinLockoutMs: values.pinLockoutS * 1000,
    exitReleases: values.exitReleases,
    deniedPerMinute: values.deniedPerMinute,
  };
}
