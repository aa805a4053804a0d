import { parseOutbound, validateOutbound } from '../../firmware/protocol/validate.js';
import type { ResultMessage, StatusMessage, EventMessage, ReportedConfigMessage } from '../../firmware/protocol/messages.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice, WALL_TIME } from '../support/device.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';

const PREFIX = 'ct/v1/test-site/dev-1';

function device(options: Partial<ConstructorParameters<typeof TestDevice>[0]> = {}) {
  let fake!: FakeMqtt;
  const d = new TestDevice({ transport: () => (fake = new FakeMqtt()), ...options });
  return { d, mqtt: () => fake };
}

function command(reqId: string, name: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({ v: 1, msg: 'command', reqId, name, exp: WALL_TIME + 60_000, ...extra });
}

describe('DeviceRuntime lifecycle', () => {
  it('boots, connects with a retained offline will, publishes a retained birth and subscribes', () => {
    const { d, mqtt } = device();
    d.boot();
    expect(d.runtime.state).toBe('online');
    expect(d.runtime.boot).toBe(1);
    const options = mqtt().options!;
    // site.device: two sites' devices of the same name never share a session on one broker.
    expect(options.clientId).toBe('test-site.dev-1');
    expect(options.will).toMatchObject({ topic: `${PREFIX}/status`, qos: 1, retain: true });
    expect(JSON.parse(options.will!.payload)).toEqual({ v: 1, msg: 'status', dev: 'dev-1', state: 'offline', boot: 1, conn: 1 });
    const birth = mqtt().published.find((p) => p.topic === `${PREFIX}/status`)!;
    expect(birth.retain).toBe(true);
    expect(JSON.parse(birth.payload)).toMatchObject({ state: 'online', boot: 1, conn: 1, model: 'test', cfgVer: 0, seq: 0 });
    expect(mqtt().subscriptions.sort()).toEqual([`${PREFIX}/alarm`, `${PREFIX}/command`, `${PREFIX}/config/desired`]);
    expect(mqtt().published.find((p) => p.topic === `${PREFIX}/config/reported`)?.retain).toBe(true);
  });

  it('publishes only messages that pass the protocol validator', () => {
    const { d, mqtt } = device();
    d.boot();
    d.runtime.emit('door.opened', { door: 1 });
    d.runtime.telemetry({ battery: 88 });
    mqtt().deliver(`${PREFIX}/command`, command('q1', 'ping'));
    for (const p of mqtt().published) {
      const verdict = validateOutbound(JSON.parse(p.payload));
      expect(verdict).toEqual(expect.objectContaining({ ok: true }));
    }
    expect(mqtt().published.length).toBeGreaterThanOrEqual(5);
  });

  it('counts boots across power cycles and stays unprovisioned without provisioning', () => {
    const { d, mqtt } = device();
    d.boot().powerCycle().powerCycle();
    expect(d.runtime.boot).toBe(3);
    const bare = device({ provisioning: false });
    bare.d.boot();
    expect(bare.d.runtime.state).toBe('unprovisioned');
    expect(bare.mqtt().connects).toBe(0);
    expect(mqtt().connects).toBe(1);
  });

  it('keeps events made before provisioning and sends them on the provisioned topic, seq continuing', () => {
    const { d, mqtt } = device({ provisioning: false });
    d.boot();
    d.runtime.emit('door.opened', { door: 1 });
    d.runtime.emit('door.closed', { door: 1 });
    writeProvisioning(d.storage.kv, { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883 });
    d.powerCycle();
    d.runtime.emit('door.opened', { door: 2 });
    const events = mqtt().published.filter((p) => p.topic === `${PREFIX}/event`).map((p) => JSON.parse(p.payload) as EventMessage);
    // Made while the device had no other name: the hardware id. One numbering for the device, so no key repeats.
    expect(events.map((e) => `${e.seq}:${e.dev}:${e.boot}`)).toEqual(['1:000000000000:1', '2:000000000000:1', '3:dev-1:2']);
    // The birth names the hardware id, so the platform accepts those early events for this device.
    const birth = JSON.parse(mqtt().published.find((p) => p.topic === `${PREFIX}/status`)!.payload) as StatusMessage;
    expect(birth.hw).toBe('000000000000');
    for (const p of mqtt().published.filter((m) => m.topic === `${PREFIX}/event`)) {
      expect(parseOutbound('event', p.payload, 'dev-1', birth.hw).ok).toBe(true);
    }
  });

  it('retries refused connections with growing delays, capped', () => {
    const fake = new FakeMqtt();
    fake.accept = false;
    const d = new TestDevice({ transport: () => fake });
    const times: number[] = [];
    const connect = fake.connect.bind(fake);
    fake.connect = (options, handlers) => {
      times.push(d.clock.now());
      connect(options, handlers);
    };
    d.boot();
    d.clock.advance(30_000);
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    // random() = 0.5 → 3/4 of each step: 1000, 2000, 4000, 8000, then capped at 8000.
    expect(gaps.slice(0, 6)).toEqual([750, 1500, 3000, 6000, 6000, 6000]);
    expect(d.runtime.state).toBe('offline');
    fake.accept = true;
    d.clock.advance(6000);
    expect(d.runtime.state).toBe('online');
  });

  it('reconnects after the network drops and counts it', () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().drop();
    expect(d.runtime.state).toBe('offline');
    d.clock.advance(1000);
    expect(d.runtime.state).toBe('online');
    expect(d.runtime.reconnects).toBe(1);
    const births = mqtt().messages<StatusMessage>('status').filter((s) => s.state === 'online');
    expect(births.map((b) => b.conn)).toEqual([1, 2]);
  });

  it('sends health telemetry at the configured interval', () => {
    const { d, mqtt } = device();
    d.boot();
    d.clock.advance(300_000 * 2);
    const telemetry = mqtt().messages<{ data: Record<string, unknown> }>('telemetry');
    expect(telemetry).toHaveLength(2);
    expect(telemetry[1]!.data).toMatchObject({ uptimeS: 600, outboxDepth: 0, reconnects: 0 });
  });

  it('reports the engine\'s heap use in health where the HAL counts it, and leaves it out where not', () => {
    const counted = device({ system: { heapUsed: () => ({ slotBytes: 23_040, chunkBytes: 4_096 }) } });
    counted.d.boot();
    expect(counted.d.runtime.health()).toMatchObject({ heapSlotBytes: 23_040, heapChunkBytes: 4_096 });
    const plain = device();
    plain.d.boot();
    expect(plain.d.runtime.health()).not.toHaveProperty('heapSlotBytes');
    expect(plain.d.runtime.health()).not.toHaveProperty('heapChunkBytes');
  });
});

