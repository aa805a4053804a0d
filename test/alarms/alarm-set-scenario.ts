// One AlarmSet scenario, engine-neutral, run on Node and on XS (test/alarms/xs.test.ts): raise several alarms,
// route updates, clear one (note and all), supersede a cleared one, resolve, and restore from the key-value store.
import { AlarmSet } from '../../firmware/alarms/alarm-set.js';
import { PROTOCOL_VERSION, type AlarmState } from '../../firmware/protocol/messages.js';
import type { KeyValueStore, MonotonicClock, Timers, WallClock } from '../../hal/contract/index.js';

export interface ScenarioHal {
  kv: KeyValueStore;
  clock: MonotonicClock;
  wallClock: WallClock;
  timers: Timers;
}

export interface ScenarioOutcome {
  events: { type: string; data: Record<string, unknown> }[];
  open: unknown[];
  afterRestore: unknown[];
  counters: unknown;
}

type Cause = 'fire' | 'overflow' | 'tilt';

export function runAlarmSetScenario(hal: ScenarioHal): ScenarioOutcome {
  const events: ScenarioOutcome['events'] = [];
  const make = () => new AlarmSet<Cause>({
    causes: ['fire', 'overflow', 'tilt'], keys: ['fire', 'tilt', 'over0', 'over1'], domain: 'xsbin', kv: hal.kv,
    timers: hal.timers, clock: hal.clock, wallClock: hal.wallClock,
    settings: () => ({ acceptTimeoutS: 600, maxReminders: 2 }),
    emit: (type, data) => events.push({ type, data: JSON.parse(JSON.stringify(data)) as Record<string, unknown> }),
    nextSeq: () => events.length + 1, delivered: () => true, deviceId: () => 'bin-x',
    show: () => {}, changed: () => {}, log: () => {},
  });
  const update = (set: AlarmSet<Cause>, alarmId: string, state: AlarmState, ts: number) =>
    set.update({ v: PROTOCOL_VERSION, msg: 'alarm', alarmId, state, ts });
  const set = make();
  set.restore();
  set.raise('fire', 'fire', { tempC: 71.25 });
  set.raise('over1', 'overflow', { fillPct: 96 }, 1);
  set.raise('tilt', 'tilt', { tiltDeg: 64 });
  update(set, 'bin-x.2', 'dispatched', 1000);
  set.clear('over1', { emptiedAt: 123456, fillPct: 2, by: 'crew' });
  set.clear('over1', { fillPct: 1 });
  set.clear('tilt');
  set.raise('tilt', 'tilt', { tiltDeg: 88 }); // back again: a new alarm
  update(set, 'bin-x.1', 'resolved', 2000);
  update(set, 'nobody.9', 'accepted', 2000);
  const open = set.open();
  const counters = set.counters;
  set.close();
  const again = make();
  again.restore();
  const afterRestore = again.open();
  again.close();
  return { events, open, afterRestore, counters };
}
