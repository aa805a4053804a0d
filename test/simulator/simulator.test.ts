import { afterEach, describe, expect, test } from '@jest/globals';
import { execFile } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { Monitor, type DeviceRow } from '../../simulator/monitor.js';
import { startSimulator, type Simulator } from '../../simulator/simulator.js';
import { startTestBroker, uniqueSite, type TestBroker } from '../support/broker.js';

const WAIT_MS = 20_000;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function collect() {
  const output = new PassThrough();
  let text = '';
  output.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  return { output, text: () => text };
}

async function simulator(options: Parameters<typeof startSimulator>[0]): Promise<{ sim: Simulator; text: () => string }> {
  const { output, text } = collect();
  const sim = await startSimulator({ port: 0, tty: false, output, ...options });
  cleanups.push(() => sim.stop());
  return { sim, text };
}

const online = (row: DeviceRow | undefined, boot = 1) => row?.status === 'online' && row.boot === boot;

describe('simulator', () => {
  test('boots devices that come online; a monitor started later sees their retained birth', async () => {
    const site = uniqueSite('sim');
    const { sim, text } = await simulator({ devices: 2, site });
    await sim.monitor.waitFor((m) => online(m.row('sim-1')) && online(m.row('sim-2')), WAIT_MS);

    const late = await Monitor.start({ url: sim.brokerUrl, site });
    cleanups.push(() => late.close());
    await late.waitFor((m) => m.rows.size === 2 && [...m.rows.values()].every((row) => row.status !== undefined), WAIT_MS);
    for (const id of ['sim-1', 'sim-2']) {
      const row = late.row(id)!;
      expect(row).toMatchObject({ status: 'online', statusRetained: true, boot: 1, model: 'generic', reset: 'power-on', invalid: 0 });
    }
    expect(sim.devices.map((device) => device.state)).toEqual(['online', 'online']);
    expect(text()).toMatch(/sim-1 status online boot=1/);
    expect(text()).not.toMatch(/INVALID/);
  });

  test('network cut: the will marks the device offline, events queued meanwhile arrive after the network returns', async () => {
    const site = uniqueSite('sim');
    const { sim } = await simulator({ devices: 1, site, speed: 10 });
    const { monitor } = sim;
    await monitor.waitFor((m) => online(m.row('sim-1')), WAIT_MS);
    const before = monitor.row('sim-1')!.events;

    expect(sim.command('k 1')).toMatch(/network cut/);
    await monitor.waitFor((m) => m.row('sim-1')?.status === 'offline', WAIT_MS);
    expect(sim.command('e 1 test.offline')).toMatch(/queued event #\d+ test\.offline/);
    expect(sim.devices[0]!.queued).toBe(1);

    expect(sim.command('u 1')).toMatch(/network restored/);
    await monitor.waitFor((m) => m.row('sim-1')?.lastEvent?.type === 'test.offline', WAIT_MS);
    const row = monitor.row('sim-1')!;
    expect(row).toMatchObject({ status: 'online', boot: 1 });
    expect(row.conn).toBeGreaterThanOrEqual(2);
    expect(row.events).toBe(before + 1);
  });

  test('restart reboots a device on the same storage: boot counter up, reset reason reported', async () => {
    const site = uniqueSite('sim');
    const { sim } = await simulator({ devices: 2, site, speed: 10 });
    await sim.monitor.waitFor((m) => online(m.row('sim-1')) && online(m.row('sim-2')), WAIT_MS);
    expect(sim.command('r 2')).toMatch(/sim-2: restarting/);
    await sim.monitor.waitFor((m) => online(m.row('sim-2'), 2), WAIT_MS);
    expect(sim.monitor.row('sim-2')).toMatchObject({ reset: 'external', model: 'generic' });
    expect(sim.monitor.row('sim-1')).toMatchObject({ status: 'online', boot: 1 });
    expect(sim.command('x 1')).toMatch(/unknown command/);
    expect(sim.command('r 9')).toMatch(/no device/);
  });

  test('the restart command resets the device through its HAL: result ok, then boot 2 with reset "software"', async () => {
    const site = uniqueSite('sim');
    const { sim } = await simulator({ devices: 1, site, speed: 5 });
    await sim.monitor.waitFor((m) => online(m.row('sim-1')), WAIT_MS);
    const results: string[] = [];
    sim.monitor.onUpdate((update) => {
      if (update.kind === 'message' && update.message.msg === 'result') results.push(`${update.message.reqId} ${update.message.code}`);
    });
    const platform = await import('mqtt').then(({ connectAsync }) => connectAsync(sim.brokerUrl, { protocolVersion: 4 }));
    cleanups.push(() => platform.endAsync());
    const command = { v: 1, msg: 'command', reqId: 'reboot-1', name: 'restart', exp: Date.now() + 600_000 };
    await platform.publishAsync(`ct/v1/${site}/sim-1/command`, JSON.stringify(command), { qos: 1 });
    await sim.monitor.waitFor((m) => online(m.row('sim-1'), 2), WAIT_MS);
    expect(results).toEqual(['reboot-1 ok']);
    expect(sim.monitor.row('sim-1')).toMatchObject({ reset: 'software' });
  });

  test('works against an external broker and stops by itself after --duration', async () => {
    const broker: TestBroker = await startTestBroker();
    cleanups.push(() => broker.close());
    const site = uniqueSite('sim');
    const watcher = await Monitor.start({ url: broker.url, site });
    cleanups.push(() => watcher.close());
    const { sim, text } = await simulator({ devices: 1, site, broker: broker.url, durationS: 3 });
    expect(sim.brokerUrl).toBe(broker.url);
    await watcher.waitFor((m) => online(m.row('sim-1')), WAIT_MS);
    await sim.finished;
    expect(text()).toMatch(/stopped/);
    // Stopping powers devices off without a goodbye: the broker publishes their will.
    await watcher.waitFor((m) => m.row('sim-1')?.status === 'offline', WAIT_MS);
  });

  test('the monitor counts and reports messages that fail validation', async () => {
    const site = uniqueSite('sim');
    const { sim } = await simulator({ devices: 1, site });
    const invalid: string[] = [];
    sim.monitor.onUpdate((update) => { if (update.kind === 'invalid') invalid.push(update.error); });
    const rogue = await import('mqtt').then(({ connectAsync }) => connectAsync(sim.brokerUrl, { protocolVersion: 4 }));
    cleanups.push(() => rogue.endAsync());
    await rogue.publishAsync(`ct/v1/${site}/rogue-1/event`, JSON.stringify({ v: 1, msg: 'event', dev: 'rogue-1' }), { qos: 1 });
    await sim.monitor.waitFor((m) => m.row('rogue-1')?.invalid === 1, WAIT_MS);
    expect(invalid).toHaveLength(1);
    expect(invalid[0]).toMatch(/^event\./);
  });

  test('rejects bad options with a clear error', async () => {
    await expect(startSimulator({ devices: 0, port: 0 })).rejects.toThrow(/count must be 1–999/);
    await expect(startSimulator({ fleet: 'toaster:2', port: 0 })).rejects.toThrow(/unknown device kind "toaster"/);
    await expect(startSimulator({ fleet: 'generic:1', devices: 2, port: 0 })).rejects.toThrow(/either a fleet or a device count/);
    await expect(startSimulator({ site: 'no/slashes', port: 0 })).rejects.toThrow(/not a valid id/);
    await expect(startSimulator({ broker: 'http://example.org', port: 0 })).rejects.toThrow(/only mqtt:\/\//);
    // Devices refuse a broker on the network without TLS and their own credentials; the simulator has none to give.
    await expect(startSimulator({ broker: 'mqtt://192.0.2.1:1883', port: 0 })).rejects.toThrow(/192\.0\.2\.1 is not loopback.*--insecure/);
    await expect(startSimulator({ broker: 'mqtts://broker.example:8883', port: 0 })).rejects.toThrow(/not loopback.*--insecure/);
  });
});

describe('npm start CLI', () => {
  const run = promisify(execFile);

  test('--help describes the options and exits 0', async () => {
    const { stdout } = await run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'simulator/main.ts', '--help'], { timeout: WAIT_MS });
    for (const option of ['--fleet', '--devices', '--site', '--broker', '--insecure', '--port', '--speed', '--duration', '--data-dir']) expect(stdout).toContain(option);
  });

  test('a bad option fails with a message', async () => {
    const failed = run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'simulator/main.ts', '--devices', 'many'], { timeout: WAIT_MS });
    await expect(failed).rejects.toMatchObject({ code: 1, stderr: expect.stringMatching(/--devices.*expected an integer/s) });
  });
});