describe('DeviceRuntime commands', () => {
  it('answers a malformed command with an invalid result and keeps running', () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId: 'bad1', name: 'ping', exp: 'soon' }));
    mqtt().deliver(`${PREFIX}/command`, '{"v":1,"msg":"command"');
    mqtt().deliver(`${PREFIX}/command`, '\u0000\u0001garbage');
    const results = mqtt().messages<ResultMessage>('result');
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ reqId: 'bad1', code: 'invalid' });
    expect(results[0]!.reason).toMatch(/exp/);
    expect(d.runtime.health().rejectedMessages).toBe(3);
    mqtt().deliver(`${PREFIX}/command`, command('ok1', 'ping'));
    expect(mqtt().messages<ResultMessage>('result')[1]).toMatchObject({ reqId: 'ok1', code: 'ok' });
  });

  it('rejects an expired command and a retained one', () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().deliver(`${PREFIX}/command`, command('old', 'ping', { exp: WALL_TIME - 1 }));
    mqtt().deliver(`${PREFIX}/command`, command('ghost', 'restart'), true);
    d.clock.advance(5000);
    expect(mqtt().messages<ResultMessage>('result').map((r) => [r.reqId, r.code])).toEqual([['old', 'expired'], ['ghost', 'rejected']]);
    expect(d.restarts).toBe(0);
  });

  it('executes a repeated reqId once and returns the same result, even after a reboot', () => {
    let runs = 0;
    const app = (): DeviceApp => ({ commands: { 'relay.pulse': { run: () => ({ code: 'ok', data: { run: ++runs } }) } } });
    const { d, mqtt } = device({ app });
    d.boot();
    mqtt().deliver(`${PREFIX}/command`, command('once', 'relay.pulse'));
    mqtt().deliver(`${PREFIX}/command`, command('once', 'relay.pulse'));
    d.powerCycle();
    mqtt().deliver(`${PREFIX}/command`, command('once', 'relay.pulse'));
    expect(runs).toBe(1);
    expect(mqtt().messages<ResultMessage>('result')).toEqual([expect.objectContaining({ reqId: 'once', code: 'ok', data: { run: 1 } })]);
  });

  it('answers a retained copy of a command that already ran with rejected, not the remembered ok, and runs it once', () => {
    let runs = 0;
    const app = (): DeviceApp => ({ commands: { 'relay.pulse': { run: () => ({ code: 'ok', data: { run: ++runs } }) } } });
    const { d, mqtt } = device({ app });
    d.boot();
    mqtt().deliver(`${PREFIX}/command`, command('pulse-1', 'relay.pulse'));
    mqtt().deliver(`${PREFIX}/command`, command('pulse-1', 'relay.pulse'), true);
    const beforeRestart = mqtt().messages<ResultMessage>('result');
    d.powerCycle(); // the result of pulse-1 is persisted; a reconnect brings the retained copy again
    mqtt().deliver(`${PREFIX}/command`, command('pulse-1', 'relay.pulse'), true);
    // A live copy still gets the first result: only the retained ones are refused.
    mqtt().deliver(`${PREFIX}/command`, command('pulse-1', 'relay.pulse'));
    expect(runs).toBe(1);
    const results = [...beforeRestart, ...mqtt().messages<ResultMessage>('result')];
    expect(results.map((r) => r.code)).toEqual(['ok', 'rejected', 'rejected', 'ok']);
    expect(results[1]!.reason).toMatch(/retained/);
    expect(results[3]).toMatchObject({ reqId: 'pulse-1', data: { run: 1 } });
  });

  it('refuses bytes that are not UTF-8 as invalid (reqId read only to answer) and executes nothing', () => {
    let runs = 0;
    const app = (): DeviceApp => ({ commands: { 'door.say': { run: (args) => ({ code: 'ok', data: { said: args.text, run: ++runs } }) } } });
    const { d, mqtt } = device({ app });
    d.boot();
    const withBytes = (reqId: string, hex: string) => {
      const [before, after] = command(reqId, 'door.say', { args: { text: '@' } }).split('@');
      return Uint8Array.from([...new TextEncoder().encode(before), ...Buffer.from(hex, 'hex'), ...new TextEncoder().encode(after)]);
    };
    const malformed = {
      overlong: 'c0af', surrogate: 'eda080', truncated: 'e282', above10ffff: 'f4908080', stray: '80', ff: 'ff',
    };
    for (const [name, hex] of Object.entries(malformed)) mqtt().deliver(`${PREFIX}/command`, withBytes(`bad-${name}`, hex));
    // Valid multi-byte UTF-8 (2, 3 and 4 bytes) is fine.
    mqtt().deliver(`${PREFIX}/command`, withBytes('good-1', 'c3a9e282acf09f9a91'));
    const results = mqtt().messages<ResultMessage>('result');
    expect(results.map((r) => `${r.reqId}:${r.code}`)).toEqual([...Object.keys(malformed).map((name) => `bad-${name}:invalid`), 'good-1:ok']);
    expect(results[0]!.reason).toBe('payload: not valid UTF-8');
    expect(results.at(-1)!.data).toEqual({ said: 'é€🚑', run: 1 });
    expect(runs).toBe(1);
    expect(d.runtime.health().rejectedMessages).toBe(Object.keys(malformed).length);
  });

  it('drops empty payloads on every channel without an answer, and refuses JSON lone-surrogate escapes', () => {
    const seen: string[] = [];
    const app = (): DeviceApp => ({ onAlarm: (update) => seen.push(update.note ?? '') });
    const { d, mqtt } = device({ app });
    d.boot();
    for (const channel of ['command', 'config/desired', 'alarm']) mqtt().deliver(`${PREFIX}/${channel}`, new Uint8Array(0), true);
    expect(mqtt().messages('result')).toHaveLength(0);
    expect(d.runtime.health().rejectedMessages).toBe(3);
    mqtt().deliver(`${PREFIX}/command`, '{"v":1,"msg":"command","reqId":"s-1","name":"ping","exp":1800000060000,"args":{"t":"\\ud800"}}');
    mqtt().deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'accepted', ts: WALL_TIME, note: 'x' }).replace('"x"', '"\\udc00x"'));
    mqtt().deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'accepted', ts: WALL_TIME, note: '\u{1F691} on the way' }));
    expect(mqtt().messages<ResultMessage>('result')).toEqual([expect.objectContaining({ reqId: 's-1', code: 'invalid', reason: expect.stringMatching(/surrogate/) })]);
    expect(seen).toEqual(['\u{1F691} on the way']);
  });

  it('restarts on command after the result is out', async () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().deliver(`${PREFIX}/command`, command('r1', 'restart'));
    expect(mqtt().messages<ResultMessage>('result')[0]).toMatchObject({ code: 'ok' });
    expect(d.restarts).toBe(0);
    d.clock.advance(1000);
    await Promise.resolve();
    expect(d.restarts).toBe(1);
  });

  it('ignores messages for other devices', () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().deliver('ct/v1/test-site/dev-2/command', command('x', 'restart'));
    d.clock.advance(2000);
    expect(mqtt().messages('result')).toHaveLength(0);
    expect(d.restarts).toBe(0);
  });
});

