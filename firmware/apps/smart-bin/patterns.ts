// What a resident sees and hears at the station: one LED rhythm and buzzer pattern per step of a deposit, and
// what an open alarm looks like. The optional speaker plays a prerecorded clip of the same name (the app's
// `prompt` hook), so every step is also said aloud. Patterns are [on ms, off ms, ...].
import type { DepositIndication } from './deposit.js';

export type StationIndication = DepositIndication | 'fire' | 'alarm' | 'idle';

export interface Channel {
  readonly pattern: readonly number[];
  /** true: until the next indication; a number: that many rounds, then off. */
  readonly repeat: number | true;
}

const always = (pattern: number[]): Channel => Object.freeze({ pattern: Object.freeze(pattern), repeat: true });
const once = (pattern: number[], repeat = 1): Channel => Object.freeze({ pattern: Object.freeze(pattern), repeat });

export const PATTERNS: Readonly<Record<StationIndication, { readonly led?: Channel; readonly buzzer?: Channel }>> = Object.freeze({
  identified: { led: always([150, 150]), buzzer: once([80]) }, // card read: choose a compartment
  choose: { led: always([150, 150]) },
  opening: { led: always([1000, 0]), buzzer: once([80, 80, 80]) }, // lid opening: steady light while it is open
  credited: { led: once([100, 100], 3), buzzer: once([80, 80, 160]) },
  refused: { led: once([600, 200], 2), buzzer: once([600]) },
  identifyFirst: { led: once([100, 100], 3), buzzer: once([100, 100, 100, 100, 100]) },
  blocked: { led: once([300, 300], 3), buzzer: once([300, 200, 300]) },
  busy: { buzzer: once([60]) },
  fire: { led: always([100, 100]), buzzer: always([400, 200]) },
  alarm: { led: always([100, 1900]) },
  idle: {},
});
