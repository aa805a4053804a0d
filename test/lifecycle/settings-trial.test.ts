// Settings that fail roll back (firmware/lifecycle/settings-trial.ts and its wiring in the runtime): staged
// connection settings are tried at the next connection attempt, kept at the first CONNACK, and reverted — with a
// durable `lifecycle.settings_reverted` saying why — when none comes within TRIAL_MS; a power cut at any write
// leaves either the old or the new set whole. A desired config after which the broker is lost is reverted the same
// way; one that keeps the connection is kept. lifecycle.settings stages only when signed and well-formed.
import { createHmac } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import type { MqttConnectOptions, MqttHandlers } from '../../hal/contract/index.js';
import { createHostStorage, PowerLoss } from '../../hal/host/storage/index.js';
import { COMMAND_KEY, writeSiteKey } from '../../firmware/identity/site-keys.js';
import {
  effectiveProvisioning, effectiveWifi, SETTINGS_COMMAND, SETTINGS_REVERTED, settingsDigest, SettingsTrial, stageSettings, TRIAL_BOOTS, TRIAL_MS,
} from '../../firmware/lifecycle/settings-trial.js';
import type { ReportedConfigMessage, ResultMessage } from '../../firmware/protocol/messages.js';
import { ConfigStore } from '../../firmware/runtime/config.js';
import { readProvisioning, writeProvisioning, type Provisioning } from '../../firmware/runtime/provisioning.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice, WALL_TIME } from '../support/device.js';

const PREFIX = 'ct/v1/test-site/dev-1';
const COMMAND_KEY_BYTES = new Uint8Array(32).fill(0x5a);

/** What the broker takes: a connect to another address or with other credentials is refused, as a real one's. */
interface BrokerRules {
  host: string;
  port: number;
  user?: string;
  pass?: string;
}

class PickyBroker extends FakeMqtt {
  readonly #rules: BrokerRules;

  constructor(rules: BrokerRules) {
    super();
    this.#rules = rules;
  }

  override connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    const rules = this.#rules;
    if (options.host !== rules.host || options.port !== rules.port) {
      this.connects++;
      this.options = options;
      handlers.onClose(`connect to ${options.host}:${options.port} failed: ECONNREFUSED`);
      return;
    }
    if (rules.user !== undefined && (options.username !== rules.user || options.password !== rules.pass)) {
      this.connects++;
      this.options = options;
      handlers.onClose('connection refused: not authorized');
      return;
    }
    super.connect(options, handlers);
  }
}

function rig(rules: BrokerRules = { host: '127.0.0.1', port: 1883 }, provisioning: Partial<Provisioning> = {}) {
  const brokers: PickyBroker[] = [];
  const d = new TestDevice({ transport: () => { const b = new PickyBroker(rules); brokers.push(b); return b; }, provisioning });
  writeSiteKey(d.storage.kv, COMMAND_KEY, COMMAND_KEY_BYTES);
  return { d, rules, mqtt: () => brokers.at(-1)! };
}

/** A PEM certificate of `bytes` DER bytes (only the framing the device checks: SEQUENCE { SEQUENCE … }). */
function pem(bytes: number): string {
  const der = new Uint8Array(bytes);
  der.set([0x30, 0x82, (bytes - 4) >> 8, (bytes - 4) & 0xff, 0x30, 0x82, (bytes - 8) >> 8, (bytes - 8) & 0xff]);
  const body = Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n');
  return `-----BEGIN CERTIFICATE-----\n${body}\n-----END CERTIFICATE-----\n`;
}

const prov = (d: TestDevice) => readProvisioning(d.storage.kv) as Provisioning;
const reverts = (d: TestDevice) => d.events(SETTINGS_REVERTED).map((e) => e.data);

