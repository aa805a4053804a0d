// Alarm lifecycle (docs/protocol.md §9): raised → accepted → dispatched → onsite → resolved, or cancelled from
// any state before a final one. Updates may arrive twice (QoS 1, retained copies) or late; a device shows
// only those that move the alarm forward.
import type { AlarmState, AlarmUpdateMessage } from './messages.js';

const RANK: Readonly<Record<AlarmState, number>> = {
  raised: 0, accepted: 1, dispatched: 2, onsite: 3, resolved: 4, cancelled: 4,
};

export function isFinalAlarmState(state: AlarmState): boolean {
  return state === 'resolved' || state === 'cancelled';
}

/**
 * Whether `next` is news for an alarm last shown as `current` (undefined: none shown yet). A later state is
 * news; the same state with a newer `ts` is an update (a new ETA or note); anything older, repeated, backwards,
 * or after a final state is not.
 */
export function alarmAdvances(current: AlarmUpdateMessage | undefined, next: AlarmUpdateMessage): boolean {
  if (current === undefined || current.alarmId !== next.alarmId) return true;
  if (isFinalAlarmState(current.state) || next.ts < current.ts) return false;
  const step = RANK[next.state] - RANK[current.state];
  return step > 0 || (step === 0 && next.state === current.state && next.ts > current.ts);
}
