// The access decision: pure functions of a credential (or pass), the door, the time and the door's mode.
// They run the same online and offline; nothing here waits for the network.
import { EPOCH_DAY_2020, type CredentialRecord, type Profile, type ScheduleWindow } from './credentials/format.js';
import type { VisitorPass } from './visitor-pass.js';

export type AccessReason =
  | 'granted'
  | 'unknown'
  | 'expired'
  | 'not_yet_valid'
  | 'outside_schedule'
  | 'wrong_door'
  | 'wrong_pin'
  | 'pin_required'
  | 'pin_locked'
  | 'revoked'
  | 'lockdown'
  | 'pass_forged'
  | 'pass_expired'
  | 'pass_not_yet_valid'
  | 'pass_wrong_door'
  | 'pass_used_up';

export interface Decision {
  granted: boolean;
  reason: AccessReason;
}

export interface DecisionContext {
  /** This door's number, 0–31 (bit d of a door mask = door d). */
  door: number;
  /** Epoch ms used for the decision (see door-time.ts). */
  now: number;
  tzOffsetMin: number;
  lockdown: boolean;
}

/** PIN: not asked for, given and right, given and wrong. */
export type PinCheck = 'none' | 'right' | 'wrong';

const DAY_MS = 86_400_000;

const deny = (reason: AccessReason): Decision => ({ granted: false, reason });
const GRANTED: Decision = { granted: true, reason: 'granted' };

/**
 * Local calendar day at the door, counted from 2020-01-01: a credential valid "to day N" works until local
 * midnight at the end of that day, wherever the door is.
 */
export function localDay(now: number, tzOffsetMin: number): number {
  return Math.floor((now + tzOffsetMin * 60_000) / DAY_MS) - EPOCH_DAY_2020;
}

/** Local minute of the week, 0 = Monday 00:00 (1970-01-01 was a Thursday). */
export function localMinuteOfWeek(now: number, tzOffsetMin: number): number {
  const local = now + tzOffsetMin * 60_000;
  const day = Math.floor(local / DAY_MS);
  const weekday = (((day + 3) % 7) + 7) % 7;
  return weekday * 1440 + Math.floor((local - day * DAY_MS) / 60_000);
}

/** Whether a door mask (u32, bit d = door d) includes `door`. */
export function hasDoor(doors: number, door: number): boolean {
  return Math.floor(doors / 2 ** door) % 2 === 1;
}

/** Whether a weekly schedule allows a local minute of the week. No window: never. */
export function scheduleAllows(schedule: readonly ScheduleWindow[], minuteOfWeek: number): boolean {
  const weekday = Math.floor(minuteOfWeek / 1440);
  const minute = minuteOfWeek % 1440;
  return schedule.some((window) => Math.floor(window.days / 2 ** weekday) % 2 === 1 && minute >= window.start && minute < window.end);
}

/**
 * A card or PIN credential. Everything but the PIN is decided first, so a card that would be refused anyway is
 * refused at once instead of asking for its PIN.
 */
export function decideCredential(
  record: CredentialRecord | undefined,
  profile: Profile | undefined,
  pin: PinCheck,
  context: DecisionContext,
): Decision {
  if (context.lockdown) return deny('lockdown');
  if (!record) return deny('unknown');
  if (record.revoked) return deny('revoked');
  const day = localDay(context.now, context.tzOffsetMin);
  if (day < record.validFrom) return deny('not_yet_valid');
  if (day > record.validTo) return deny('expired');
  if (!profile || !hasDoor(profile.doors, context.door)) return deny('wrong_door');
  if (!scheduleAllows(profile.schedule, localMinuteOfWeek(context.now, context.tzOffsetMin))) return deny('outside_schedule');
  if (record.pinRequired) {
    if (pin === 'none') return deny('pin_required');
    if (pin === 'wrong') return deny('wrong_pin');
  }
  return GRANTED;
}

/** A visitor pass whose signature has been verified; `used` = uses counted so far. */
export function decidePass(pass: VisitorPass, used: number, context: DecisionContext): Decision {
  if (context.lockdown) return deny('lockdown');
  const nowS = Math.floor(context.now / 1000);
  if (nowS < pass.validFrom) return deny('pass_not_yet_valid');
  if (nowS > pass.validTo) return deny('pass_expired');
  if (!hasDoor(pass.doors, context.door)) return deny('pass_wrong_door');
  if (pass.maxUses > 0 && used >= pass.maxUses) return deny('pass_used_up');
  return GRANTED;
}
