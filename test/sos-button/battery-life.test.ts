// The SOS button's battery-life model (simulator/battery-life.ts): sane against the published figures it cites and
// monotonic in what costs energy; every documented row (current table, uses, the typical resident) is what it
// prints; its command line prints the estimate and ends with the issue 13 summary.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { CommanderError } from 'commander';
import { IMPACT_DECISION_MS, IMPACT_JUDGE_MAX_MS } from '../../firmware/apps/sos-button/fall-watch.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import {
  CURRENT_TABLE, describeDuration, estimateBatteryLife, estimateFromMeasured, formatTable, IMPACT_AWAKE_AFTER_BOOT_S, IMPACT_WAKES_PER_HOUR,
  parseBatteryCommand,
  RESIDENT_MOVING_HOURS, residentLine, STATED_USE, TYPICAL_RESIDENT,
} from '../../simulator/battery-life.js';

const DOC = readFileSync(new URL('../../docs/sos-button.md', import.meta.url), 'utf8');
const README = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
/** The estimate the command prints for a command line, as the docs write it. */
const estimateFor = (argv: string[]) => describeDuration(estimateBatteryLife(parseBatteryCommand(argv).use).days);
/** The rows of the markdown table that follows `heading` in the docs, as cells. */
function docTable(heading: string): string[][] {
  const start = DOC.indexOf(heading);
  expect(start).toBeGreaterThanOrEqual(0);
  const lines = DOC.slice(start).split('\n').slice(1);
  const first = lines.findIndex((line) => line.startsWith('|'));
  const end = lines.findIndex((line, i) => i > first && !line.startsWith('|'));
  return lines.slice(first + 2, end).map((line) => line.split('|').slice(1, -1).map((cell) => cell.trim()));
}

