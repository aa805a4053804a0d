// The setup of an unprovisioned device (firmware/lifecycle/setup.ts, docs/protocol.md §17.6): a door reader takes
// its provisioning code from its QR scanner, the serial console or the setup page, and its Wi-Fi from the page or
// the console; it restarts onto them, proves Wi-Fi, time and broker, and says so. Three installer steps; a bad code
// changes nothing; a wrong Wi-Fi password comes back as the page's problem; power cuts at every write of a
// provisioning never leave a device set up half-way.
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, test } from '@jest/globals';
import type { SetupResponse } from '../../hal/contract/setup.js';
import { APPLIED_KEY, PROVISIONED_EVENT, SETUP_DOMAIN, SETUP_SECRET_KEY } from '../../firmware/lifecycle/provisioning-code.js';
import { TRIAL_MS } from '../../firmware/lifecycle/settings-trial.js';
import type { SetupStatus } from '../../firmware/lifecycle/setup-status.js';
import type { StatusMessage } from '../../firmware/protocol/messages.js';
import { readProvisioning } from '../../firmware/runtime/provisioning.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import { createHostStorage, PowerLoss, type HostStorage } from '../../hal/host/storage/index.js';
import type { HostSetup } from '../../hal/host/setup.js';
import { makeProvisioningCode, publicKeyHex } from '../../scripts/platform/provisioning-code.js';
import { startSetupPage } from '../../simulator/setup-page.js';
import { doorReaderKind, DoorWorld } from '../../simulator/kinds/door-reader.js';
import { smartBinKind } from '../../simulator/kinds/smart-bin.js';
import { SimDevice } from '../../simulator/device.js';
import { KEYS } from '../door-reader/door-reader-device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { RigDevice, steppedDevice, WALL_TIME } from '../support/device.js';

const NOW = WALL_TIME / 1000;
const SETUP_SECRET = 'K7QX-M2PD-9WRT';
const platformKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
const PROVISIONING_KEY = Buffer.from(publicKeyHex(platformKey), 'hex');
const NETWORKS = [{ ssid: 'Oak Court Staff', password: 'staff-wifi-2027', rssi: -55 }, { ssid: 'Guest', rssi: -70 }];
const PARTITIONS = { outbox: 128 * 1024, credA: 64 * 1024, credB: 64 * 1024 };

function code(device = 'door-reader-1', key = platformKey): string {
  return makeProvisioningCode({
    model: 'door-reader', site: 'site-1', device, host: '127.0.0.1', port: 1883, tls: false,
    user: `site-1.${device}`, pass: 'device password', keys: KEYS, setupSecret: SETUP_SECRET,
    issuedAt: NOW - 60, expiresAt: NOW + 3600,
  }, key).text;
}

class SetupRig extends RigDevice<DoorWorld> {
  /** Installer actions, counted. */
  steps = 0;

  constructor(storage: HostStorage = flashed()) {
    super(steppedDevice({
      kind: { ...doorReaderKind, board: simDoorReader, createWorld: () => new DoorWorld() },
      partitions: PARTITIONS,
      storage,
      provisioning: false,
      transport: () => new FakeMqtt(),
      setup: { networks: NETWORKS },
      provisioningKey: PROVISIONING_KEY,
    }));
  }

  get setup(): HostSetup {
    const setup = this.device.setup;
    if (!setup) throw new Error('no setup services: the device is off');
    return setup;
  }

  powerOn(): void {
    this.steps++;
    this.boot();
    this.advance(500);
  }

  page(method: string, path: string, body: unknown = ''): SetupResponse {
    const response = this.setup.accessPoint.request({ method, path, body: typeof body === 'string' ? body : JSON.stringify(body) });
    if (!response) throw new Error('the setup page is not served');
    return response;
  }

  status(): SetupStatus {
    return (JSON.parse(this.page('GET', '/status').body) as { status: SetupStatus }).status;
  }

  scan(text: string): void {
    this.steps++;
    this.world.scanQr(text);
    this.advance(5000); // 9600 baud: a 1,700-character code takes ~1.8 s to arrive
  }

  pickWifi(ssid: string, password: string): SetupResponse {
    this.steps++;
    return this.page('POST', '/wifi', { ssid, password });
  }

  /** What the door's LED shows. */
  get led(): string | undefined {
    return this.world.boot?.app.reader?.feedback.showing;
  }

  births(): StatusMessage[] {
    return this.messages<StatusMessage>('status').filter((status) => status.state === 'online');
  }
}

function flashed(): HostStorage {
  const storage = createHostStorage({ partitions: PARTITIONS });
  storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
  return storage;
}