describe('new connection settings on trial', () => {
  test('a good new broker is kept from its first CONNACK, across power cuts', () => {
    const { d, rules, mqtt } = rig();
    d.boot();
    expect(stageSettings(d.storage.kv, { port: 1884 })).toEqual(['port']);
    rules.port = 1884; // the site's broker moved
    d.runtime.trySettings();
    expect(d.runtime.state).toBe('online');
    expect(mqtt().options!.port).toBe(1884);
    expect(prov(d).port).toBe(1884);
    expect(d.storage.kv.get('prov', 'cand')).toBeUndefined();
    d.advance(TRIAL_MS * 2);
    d.powerCycle();
    expect(d.runtime.state).toBe('online');
    expect(mqtt().options!.port).toBe(1884);
    expect(reverts(d)).toEqual([]);
  });

  test('a bad host reverts within the bound, and the device says why once back', () => {
    const { d, mqtt } = rig();
    d.boot();
    const started = d.clock.now();
    expect(stageSettings(d.storage.kv, { host: 'localhost' })).toEqual(['host']);
    d.runtime.trySettings();
    expect(d.runtime.state).toBe('offline');
    d.advance(TRIAL_MS - 1000);
    expect(mqtt().options!.host).toBe('localhost'); // still trying
    expect(reverts(d)).toEqual([]);
    d.advance(2000);
    expect(d.runtime.state).toBe('online');
    expect(mqtt().options!.host).toBe('127.0.0.1');
    expect(d.clock.now() - started).toBeLessThanOrEqual(TRIAL_MS + 1000);
    expect(prov(d).host).toBe('127.0.0.1');
    expect(effectiveProvisioning(d.storage.kv)).toEqual(prov(d));
    const [report] = reverts(d);
    expect(report).toEqual({ why: expect.stringContaining('ECONNREFUSED'), tried: ['host'] });
    expect(report!.why).toContain(`within ${TRIAL_MS / 1000} s`);
    // Sent over MQTT once online again, and only once.
    expect(mqtt().messages<{ type: string }>('event').filter((e) => e.type === SETTINGS_REVERTED)).toHaveLength(1);
    d.powerCycle();
    expect(reverts(d)).toHaveLength(1);
    expect(d.storage.kv.get('prov', 'cand')).toBeUndefined();
  });

  test('wrong credentials revert; the report names the keys, never the secrets tried', () => {
    const { d, mqtt } = rig({ host: '127.0.0.1', port: 1883, user: 'dev-1', pass: 'right-secret' }, { user: 'dev-1', pass: 'right-secret' });
    d.boot();
    expect(d.runtime.state).toBe('online');
    expect(stageSettings(d.storage.kv, { user: 'dev-one', pass: 'wrong-secret' })).toEqual(['user', 'pass']);
    d.runtime.trySettings();
    d.advance(TRIAL_MS + 1000);
    expect(d.runtime.state).toBe('online');
    expect(mqtt().options!.password).toBe('right-secret');
    expect(reverts(d)).toEqual([{ why: expect.stringContaining('not authorized'), tried: ['user', 'pass'] }]);
    expect(JSON.stringify(mqtt().published)).not.toContain('wrong-secret');
    expect(JSON.stringify(d.storage.kv.get('prov', 'cand') ?? '')).not.toContain('wrong-secret');
  });

  test('a trial cut short by restarts again and again is given up', () => {
    const { d, mqtt } = rig();
    d.boot();
    stageSettings(d.storage.kv, { host: 'localhost' });
    d.runtime.trySettings();
    for (let i = 0; i < TRIAL_BOOTS; i++) {
      d.advance(10_000);
      d.powerCycle();
    }
    d.advance(1000);
    expect(d.runtime.state).toBe('online');
    expect(mqtt().options!.host).toBe('127.0.0.1');
    expect(reverts(d)).toEqual([{ why: `the device restarted ${TRIAL_BOOTS} times while trying the new settings`, tried: ['host'] }]);
  });

  test('a first provisioning staged on a bare device that never reaches its broker leaves it unprovisioned again', () => {
    const { d } = rig({ host: '127.0.0.1', port: 1883 }, {});
    for (const key of d.storage.kv.keys('prov')) d.storage.kv.delete('prov', key);
    d.boot();
    expect(d.runtime.state).toBe('unprovisioned');
    expect(stageSettings(d.storage.kv, { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1999 })).toHaveLength(4);
    d.runtime.trySettings();
    expect(d.runtime.state).toBe('offline');
    d.advance(TRIAL_MS + 2000);
    expect(d.restarts).toBe(1);
    expect(d.runtime.state).toBe('unprovisioned');
    expect(d.storage.kv.keys('prov')).toEqual([]);
    // Said once it has a broker: here the installer's next, good try.
    expect(reverts(d)).toEqual([]);
    expect(stageSettings(d.storage.kv, { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883 })).toHaveLength(4);
    d.runtime.trySettings();
    expect(d.runtime.state).toBe('online');
    expect(reverts(d)).toEqual([{ why: expect.stringContaining('ECONNREFUSED'), tried: ['site', 'device', 'host', 'port'] }]);
  });

  test('new Wi-Fi settings are joined after a restart and kept once the broker answers', () => {
    const { d } = rig();
    d.boot();
    expect(stageSettings(d.storage.kv, { wifiSsid: 'site-net', wifiPass: 'long-enough' })).toEqual(['wifiSsid', 'wifiPass']);
    expect(effectiveWifi(d.storage.kv)).toEqual({ ssid: 'site-net', password: 'long-enough' }); // what boot.ts joins
    d.runtime.trySettings();
    d.advance(2000);
    expect(d.restarts).toBe(1);
    expect(d.runtime.state).toBe('online');
    expect(d.storage.kv.get('prov', 'wifiSsid')).toBe('site-net');
    expect(d.storage.kv.get('prov', 'cand')).toBeUndefined();
  });

  test('a broker behind TLS with a 1.5 KB CA and every other setting fits one record, and is promoted whole', () => {
    const kv = createHostStorage().kv;
    writeProvisioning(kv, { site: 's', device: 'd', host: '127.0.0.1', port: 1883 });
    const ca = pem(1150);
    expect(ca.length).toBeGreaterThan(1500);
    const change = { host: 'broker.site.example', port: 8883, user: 's.d', pass: 'p'.repeat(64), tls: true, ca, tlsName: 'broker.site.example', wifiSsid: 'n'.repeat(32), wifiPass: 'w'.repeat(63) };
    expect(stageSettings(kv, change)).toHaveLength(9);
    expect((kv.get('prov', 'cand') as string).length).toBeLessThan(4000);
    new SettingsTrial(kv).promote();
    expect(readProvisioning(kv)).toMatchObject({ host: 'broker.site.example', port: 8883, tls: true, tlsName: 'broker.site.example' });
    expect(kv.get('prov', 'ca')).toBe(ca);
    // A CA too large for the record is refused with the reason, not cut.
    expect(stageSettings(kv, { ca: pem(2900) })).toMatch(/too large/);
  });

  test('settings the provisioning rules refuse are not staged', () => {
    const kv = createHostStorage().kv;
    writeProvisioning(kv, { site: 's', device: 'd', host: '127.0.0.1', port: 1883 });
    expect(stageSettings(kv, { host: 'broker.example' })).toMatch(/not loopback/);
    expect(stageSettings(kv, { port: 1883 })).toMatch(/nothing differs/);
    expect(stageSettings(kv, { port: '1884' })).toMatch(/port: expected a number/);
    expect(stageSettings(kv, { host: null })).toMatch(/cannot be removed/);
    expect(stageSettings(kv, { color: 'red' })).toMatch(/not a connection setting/);
    expect(stageSettings(kv, { wifiSsid: 'net', wifiPass: 'short' })).toMatch(/wifiPass/);
    expect(stageSettings(kv, { tls: true, ca: 'x'.repeat(4000) })).toMatch(/prov\/ca|too large|too long/);
    expect(kv.get('prov', 'cand')).toBeUndefined();
  });
});