describe('DeviceRuntime configuration', () => {
  const app = (): DeviceApp => ({ config: { pulseMs: { type: 'integer', min: 100, max: 10_000, default: 3000 } } });

  it('applies desired config, reports it, emits config.applied, and keeps it across reboot', () => {
    const { d, mqtt } = device({ app });
    d.boot();
    mqtt().deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: 2, config: { pulseMs: 5000 } }), true);
    const reported = mqtt().messages<ReportedConfigMessage>('config/reported').at(-1)!;
    expect(reported).toMatchObject({ version: 2, config: { pulseMs: 5000, healthIntervalS: 300 }, last: { version: 2, status: 'applied' } });
    expect(mqtt().messages<EventMessage>('event').map((e) => e.type)).toEqual(['config.applied']);
    d.powerCycle();
    expect(d.runtime.config.values.pulseMs).toBe(5000);
    expect(mqtt().messages<StatusMessage>('status')[0]!.cfgVer).toBe(2);
  });

  it('rejects an invalid desired config with a reason and keeps the old one', () => {
    const { d, mqtt } = device({ app });
    d.boot();
    mqtt().deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: 3, config: { pulseMs: 1 } }), true);
    const reported = mqtt().messages<ReportedConfigMessage>('config/reported').at(-1)!;
    expect(reported.version).toBe(0);
    expect(reported.config.pulseMs).toBe(3000);
    expect(reported.last).toEqual({ version: 3, status: 'rejected', reason: 'pulseMs: must be between 100 and 10000' });
  });

  it('changes the health interval when told to', () => {
    const { d, mqtt } = device();
    d.boot();
    mqtt().deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: 1, config: { healthIntervalS: 10 } }), true);
    d.clock.advance(30_000);
    expect(mqtt().messages('telemetry')).toHaveLength(3);
  });
});

