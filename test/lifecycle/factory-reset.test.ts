// Factory reset (firmware/lifecycle/factory-reset.ts, the runtime's lifecycle.factory_reset): signed with the site
// command key over the whole device (target 0); the device says `device.erasing` first and waits for the broker to
// have it, then erases every key-value domain it and its app keep and every flash partition (events, credential
// slots), and restarts unprovisioned. Forged, unsigned or mis-targeted commands erase nothing; safe mode takes it.
import { describe, expect, test } from '@jest/globals';
import { LOOP_RESETS } from '../../firmware/lifecycle/boot-guard.js';
import { eraseKept, FACTORY_RESET, KEPT_BY_RESET, RUNTIME_DOMAINS } from '../../firmware/lifecycle/factory-reset.js';
import type { KeyValueStore, Storage } from '../../hal/contract/index.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';
import type { StatusMessage } from '../../firmware/protocol/messages.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { DoorReaderDevice, KEYS, PREFIX } from '../door-reader/door-reader-device.js';
import { until } from '../support/wait.js';

const KEPT = [...RUNTIME_DOMAINS, 'door'];

function reset(d: DoorReaderDevice, options: { target?: number; key?: Uint8Array; sig?: string } = {}) {
  const reqId = `fr-${Math.random().toString(36).slice(2, 8)}`;
  const exp = d.hal.wallClock.now() + 30_000;
  const target = options.target ?? 0;
  const sig = options.sig ?? signCommand(options.key ?? KEYS.commandKey, FACTORY_RESET, reqId, exp, target);
  return d.command(FACTORY_RESET, { target, sig }, { reqId, exp });
}

const keysHeld = (d: DoorReaderDevice) => KEPT.flatMap((domain) => d.storage.kv.keys(domain).map((key) => `${domain}/${key}`));
const erased = (d: DoorReaderDevice, name: string) => {
  const partition = d.storage.partition(name)!;
  return new Uint8Array(partition.read(0, partition.byteLength)).every((byte) => byte === 0xff);
};

describe('factory reset', () => {
  test('a signed reset says so, erases keys, credentials, events and settings, and comes back unprovisioned', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    d.runtime.emit('test.before');
    expect(keysHeld(d)).toEqual(expect.arrayContaining(['prov/site', 'door/cmdKey', 'cred/hashKey', 'sys/boot']));
    expect(erased(d, 'credA') && erased(d, 'credB')).toBe(false);

    expect(reset(d)).toMatchObject({ code: 'ok', data: { erasing: true } });
    d.advance(300);
    d.ack(); // the broker has device.erasing: the erase goes ahead
    d.advance(5000);
    expect(d.events('device.erasing').map((e) => e.data)).toEqual([{ by: 'command' }]);
    expect(keysHeld(d)).toEqual(['sys/boot']); // the new boot counted itself, from 1 again
    expect(d.storage.kv.get('sys', 'boot')).toBe(1);
    for (const name of ['credA', 'credB', 'outbox']) expect(erased(d, name)).toBe(true);
    expect(d.restarts).toBe(1);
    expect(d.runtime.state).toBe('unprovisioned');
    expect(d.relayHistory.flat().filter((change) => change.level === 1)).toEqual([]);
  });

  test('the erase waits for the broker to have device.erasing, but not forever', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    // Delivered raw: nothing the device sends from here on is acknowledged (the broker never has device.erasing).
    const reqId = 'fr-unacked';
    const exp = d.hal.wallClock.now() + 30_000;
    d.mqtt.deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId, name: FACTORY_RESET, exp, args: { target: 0, sig: signCommand(KEYS.commandKey, FACTORY_RESET, reqId, exp, 0) } }));
    d.advance(9000);
    expect(d.events('device.erasing')).toHaveLength(1);
    expect(d.storage.kv.keys('prov').length).toBeGreaterThan(0); // still waiting
    d.advance(3000);
    expect(d.storage.kv.keys('prov')).toEqual([]);
  });

  test('forged, unsigned, mis-targeted or replayed resets erase nothing', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    const before = keysHeld(d);
    expect(reset(d, { key: new Uint8Array(32).fill(7) })).toMatchObject({ code: 'invalid', reason: 'args.sig: signature does not match' });
    expect(reset(d, { target: 1 })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('args.target') });
    expect(d.command(FACTORY_RESET, { target: 0 })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('args.sig') });
    expect(d.command(FACTORY_RESET, { target: 0, sig: 'ab'.repeat(32), extra: 1 })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('not allowed') });
    d.advance(15_000);
    expect(keysHeld(d)).toEqual(before);
    expect(d.events('device.erasing')).toEqual([]);
    expect(d.restarts).toBe(0);
  });

  test('a device in safe mode can still be reset', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    for (let i = 0; i < LOOP_RESETS; i++) {
      d.device.restart('panic');
      d.advance(5000);
    }
    expect(d.messages<StatusMessage>('status').filter((s) => s.state === 'online').at(-1)!.safe).toBeDefined();
    expect(reset(d).code).toBe('ok');
    d.advance(300);
    d.ack();
    d.advance(5000);
    expect(d.storage.kv.keys('prov')).toEqual([]);
    expect(d.storage.kv.get('sys', 'safe')).toBeUndefined();
    expect(d.runtime.state).toBe('unprovisioned');
  });
});

