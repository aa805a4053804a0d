// The broker side of docs/protocol.md §11, end to end: scripts/platform/broker-config.ts writes a site's
// configuration for devices A and B, Debian's mosquitto runs it (TLS with a CA made for this run, plus the
// loopback plain listener), and mqtt.js clients check what each user can and cannot do. Every refusal is
// paired with the allowed case on the same connection, so a broker that lets nothing through fails too.
// Without mosquitto the suite is skipped with a message, except under CI (process.env.CI), where it fails.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, chmodSync, chownSync, constants, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import {
  brokerConfig, hashPassword, parseDeviceList, verifyPassword, writeBrokerConfig, type BrokerConfig, type BrokerConfigOptions,
} from '../../scripts/platform/broker-config.js';
import { uniqueSite } from '../support/broker.js';
import { makeTestPki, TEST_SERVER_NAME, type TestPki } from '../support/tls.js';
import { until } from '../support/wait.js';

/** `mosquitto` on PATH, or where Debian puts it (/usr/sbin is not on every user's PATH). */
function findProgram(name: string): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'].filter((dir) => dir !== '');
  for (const dir of dirs) {
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch { /* next */ }
  }
  return undefined;
}

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MOSQUITTO = findProgram('mosquitto');
const MOSQUITTO_PASSWD = findProgram('mosquitto_passwd');
const NO_BROKER = 'mosquitto is not installed (apt-get install mosquitto)';

const baseOptions = (overrides: Partial<BrokerConfigOptions> = {}): BrokerConfigOptions => ({
  site: 'site-1', devices: ['A', 'B'], dir: '/srv/broker', cert: '/srv/tls/chain.pem', key: '/srv/tls/key.pem', ...overrides,
});

