// The shared alarm service on the real XS engine: the same events, open alarms and restored state as on Node.
import { afterAll, expect, test } from '@jest/globals';
import { SteppedClock } from '../../hal/host/clock.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { runAlarmSetScenario, type ScenarioOutcome } from './alarm-set-scenario.js';

afterAll(() => killAllWorkers());

test('AlarmSet with clear() gives on XS exactly what it gives on Node', async () => {
  const clock = new SteppedClock();
  const node = runAlarmSetScenario({ kv: new MemoryKeyValueStore(), clock, wallClock: clock.wallClock, timers: clock.timers });
  expect(node.events.map((e) => `${e.type} ${String(e.data.alarmId)}`)).toEqual([
    'alarm.raised bin-x.1', 'alarm.raised bin-x.2', 'alarm.raised bin-x.3', 'alarm.cleared bin-x.2', 'alarm.cleared bin-x.3', 'alarm.raised bin-x.6',
  ]);
  expect(node.events[3]!.data).toEqual({ alarmId: 'bin-x.2', cause: 'overflow', c: 1, at: 0, emptiedAt: 123456, fillPct: 2, by: 'crew' });
  expect(node.afterRestore).toEqual(node.open);
  expect(node.open).toEqual([
    { key: 'tilt', id: 'bin-x.6', cause: 'tilt', state: 'sent', escalated: false, reminders: 0 },
    { key: 'over1', id: 'bin-x.2', cause: 'overflow', state: 'dispatched', escalated: false, reminders: 0, c: 1, cleared: true },
  ]);
  const run = await runOnXs({ entry: 'test/alarms/xs-entry.ts' });
  expect(run.result as ScenarioOutcome).toEqual(node);
}, 60_000);