describe('power cuts', () => {
  const OLD: Provisioning = { site: 's', device: 'd', host: '127.0.0.1', port: 1883, user: 'u', pass: 'p' };
  const CHANGE = { host: 'localhost', port: 1884, pass: 'p2', user: null };
  const NEW: Provisioning = { site: 's', device: 'd', host: 'localhost', port: 1884, pass: 'p2' };

  /** Runs `step` with the power cut after `writes` writes; returns whether it was cut. */
  function cut(kv: ReturnType<typeof createHostStorage>['kv'], writes: number, step: () => void): boolean {
    kv.failAfterWrites(writes);
    try {
      step();
      kv.powerOn();
      return false;
    } catch (error) {
      if (!(error instanceof PowerLoss)) throw error;
      kv.powerOn();
      return true;
    }
  }

  test('at every write of a staging: the old settings, or the new ones on trial', () => {
    for (let writes = 0; ; writes++) {
      const kv = createHostStorage().kv;
      writeProvisioning(kv, OLD);
      const wasCut = cut(kv, writes, () => stageSettings(kv, CHANGE));
      const trial = new SettingsTrial(kv);
      expect(trial.recover()).toBeUndefined();
      expect(effectiveProvisioning(kv)).toEqual(trial.staged ? NEW : OLD);
      expect(readProvisioning(kv)).toEqual(OLD); // the last good set is untouched until promoted
      if (!wasCut) {
        expect(trial.staged).toBe(true);
        break;
      }
    }
  });

  test('at every write of a promotion: the new settings whole, kept after recovery', () => {
    let points = 0;
    for (let writes = 0; ; writes++) {
      const kv = createHostStorage().kv;
      writeProvisioning(kv, OLD);
      stageSettings(kv, CHANGE);
      const wasCut = cut(kv, writes, () => new SettingsTrial(kv).promote());
      // Any state after the cut: trial (not yet committed) or promoting/done — old or new whole, never a mix.
      const seen = effectiveProvisioning(kv);
      expect([OLD, NEW]).toContainEqual(seen);
      const trial = new SettingsTrial(kv);
      expect(trial.recover()).toBeUndefined();
      if (trial.staged) {
        expect(seen).toEqual(NEW); // still on trial: tried again, and the old set still stored
        expect(readProvisioning(kv)).toEqual(OLD);
      } else {
        expect(readProvisioning(kv)).toEqual(NEW);
        expect(kv.get('prov', 'cand')).toBeUndefined();
      }
      points++;
      if (!wasCut) break;
    }
    expect(points).toBeGreaterThanOrEqual(6); // the commit, three keys copied, the removal, the record deleted
  });

  test('at every write of a revert: the old settings, and the report made exactly when reverted', () => {
    for (let writes = 0; ; writes++) {
      const kv = createHostStorage().kv;
      writeProvisioning(kv, OLD);
      stageSettings(kv, CHANGE);
      let reported = 0;
      const wasCut = cut(kv, writes, () => {
        const trial = new SettingsTrial(kv);
        trial.revert('test');
        reported++;
        trial.reported();
      });
      const trial = new SettingsTrial(kv);
      const pending = trial.recover();
      if (pending) trial.reported();
      if (trial.staged) expect(writes).toBe(0); // cut before the commit: still on trial
      else {
        expect(effectiveProvisioning(kv)).toEqual(OLD);
        expect(reported + (pending ? 1 : 0)).toBeGreaterThanOrEqual(1); // said at least once
        expect(kv.get('prov', 'cand')).toBeUndefined();
      }
      if (!wasCut) break;
    }
  });

  test('a device cut at every write of a promotion comes back online on the new settings', () => {
    let cuts = 0;
    for (let writes = 0; writes < 12; writes++) {
      const { d, rules, mqtt } = rig();
      d.boot();
      stageSettings(d.storage.kv, { port: 1884 });
      rules.port = 1884;
      d.storage.failAfterWrites(writes);
      try {
        d.runtime.trySettings();
      } catch (error) {
        if (!(error instanceof PowerLoss)) throw error;
      }
      if (d.storage.power.dead) cuts++;
      d.storage.powerOn();
      d.powerCycle();
      d.advance(2000);
      expect(d.runtime.state).toBe('online');
      expect(mqtt().options!.port).toBe(1884);
      expect(prov(d).port).toBe(1884);
      expect(reverts(d)).toEqual([]);
    }
    expect(cuts).toBeGreaterThanOrEqual(4); // the trial's start, the commit, the copy, the record's removal
  });
});