describe('DeviceRuntime alarms and sleep', () => {
  it('hands validated alarm updates to the app and drops invalid ones', () => {
    const seen: string[] = [];
    const app = (): DeviceApp => ({ onAlarm: (update) => seen.push(update.state) });
    const { d, mqtt } = device({ app });
    d.boot();
    mqtt().deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'accepted', ts: WALL_TIME }));
    mqtt().deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'exploded', ts: WALL_TIME }));
    expect(seen).toEqual(['accepted']);
  });

  it('announces sleep with a retained sleeping status and reconnects on wake', () => {
    const { d, mqtt } = device();
    d.boot();
    d.runtime.sleep(3600);
    expect(d.runtime.state).toBe('sleeping');
    const last = mqtt().published.at(-1)!;
    expect(last.retain).toBe(true);
    expect(JSON.parse(last.payload)).toMatchObject({ state: 'sleeping', wakeIn: 3600 });
    d.clock.advance(120_000);
    expect(mqtt().connects).toBe(1);
    d.runtime.wake();
    expect(d.runtime.state).toBe('online');
  });
});

describe('DeviceRuntime outbox overflow', () => {
  it('drops the oldest events when the ring is full and says so in an outbox.dropped event', () => {
    const fake = new FakeMqtt();
    fake.accept = false;
    const d = new TestDevice({ transport: () => fake, outboxBytes: 4 * 4096 });
    d.boot();
    const payload = { pad: 'x'.repeat(200) };
    for (let i = 0; i < 400; i++) d.runtime.emit('test.fill', payload);
    const dropped = d.runtime.health().outboxDropped as number;
    expect(dropped).toBeGreaterThan(0);
    fake.accept = true;
    d.clock.advance(10_000);
    const events = fake.messages<EventMessage>('event');
    const notices = events.filter((e) => e.type === 'outbox.dropped');
    expect(notices.length).toBeGreaterThan(0);
    const last = notices.at(-1)!.data as { firstSeq: number; lastSeq: number; count: number };
    expect(last.lastSeq).toBeLessThan(events[0]!.seq);
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(d.runtime.state).toBe('online');
  });
});
