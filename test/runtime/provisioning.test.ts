// Credentials and transport at provisioning (docs/protocol.md §11): outside loopback a device needs its own user
// name and password and TLS, or the lab setting prov/insecure, which its birth then reports. Client id = site.device.
import type { StatusMessage } from '../../firmware/protocol/messages.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { clientIdOf, isLoopbackHost, readProvisioning, writeProvisioning, type Provisioning } from '../../firmware/runtime/provisioning.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { TestDevice } from '../support/device.js';
import { makeTestPki, type TestPki } from '../support/tls.js';

let pki: TestPki;
beforeAll(async () => {
  pki = await makeTestPki();
}, 60_000);

const LAN: Provisioning = { site: 'north', device: 'door-3', host: 'broker.lan', port: 1883 };

function read(provisioning: Provisioning, extra: Record<string, string | number | boolean> = {}) {
  const { kv } = createHostStorage({ partitions: {} });
  writeProvisioning(kv, provisioning);
  for (const [key, value] of Object.entries(extra)) kv.set('prov', key, value);
  return readProvisioning(kv);
}

function boot(provisioning: Partial<Provisioning>, extra: Record<string, string | number | boolean> = {}) {
  let fake!: FakeMqtt;
  const d = new TestDevice({ provisioning, transport: () => (fake = new FakeMqtt()) });
  for (const [key, value] of Object.entries(extra)) d.storage.kv.set('prov', key, value);
  d.boot();
  const birth = () => fake.messages<StatusMessage>('status').find((s) => s.state === 'online');
  return { d, fake: () => fake, birth };
}