describe('a desired config on trial', () => {
  function desired(version: number, config: Record<string, unknown>) {
    return JSON.stringify({ v: 1, msg: 'config.desired', version, config });
  }
  const reported = (d: TestDevice) => d.messages<ReportedConfigMessage>('config/reported').at(-1)!;

  test('one after which the broker is lost is reverted and reported when back', () => {
    const { d, mqtt } = rig();
    d.boot();
    mqtt().deliver(`${PREFIX}/config/desired`, desired(1, { healthIntervalS: 600 }), true);
    d.advance(TRIAL_MS + 1000); // proven
    mqtt().deliver(`${PREFIX}/config/desired`, desired(2, { healthIntervalS: 60 }), true);
    expect(d.runtime.config.values.healthIntervalS).toBe(60);
    mqtt().setNetworkUp(false); // the broker refuses from here on
    d.advance(TRIAL_MS - 1000);
    expect(d.runtime.config.version).toBe(2);
    d.advance(2000);
    expect(d.runtime.config.version).toBe(1);
    expect(d.runtime.config.values.healthIntervalS).toBe(600);
    mqtt().setNetworkUp(true);
    d.advance(10_000);
    expect(d.runtime.state).toBe('online');
    expect(reported(d)).toMatchObject({ version: 1, config: { healthIntervalS: 600 }, last: { version: 2, status: 'reverted', reason: expect.stringContaining('lost the broker') } });
    expect(d.events('config.reverted').map((e) => e.data)).toEqual([{ version: 2, restored: 1, reason: expect.stringContaining('none within') }]);
    // The broker still holds version 2 retained: it is not applied again, now or after a restart.
    mqtt().deliver(`${PREFIX}/config/desired`, desired(2, { healthIntervalS: 60 }), true);
    d.powerCycle();
    mqtt().deliver(`${PREFIX}/config/desired`, desired(2, { healthIntervalS: 60 }), true);
    expect(d.runtime.config.values.healthIntervalS).toBe(600);
    expect(reported(d).last).toMatchObject({ version: 2, status: 'reverted' });
    // A newer version applies as usual.
    mqtt().deliver(`${PREFIX}/config/desired`, desired(3, { healthIntervalS: 120 }), true);
    expect(d.runtime.config.version).toBe(3);
  });

  test('one that keeps the connection is kept, and a later outage does not revert it', () => {
    const { d, mqtt } = rig();
    d.boot();
    mqtt().deliver(`${PREFIX}/config/desired`, desired(1, { healthIntervalS: 600 }), true);
    mqtt().drop(); // a short blip during the trial: back within the bound
    d.advance(5000);
    expect(d.runtime.state).toBe('online');
    d.advance(TRIAL_MS + 1000);
    mqtt().setNetworkUp(false);
    d.advance(TRIAL_MS * 3);
    mqtt().setNetworkUp(true);
    d.advance(10_000);
    expect(d.runtime.config.version).toBe(1);
    expect(d.runtime.config.values.healthIntervalS).toBe(600);
    expect(d.events('config.reverted')).toEqual([]);
    expect(reported(d).last).toEqual({ version: 1, status: 'applied' });
  });
});

