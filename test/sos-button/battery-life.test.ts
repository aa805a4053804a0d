// The SOS button's battery-life model (simulator/battery-life.ts): sane against the published figures it cites and
// monotonic in what costs energy; its command line prints the estimate.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CURRENT_TABLE, estimateBatteryLife, estimateFromMeasured, STATED_USE } from '../../simulator/battery-life.js';

describe('battery-life model', () => {
  test('every figure names its source; the causes add up to the total', () => {
    for (const figure of Object.values(CURRENT_TABLE)) expect(figure.source).toMatch(/^(anchors|ESP32 datasheet|LIS3DH datasheet|assumption):/);
    const estimate = estimateBatteryLife(STATED_USE);
    const sum = Object.values(estimate.breakdown).reduce((a, b) => a + b, 0);
    expect(sum).toBeCloseTo(estimate.mAhPerDay, 9);
    expect(estimate.days).toBeCloseTo((STATED_USE.capacityMah * STATED_USE.usable) / estimate.mAhPerDay, 9);
  });

  test('reproduces the anchor for a plain Wi-Fi button: years on 1,500 mAh at 10 short presses a day', () => {
    // Such a button connects, sends one message and sleeps again: no linger, no alarm kept open, no check-ins.
    const button = estimateBatteryLife({ ...STATED_USE, fallDetection: false, deepSleep: true, presses: 10, alarmMinutes: 0, checkIns: 0, awakeS: 0, messagesPerConnection: 1 });
    expect(button.days).toBeGreaterThan(2 * 365);
  });

  test('more presses, longer alarms, more check-ins and fall detection each cost battery life', () => {
    const base = estimateBatteryLife(STATED_USE).days;
    expect(estimateBatteryLife({ ...STATED_USE, presses: 20 }).days).toBeLessThan(base);
    expect(estimateBatteryLife({ ...STATED_USE, alarmMinutes: 30 }).days).toBeLessThan(base);
    expect(estimateBatteryLife({ ...STATED_USE, checkIns: 24 }).days).toBeLessThan(base);
    const buttonOnly = estimateBatteryLife({ ...STATED_USE, fallDetection: false }).days;
    expect(buttonOnly).toBeGreaterThan(base);
    expect(estimateBatteryLife({ ...STATED_USE, fallDetection: false, deepSleep: true }).days).toBeGreaterThan(buttonOnly);
    expect(() => estimateBatteryLife({ ...STATED_USE, deepSleep: true })).toThrow(/fall detection off/);
    expect(estimateBatteryLife({ ...STATED_USE, stillHours: 16 }).days).toBeGreaterThan(base);
  });

  test('from a measured duty cycle: the more the radio is up, the shorter the life', () => {
    const quiet = estimateFromMeasured({ uptimeS: 86_400, radioS: 600, wakes: 4, fallDetection: true });
    const busy = estimateFromMeasured({ uptimeS: 86_400, radioS: 20_000, wakes: 40, fallDetection: true });
    expect(busy.days).toBeLessThan(quiet.days);
    expect(quiet.averageMa).toBeGreaterThan(CURRENT_TABLE.lightSleepMa.value);
  });

  test('measured deep sleep (the firmware with fall detection off): the asleep share lengthens the estimate, boots cost', () => {
    const light = estimateFromMeasured({ uptimeS: 86_400, radioS: 300, wakes: 4, fallDetection: false });
    const deep = estimateFromMeasured({ uptimeS: 86_400, radioS: 300, wakes: 0, fallDetection: false, deepSleepS: 86_000, deepSleeps: 4 });
    expect(deep.days).toBeGreaterThan(3 * light.days);
    const moreBoots = estimateFromMeasured({ uptimeS: 86_400, radioS: 300, wakes: 0, fallDetection: false, deepSleepS: 86_000, deepSleeps: 40 });
    expect(moreBoots.days).toBeLessThan(deep.days);
  });

  test('battery:sos --no-fall-detection models the firmware\'s deep sleep; --light-sleep a build without it', async () => {
    const run = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'simulator/battery-life.ts', ...args], { cwd: process.cwd() });
    const deep = (await run('--no-fall-detection')).stdout;
    const light = (await run('--no-fall-detection', '--light-sleep')).stdout;
    expect(deep).toMatch(/deep sleep between presses/);
    expect(deep).toMatch(/deep sleep \(button only\)/);
    expect(light).toMatch(/light sleep between timers/);
    await expect(run('--deep-sleep')).rejects.toMatchObject({ stderr: expect.stringMatching(/needs --no-fall-detection/) });
  }, 60_000);

  test('npm run battery:sos prints the stated use, the breakdown and the estimate', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'simulator/battery-life.ts', '--presses', '2', '--table'], { cwd: process.cwd() });
    expect(stdout).toMatch(/Daily use: 2 presses/);
    expect(stdout).toMatch(/lightSleepMa .*ESP32 datasheet/);
    expect(stdout).toMatch(/Estimated battery life: \d+(\.\d)? (days|years)/);
  }, 60_000);
});
