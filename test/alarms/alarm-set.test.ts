// The shared alarm service with several alarms at once (firmware/alarms/alarm-set.ts) and a condition that ends
// (AlarmLifecycle.clear): each key raises at once with its compartment and figures, clears once (even across a
// power cut), stays shown until the platform resolves it, and a key's alarm survives a reboot in its own domain.
import { describe, expect, test } from '@jest/globals';
import { AlarmSet, domainOf } from '../../firmware/alarms/alarm-set.js';
import type { AlarmIndication } from '../../firmware/alarms/alarm-lifecycle.js';
import { PROTOCOL_VERSION, type AlarmState, type AlarmUpdateMessage } from '../../firmware/protocol/messages.js';
import { SteppedClock } from '../../hal/host/clock.js';
import { MemoryKeyValueStore, PowerLoss } from '../../hal/host/storage/kv.js';

type BinCause = 'fire' | 'tilt' | 'overflow' | 'lidJammed' | 'sensorFault';
const KEYS = ['fire', 'tilt', 'over0', 'over1', 'over2', 'over3', 'jam0', 'fault0', 'fault1'] as const;
const WALL = 1_760_000_000_000;

interface Emitted { seq: number; type: string; data: Record<string, unknown> }

/** One device: its flash (kept across boots), outbox and wall clock; boot() makes this boot's AlarmSet. */
class Station {
  kv = new MemoryKeyValueStore();
  outbox: Emitted[] = [];
  shown: [AlarmIndication, string, string][] = [];
  logs: string[] = [];
  clock = new SteppedClock({ wallTimeMs: WALL, wallTimeValid: true });
  acceptTimeoutS = 60;
  set!: AlarmSet<BinCause>;

  boot(): this {
    this.clock.clearAll();
    this.set = new AlarmSet<BinCause>({
      causes: ['fire', 'tilt', 'overflow', 'lidJammed', 'sensorFault'], keys: KEYS, domain: 'bin', kv: this.kv,
      timers: this.clock.timers, clock: this.clock, wallClock: this.clock.wallClock,
      settings: () => ({ acceptTimeoutS: this.acceptTimeoutS, maxReminders: 3 }),
      emit: (type, data) => {
        // The outbox is flash on the same supply: a cut there loses the event.
        if (this.kv.power.gate().cut) throw new PowerLoss('power lost before the outbox write');
        const seq = this.outbox.length + 1;
        this.outbox.push({ seq, type, data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> });
        return seq;
      },
      nextSeq: () => this.outbox.length + 1,
      delivered: () => true,
      deviceId: () => 'bin-1',
      show: (indication, cause, key) => this.shown.push([indication, cause, key]),
      changed: () => {},
      log: (_level, message) => this.logs.push(message),
    });
    this.set.restore();
    return this;
  }

  events(type: string): Record<string, unknown>[] {
    return this.outbox.filter((e) => e.type === type).map((e) => e.data);
  }

  update(alarmId: string, state: AlarmState, ts: number): void {
    const message: AlarmUpdateMessage = { v: PROTOCOL_VERSION, msg: 'alarm', alarmId, state, ts };
    this.set.update(message);
  }
}