describe('a desired config on trial, power cuts', () => {
  const SPEC = { a: { type: 'integer', min: 0, max: 100, default: 1 }, b: { type: 'boolean', default: false } } as const;
  const V1 = { a: 10, b: false };
  const V2 = { a: 20, b: true };
  const V3 = { a: 30, b: false };

  /**
   * Applies v1 (kept) and v2 (kept when `keepV2`), then cuts at every write of `step`: the store reloaded holds one
   * of `allowed` whole (`trial`: whether it is then on trial). Returns the cut points.
   */
  function everyCut(keepV2: boolean, step: (store: ConfigStore<typeof SPEC>) => void, allowed: Record<string, { values: object; trial: boolean }>): number {
    let cuts = 0;
    for (let writes = 0; ; writes++) {
      const { kv } = createHostStorage();
      const setUp = new ConfigStore(SPEC, kv);
      setUp.applyDesired(1, V1);
      setUp.keep();
      setUp.applyDesired(2, V2);
      if (keepV2) setUp.keep();
      kv.failAfterWrites(writes);
      let wasCut = false;
      try {
        step(new ConfigStore(SPEC, kv));
      } catch (error) {
        if (!(error instanceof PowerLoss)) throw error;
        wasCut = true;
      }
      kv.powerOn();
      const store = new ConfigStore(SPEC, kv);
      const expected = allowed[`v${store.version}`];
      expect(expected && { values: store.values, trial: store.onTrial }).toEqual(expected);
      if (!wasCut) return cuts;
      cuts++;
    }
  }

  test('at every write of a revert: version 2 on trial, or version 1 back (not on trial, marked reverted)', () => {
    expect(everyCut(false, (store) => store.revert('test'), { v1: { values: V1, trial: false }, v2: { values: V2, trial: true } })).toBe(2);
    const { kv } = createHostStorage();
    const store = new ConfigStore(SPEC, kv);
    store.applyDesired(1, V1);
    store.revert('test');
    expect(new ConfigStore(SPEC, kv).reverted).toEqual({ version: 1, reason: 'test' });
  });

  test('at every write of applying version 3 over a proven version 2: 2 as it was, or 3 on trial', () => {
    expect(everyCut(true, (store) => store.applyDesired(3, V3), { v2: { values: V2, trial: false }, v3: { values: V3, trial: true } })).toBe(2);
  });

  test('version 3 over a version 2 still on trial: a revert goes back to version 1, the last proven', () => {
    expect(everyCut(false, (store) => store.applyDesired(3, V3), { v2: { values: V2, trial: true }, v3: { values: V3, trial: true } })).toBe(1);
    const { kv } = createHostStorage();
    const store = new ConfigStore(SPEC, kv);
    store.applyDesired(1, V1);
    store.keep();
    store.applyDesired(2, V2);
    store.applyDesired(3, V3);
    expect(store.revert('lost')).toEqual({ version: 3, changed: ['a'] });
    expect({ version: store.version, values: store.values }).toEqual({ version: 1, values: V1 });
  });
});

