// The operator's side of an alarm (docs/protocol.md §9): raised → accepted → dispatched → onsite → resolved →
// closed (checked and closed), or cancelled before a final state. Every step but `closed` is also an `alarm`
// state the device shows; `closed` is the platform's own (the record is checked and filed; the device already
// shows `resolved`, a final state, and keeps it retained).
import type { IncidentState } from './types.js';

/** The one step each operator action may start from. */
const NEXT: Readonly<Record<'accepted' | 'dispatched' | 'onsite' | 'resolved' | 'closed', readonly IncidentState[]>> = {
  accepted: ['raised'],
  dispatched: ['accepted', 'dispatched'], // dispatching again = a new staff member or ETA (same state, newer ts)
  onsite: ['dispatched'],
  resolved: ['onsite'],
  closed: ['resolved', 'cancelled'],
};

const WORDS: Readonly<Record<IncidentState, string>> = {
  raised: 'raised', accepted: 'accepted', dispatched: 'dispatched', onsite: 'on site', resolved: 'resolved',
  cancelled: 'cancelled', closed: 'closed',
};

/** Undefined when `from` → `to` is allowed, else why not (for the operator). */
export function refuseTransition(from: IncidentState, to: IncidentState): string | undefined {
  if (to === 'raised') return 'an alarm is raised by its device (or raiseAlarm), not by a step';
  if (to === 'cancelled') {
    return from === 'resolved' || from === 'cancelled' || from === 'closed' ? `the alarm is already ${WORDS[from]}` : undefined;
  }
  const allowed = NEXT[to];
  if (allowed.includes(from)) return undefined;
  if (from === 'closed') return 'the alarm is closed';
  const needed = allowed.filter((state) => state !== to).map((state) => WORDS[state]).join(' or ');
  return `cannot mark it ${WORDS[to]} while it is ${WORDS[from]}: it must be ${needed} first`;
}

export class TransitionError extends Error {
  constructor(readonly alarmId: number, reason: string) {
    super(`alarm ${alarmId}: ${reason}`);
    this.name = 'TransitionError';
  }
}
