import { describe, expect, test } from '@jest/globals';
import { alarmAdvances, isFinalAlarmState } from '../../firmware/protocol/alarm.js';
import type { AlarmState, AlarmUpdateMessage } from '../../firmware/protocol/messages.js';

function update(state: AlarmState, ts: number, alarmId = 'sos-311.77'): AlarmUpdateMessage {
  return { v: 1, msg: 'alarm', alarmId, state, ts };
}

describe('alarmAdvances', () => {
  test('the first update of an alarm is news, and so is one for another alarm', () => {
    expect(alarmAdvances(undefined, update('raised', 1))).toBe(true);
    expect(alarmAdvances(update('resolved', 9), update('raised', 1, 'other'))).toBe(true);
  });

  test('each forward step of the chain is news; each backward one is not; a newer same state is an update', () => {
    const chain: AlarmState[] = ['raised', 'accepted', 'dispatched', 'onsite', 'resolved'];
    for (let i = 0; i < chain.length; i++) {
      for (let j = 0; j < chain.length; j++) {
        expect([chain[i], chain[j], alarmAdvances(update(chain[i]!, 10), update(chain[j]!, 20))])
          .toEqual([chain[i], chain[j], j > i || (j === i && chain[i] !== 'resolved')]);
      }
    }
  });

  test('cancelled ends any state before a final one', () => {
    for (const state of ['raised', 'accepted', 'dispatched', 'onsite'] as AlarmState[]) {
      expect(alarmAdvances(update(state, 10), update('cancelled', 20))).toBe(true);
    }
    expect(alarmAdvances(update('resolved', 10), update('cancelled', 20))).toBe(false);
    expect(alarmAdvances(update('cancelled', 10), update('resolved', 20))).toBe(false);
  });

  test('the same state is an update only when newer (a new ETA), never a repeat', () => {
    expect(alarmAdvances(update('dispatched', 10), update('dispatched', 10))).toBe(false);
    expect(alarmAdvances(update('dispatched', 10), update('dispatched', 11))).toBe(true);
  });

  test('an older update is ignored even when its state is later', () => {
    expect(alarmAdvances(update('accepted', 10), update('onsite', 9))).toBe(false);
  });

  test('final states', () => {
    expect(['raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled'].filter((s) => isFinalAlarmState(s as AlarmState)))
      .toEqual(['resolved', 'cancelled']);
  });
});