describe('lifecycle.settings', () => {
  let serial = 0;
  function send(d: TestDevice, mqtt: FakeMqtt, change: Record<string, unknown>, options: { key?: Uint8Array; sig?: string; digest?: number; signed?: Record<string, unknown>; target?: number } = {}) {
    const reqId = `ls-${++serial}`;
    const exp = WALL_TIME + 600_000;
    const key = options.key ?? COMMAND_KEY_BYTES;
    const digest = options.digest ?? settingsDigest((k, text) => new Uint8Array(createHmac('sha256', k).update(text).digest()), key, options.signed ?? change);
    const target = options.target ?? 0;
    const sig = options.sig ?? signCommand(key, SETTINGS_COMMAND, reqId, exp, target, digest);
    const args = { target, digest, sig, ...change };
    mqtt.deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId, name: SETTINGS_COMMAND, exp, args }));
    return d.messages<ResultMessage>('result').find((r) => r.reqId === reqId)!;
  }

  test('signed and well-formed: staged, tried, kept', () => {
    const { d, rules, mqtt } = rig();
    d.boot();
    rules.port = 1884;
    expect(send(d, mqtt(), { port: 1884 })).toMatchObject({ code: 'ok', data: { staged: ['port'], restart: false } });
    d.advance(1500);
    expect(d.runtime.state).toBe('online');
    expect(prov(d).port).toBe(1884);
  });

  test('forged, unsigned, tampered or bad-argument commands are refused with nothing staged', () => {
    const { d, mqtt } = rig();
    d.boot();
    const m = mqtt();
    expect(send(d, m, { port: 1884 }, { key: new Uint8Array(32).fill(1) })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('sig') });
    expect(send(d, m, { port: 1884 }, { sig: 'ab'.repeat(32) })).toMatchObject({ code: 'invalid', reason: 'args.sig: signature does not match' });
    expect(send(d, m, { port: 1885 }, { signed: { port: 1884 } })).toMatchObject({ code: 'invalid', reason: 'args.digest: does not match the settings' });
    expect(send(d, m, { port: 1884 }, { target: 1 })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('args.target') });
    expect(send(d, m, { port: '1884' })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('port') });
    expect(send(d, m, { colour: 'red' })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('not a connection setting') });
    expect(send(d, m, { device: 'dev-2' })).toMatchObject({ code: 'invalid', reason: expect.stringContaining('cannot be changed by command') });
    expect(send(d, m, {})).toMatchObject({ code: 'invalid', reason: expect.stringContaining('no settings') });
    // Unsigned.
    m.deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId: 'ls-bare', name: SETTINGS_COMMAND, exp: WALL_TIME + 600_000, args: { target: 0, digest: 1, port: 1884 } }));
    expect(d.messages<ResultMessage>('result').find((r) => r.reqId === 'ls-bare')).toMatchObject({ code: 'invalid', reason: expect.stringContaining('sig') });
    // Signed, but settings the provisioning rules refuse.
    expect(send(d, m, { host: 'broker.example' })).toMatchObject({ code: 'rejected', reason: expect.stringContaining('not loopback') });
    d.advance(5000);
    expect(d.storage.kv.get('prov', 'cand')).toBeUndefined();
    expect(prov(d)).toMatchObject({ host: '127.0.0.1', port: 1883 });
    expect(m.connects).toBe(1);
  });
});

