// Safe mode (firmware/lifecycle/boot-guard.ts and the runtime): three abnormal resets in a row without a stable
// run put a device into safe mode — the runtime alone, no app, so a door reader's relay never moves — connected,
// with `safe` and its reset history in the birth, taking only diagnostics, config and resume. An app that throws
// at start goes there at once instead of leaving the device dark. Normal boots and deep-sleep wakes write nothing.
import { describe, expect, test } from '@jest/globals';
import { BootGuard, LOOP_RESETS, STABLE_MS } from '../../firmware/lifecycle/boot-guard.js';
import type { ResultMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import type { KeyValueStore, StoredValue } from '../../hal/contract/index.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';
import { DoorReaderDevice } from '../door-reader/door-reader-device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice, WALL_TIME } from '../support/device.js';

/** A key-value store that counts its writes. */
function countingKv(): { kv: KeyValueStore; writes: () => number } {
  const inner = new MemoryKeyValueStore();
  let writes = 0;
  return {
    kv: {
      get: (domain, key) => inner.get(domain, key),
      set: (domain: string, key: string, value: StoredValue) => { writes++; inner.set(domain, key, value); },
      delete: (domain, key) => { writes++; inner.delete(domain, key); },
      keys: (domain) => inner.keys(domain),
    },
    writes: () => writes,
  };
}

describe('the boot guard', () => {
  test('a streak of abnormal resets without a stable run means safe mode; a stable run or a clean sleep ends the streak', () => {
    const { kv } = countingKv();
    let boot = 0;
    const next = (reason: Parameters<BootGuard['boot']>[0], fw = '1.0') => new BootGuard(kv).boot(reason, ++boot, fw);
    expect(next('power-on').safe).toBeUndefined();
    expect(next('panic').safe).toBeUndefined();
    expect(next('watchdog').safe).toBeUndefined();
    new BootGuard(kv).stable(); // five minutes up: the streak ends
    expect(next('panic').safe).toBeUndefined();
    expect(next('deep-sleep').safe).toBeUndefined(); // slept on purpose: it ran well
    expect(next('brownout').safe).toBeUndefined();
    expect(next('software').safe).toBeUndefined(); // a restart command neither counts nor clears
    expect(next('panic').safe).toBeUndefined();
    const looping = next('panic');
    expect(looping.safe).toBe(`${LOOP_RESETS} abnormal resets in a row (last: panic)`);
    expect(looping.resets).toEqual(['2:panic', '3:watchdog', '4:panic', '6:brownout', '8:panic', '9:panic']);
    // Safe mode holds across power cycles and stable runs, until resumed or the firmware changes.
    new BootGuard(kv).stable();
    expect(next('power-on').safe).toBeDefined();
    expect(next('power-on', '1.1').safe).toBeUndefined(); // an update was installed: a normal boot again
    expect(next('panic', '1.1').safe).toBeUndefined(); // and a clean slate: one crash is not a loop
  });

  test('normal boots and deep-sleep wakes write nothing; resume leaves safe mode', () => {
    const { kv, writes } = countingKv();
    for (let boot = 1; boot <= 50; boot++) new BootGuard(kv).boot(boot % 2 ? 'deep-sleep' : 'power-on', boot, '1');
    expect(writes()).toBe(0);
    const guard = new BootGuard(kv);
    guard.failed('the app failed to start: boom', '1');
    expect(new BootGuard(kv).boot('power-on', 51, '1').safe).toBe('the app failed to start: boom');
    expect(new BootGuard(kv).resume()).toBe(true);
    expect(new BootGuard(kv).boot('power-on', 52, '1').safe).toBeUndefined();
    expect(new BootGuard(kv).resume()).toBe(false);
  });

  test('a corrupt record reads as a clean one', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('sys', 'streak', 'lots');
    kv.set('sys', 'resets', 'x,1:panic,2:PANIC!,3:watchdog');
    kv.set('sys', 'safe', '');
    const guard = new BootGuard(kv);
    expect(guard.safe).toBeUndefined();
    expect(guard.resets).toEqual(['1:panic', '3:watchdog']);
    expect(guard.boot('panic', 4, '1').safe).toBeUndefined();
  });
});