describe('AlarmSet: several alarms at once', () => {
  test('each key raises at once with its compartment and figures in alarm.raised; several stay open together', () => {
    const s = new Station().boot();
    expect(s.set.raise('fire', 'fire', { tempC: 72.5 })).toBe(true);
    expect(s.set.raise('over2', 'overflow', { fillPct: 97 }, 2)).toBe(true);
    expect(s.set.raise('tilt', 'tilt', { tiltDeg: 61 })).toBe(true);
    expect(s.events('alarm.raised')).toEqual([
      { alarmId: 'bin-1.1', cause: 'fire', detector: { tempC: 72.5 } },
      { alarmId: 'bin-1.2', cause: 'overflow', c: 2, detector: { fillPct: 97 } },
      { alarmId: 'bin-1.3', cause: 'tilt', detector: { tiltDeg: 61 } },
    ]);
    expect(s.set.busy).toBe(true);
    expect(s.set.open().map((a) => [a.key, a.id, a.cause, a.c, a.state])).toEqual([
      ['fire', 'bin-1.1', 'fire', undefined, 'sent'],
      ['tilt', 'bin-1.3', 'tilt', undefined, 'sent'],
      ['over2', 'bin-1.2', 'overflow', 2, 'sent'],
    ]);
    expect(s.shown).toEqual([['raised', 'fire', 'fire'], ['raised', 'overflow', 'over2'], ['raised', 'tilt', 'tilt']]);
    // Raising an open key again does nothing; another compartment's key is its own alarm.
    expect(s.set.raise('over2', 'overflow', { fillPct: 99 }, 2)).toBe(false);
    expect(s.set.raise('over3', 'overflow', { fillPct: 95 }, 3)).toBe(true);
    expect(s.events('alarm.raised')).toHaveLength(4);
    expect(s.set.counters.raised).toBe(4);
  });

  test('updates go to the lifecycle holding their alarmId; a final one frees the key; unknown ids are counted', () => {
    const s = new Station().boot();
    s.set.raise('fire', 'fire', { tempC: 80 });
    s.set.raise('jam0', 'lidJammed', {}, 0);
    s.update('bin-1.2', 'accepted', WALL + 1);
    expect(s.set.alarm('jam0')?.state).toBe('accepted');
    expect(s.set.alarm('fire')?.state).toBe('sent');
    s.update('bin-1.2', 'resolved', WALL + 2);
    expect(s.set.alarm('jam0')).toBeUndefined();
    expect(s.kv.get(domainOf('bin', 'jam0'), 'alarm')).toBeUndefined();
    expect(s.shown.at(-1)).toEqual(['resolved', 'lidJammed', 'jam0']);
    s.update('bin-1.2', 'resolved', WALL + 3);
    s.update('door-7.4', 'accepted', WALL + 3);
    expect(s.set.counters).toMatchObject({ raised: 2, unknownUpdates: 2 });
    expect(s.set.open().map((a) => a.key)).toEqual(['fire']);
    // The freed key raises a new alarm.
    expect(s.set.raise('jam0', 'lidJammed', {}, 0)).toBe(true);
    expect(s.set.alarm('jam0')?.id).toBe('bin-1.3');
  });

  test('each key keeps its records in `<domain>.<key>`; a reboot resumes every open alarm and its state', () => {
    const s = new Station().boot();
    s.set.raise('over1', 'overflow', { fillPct: 96 }, 1);
    s.set.raise('fault1', 'sensorFault', {}, 1);
    s.update('bin-1.1', 'dispatched', WALL + 5);
    expect(typeof s.kv.get('bin.over1', 'alarm')).toBe('string');
    expect(typeof s.kv.get('bin.fault1', 'alarm')).toBe('string');
    s.boot();
    expect(s.set.open().map((a) => [a.key, a.id, a.state, a.c])).toEqual([
      ['over1', 'bin-1.1', 'dispatched', 1], ['fault1', 'bin-1.2', 'sent', 1],
    ]);
    expect(s.events('alarm.raised')).toHaveLength(2); // nothing sent twice
  });

  test('a domain plus key longer than 15 characters, or an unknown key or cause, is refused', () => {
    const s = new Station();
    expect(() => new AlarmSet({ ...optionsOf(s), keys: ['overflowOfTheLeftOne'] })).toThrow(/domain/);
    s.boot();
    expect(() => s.set.raise('over9', 'overflow', {}, 9)).toThrow(/not one of this device's/);
    expect(() => s.set.raise('fire', 'smoke' as BinCause)).toThrow(/not one of this device's/);
    expect(() => s.set.raise('over0', 'overflow', {}, 256)).toThrow(/0–255/);
    expect(s.set.busy).toBe(false);
  });
});

describe('AlarmLifecycle.clear: a condition that ends', () => {
  test('alarm.cleared goes out once with the note, the alarm stays shown until the platform resolves it', () => {
    const s = new Station().boot();
    s.set.raise('over0', 'overflow', { fillPct: 98 }, 0);
    s.update('bin-1.1', 'dispatched', WALL + 10);
    s.clock.advance(3_600_000);
    expect(s.set.clear('over0', { emptiedAt: WALL + 3_500_000, fillPct: 4 })).toBe(true);
    expect(s.set.clear('over0', { fillPct: 3 })).toBe(false);
    expect(s.events('alarm.cleared')).toEqual([
      { alarmId: 'bin-1.1', cause: 'overflow', c: 0, at: WALL + 3_600_000, emptiedAt: WALL + 3_500_000, fillPct: 4 },
    ]);
    expect(s.set.alarm('over0')).toMatchObject({ state: 'dispatched', cleared: true });
    expect(s.set.busy).toBe(true);
    s.update('bin-1.1', 'resolved', WALL + 3_600_001);
    expect(s.set.busy).toBe(false);
    expect(s.shown.at(-1)).toEqual(['resolved', 'overflow', 'over0']);
  });

  test('nothing to clear: no open alarm under the key, or a key never raised', () => {
    const s = new Station().boot();
    expect(s.set.clear('fire')).toBe(false);
    s.set.raise('fire', 'fire', { tempC: 70 });
    s.update('bin-1.1', 'cancelled', WALL + 1);
    expect(s.set.clear('fire')).toBe(false);
    expect(s.events('alarm.cleared')).toEqual([]);
  });

  test('a cleared alarm is not reminded or escalated while it waits for the platform', () => {
    const s = new Station().boot();
    s.set.raise('tilt', 'tilt', { tiltDeg: 80 });
    s.clock.advance(61_000);
    expect(s.events('alarm.reminder')).toHaveLength(1);
    expect(s.shown.at(-1)).toEqual(['escalated', 'tilt', 'tilt']);
    s.set.clear('tilt', { tiltDeg: 2 });
    expect(s.shown.at(-1)).toEqual(['raised', 'tilt', 'tilt']);
    s.clock.advance(600_000);
    expect(s.events('alarm.reminder')).toHaveLength(1);
    s.boot(); // after a reboot too
    s.clock.advance(600_000);
    expect(s.events('alarm.reminder')).toHaveLength(1);
    expect(s.set.alarm('tilt')).toMatchObject({ cleared: true, escalated: false });
  });

  test('the condition coming back while the cleared alarm waits raises a new alarm; the old one is the platform\'s to resolve', () => {
    const s = new Station().boot();
    s.set.raise('fire', 'fire', { tempC: 75 });
    s.set.clear('fire', { tempC: 30 });
    expect(s.set.raise('fire', 'fire', { tempC: 90 })).toBe(true);
    expect(s.events('alarm.raised').map((d) => d.alarmId)).toEqual(['bin-1.1', 'bin-1.3']);
    expect(s.set.alarm('fire')).toMatchObject({ id: 'bin-1.3', state: 'sent' });
    expect(s.set.alarm('fire')?.cleared).toBeUndefined();
    s.update('bin-1.1', 'resolved', WALL + 1); // the old one's resolution: not this key's alarm any more
    expect(s.set.alarm('fire')?.id).toBe('bin-1.3');
    expect(s.set.counters.unknownUpdates).toBe(1);
  });

  test.each([
    ['the cleared mark is written, the event is not', 1],
    ['nothing is written', 0],
  ])('a power cut in clear(): %s → after the reboot alarm.cleared goes out exactly once', (_what, writes) => {
    const s = new Station().boot();
    s.set.raise('over3', 'overflow', { fillPct: 97 }, 3);
    s.kv.failAfterWrites(writes);
    expect(() => s.set.clear('over3', { fillPct: 1 })).toThrow(PowerLoss);
    s.kv.powerOn();
    s.boot();
    if (writes === 0) {
      expect(s.events('alarm.cleared')).toEqual([]);
      expect(s.set.alarm('over3')?.cleared).toBeUndefined();
      s.set.clear('over3', { fillPct: 1 });
    }
    expect(s.events('alarm.cleared')).toEqual([{ alarmId: 'bin-1.1', cause: 'overflow', c: 3, at: WALL, fillPct: 1 }]);
    s.boot();
    expect(s.events('alarm.cleared')).toHaveLength(1);
  });

  test('a corrupt cleared mark is dropped: the alarm reads as still open, never as cleared', () => {
    const s = new Station().boot();
    s.set.raise('fault0', 'sensorFault', {}, 0);
    const record = JSON.parse(s.kv.get('bin.fault0', 'alarm') as string) as Record<string, unknown>;
    s.kv.set('bin.fault0', 'alarm', JSON.stringify({ ...record, cleared: { seq: 'x', at: -1 } }));
    s.boot();
    expect(s.set.alarm('fault0')).toMatchObject({ id: 'bin-1.1', cause: 'sensorFault', c: 0 });
    expect(s.set.alarm('fault0')?.cleared).toBeUndefined();
    expect(s.set.clear('fault0')).toBe(true);
  });
});

function optionsOf(s: Station) {
  return {
    causes: ['fire'] as BinCause[], keys: KEYS, domain: 'bin', kv: s.kv, timers: s.clock.timers, clock: s.clock,
    wallClock: s.clock.wallClock, settings: () => ({ acceptTimeoutS: 60, maxReminders: 3 }), emit: () => 1, nextSeq: () => 1,
    delivered: () => true, deviceId: () => 'bin-1', show: () => {}, changed: () => {}, log: () => {},
  };
}