describe('setting up an unprovisioned door reader', () => {
  test('powered, its code scanned, a network picked: it proves Wi-Fi, time and broker and sends its birth, in three steps', () => {
    const d = new SetupRig();
    d.powerOn();
    expect(d.runtime.state).toBe('unprovisioned');
    // The setup network: named after the model and hardware id, its password the label's secret.
    expect(d.setup.accessPoint.open).toEqual({ ssid: expect.stringMatching(/^CT-door-reader-[0-9A-F]{4}$/), password: SETUP_SECRET });
    expect(d.page('GET', '/').body).toContain('设备设置');
    expect(d.page('GET', '/generate_204')).toMatchObject({ status: 302, location: '/' }); // phones' captive-portal probe
    const networks = (JSON.parse(d.page('GET', '/status').body) as { networks: unknown[] }).networks;
    expect(networks).toEqual([{ ssid: 'Oak Court Staff', rssi: -55, secure: true }, { ssid: 'Guest', rssi: -70, secure: false }]);
    expect(d.status()).toMatchObject({ phase: 'needs_code' });
    expect(d.led).toBe('setup');

    const text = code();
    expect(text.length).toBeGreaterThan(512); // past the scanner's old line limit
    d.scan(text);
    expect(d.status()).toMatchObject({ phase: 'needs_wifi', site: 'site-1', device: 'door-reader-1' });
    expect(d.births()).toHaveLength(0);

    expect(d.pickWifi('Oak Court Staff', 'staff-wifi-2027')).toMatchObject({ status: 200 });
    expect(d.status()).toMatchObject({ phase: 'restarting', wifi: 'Oak Court Staff' });
    d.advance(5000);
    expect(d.runtime.state).toBe('online');
    expect(d.status()).toEqual({
      phase: 'done', site: 'site-1', device: 'door-reader-1', wifi: 'Oak Court Staff',
      proofs: { wifi: 'ok', time: 'ok', broker: 'ok', tls: 'skipped' },
    });
    expect(d.births().at(-1)).toMatchObject({ dev: 'door-reader-1', model: 'door-reader' });
    expect(d.storage.kv.get(SETUP_DOMAIN, 'run')).toBeUndefined();
    expect(d.steps).toBe(3);
    expect(d.led).toBe('online');

    // Set up: the next boot is an ordinary one, with no setup network.
    d.powerCycle(1000);
    d.advance(3000);
    expect(d.runtime.state).toBe('online');
    expect(d.runtime.setup).toBeUndefined();
    expect(d.setup.accessPoint.open).toBeUndefined();
  });

  test('the same over the serial console: provision, wifi, status', () => {
    const d = new SetupRig();
    d.powerOn();
    const typed = (line: string) => {
      const before = d.setup.console.output.length;
      d.setup.console.type(line);
      d.advance(100);
      return d.setup.console.output.slice(before).join('\n');
    };
    expect(typed('status')).toMatch(/^ok phase=needs_code /);
    expect(typed('provision CTP1.AB1')).toMatch(/^refused malformed: /);
    expect(typed(`provision ${code()}`)).toMatch(/^ok phase=needs_wifi site=site-1 device=door-reader-1 /);
    expect(typed('wifi "Oak Court Staff" short')).toMatch(/^refused invalid: the password has 8 to 63 characters/);
    expect(typed('wifi "Oak Court Staff" staff-wifi-2027')).toMatch(/^ok phase=restarting .*wifi="Oak Court Staff"/);
    expect(typed('bogus')).toMatch(/^error: unknown command/);
    d.advance(5000);
    expect(d.runtime.state).toBe('online');
    expect(typed('status')).toBe('ok phase=done site=site-1 device=door-reader-1 wifi="Oak Court Staff" wifi:ok time:ok broker:ok tls:skipped');
  });

  test('a network picked before the code waits for it', () => {
    const d = new SetupRig();
    d.powerOn();
    expect(d.pickWifi('Oak Court Staff', 'staff-wifi-2027')).toMatchObject({ status: 200 });
    expect(d.status()).toMatchObject({ phase: 'needs_code', wifi: 'Oak Court Staff' });
    expect(d.page('POST', '/code', { code: code() })).toMatchObject({ status: 200 });
    d.advance(5000);
    expect(d.status()).toMatchObject({ phase: 'done' });
    expect(d.births()).toHaveLength(1);
  });

  test('a bad code shows its reason on the page and writes nothing', () => {
    const d = new SetupRig();
    d.powerOn();
    const snapshot = () => JSON.stringify(['prov', 'cred', 'door', SETUP_DOMAIN].map((domain) => d.storage.kv.keys(domain).map((key) => [key, String(d.storage.kv.get(domain, key))])));
    const before = snapshot();
    const forged = code('door-reader-1', generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey); // not the platform's key
    for (const [text, reason] of [[forged, 'forged'], ['CTP1.AB1', 'malformed'], ['hello', 'malformed']] as const) {
      const response = d.page('POST', '/code', { code: text });
      expect(response.status).toBe(422);
      expect(JSON.parse(response.body)).toMatchObject({ ok: false, reason });
      expect(d.status()).toMatchObject({ phase: 'needs_code', problem: { step: 'code', reason } });
    }
    expect(d.page('POST', '/code', '{"code": 42}').status).toBe(400);
    expect(d.page('POST', '/code', 'not json').status).toBe(400);
    expect(d.page('PUT', '/code', '{}').status).toBe(405);
    expect(snapshot()).toBe(before);
  });

  test('a wrong Wi-Fi password: the trial reverts, the page says why and asks again; the right one works', () => {
    const d = new SetupRig();
    d.powerOn();
    d.scan(code());
    d.pickWifi('Oak Court Staff', 'wrong-password');
    d.advance(5000);
    expect(d.status()).toMatchObject({ phase: 'proving', proofs: { wifi: 'failed', broker: 'waiting' }, problem: { step: 'wifi', detail: 'wrong password' } });
    d.advance(TRIAL_MS + 5000);
    expect(d.status()).toMatchObject({ phase: 'needs_wifi', problem: { step: 'wifi', detail: 'wrong password' } });
    expect(d.births()).toHaveLength(0);
    d.pickWifi('Oak Court Staff', 'staff-wifi-2027');
    d.advance(5000);
    expect(d.status()).toMatchObject({ phase: 'done', proofs: { wifi: 'ok', broker: 'ok' } });
    expect(d.births()).toHaveLength(1);
  });
});

