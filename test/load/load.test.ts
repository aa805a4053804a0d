// Small runs of the load and soak scripts, as a user runs them (tsx, the CLI), against the broker they pick
// (mosquitto when installed, else the embedded aedes), and once against aedes explicitly. They check the printed
// figures' shape and that nothing was lost; duplicates are allowed (QoS 1 redelivery), so only counted.
import { describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import mqtt from 'mqtt';
import { findMosquitto, openLoadBroker } from '../../scripts/load/broker.js';
import { histogram, percentile } from '../../scripts/load/stats.js';

const run = promisify(execFile);
const tsx = (script: string, args: string[], timeout: number) =>
  run(process.execPath, ['node_modules/tsx/dist/cli.mjs', script, ...args], { timeout, maxBuffer: 4 << 20 });

const LOAD_LINE = /^devices=(\d+) connected=(\d+) events=(\d+) lost=(\d+) duplicates=(\d+) event_p99_ms=(\d+) alarm_p99_ms=(\d+) rss_mb=(\d+)$/;
const SOAK_LINE = /^events=(\d+) lost=(\d+) duplicates=(\d+)$/;

const lastLine = (stdout: string) => stdout.trimEnd().split('\n').at(-1) ?? '';

describe('npm run load', () => {
  // 20 devices for 6 s with a broker restart at 3 s, the drain and the tsx start-up: ~15 s alone, more on a
  // loaded 2-core machine.
  test('20 devices with a broker restart: all connected, nothing lost, the figures line last', async () => {
    const { stdout } = await tsx('scripts/load/load.ts', ['--devices', '20', '--duration', '6', '--sos-share', '0.25', '--broker-restart', '--drain', '20'], 60_000);
    const match = LOAD_LINE.exec(lastLine(stdout));
    expect(match).not.toBeNull();
    const [, devices, connected, events, lost, duplicates] = match!.map(Number);
    expect(devices).toBe(20);
    expect(connected).toBe(20);
    expect(events).toBe(60); // 3 events per device
    expect(lost).toBe(0);
    expect(duplicates).toBeGreaterThanOrEqual(0);
    expect(stdout).toMatch(/broker restart: 20\/20 births at the platform/);
    expect(stdout).toMatch(/alarms: 5 pressed, 5 raised at the platform/); // the 5 SOS buttons, once each
  }, 60_000);

  // Same, shorter, on the embedded aedes (the fallback when mosquitto is not installed).
  test('on aedes', async () => {
    const { stdout } = await tsx('scripts/load/load.ts', ['--devices', '10', '--duration', '4', '--use', 'aedes'], 45_000);
    expect(stdout).toMatch(/^broker: aedes /m);
    const match = LOAD_LINE.exec(lastLine(stdout));
    expect(match).not.toBeNull();
    expect(Number(match![2])).toBe(10);
    expect(Number(match![4])).toBe(0);
  }, 45_000);

  test('bad arguments are refused', async () => {
    await expect(tsx('scripts/load/load.ts', ['--devices', 'many'], 20_000)).rejects.toMatchObject({ stderr: expect.stringMatching(/--devices/) });
  });
});

describe('npm run soak', () => {
  // 3 broker restarts and 3 power cuts on 10 devices: ~10 s, more on a loaded machine.
  test('3 broker restarts and 3 power cuts: nothing lost', async () => {
    const { stdout } = await tsx('scripts/load/soak.ts', ['--devices', '10', '--restarts', '3', '--power-cuts', '3'], 60_000);
    expect(stdout).toMatch(/^broker restarts=3 power_cuts=3$/m);
    const match = SOAK_LINE.exec(lastLine(stdout));
    expect(match).not.toBeNull();
    const [, events, lost, duplicates] = match!.map(Number);
    expect(events).toBeGreaterThanOrEqual(10 * 3 * 3 - 3 * 3); // a device that is off during its burst skips it
    expect(lost).toBe(0);
    expect(duplicates).toBeGreaterThanOrEqual(0);
  }, 60_000);
});

describe('the broker a run starts', () => {
  // Without a persistence file mosquitto forgets the platform's session on a restart, and events published before
  // the platform re-subscribes are lost (the soak found it: mosquitto started as root drops to its own user and
  // could not write in a directory only root may write).
  (findMosquitto() ? test : test.skip)('mosquitto keeps a persistent session and its queued message across a restart', async () => {
    const broker = await openLoadBroker({ use: 'mosquitto' });
    try {
      const platform = await mqtt.connectAsync(broker.url, { clientId: 'keep-me', clean: false, reconnectPeriod: 0 });
      await platform.subscribeAsync('q/t', { qos: 1 });
      await platform.endAsync();
      const device = await mqtt.connectAsync(broker.url, { clientId: 'pub', reconnectPeriod: 0 });
      await device.publishAsync('q/t', 'while away', { qos: 1 });
      await device.endAsync();
      await broker.restart();
      // Listening before the CONNACK: the broker sends the queued message right after it.
      const back = mqtt.connect(broker.url, { clientId: 'keep-me', clean: false, reconnectPeriod: 0, resubscribe: false });
      let timer: NodeJS.Timeout | undefined;
      const got = await new Promise<string>((resolve, reject) => {
        back.once('message', (_topic, payload) => resolve(payload.toString()));
        back.once('error', reject);
        timer = setTimeout(() => reject(new Error('the queued message did not survive the restart')), 5000);
      }).finally(() => clearTimeout(timer));
      await back.endAsync();
      expect(got).toBe('while away');
    } finally {
      await broker.close();
    }
  });
});

describe('figures helpers', () => {
  test('percentile by nearest rank', () => {
    const samples = Array.from({ length: 100 }, (_, i) => i + 1);
    expect(percentile(samples, 99)).toBe(99);
    expect(percentile(samples, 50)).toBe(50);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 99)).toBeNaN();
  });

  test('histogram puts every sample in a bucket', () => {
    const lines = histogram([0, 10, 20, 990, 999], 10);
    expect(lines).toHaveLength(10);
    const counts = lines.map((line) => Number(/ms\s+(\d+)/.exec(line)![1]));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(5);
    expect(counts[0]).toBe(3);
    expect(counts[9]).toBe(2);
  });
});
