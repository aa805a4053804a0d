// The AlarmSet scenario (alarm-set-scenario.ts) inside XS, over the host-backed HAL (test/alarms/xs.test.ts).
import { createHalProxy } from '../support/xs/hal-proxy.js';
import { runAlarmSetScenario, type ScenarioOutcome } from './alarm-set-scenario.js';

export function main(): ScenarioOutcome {
  const hal = createHalProxy();
  return runAlarmSetScenario({ kv: hal.storage.kv, clock: hal.clock, wallClock: hal.wallClock, timers: hal.timers });
}