describe('loopback', () => {
  test.each(['127.0.0.1', '127.8.9.10', '127.255.255.255', 'localhost', 'LocalHost', '::1'])('%s is loopback', (host) => {
    expect(isLoopbackHost(host)).toBe(true);
  });

  test.each(['128.0.0.1', '127.0.0.256', '127.0.0', '0.0.0.0', '10.0.0.1', 'localhost.example.org', 'mylocalhost', '::2', 'broker.lan', '127.0.0.1.nip.io'])(
    '%s is not', (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );

  test('a loopback broker needs neither credentials nor TLS', () => {
    for (const host of ['127.0.0.1', 'localhost', '::1']) expect(read({ ...LAN, host })).toEqual({ ...LAN, host });
    const { d, fake, birth } = boot({ host: '127.0.0.1' });
    expect(d.runtime.state).toBe('online');
    expect(fake().options).not.toHaveProperty('username');
    expect(fake().options).not.toHaveProperty('secure');
    expect(birth()).not.toHaveProperty('insecure');
    d.hal.dispose();
  });
});

describe('outside loopback', () => {
  test.each([
    ['no credentials, no TLS', {}, /^prov\/host broker\.lan is not loopback: it needs prov\/user and prov\/pass .* and prov\/tls true, or prov\/insecure true/],
    ['credentials but plain MQTT', { user: 'north.door-3', pass: 'pw' }, /^prov\/host broker\.lan is not loopback: it needs prov\/tls true, or prov\/insecure/],
    ['a user but no password', { user: 'north.door-3' }, /needs prov\/user and prov\/pass/],
    ['an empty user name', { user: '', pass: 'pw' }, /needs prov\/user and prov\/pass/],
    ['an empty password', { user: 'north.door-3', pass: '' }, /needs prov\/user and prov\/pass/],
    ['prov/insecure false', { insecure: false }, /or prov\/insecure true for a lab broker$/],
  ])('%s: refused with the reason', (_name, extra, reason) => {
    expect(read(LAN, extra)).toMatch(reason);
  });

  test('TLS without credentials is refused too', () => {
    const { d, fake } = boot({ ...LAN, port: 8883, tls: true, ca: pki.ca.cert });
    expect(d.runtime.state).toBe('unprovisioned');
    expect(fake().connects).toBe(0);
    expect(d.hal.system.logs).toContainEqual({
      level: 'error',
      message: 'not provisioned: prov/host broker.lan is not loopback: it needs prov/user and prov/pass (this device\'s own credentials), or prov/insecure true for a lab broker',
    });
    // It keeps working offline and keeps its events.
    d.runtime.emit('test.kept', {});
    expect(d.runtime.outbox.depth).toBe(1);
    d.hal.dispose();
  });

  test('TLS and its own credentials: connects as site.device, and the birth says nothing about insecurity', () => {
    const { d, fake, birth } = boot({ ...LAN, port: 8883, tls: true, ca: pki.ca.cert, user: 'north.door-3', pass: 'door-3-secret' });
    expect(d.runtime.state).toBe('online');
    expect(fake().options).toMatchObject({ clientId: 'north.door-3', username: 'north.door-3', password: 'door-3-secret', port: 8883 });
    expect(fake().options!.secure).toBeDefined();
    expect(birth()).toBeDefined();
    expect(birth()).not.toHaveProperty('insecure');
    expect(d.hal.system.logs.map((l) => l.message).join('\n')).not.toContain('door-3-secret');
    d.hal.dispose();
  });

  test('prov/insecure must be a boolean', () => {
    expect(read(LAN, { insecure: 'yes' })).toBe('prov/insecure must be true or false');
    expect(read({ ...LAN, host: '127.0.0.1' }, { insecure: 1 })).toBe('prov/insecure must be true or false');
  });
});

describe('the lab setting prov/insecure', () => {
  test('allows plain MQTT without credentials outside loopback; the birth says insecure: true and validates', () => {
    expect(read(LAN, { insecure: true })).toEqual({ ...LAN, insecure: true });
    const { d, fake, birth } = boot(LAN, { insecure: true });
    expect(d.runtime.state).toBe('online');
    expect(fake().options).toMatchObject({ host: 'broker.lan', clientId: 'north.door-3' });
    expect(fake().options).not.toHaveProperty('secure');
    expect(birth()).toMatchObject({ state: 'online', insecure: true });
    const status = fake().published.find((p) => p.topic === 'ct/v1/north/door-3/status')!;
    expect(validateOutbound(JSON.parse(status.payload))).toMatchObject({ ok: true });
    // Only the birth: the will names the session, nothing more.
    expect(JSON.parse(fake().options!.will!.payload)).not.toHaveProperty('insecure');
    expect(d.hal.system.logs).toContainEqual({
      level: 'warn', message: 'prov/insecure: plain MQTT, no credentials to broker.lan (lab only; the birth says insecure)',
    });
    // Every birth of the boot says it.
    fake().drop();
    d.clock.advance(1000);
    expect(fake().messages<StatusMessage>('status').filter((s) => s.state === 'online').map((s) => s.insecure)).toEqual([true, true]);
    d.hal.dispose();
  });

  test('allows credentials over plain MQTT, or TLS without credentials, and says so', () => {
    expect(read(LAN, { insecure: true, user: 'north.door-3', pass: 'pw' })).toMatchObject({ insecure: true });
    const { d, birth } = boot({ ...LAN, port: 8883, tls: true, ca: pki.ca.cert }, { insecure: true });
    expect(birth()).toMatchObject({ insecure: true });
    expect(d.hal.system.logs.map((l) => l.message)).toContain('prov/insecure: no credentials to broker.lan (lab only; the birth says insecure)');
    d.hal.dispose();
  });

  test('is not reported where it allows nothing: on loopback, or with TLS and credentials', () => {
    expect(read({ ...LAN, host: '127.0.0.1' }, { insecure: true })).toEqual({ ...LAN, host: '127.0.0.1' });
    const secure = boot({ ...LAN, port: 8883, tls: true, ca: pki.ca.cert, user: 'north.door-3', pass: 'pw' }, { insecure: true });
    expect(secure.birth()).not.toHaveProperty('insecure');
    secure.d.hal.dispose();
    const local = boot({ host: 'localhost' }, { insecure: true });
    expect(local.birth()).not.toHaveProperty('insecure');
    local.d.hal.dispose();
  });

  test('does not loosen the TLS rules: no fallback from TLS to plain, no TLS port without TLS', () => {
    expect(read({ ...LAN, port: 8883 }, { insecure: true })).toMatch(/^prov\/port 8883 is MQTT over TLS but prov\/tls is not true/);
    expect(read(LAN, { insecure: true, tls: true })).toMatch(/^prov\/tls is true but prov\/ca/);
  });
});

describe('client id', () => {
  test('is site.device, so the same device id on two sites never collides', () => {
    expect(clientIdOf({ site: 'north', device: 'door-1' })).toBe('north.door-1');
    const ids = ['north', 'south'].map((site) => {
      const { d, fake } = boot({ site, device: 'door-1' });
      const id = fake().options!.clientId;
      d.hal.dispose();
      return id;
    });
    expect(ids).toEqual(['north.door-1', 'south.door-1']);
  });
});