describe('battery-life model', () => {
  test('every figure names its source; the causes add up to the total', () => {
    for (const figure of Object.values(CURRENT_TABLE)) expect(figure.source).toMatch(/^(anchors|ESP32 datasheet|LIS3DH datasheet|firmware|simulation|assumption):/);
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
    expect(estimateBatteryLife({ ...STATED_USE, deepSleep: true, impactWakesPerHour: 0 }).days).toBeGreaterThan(base); // woken on impact, never woken
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

  test('every row of the documented current table is the model\'s figure, in its unit, and every figure has a row', () => {
    const rows = docTable('Current table, with sources');
    const printed = formatTable();
    const documented = rows.map(([key, , value]) => {
      const name = /^`(\w+)`$/.exec(key!)?.[1] as keyof typeof CURRENT_TABLE;
      const [, number, unit] = /^([\d.]+) (mA|s)$/.exec(value!) ?? [];
      expect({ key, value, figure: CURRENT_TABLE[name]?.value }).toEqual({ key, value, figure: Number(number) });
      expect({ key, unit }).toEqual({ key, unit: name.endsWith('Ma') ? 'mA' : 's' });
      expect(printed).toMatch(new RegExp(`^  ${name} +${CURRENT_TABLE[name].value}  `, 'm'));
      return name;
    });
    expect(documented.sort()).toEqual(Object.keys(CURRENT_TABLE).sort());
  });

  test('a wake on impact costs its wake time, then the awake time measured with the wake rate (at least the decision, at most the cap)', () => {
    expect(CURRENT_TABLE.bootS.value).toBe(IMPACT_WAKE.wakeMs / 1000);
    expect(CURRENT_TABLE.impactWakeS.value).toBe(IMPACT_AWAKE_AFTER_BOOT_S);
    expect(IMPACT_AWAKE_AFTER_BOOT_S).toBeGreaterThanOrEqual(IMPACT_DECISION_MS / 1000);
    expect(IMPACT_AWAKE_AFTER_BOOT_S).toBeLessThanOrEqual(IMPACT_JUDGE_MAX_MS / 1000);
  });

  test('every documented use, run with the flags its row gives, prints the documented estimate', () => {
    const rows = docTable('Other uses (same table');
    expect(rows.length).toBeGreaterThanOrEqual(7);
    const seen = new Set<string>();
    for (const [use, estimate] of rows) {
      const flags = /\(`([^`]+)`\)$/.exec(use!)?.[1];
      expect({ use, flags }).toEqual({ use, flags: expect.any(String) }); // every row says how to get it
      seen.add(estimateFor(flags!.split(' ')));
      expect({ use, printed: estimateFor(flags!.split(' ')) }).toEqual({ use, printed: estimate });
    }
    expect(seen.size).toBe(rows.length); // no two rows collapse onto one model (a flag ignored)
  });

  test('the stated use\'s breakdown in the docs is what the model computes, cause by cause', () => {
    const { breakdown, mAhPerDay, days } = estimateBatteryLife(parseBatteryCommand([]).use);
    const rows = docTable('**Stated daily use**');
    const documented = Object.fromEntries(rows.filter(([cause]) => !cause!.startsWith('**')).map(([cause, value]) => [cause, value]));
    expect(documented).toEqual(Object.fromEntries(Object.entries(breakdown).map(([cause, value]) => [cause, value.toFixed(2)])));
    expect(rows.at(-1)![1]).toMatch(new RegExp(`^\\*\\*${mAhPerDay.toFixed(2)}\\*\\* .*about ${describeDuration(days)}\\*\\*$`));
  });

  test('sleep flags choose the idle mode in both modes; what cannot apply is refused, not ignored', () => {
    const refused = (argv: string[]) => {
      let message = '';
      expect(() => parseBatteryCommand(argv, { writeErr: (text) => { message += text; } })).toThrow(CommanderError);
      return message;
    };
    expect(refused(['--no-fall-detection', '--deep-sleep', '--light-sleep'])).toMatch(/exclude each other/);
    expect(refused(['--impact-wakes', '10'])).toMatch(/--impact-wakes needs fall detection on and --deep-sleep/);
    expect(refused(['--no-fall-detection', '--deep-sleep', '--impact-wakes', '10'])).toMatch(/--impact-wakes needs/);
    expect(refused(['--moving-hours', '5'])).toMatch(/--moving-hours needs fall detection on and --deep-sleep/);
    expect(refused(['--no-fall-detection', '--moving-hours', '5'])).toMatch(/--moving-hours needs/);
    expect(refused(['--deep-sleep', '--moving-hours', '25'])).toMatch(/a number from 0 to 24/);
    expect(parseBatteryCommand(['--deep-sleep', '--moving-hours', '5.6']).use.movingHours).toBe(5.6);
    // With the detector on: light sleep by default (said explicitly or not), deep sleep woken on impact on request.
    expect(parseBatteryCommand(['--light-sleep']).use).toEqual(parseBatteryCommand([]).use);
    const impact = parseBatteryCommand(['--deep-sleep']).use;
    expect([impact.deepSleep, impact.fallDetection, impact.impactWakesPerHour]).toEqual([true, true, IMPACT_WAKES_PER_HOUR]);
    expect(parseBatteryCommand(['--deep-sleep', '--impact-wakes', '10']).use.impactWakesPerHour).toBe(10);
    expect(refused(['--presses', '-1'])).toMatch(/a number from 0 to 1000/);
    const light = parseBatteryCommand(['--no-fall-detection', '--light-sleep']).use;
    const deep = parseBatteryCommand(['--no-fall-detection', '--deep-sleep']).use;
    expect([light.deepSleep, deep.deepSleep]).toEqual([false, true]);
    expect(parseBatteryCommand(['--no-fall-detection']).use).toEqual(deep);
  });

  test('battery:sos --no-fall-detection models the firmware\'s deep sleep; --light-sleep a build without it', async () => {
    const run = (...args: string[]) => promisify(execFile)('npx', ['tsx', 'simulator/battery-life.ts', ...args], { cwd: process.cwd() });
    const deep = (await run('--no-fall-detection')).stdout;
    const light = (await run('--no-fall-detection', '--light-sleep')).stdout;
    expect(deep).toMatch(/deep sleep between presses/);
    expect(deep).toMatch(/deep sleep \(button only\)/);
    expect(light).toMatch(/light sleep between timers/);
    const impact = (await run('--deep-sleep')).stdout;
    expect(impact).toContain(`deep sleep woken on impact (${IMPACT_WAKES_PER_HOUR} wakes per moving hour, ${STATED_USE.movingHours} h moving)`);
    expect(impact).toMatch(/wakes on impact \(boot \+ decide\)/);
    await expect(run('--impact-wakes', '3')).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/needs fall detection on and --deep-sleep/) });
    // The issue 13 summary comes last, for the typical resident whatever the flags.
    for (const out of [deep, light, impact]) expect(out.trimEnd().split('\n').at(-1)).toBe(residentLine());
  }, 60_000);

  test('wake on impact: the floor is the board asleep, each wake costs a boot and the decision; more wakes, less life', () => {
    const use = { ...STATED_USE, deepSleep: true };
    const wakes = (perHour: number) => estimateBatteryLife({ ...use, impactWakesPerHour: perHour });
    const none = wakes(0);
    expect(none.breakdown['wakes on impact (boot + decide)']).toBe(0);
    expect(none.breakdown['deep sleep']).toBeCloseTo(CURRENT_TABLE.buttonAsleepMa.value * 24, 9);
    expect(none.breakdown['light sleep between timers']).toBeUndefined();
    const t = (key: keyof typeof CURRENT_TABLE) => CURRENT_TABLE[key].value;
    const perWakeMah = (t('cpuMa') * (t('bootS') + t('impactWakeS') * 2 * t('pollS')) + t('lightSleepMa') * t('impactWakeS')) / 3600;
    expect(wakes(10).breakdown['wakes on impact (boot + decide)']).toBeCloseTo(10 * use.movingHours * perWakeMah, 9);
    expect(wakes(100).days).toBeLessThan(wakes(10).days);
    // Only the moving hours wake it: fewer of them, fewer wakes; the light-sleep mode's FIFO reads do not depend on them.
    const fewerHours = estimateBatteryLife({ ...use, impactWakesPerHour: 10, movingHours: 4 });
    expect(fewerHours.breakdown['wakes on impact (boot + decide)']).toBeCloseTo(10 * 4 * perWakeMah, 9);
    expect(estimateBatteryLife({ ...STATED_USE, movingHours: 4 })).toEqual(estimateBatteryLife(STATED_USE));
    // The typical resident's line: the detector on (woken on impact) and button only, from the same profile.
    expect(residentLine()).toBe(`fall_detection_on_days=${estimateBatteryLife(TYPICAL_RESIDENT).days.toFixed(0)} `
      + `button_only_days=${estimateBatteryLife({ ...TYPICAL_RESIDENT, fallDetection: false }).days.toFixed(0)}`);
    expect(TYPICAL_RESIDENT).toMatchObject({
      fallDetection: true, deepSleep: true, impactWakesPerHour: IMPACT_WAKES_PER_HOUR, movingHours: RESIDENT_MOVING_HOURS, capacityMah: 1500,
    });
  });

  test('the docs and the README state the summary line the command prints for the typical resident', () => {
    const [on, off] = [...residentLine().matchAll(/=(\d+)/g)].map((match) => match[1]);
    expect(DOC).toContain(`\`${residentLine()}\``);
    expect(README).toContain(`**${on} and ${off} days**`);
    // The documented typical-resident row is the summary's profile, and its figure the summary's.
    const row = docTable('Other uses (same table').find(([use]) => use!.startsWith('**the typical resident**'))!;
    expect(row[1]).toBe(`${on} days`);
    expect(row[0]).toContain(`--moving-hours ${RESIDENT_MOVING_HOURS}\``);
  });

  test('npm run battery:sos prints the stated use, the breakdown and the estimate', async () => {
    const { stdout } = await promisify(execFile)('npx', ['tsx', 'simulator/battery-life.ts', '--presses', '2', '--table'], { cwd: process.cwd() });
    expect(stdout).toMatch(/Daily use: 2 presses/);
    expect(stdout).toMatch(/lightSleepMa .*ESP32 datasheet/);
    expect(stdout).toMatch(/Estimated battery life: \d+(\.\d)? (days|years)/);
  }, 60_000);
});
