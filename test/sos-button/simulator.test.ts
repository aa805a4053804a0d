// The SOS button in the simulator: its kind's commands and status line on a stepped clock, and a smoke run in
// the real simulator (embedded broker, real time sped up) where the platform side sees it sleep and raise.
import { afterEach, describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import { DEVICE_KINDS } from '../../simulator/kinds/index.js';
import { sosButtonKind } from '../../simulator/kinds/sos-button.js';
import { fallsDataDir, recordingFiles } from '../../simulator/kinds/sos-motion.js';
import { startSimulator, type Simulator } from '../../simulator/simulator.js';
import { uniqueSite } from '../support/broker.js';
import { BrokerMqtt } from '../support/broker-mqtt.js';
import { steppedDevice } from '../support/device.js';
import { createHostHal, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

function simulated() {
  const device = steppedDevice({
    kind: sosButtonKind,
    provisioning: { site: 's', device: 'sim-1', host: '127.0.0.1', port: 1883 },
    transport: (timers) => new BrokerMqtt(timers),
  }).boot();
  device.transport!.deliver('ct/v1/s/sim-1/config/desired', JSON.stringify({ v: 1, msg: 'config.desired', version: 1, config: sosButtonKind.desiredConfig }), true);
  const run = (verb: string, ...args: string[]) => device.kindCommand(verb, args);
  const events = (type: string) => device.messages<{ type: string; data: Record<string, unknown> }>('event').filter((e) => e.type === type);
  return { world: device.world, clock: { advance: (ms: number) => device.advance(ms) }, run, events, describe: () => device.describe() };
}

describe('simulator kind sos-button', () => {
  test('is registered, and its commands press, hold and set the battery; describe() shows alarm and battery', () => {
    expect(DEVICE_KINDS['sos-button']).toBe(sosButtonKind);
    const s = simulated();
    expect(s.describe()).toMatch(/^no alarm · battery \d+ %$/);
    expect(s.run('press')).toMatch(/pressed/);
    s.clock.advance(500);
    expect(s.describe()).toMatch(/^press: alarm in 3 s/);
    s.clock.advance(3000);
    expect(s.events('alarm.raised')).toHaveLength(1);
    expect(s.describe()).toMatch(/^alarm sent \(button\)/);

    expect(s.run('battery', '3650')).toMatch(/3650 mV/);
    s.clock.advance(61_000);
    expect(s.events('battery.low')).toHaveLength(1);
    expect(s.describe()).toMatch(/battery \d+ % LOW · radio \d+ % · est\. \d+ days/);
    expect(() => s.run('battery', 'lots')).toThrow(/mV/);
    expect(() => s.run('hold', '-1')).toThrow(/seconds/);
  });

  test('a press lets go after its hold even when the device\'s clock lagged the world\'s as it began', () => {
    // In real time the device's clock stands at an overdue timer's time until that timer fires, so it can lag the
    // world's clock when a press comes, and the release timer (set on the device's clock) then fires a moment
    // before the world's release time. The line must go high all the same, or the next press makes no edge.
    const clock = new SteppedClock();
    let lag = 20;
    const world = sosButtonKind.createWorld({ now: () => clock.now() + lag, inputChanged: () => {} });
    const hal = createHostHal({ storage: createHostStorage({ partitions: {} }), board: sosButtonKind.board, clock, transport: new BrokerMqtt(clock.timers) });
    world.attach(hal);
    const pin = sosButtonKind.board.pin.button!;
    const { Digital } = hal.device.io;
    new Digital({ pin, mode: Digital.InputPullUp }); // as the app's button driver opens it: released reads high
    const line = hal.io.pin(pin);
    world.holdButton(200);
    expect(line.level).toBe(0);
    lag = 0; // the overdue timer has fired: the device's clock caught up
    clock.advance(199);
    expect(line.level).toBe(0);
    clock.advance(1);
    expect(line.level).toBe(1);
    expect(world.buttonDown).toBe(true); // by the world's clock the hold has 20 ms to go
    // A press that replaced the hold is not let go by the old hold's timer.
    world.holdButton(200);
    world.setButton(true);
    clock.advance(500);
    expect(line.level).toBe(0);
    world.setButton(false);
    expect(line.level).toBe(1);
  });

  test('fall without a data set plays the synthetic fall; hold cancels it; adl raises nothing', () => {
    const saved = process.env.FALLS_DATA;
    process.env.FALLS_DATA = '/nonexistent/falls';
    try {
      const s = simulated();
      expect(s.run('fall')).toMatch(/synthetic-fall/);
      for (let i = 0; i < 400 && !/fall: alarm in/.test(s.describe()); i++) s.clock.advance(100);
      expect(s.describe()).toMatch(/^fall: alarm in \d+ s/);
      expect(s.run('hold')).toMatch(/held 3 s/);
      s.clock.advance(5000);
      expect(s.events('fall.cancelled')).toHaveLength(1);
      expect(s.run('adl')).toMatch(/synthetic-activity/);
      s.clock.advance(120_000);
      expect(s.events('alarm.raised')).toHaveLength(0);
      expect(s.describe()).toMatch(/^no alarm/);
    } finally {
      if (saved === undefined) delete process.env.FALLS_DATA;
      else process.env.FALLS_DATA = saved;
    }
  });

  (recordingFiles(fallsDataDir()).length > 0 ? test : test.skip)('fall ID plays that recording from the shared data set; an unknown id is an error', () => {
    const s = simulated();
    expect(s.run('fall', 'SA01/F01_SA01_R01')).toMatch(/playing SA01\/F01_SA01_R01 \(fall/);
    expect(() => s.run('adl', 'no-such-recording')).toThrow(/no recording/);
  }, 60_000);
});

describe('simulator with an SOS button', () => {
  let sim: Simulator | undefined;
  afterEach(async () => {
    await sim?.stop();
    sim = undefined;
  });

  test('the platform sees it online, then sleeping; a press reaches it as alarm.raised', async () => {
    const output = new PassThrough();
    output.resume();
    sim = await startSimulator({ fleet: 'sos-button:1', site: uniqueSite('sos'), port: 0, tty: false, output, speed: 20 });
    const { monitor } = sim;
    await monitor.waitFor((m) => m.row('sim-1')?.status === 'sleeping', 20_000);
    expect(sim.command('press 1')).toMatch(/button pressed/);
    await monitor.waitFor((m) => m.row('sim-1')?.lastEvent?.type === 'alarm.raised', 20_000);
    expect(sim.devices[0]!.describe()).toMatch(/alarm (sent|ESCALATED) \(button\)/);
    expect(monitor.row('sim-1')?.invalid).toBe(0);
  }, 60_000);

  test('with fall detection off it deep-sleeps (no instance runs); a press wakes it and raises the alarm', async () => {
    const output = new PassThrough();
    output.resume();
    const site = uniqueSite('sos-deep');
    sim = await startSimulator({ fleet: 'sos-button:1', site, port: 0, tty: false, output, speed: 20 });
    const { monitor } = sim;
    await monitor.sendDesiredConfig(site, 'sim-1', Math.floor(Date.now() / 1000) + 1000, { ...sosButtonKind.desiredConfig, fallDetection: false });
    const device = sim.devices[0]!;
    await until(() => device.state === 'deep-sleep', 30_000);
    expect(device.runtime).toBeUndefined();
    expect(device.describe()).toMatch(/^deep sleep/);
    expect(sim.command('press 1')).toMatch(/button pressed/);
    await monitor.waitFor((m) => m.row('sim-1')?.lastEvent?.type === 'alarm.raised', 20_000);
    expect(device.hal?.system.resetReason()).toBe('deep-sleep');
    expect(device.hal?.system.wakeCause?.()).toMatchObject({ by: 'pin', pins: [33] });
    expect(monitor.row('sim-1')?.invalid).toBe(0);
  }, 60_000);

  test('with impactWake it deep-sleeps with fall detection on; `fall` during the sleep wakes it on INT1 (the chip watched on)', async () => {
    const output = new PassThrough();
    output.resume();
    const site = uniqueSite('sos-impact');
    sim = await startSimulator({ fleet: 'sos-button:1', site, port: 0, tty: false, output, speed: 20 });
    const { monitor } = sim;
    await monitor.sendDesiredConfig(site, 'sim-1', Math.floor(Date.now() / 1000) + 1000, { ...sosButtonKind.desiredConfig, impactWake: true });
    const device = sim.devices[0]!;
    await until(() => device.state === 'deep-sleep', 30_000);
    const boots = device.boots;
    // One recording (it wakes the chip) when the shared data is there, else the synthetic fall: no random pick.
    expect(sim.command(recordingFiles(fallsDataDir()).length > 0 ? 'fall 1 SA01/F01_SA01_R01' : 'fall 1')).toMatch(/playing .* \(fall/);
    await until(() => device.boots > boots, 30_000);
    expect(device.hal?.system.resetReason()).toBe('deep-sleep');
    expect(device.hal?.system.wakeCause?.()).toMatchObject({ by: 'pin', pins: [34] });
  }, 60_000);

  test('a reset (the EN button) ends a deep sleep: it boots as after any reset, then sleeps again', async () => {
    const output = new PassThrough();
    output.resume();
    const site = uniqueSite('sos-reset');
    sim = await startSimulator({ fleet: 'sos-button:1', site, port: 0, tty: false, output, speed: 20 });
    await sim.monitor.sendDesiredConfig(site, 'sim-1', Math.floor(Date.now() / 1000) + 1000, { ...sosButtonKind.desiredConfig, fallDetection: false });
    const device = sim.devices[0]!;
    await until(() => device.state === 'deep-sleep', 30_000);
    device.restart('external');
    await until(() => device.runtime !== undefined, 10_000);
    expect(device.hal?.system.resetReason()).toBe('external');
    expect(device.hal?.system.wakeCause?.()).toBeUndefined();
    await until(() => device.state === 'deep-sleep', 30_000);
  }, 60_000);
});

async function until(condition: () => boolean, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