describe('a key-value store that can be erased whole (the ESP32 binding: the NVS partition)', () => {
  /** A store with what a provisioned device keeps, in a storage whose erase starts it over empty. */
  function storage(options: { wipe?: boolean; eraseFails?: boolean; writesFail?: boolean } = {}) {
    let kv: KeyValueStore = new MemoryKeyValueStore();
    kv.set('prov', 'site', 'site-1');
    kv.set('door', 'cmdKey', new Uint8Array(32).fill(3).buffer);
    kv.set('wifidrv', 'ssid', 'home'); // a domain nobody declared (as the Wi-Fi driver's own)
    kv.set('setup', 'secret', 'ABCD-EFGH-JKLM');
    kv.set('setup', 'codes', '1700000000 00112233445566778899aabbccddeeff');
    kv.set('ota', 'floor', '1.2.0');
    kv.set('ota', 'n', 7);
    const held: Storage = {
      get kv() {
        return kv;
      },
      partition: () => undefined,
      ...(options.wipe === false ? {} : {
        eraseKeyValue() {
          if (options.eraseFails) throw new Error('ESP_ERR_FLASH_OP_FAIL');
          kv = new MemoryKeyValueStore();
          if (options.writesFail) kv.set = () => { throw new Error('kv: NVS not initialised'); };
        },
      }),
    };
    return held;
  }
  const all = (s: Storage, domains: string[]) => domains.flatMap((d) => s.kv.keys(d).map((k) => `${d}/${k}=${String(s.kv.get(d, k))}`));
  const KEPT = ['setup/secret=ABCD-EFGH-JKLM', 'setup/codes=1700000000 00112233445566778899aabbccddeeff', 'ota/floor=1.2.0', 'ota/n=7'];

  test('everything goes, undeclared domains too, but the setup secret, the codes used and the update floor', () => {
    expect(KEPT_BY_RESET).toEqual(['setup', 'ota']);
    const s = storage();
    expect(eraseKept(s, { domains: ['door'] })).toEqual({ keys: 2, blocks: 0, wiped: true, lost: 0 });
    expect(all(s, ['prov', 'door', 'wifidrv', 'setup', 'ota'])).toEqual(KEPT);
  });

  test('a binding without it (the host) deletes key by key: undeclared domains stay', () => {
    const s = storage({ wipe: false });
    expect(eraseKept(s, { domains: ['door'] })).toEqual({ keys: 2, blocks: 0, wiped: false, lost: 0 });
    expect(all(s, ['prov', 'door', 'wifidrv', 'setup', 'ota'])).toEqual(['wifidrv/ssid=home', ...KEPT]);
  });

  test('a failed erase or failed writes back never throw (the device restarts anyway) and say so', () => {
    const failed = storage({ eraseFails: true });
    expect(eraseKept(failed, { domains: ['door'] })).toEqual({ keys: 2, blocks: 0, wiped: false, lost: 0 });
    expect(all(failed, ['prov', 'door', 'setup', 'ota'])).toEqual(KEPT);
    expect(eraseKept(storage({ writesFail: true }), { domains: ['door'] })).toEqual({ keys: 2, blocks: 0, wiped: true, lost: 4 });
  });
});

describe('factory reset from the platform', () => {
  test('the platform signs it; the device says device.erasing, the platform marks it erased, and it comes back unprovisioned', async () => {
    const { Rig } = await import('../platform/rig.js');
    const { doorReaderKind } = await import('../../simulator/kinds/door-reader.js');
    const rig = await new Rig().start();
    try {
      const door = rig.device(doorReaderKind, 'door-9', { outbox: 64 * 1024, credA: 64 * 1024, credB: 64 * 1024 });
      await rig.platform.waitFor((p) => p.device('door-9')?.state === 'online', 10_000);
      const result = await rig.platform.sendCommand('door-9', FACTORY_RESET, { target: 0 });
      expect(result).toMatchObject({ code: 'ok', data: { erasing: true } });
      await rig.platform.waitFor((p) => p.device('door-9')?.erasedAt !== undefined, 10_000);
      await until(() => door.runtime?.state === 'unprovisioned', 'the door back unprovisioned', 10_000);
      expect(door.storage.kv.keys('prov')).toEqual([]);
    } finally {
      await rig.stop();
    }
  }, 30_000);
});

describe('the service button', () => {
  test('held 10 s while the device runs: a factory reset; a shorter press does nothing', () => {
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    const service = d.hal.io.pin(0); // simDoorReader.pin.service
    service.setInput(0);
    d.advance(9000);
    service.setInput(undefined);
    d.advance(5000);
    expect(d.events('device.erasing')).toEqual([]);
    service.setInput(0);
    d.advance(10_200);
    d.ack();
    d.advance(5000);
    expect(d.events('device.erasing').map((e) => e.data)).toEqual([{ by: 'button' }]);
    expect(d.storage.kv.keys('prov')).toEqual([]);
    expect(d.runtime.state).toBe('unprovisioned');
  });
});

describe("the simulator's service command", () => {
  test('"service N" holds the button long enough; a board without one says so', async () => {
    const { runCommand } = await import('../../simulator/commands.js');
    const d = new DoorReaderDevice().boot();
    d.advance(1000);
    const n = d.device.index;
    expect(runCommand(`service ${n} 3`, [d.device], () => {})).toBe(`${d.device.id}: service button held for 3 s`);
    d.advance(15_000);
    expect(d.events('device.erasing')).toEqual([]);
    runCommand(`service ${n}`, [d.device], () => {});
    d.advance(11_000);
    d.ack();
    d.advance(5000);
    expect(d.events('device.erasing').map((e) => e.data)).toEqual([{ by: 'button' }]);
    const { SmartBinDevice } = await import('../smart-bin/smart-bin-device.js');
    const bin = new SmartBinDevice();
    bin.boot();
    bin.advance(1000);
    expect(runCommand(`service ${bin.device.index}`, [bin.device], () => {})).toContain('has no service button');
  });
});