describe('broker-config: the generated files', () => {
  test('password hashes are Mosquitto 2.0 sha512-pbkdf2 entries: $7$101$ + 12-byte salt + 64-byte hash, base64', () => {
    const salt = Buffer.from('000102030405060708090a0b', 'hex');
    const encoded = hashPassword('correct horse', salt);
    expect(encoded).toMatch(/^\$7\$101\$AAECAwQFBgcICQoL\$[A-Za-z0-9+/]{86}==$/);
    expect(verifyPassword('correct horse', encoded)).toBe(true);
    expect(verifyPassword('correct horsf', encoded)).toBe(false);
    expect(hashPassword('correct horse', salt, 1000)).toMatch(/^\$7\$1000\$/);
    expect(() => hashPassword('x', Buffer.alloc(16))).toThrow(/12-byte/);
  });

  (MOSQUITTO_PASSWD ? test : test.skip)('the hash equals what mosquitto_passwd writes for the same salt', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-passwd-'));
    try {
      const file = join(dir, 'passwd');
      writeFileSync(file, '', { mode: 0o600 });
      const run = spawnSync(MOSQUITTO_PASSWD!, ['-b', file, 'someone', 'pässword with spaces'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const entry = readFileSync(file, 'utf8').trim().split(':')[1]!;
      const [, , iterations, salt] = entry.split('$');
      expect(hashPassword('pässword with spaces', Buffer.from(salt!, 'base64'), Number(iterations))).toBe(entry);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('one user per device (site.device) and one platform user, random passwords of 192 bits', () => {
    const { credentials, files } = brokerConfig(baseOptions());
    expect(credentials.devices.map((d) => [d.site, d.device, d.user])).toEqual([['site-1', 'A', 'site-1.A'], ['site-1', 'B', 'site-1.B']]);
    expect(credentials.platform.user).toBe('site-1.platform');
    const passes = [credentials.platform.pass, ...credentials.devices.map((d) => d.pass)];
    for (const pass of passes) expect(pass).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(new Set(passes).size).toBe(3);
    const passwd = files.find((f) => f.name === 'passwd')!;
    expect(passwd.mode).toBe(0o600);
    const entries = passwd.content.trim().split('\n').map((line) => line.split(':') as [string, string]);
    expect(entries.map(([user]) => user)).toEqual(['site-1.platform', 'site-1.A', 'site-1.B']);
    const users = [credentials.platform, ...credentials.devices];
    entries.forEach(([, hash], i) => expect(verifyPassword(users[i]!.pass, hash)).toBe(true));
    expect(passwd.content).not.toContain(credentials.platform.pass);
    expect(files.find((f) => f.name === 'credentials.json')).toMatchObject({ mode: 0o600, content: expect.stringContaining('SECRET') });
  });

  test('the ACL: explicit topics per user, read/write only, no patterns, nothing for anonymous clients', () => {
    const acl = brokerConfig(baseOptions()).files.find((f) => f.name === 'acl')!.content;
    const rules = acl.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('user site-1.A');
    expect(rules.every((line) => /^(user \S+|topic (read|write) \S+)$/.test(line))).toBe(true);
    const of = (user: string) => {
      const start = rules.indexOf(`user ${user}`);
      const end = rules.findIndex((line, i) => i > start && line.startsWith('user '));
      return rules.slice(start + 1, end === -1 ? undefined : end);
    };
    expect(of('site-1.A')).toEqual([
      'topic write ct/v1/site-1/A/status', 'topic write ct/v1/site-1/A/event', 'topic write ct/v1/site-1/A/telemetry',
      'topic write ct/v1/site-1/A/result', 'topic write ct/v1/site-1/A/config/reported',
      'topic read ct/v1/site-1/A/command', 'topic read ct/v1/site-1/A/config/desired', 'topic read ct/v1/site-1/A/alarm',
    ]);
    expect(of('site-1.platform')).toEqual([
      'topic read ct/v1/site-1/+/status', 'topic read ct/v1/site-1/+/event', 'topic read ct/v1/site-1/+/telemetry',
      'topic read ct/v1/site-1/+/result', 'topic read ct/v1/site-1/+/config/reported',
      'topic write ct/v1/site-1/+/command', 'topic write ct/v1/site-1/+/config/desired', 'topic write ct/v1/site-1/+/alarm',
    ]);
  });

  test('mosquitto.conf: TLS listener, no anonymous access, client id = user name on every listener, no persistence', () => {
    const conf = brokerConfig(baseOptions({ plainPort: 1883, cafile: '/srv/tls/ca.pem' })).files.find((f) => f.name === 'mosquitto.conf')!.content;
    const lines = conf.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
    expect(lines).toEqual([
      'per_listener_settings false', 'allow_anonymous false', 'password_file /srv/broker/passwd', 'acl_file /srv/broker/acl',
      'persistence false',
      'listener 8883', 'use_username_as_clientid true', 'certfile /srv/tls/chain.pem', 'keyfile /srv/tls/key.pem',
      'cafile /srv/tls/ca.pem', 'tls_version tlsv1.2',
      'listener 1883 127.0.0.1', 'use_username_as_clientid true',
    ]);
    const persistent = brokerConfig(baseOptions({ persistence: '/var/lib/mosquitto' })).files[0]!.content;
    expect(persistent).toMatch(/^persistence true\npersistence_location \/var\/lib\/mosquitto\/$/m);
  });

  test.each([
    ['a bad site id', { site: 'a.b' }, /--site/],
    ['a device id with a dot', { devices: ['A', 'x.y'] }, /"x\.y" is not a valid device id/],
    ['a device id with a slash', { devices: ['a/b'] }, /not a valid device id/],
    ['no devices', { devices: [] }, /no devices/],
    ['a device listed twice', { devices: ['A', 'A'] }, /listed twice/],
    ['a device named like the platform user', { devices: ['platform'] }, /platform-user/],
    ['a platform user with a colon', { platformUser: 'x:y' }, /platform-user/],
    ['a port out of range', { port: 70000 }, /--port/],
    ['the plain port equal to the TLS port', { plainPort: 8883 }, /plain-port/],
    ['a path with a space', { cert: '/a b/c.pem' }, /--cert/],
  ])('refuses %s', (_name, overrides, message) => {
    expect(() => brokerConfig(baseOptions(overrides))).toThrow(message);
  });

  test('a devices file: one id per line, comments and blank lines skipped, bad ids named by line', () => {
    expect(parseDeviceList('A\n# lobby\n\n  B  \r\nC\n')).toEqual(['A', 'B', 'C']);
    expect(() => parseDeviceList('A\nB.1\n', 'devices.txt')).toThrow(/devices\.txt:2: "B\.1"/);
  });

  test('the CLI writes the files with restrictive modes, and refuses bad input (exit code 2) and overwriting (exit code 1)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ct-broker-cli-'));
    try {
      writeFileSync(join(dir, 'chain.pem'), 'not read by the script\n');
      writeFileSync(join(dir, 'key.pem'), 'not read by the script\n', { mode: 0o600 });
      writeFileSync(join(dir, 'devices.txt'), 'B\n# spare\nC\n');
      const out = join(dir, 'out');
      const cli = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'scripts/platform/cli.ts', 'broker-config',
        '--cert', join(dir, 'chain.pem'), '--key', join(dir, 'key.pem'), '--out', out, ...args], { cwd: REPO, encoding: 'utf8' });

      const ok = cli('--site', 'S', '--devices', 'A', '--devices-file', join(dir, 'devices.txt'));
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
      expect(ok.stdout).toMatch(/SECRET: .*credentials\.json/);
      expect(statSync(out).mode & 0o777).toBe(0o700);
      expect(readdirSync(out).sort()).toEqual(['acl', 'credentials.json', 'mosquitto.conf', 'passwd']);
      expect(statSync(join(out, 'passwd')).mode & 0o777).toBe(0o600);
      expect(statSync(join(out, 'credentials.json')).mode & 0o777).toBe(0o600);
      const credentials = JSON.parse(readFileSync(join(out, 'credentials.json'), 'utf8')) as { '//': string; devices: { user: string }[] };
      expect(credentials['//']).toMatch(/^SECRET/);
      expect(credentials.devices.map((d) => d.user)).toEqual(['S.A', 'S.B', 'S.C']);

      const again = cli('--site', 'S', '--devices', 'A');
      expect(again.status).toBe(1);
      expect(again.stderr).toMatch(/already holds .*--force/);
      const bad = cli('--site', 'S', '--devices', 'A,b.c', '--force');
      expect(bad.status).toBe(2); // bad input: the CLI's usage exit code
      expect(bad.stderr).toMatch(/^platform broker-config: device "b\.c" is not a valid device id/);
      expect(JSON.parse(readFileSync(join(out, 'credentials.json'), 'utf8'))).toEqual(credentials);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

if (!MOSQUITTO && process.env.CI) {
  test('mosquitto is installed (CI must run the broker ACL suite)', () => {
    throw new Error(`${NO_BROKER}; CI is set, so the broker ACL suite must run`);
  });
} else if (!MOSQUITTO) {
  console.warn(`test/acl/broker-acl.test.ts: ${NO_BROKER}: the suite against Mosquitto is SKIPPED`);
}

interface Peer {
  readonly name: string;
  readonly client: MqttClient;
  readonly received: { topic: string; payload: string; retain: boolean }[];
  closed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect(port, '127.0.0.1');
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}

/** Started as root, mosquitto switches to user "mosquitto": it must be able to read the files, as in production. */
function giveToMosquittoUser(paths: string[]): void {
  if (process.getuid?.() !== 0) return;
  const entry = readFileSync('/etc/passwd', 'utf8').split('\n').find((line) => line.startsWith('mosquitto:'));
  if (!entry) return;
  const [, , uid, gid] = entry.split(':');
  for (const path of paths) chownSync(path, Number(uid), Number(gid));
}

(MOSQUITTO ? describe : describe.skip)(`Mosquitto enforces the generated ACL${MOSQUITTO ? '' : ` (SKIPPED: ${NO_BROKER})`}`, () => {
  const site = uniqueSite('acl');
  const topic = (device: string, channel: string) => `ct/v1/${site}/${device}/${channel}`;
  let dir: string;
  let pki: TestPki;
  let config: BrokerConfig;
  let broker: ChildProcess | undefined;
  let log = '';
  let tlsPort: number;
  let plainPort: number;
  const peers: Peer[] = [];

  const pass = (device: string) => config.credentials.devices.find((d) => d.device === device)!.pass;

  function options(extra: IClientOptions): IClientOptions {
    return {
      protocolVersion: 4, reconnectPeriod: 0, connectTimeout: 5000, clean: true,
      ca: pki.ca.cert, servername: TEST_SERVER_NAME, rejectUnauthorized: true, ...extra,
    };
  }

  async function connectAs(name: string, extra: IClientOptions, url = `mqtts://127.0.0.1:${tlsPort}`): Promise<Peer> {
    const client = await mqtt.connectAsync(url, options(extra));
    const peer: Peer = { name, client, received: [], closed: false };
    client.on('message', (t, payload, packet) => peer.received.push({ topic: t, payload: payload.toString(), retain: packet.retain }));
    client.on('close', () => { peer.closed = true; });
    peers.push(peer);
    return peer;
  }

  const device = (id: string, extra: IClientOptions = {}) =>
    connectAs(id, { username: `${site}.${id}`, password: pass(id), clientId: `${site}.${id}`, ...extra });
  const platform = () => connectAs('platform', {
    username: config.credentials.platform.user, password: config.credentials.platform.pass, clientId: `${site}.platform`,
  });
  const got = (peer: Peer, t: string) => peer.received.filter((m) => m.topic === t).map((m) => m.payload);

  /** Refused at CONNECT: the CONNACK return code (4 bad user name or password, 5 not authorised). */
  async function refused(extra: IClientOptions, url?: string): Promise<number> {
    try {
      const peer = await connectAs('refused', extra, url);
      throw new Error(`connected as ${String(extra.username)}: ${peer.client.connected}`);
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (typeof code !== 'number') throw error;
      return code;
    }
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ct-broker-acl-'));
    chmodSync(dir, 0o700);
    [pki, tlsPort, plainPort] = await Promise.all([makeTestPki(), freePort(), freePort()]);
    writeFileSync(join(dir, 'chain.pem'), pki.serverChain, { mode: 0o644 });
    writeFileSync(join(dir, 'key.pem'), pki.serverKey, { mode: 0o600 });
    config = brokerConfig({
      site, devices: ['A', 'B'], dir, cert: join(dir, 'chain.pem'), key: join(dir, 'key.pem'),
      port: tlsPort, bind: '127.0.0.1', plainPort,
    });
    const written = writeBrokerConfig(dir, config);
    giveToMosquittoUser([dir, join(dir, 'chain.pem'), join(dir, 'key.pem'), ...written]);

    const started = spawn(MOSQUITTO!, ['-c', join(dir, 'mosquitto.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    broker = started;
    started.stdout.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    started.stderr.on('data', (chunk: Buffer) => { log += chunk.toString(); });
    let exited = false;
    started.once('exit', () => { exited = true; });
    const deadline = Date.now() + 10_000;
    while (!(await portOpen(tlsPort) && await portOpen(plainPort))) {
      if (exited || Date.now() > deadline) throw new Error(`mosquitto did not start (${exited ? 'exited' : 'ports closed'}):\n${log}`);
      await sleep(50);
    }
  }, 30_000);

  afterAll(async () => {
    await Promise.all(peers.map((peer) => peer.client.endAsync(true).catch(() => undefined)));
    if (broker && broker.exitCode === null && broker.signalCode === null) {
      const exit = new Promise((resolve) => broker!.once('exit', resolve));
      broker.kill('SIGTERM');
      const timer = setTimeout(() => broker!.kill('SIGKILL'), 3000);
      await exit;
      clearTimeout(timer);
    }
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('a device reads its own command and publishes its own event; the platform sees the event and sends the command', async () => {
    const server = await platform();
    await server.client.subscribeAsync(`ct/v1/${site}/+/event`, { qos: 1 });
    const a = await device('A', { will: { topic: topic('A', 'status'), payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true } });
    const granted = await a.client.subscribeAsync(topic('A', 'command'), { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1]);

    await a.client.publishAsync(topic('A', 'event'), '{"seq":1}', { qos: 1 });
    await until(() => got(server, topic('A', 'event')).length === 1, 'A\'s event at the platform', 5000);
    await server.client.publishAsync(topic('A', 'command'), '{"reqId":"a1"}', { qos: 1 });
    await until(() => got(a, topic('A', 'command')).length === 1, 'A\'s command at A', 5000);
    expect(got(a, topic('A', 'command'))).toEqual(['{"reqId":"a1"}']);
  });

  test('device A cannot publish as B: B\'s event from A never reaches the platform', async () => {
    const server = await platform();
    await server.client.subscribeAsync(`ct/v1/${site}/+/event`, { qos: 1 });
    const a = await device('A');
    await a.client.publishAsync(topic('B', 'event'), '{"forged":true}', { qos: 1 });
    await a.client.publishAsync(topic('B', 'status'), '{"state":"online","forged":true}', { qos: 1, retain: true });
    await a.client.publishAsync(topic('A', 'event'), '{"marker":1}', { qos: 1 });
    await until(() => got(server, topic('A', 'event')).includes('{"marker":1}'), 'A\'s own event (sent after the forged one)', 5000);
    await sleep(200);
    expect(server.received.filter((m) => m.topic.startsWith(`ct/v1/${site}/B/`))).toEqual([]);
    // The forged retained status was not stored either: a new subscriber to B's status gets nothing.
    const late = await platform();
    await late.client.subscribeAsync(topic('B', 'status'), { qos: 1 });
    await late.client.subscribeAsync(topic('A', 'event'), { qos: 1 });
    await a.client.publishAsync(topic('A', 'event'), '{"marker":2}', { qos: 1 });
    await until(() => got(late, topic('A', 'event')).length === 1, 'the second marker', 5000);
    expect(got(late, topic('B', 'status'))).toEqual([]);
  });

  test('device A cannot read B\'s command, config or alarm, not even with wildcards, while B gets them', async () => {
    const server = await platform();
    await server.client.publishAsync(topic('B', 'config/desired'), '{"version":7,"for":"B"}', { qos: 1, retain: true });
    await server.client.publishAsync(topic('A', 'config/desired'), '{"version":3,"for":"A"}', { qos: 1, retain: true });
    const b = await device('B');
    await b.client.subscribeAsync(topic('B', 'command'), { qos: 1 });
    const a = await device('A');
    const granted = await a.client.subscribeAsync(
      [topic('B', 'command'), topic('B', 'config/desired'), topic('B', 'alarm'), `ct/v1/${site}/+/command`, '#', topic('A', 'command'), topic('A', 'config/desired')],
      { qos: 1 });
    // Mosquitto 2.0 grants any subscription and checks each delivery; a refusal (0x80) would do as well.
    for (const g of granted) expect([0, 1, 128]).toContain(g.qos);
    await until(() => got(a, topic('A', 'config/desired')).length >= 1, 'A\'s retained desired config', 5000);

    await server.client.publishAsync(topic('B', 'command'), '{"reqId":"b1"}', { qos: 1 });
    await server.client.publishAsync(topic('B', 'alarm'), '{"state":"raised"}', { qos: 1 });
    await server.client.publishAsync(topic('A', 'command'), '{"reqId":"a2"}', { qos: 1 });
    await until(() => got(b, topic('B', 'command')).length === 1, 'B\'s command at B', 5000);
    await until(() => got(a, topic('A', 'command')).length >= 1, 'A\'s command (sent after B\'s) at A', 5000);
    await sleep(200);
    expect(a.received.filter((m) => !m.topic.startsWith(`ct/v1/${site}/A/`))).toEqual([]);
    // Overlapping subscriptions (`#` and the topic itself) deliver a copy each: what counts is which messages.
    expect(new Set(got(a, topic('A', 'config/desired')))).toEqual(new Set(['{"version":3,"for":"A"}']));
    expect(new Set(got(a, topic('A', 'command')))).toEqual(new Set(['{"reqId":"a2"}']));
    expect(got(b, topic('B', 'command'))).toEqual(['{"reqId":"b1"}']);
  });

  test('a device cannot publish to a command topic, its own or another\'s', async () => {
    const a = await device('A');
    const b = await device('B');
    await a.client.subscribeAsync(topic('A', 'command'), { qos: 1 });
    await b.client.subscribeAsync(topic('B', 'command'), { qos: 1 });
    await a.client.publishAsync(topic('A', 'command'), '{"reqId":"self"}', { qos: 1 });
    await a.client.publishAsync(topic('B', 'command'), '{"reqId":"fromA"}', { qos: 1 });
    await a.client.publishAsync(topic('B', 'alarm'), '{"state":"resolved"}', { qos: 1 });
    const server = await platform();
    await server.client.publishAsync(topic('A', 'command'), '{"reqId":"real-a"}', { qos: 1 });
    await server.client.publishAsync(topic('B', 'command'), '{"reqId":"real-b"}', { qos: 1 });
    await until(() => got(a, topic('A', 'command')).length >= 1 && got(b, topic('B', 'command')).length >= 1, 'the platform\'s commands', 5000);
    await sleep(200);
    expect(got(a, topic('A', 'command'))).toEqual(['{"reqId":"real-a"}']);
    expect(got(b, topic('B', 'command'))).toEqual(['{"reqId":"real-b"}']);
  });

  test('the platform cannot publish as a device: its own "event" for B never reaches a platform subscriber', async () => {
    const server = await platform();
    await server.client.subscribeAsync(`ct/v1/${site}/+/event`, { qos: 1 });
    await server.client.publishAsync(topic('B', 'event'), '{"forged":"platform"}', { qos: 1 });
    const b = await device('B');
    await b.client.publishAsync(topic('B', 'event'), '{"seq":9}', { qos: 1 });
    await until(() => got(server, topic('B', 'event')).length >= 1, 'B\'s event', 5000);
    await sleep(200);
    expect(got(server, topic('B', 'event'))).toEqual(['{"seq":9}']);
  });

  test('device A cannot take B\'s session: connecting with client id site.B leaves B connected and receiving', async () => {
    const b = await device('B');
    await b.client.subscribeAsync(topic('B', 'command'), { qos: 1 });
    const a = await device('A', { clientId: `${site}.B` });
    expect(a.client.connected).toBe(true);
    await sleep(300);
    expect(b.closed).toBe(false);
    const server = await platform();
    await server.client.publishAsync(topic('B', 'command'), '{"reqId":"still-b"}', { qos: 1 });
    await until(() => got(b, topic('B', 'command')).length === 1, 'B\'s command at B', 5000);
    expect(b.client.connected).toBe(true);
    expect(got(b, topic('B', 'command'))).toEqual(['{"reqId":"still-b"}']);

    // The check can see a takeover: B's own user name (whatever the client id) replaces B's session.
    const b2 = await device('B', { clientId: 'anything' });
    await until(() => b.closed, 'the first B connection to be taken over', 5000);
    expect(b2.client.connected).toBe(true);
  });

  test('a wrong password, another device\'s password and an anonymous client are refused, on both listeners', async () => {
    const tls = `mqtts://127.0.0.1:${tlsPort}`;
    const plain = `mqtt://127.0.0.1:${plainPort}`;
    for (const url of [tls, plain]) {
      expect([4, 5]).toContain(await refused({ username: `${site}.A`, password: `${pass('A')}x`, clientId: `${site}.A` }, url));
      expect([4, 5]).toContain(await refused({ username: `${site}.A`, password: pass('B'), clientId: `${site}.A` }, url));
      expect([4, 5]).toContain(await refused({ clientId: `${site}.A` }, url));
      expect([4, 5]).toContain(await refused({ clientId: 'anonymous' }, url));
    }
    // The same user name and password over the plain loopback listener: allowed (tests, local tools).
    const a = await connectAs('A-plain', { username: `${site}.A`, password: pass('A') }, plain);
    expect(a.client.connected).toBe(true);
  });
});