describe('lifecycle.settings from the platform', () => {

  test('signed by the platform: a new broker that does not answer is reverted, and the platform hears why', async () => {
    const { Rig } = await import('../platform/rig.js');
    const { doorReaderKind } = await import('../../simulator/kinds/door-reader.js');
    const { createServer } = await import('node:net');
    // A port nothing listens on.
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const deadPort = (server.address() as { port: number }).port;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const rig = await new Rig().start();
    try {
      const door = rig.device(doorReaderKind, 'door-7', { outbox: 64 * 1024, credA: 64 * 1024, credB: 64 * 1024 });
      await rig.platform.waitFor((p) => p.device('door-7')?.state === 'online', 10_000);
      const result = await rig.platform.changeSettings('door-7', { port: deadPort });
      expect(result).toMatchObject({ code: 'ok', data: { staged: ['port'], restart: false } });
      // TRIAL_MS at the rig's speed, then back on the old port.
      await rig.platform.waitFor((p) => p.events({ dev: 'door-7', type: SETTINGS_REVERTED }).length > 0, 15_000, 'the revert');
      const [event] = rig.platform.events({ dev: 'door-7', type: SETTINGS_REVERTED });
      expect(event!.data).toEqual({ why: expect.stringContaining(`within ${TRIAL_MS / 1000} s`), tried: ['port'] });
      expect(readProvisioning(door.storage.kv)).toMatchObject({ port: rig.broker.port });
    } finally {
      await rig.stop();
    }
  }, 20_000);
});