describe('safe mode on a device', () => {
  test('a door reader that keeps panicking comes up in safe mode: no app, the relay never moves, safe and resets in its birth', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    for (let i = 0; i < LOOP_RESETS; i++) {
      d.device.restart('panic');
      d.advance(5000);
    }
    const births = d.messages<StatusMessage>('status').filter((s) => s.state === 'online');
    const last = births.at(-1)!;
    expect(last.safe).toBe(`${LOOP_RESETS} abnormal resets in a row (last: panic)`);
    expect(last.resets).toEqual(['2:panic', '3:panic', '4:panic']);
    expect(last.cmds).not.toContain('door.unlock');
    expect(last.cmds).toEqual(expect.arrayContaining(['ping', 'health.get', 'config.get', 'lifecycle.resume']));
    expect(births.slice(0, -1).every((birth) => birth.safe === undefined)).toBe(true);
    expect(d.app.reader).toBeUndefined(); // the app never started
    expect(d.relayHistory.at(-1)).toEqual([]); // the relay pin is never even opened
    expect(d.relay).toBe(0);

    // A stable run does not end safe mode; resume does, from the next boot on.
    d.advance(STABLE_MS + 1000);
    d.powerCycle();
    expect(d.messages<StatusMessage>('status').filter((s) => s.state === 'online').at(-1)!.safe).toBeDefined();
    expect(d.command('door.unlock', { door: 0 }).code).toBe('unsupported');
    // Strict args: a resume with any is refused and leaves the device in safe mode.
    expect(d.command('lifecycle.resume', { restart: true })).toMatchObject({ code: 'invalid', reason: 'args: unknown field "restart"' });
    d.powerCycle();
    expect(d.messages<StatusMessage>('status').filter((s) => s.state === 'online').at(-1)!.safe).toBeDefined();
    expect(d.command('lifecycle.resume').data).toEqual({ restartNeeded: true });
    d.powerCycle();
    const back = d.messages<StatusMessage>('status').filter((s) => s.state === 'online').at(-1)!;
    expect(back.safe).toBeUndefined();
    expect(back.cmds).toContain('door.unlock');
  });

  test('an app that throws at start: safe mode at once, connected and answering, instead of a dark device', () => {
    let fake!: FakeMqtt;
    const app = (): DeviceApp => ({
      commands: { 'test.poke': { run: () => ({ code: 'ok' }) } },
      start() { throw new Error('sensor bus stuck'); },
      health: () => ({ never: true }),
    });
    const d = new TestDevice({ transport: () => (fake = new FakeMqtt()), app });
    d.boot();
    d.clock.advance(1000);
    const birth = fake.messages<StatusMessage>('status').find((s) => s.state === 'online')!;
    expect(birth.safe).toBe('the app failed to start: sensor bus stuck');
    expect(birth.cmds).not.toContain('test.poke');
    fake.deliver('ct/v1/test-site/dev-1/command', JSON.stringify({ v: 1, msg: 'command', reqId: 'r1', name: 'health.get', exp: WALL_TIME + 60_000 }));
    fake.deliver('ct/v1/test-site/dev-1/command', JSON.stringify({ v: 1, msg: 'command', reqId: 'r2', name: 'test.poke', exp: WALL_TIME + 60_000 }));
    d.clock.advance(100);
    const results = fake.messages<ResultMessage>('result');
    expect(results.find((r) => r.reqId === 'r1')!.data).toMatchObject({ safe: 'the app failed to start: sensor bus stuck' });
    expect(results.find((r) => r.reqId === 'r1')!.data).not.toHaveProperty('never');
    expect(results.find((r) => r.reqId === 'r2')!.code).toBe('unsupported');
    expect(d.runtime.safe).toBe('the app failed to start: sensor bus stuck');
  });
});

describe('safe mode on the wire', () => {
  test('the birth carries safe and resets; the platform keeps them; anywhere else they are refused', async () => {
    const { parseOutbound } = await import('../../firmware/protocol/validate.js');
    const { Rig } = await import('../platform/rig.js');
    const birth = {
      v: 1, msg: 'status', dev: 'door-1', state: 'online', boot: 9, conn: 1, up: 1, ts: WALL_TIME, tv: true, model: 'door-reader',
      fw: '1.0', cfgVer: 0, safe: '3 abnormal resets in a row (last: panic)', resets: ['7:panic', '8:panic', '9:panic'],
    };
    const bytes = (o: object) => new TextEncoder().encode(JSON.stringify(o));
    expect(parseOutbound('status', bytes(birth)).ok).toBe(true);
    expect(parseOutbound('status', bytes({ v: 1, msg: 'status', dev: 'door-1', state: 'offline', boot: 9, safe: 'x' }))).toMatchObject({ ok: false, error: expect.stringContaining('only allowed in a birth') });
    expect(parseOutbound('status', bytes({ ...birth, resets: ['panic'] }))).toMatchObject({ ok: false, error: expect.stringContaining('<boot>:<reason>') });

    const rig = await new Rig().start();
    try {
      const client = await rig.client();
      await client.publishAsync(`ct/v1/${rig.site}/door-1/status`, JSON.stringify(birth), { qos: 1, retain: true });
      await rig.platform.waitFor((p) => p.device('door-1')?.state === 'online', 5000);
      expect(rig.platform.device('door-1')).toMatchObject({ safe: birth.safe, resets: birth.resets });
      await client.publishAsync(`ct/v1/${rig.site}/door-1/status`, JSON.stringify({ ...birth, boot: 10, safe: undefined, resets: undefined }), { qos: 1, retain: true });
      await rig.platform.waitFor((p) => p.device('door-1')?.boot === 10, 5000);
      expect(rig.platform.device('door-1')!.safe).toBeUndefined();
    } finally {
      await rig.stop();
    }
  });
});
