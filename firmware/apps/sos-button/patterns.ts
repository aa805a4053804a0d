// What the wearer sees, hears and feels in each state: one distinct LED rhythm per state (the LED is the one
// output every SOS button has), with buzzer and vibration where they help. Patterns are [on ms, off ms, ...].
export type Indication =
  | 'confirm' // a press was taken; the SOS goes out when this ends
  | 'fallWindow' // a fall was detected; a long press cancels before the alarm goes out
  | 'raised' // the alarm is out (or queued), not yet accepted by a person
  | 'escalated' // not accepted in time: re-sent, louder and faster
  | 'accepted'
  | 'dispatched'
  | 'onsite'
  | 'resolved'
  | 'cancelled' // the platform cancelled the alarm
  | 'aborted' // the wearer cancelled a fall or a press before it went out
  | 'lowBattery';

export interface Channel {
  readonly pattern: readonly number[];
  /** true: until the state changes; a number: that many rounds, then off. */
  readonly repeat: number | true;
}

export interface IndicationPatterns {
  readonly led: Channel;
  readonly buzzer?: Channel;
  readonly vibration?: Channel;
}

const always = (pattern: number[]): Channel => ({ pattern, repeat: true });
const once = (pattern: number[], repeat = 1): Channel => ({ pattern, repeat });

export const INDICATIONS: Readonly<Record<Indication, IndicationPatterns>> = {
  confirm: { led: always([250, 250]), buzzer: always([100, 400]), vibration: always([100, 400]) },
  fallWindow: { led: always([200, 200]), buzzer: always([500, 500]), vibration: always([500, 500]) },
  raised: { led: always([100, 1900]), buzzer: always([60, 9940]) },
  escalated: { led: always([100, 100]), buzzer: always([300, 200]), vibration: always([300, 200]) },
  accepted: { led: always([100, 200, 100, 1600]), buzzer: once([800]), vibration: once([800]) },
  dispatched: { led: always([1000, 1000]), buzzer: once([200, 100, 200]) },
  onsite: { led: always([1900, 100]), buzzer: once([600]) },
  resolved: { led: once([100, 100, 100, 100, 100, 100], 2), buzzer: once([150, 100, 300]) },
  cancelled: { led: once([1000, 300, 1000, 300]), buzzer: once([400]) },
  aborted: { led: once([600, 200, 600, 200]), buzzer: once([200, 100, 200]) },
  lowBattery: { led: once([50, 250, 50, 250, 50, 250]) },
};