describe('a smart bin', () => {
  test('takes its code from its QR scanner too', () => {
    const storage = createHostStorage({ partitions: { ...smartBinKind.partitions } });
    storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, SETUP_SECRET);
    const bin = new SimDevice({
      kind: smartBinKind, storage, provisioning: false, clock: { mode: 'stepped', wallTimeMs: WALL_TIME }, record: true,
      transport: () => new FakeMqtt(), setup: { networks: NETWORKS }, provisioningKey: PROVISIONING_KEY,
    });
    bin.boot();
    bin.advance(500);
    const text = makeProvisioningCode({
      model: 'smart-bin', site: 'site-1', device: 'bin-1', host: '127.0.0.1', port: 1883, tls: false, user: '', pass: '',
      keys: KEYS, setupSecret: SETUP_SECRET, issuedAt: NOW - 60, expiresAt: NOW + 3600,
    }, platformKey).text;
    bin.world.scanQr(text);
    bin.advance(5000);
    const setup = bin.runtime!.setup!;
    expect(setup.status()).toMatchObject({ phase: 'needs_wifi', site: 'site-1', device: 'bin-1' });
    expect(setup.chooseWifi('Oak Court Staff', 'staff-wifi-2027')).toEqual({ ok: true });
    bin.advance(6000);
    expect(bin.state).toBe('online');
    expect(bin.runtime!.setup!.status()).toMatchObject({ phase: 'done' });
  });
});

describe('the setup page over HTTP on 127.0.0.1 (simulator/setup-page.ts)', () => {
  test('a browser reaches it, sends the code and the network, and reads the proofs; a bad code shows its reason', async () => {
    const d = new SetupRig();
    d.powerOn();
    const page = await startSetupPage(d.device);
    try {
      const post = (path: string, body: unknown) => fetch(new URL(path, page.url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const html = await fetch(page.url);
      expect(html.headers.get('content-type')).toMatch(/^text\/html/);
      expect(await html.text()).toContain('Device setup');
      expect((await fetch(new URL('/hotspot-detect.html', page.url), { redirect: 'manual' })).headers.get('location')).toBe('/');

      const bad = await post('/code', { code: 'CTP1.AB1' });
      expect(bad.status).toBe(422);
      expect(await bad.json()).toMatchObject({ ok: false, reason: 'malformed' });
      expect((await (await fetch(new URL('/status', page.url))).json()).status).toMatchObject({ phase: 'needs_code', problem: { step: 'code', reason: 'malformed' } });
      expect(readProvisioning(d.storage.kv)).toEqual(expect.any(String));

      expect((await post('/code', { code: code() })).status).toBe(200);
      expect((await post('/wifi', { ssid: 'Oak Court Staff', password: 'staff-wifi-2027' })).status).toBe(200);
      d.advance(1200); // the restart: no boot serves the page for a moment
      expect((await fetch(new URL('/status', page.url))).status).toBe(503);
      d.advance(4000);
      const { status } = await (await fetch(new URL('/status', page.url))).json() as { status: SetupStatus };
      expect(status).toMatchObject({ phase: 'done', proofs: { wifi: 'ok', time: 'ok', broker: 'ok', tls: 'skipped' } });
      expect((await fetch(page.url, { method: 'POST', body: 'x'.repeat(7000) })).status).toBe(413);
    } finally {
      await page.close();
    }
  });
});

describe('power cuts while setting up', () => {
  test('a cut at any write leaves a device that opens its setup again or is set up; finishing the setup always works', () => {
    const outcomes = new Set<string>();
    let cutAt = 0;
    for (; cutAt < 300; cutAt++) {
      const storage = flashed();
      const d = new SetupRig(storage);
      d.powerOn();
      storage.failAfterWrites(cutAt);
      let cut = false;
      try {
        d.scan(code());
        d.pickWifi('Oak Court Staff', 'staff-wifi-2027');
        d.advance(5000);
      } catch (error) {
        if (!(error instanceof PowerLoss)) throw error;
        cut = true;
      }
      storage.powerOn();
      if (!cut) {
        expect(d.status()).toMatchObject({ phase: 'done' });
        break;
      }
      d.powerCycle(1000);
      d.advance(3000);
      const status = d.status();
      outcomes.add(status.phase);
      // Never provisioned and off the network without its setup page.
      expect(['needs_code', 'needs_wifi', 'proving', 'done']).toContain(status.phase);
      if (status.phase === 'needs_code') {
        expect(readProvisioning(storage.kv)).toEqual(expect.any(String));
        d.scan(code()); // the cut one may be used up: the platform issues another
      }
      if (d.status().phase === 'needs_wifi') d.pickWifi('Oak Court Staff', 'staff-wifi-2027');
      d.advance(5000);
      expect(d.status()).toMatchObject({ phase: 'done' });
      expect(d.runtime.state).toBe('online');
    }
    expect(cutAt).toBeGreaterThan(10); // the setup record, the code ledger, prov, the site keys, the staged Wi-Fi, the trial, the promotion
    expect(outcomes).toEqual(new Set(['needs_code', 'needs_wifi', 'done']));
  }, 60_000);
});

describe('the code applied, said once over MQTT (the platform ledger: docs/protocol.md §17)', () => {
  test('one lifecycle.provisioned { codeId } after the setup is done, none at later boots', () => {
    const d = new SetupRig();
    d.powerOn();
    const made = makeProvisioningCode({
      model: 'door-reader', site: 'site-1', device: 'door-reader-1', host: '127.0.0.1', port: 1883, tls: false,
      user: 'site-1.door-reader-1', pass: 'device password', keys: KEYS, setupSecret: SETUP_SECRET,
      issuedAt: NOW - 60, expiresAt: NOW + 3600,
    }, platformKey);
    d.scan(made.text);
    expect(d.storage.kv.get(SETUP_DOMAIN, APPLIED_KEY)).toBe(made.codeId);
    d.pickWifi('Oak Court Staff', 'staff-wifi-2027');
    // Before the broker: nothing said yet.
    expect(d.events(PROVISIONED_EVENT)).toEqual([]);
    d.advance(5000);
    expect(d.status()).toMatchObject({ phase: 'done' });
    expect(d.events(PROVISIONED_EVENT).map((event) => [event.dev, event.data])).toEqual([['door-reader-1', { codeId: made.codeId }]]);
    expect(d.storage.kv.get(SETUP_DOMAIN, APPLIED_KEY)).toBeUndefined();

    d.powerCycle(1000);
    d.advance(3000);
    expect(d.runtime.state).toBe('online');
    expect(d.events(PROVISIONED_EVENT)).toHaveLength(1);
  });

  test('a Wi-Fi that fails first: the code is said once, when the right network reaches the broker', () => {
    const d = new SetupRig();
    d.powerOn();
    d.scan(code());
    d.pickWifi('Oak Court Staff', 'not the password');
    d.advance(TRIAL_MS + 5000);
    expect(d.events(PROVISIONED_EVENT)).toEqual([]);
    expect(d.storage.kv.get(SETUP_DOMAIN, APPLIED_KEY)).toEqual(expect.any(String));
    d.pickWifi('Oak Court Staff', 'staff-wifi-2027');
    d.advance(5000);
    expect(d.runtime.state).toBe('online');
    expect(d.events(PROVISIONED_EVENT)).toHaveLength(1);
  });
});
