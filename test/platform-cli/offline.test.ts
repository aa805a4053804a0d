// The platform CLI's verbs that need no broker, run as a user runs them (a child process under tsx): help, the
// signed outputs checked with the device's own verification, and bad input (exit 2, the input named).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readPass } from '../../firmware/apps/door-reader/visitor-pass.js';
import { signedText } from '../../firmware/protocol/signed-command.js';
import { manifestSigningText } from '../../firmware/protocol/cred-sync.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { runAll, runCli } from './run.js';

const VERBS = [
  'sign-command', 'push-credentials', 'mint-pass', 'alarm-update', 'clear-retained', 'broker-config', 'site-keys',
  'provisioning-key', 'provisioning-code', 'label',
];
const hex = (byte: number) => Buffer.alloc(32, byte).toString('hex');
const KEYS = { site: 'oak', hashKey: hex(1), syncKey: hex(2), passKey: hex(3), passKeyId: 7, commandKey: hex(4) };

let dir: string;
let keys: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'platform-cli-'));
  keys = join(dir, 'keys.json');
  writeFileSync(keys, JSON.stringify(KEYS), { mode: 0o600 });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

describe('help and usage', () => {
  test('--help lists every verb; every verb has --help; an unknown verb is a usage error', async () => {
    const [top, unknown, ...verbs] = await runAll([['--help'], ['bogus'], ...VERBS.map((verb) => [verb, '--help'])]);
    expect(top.code).toBe(0);
    for (const verb of VERBS) expect(top.stdout).toContain(verb);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown command 'bogus'");
    verbs.forEach((run, i) => {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: platform ${VERBS[i]}`);
    });
  }, 90_000); // nine CLI processes, two at a time, each ~1–2 s of tsx start-up (up to 10 s on a loaded 2-core machine)
});

describe('sign-command', () => {
  test('prints a command the device would accept: its signature is over the device\'s signed text', async () => {
    const run = await runCli(['sign-command', 'door.unlock', '--keys', keys, '--door', '2', '--ms', '3000', '--req-id', 'r-1', '--ttl', '20']);
    expect(run.code).toBe(0);
    const command = JSON.parse(run.stdout) as CommandMessage;
    expect(command).toMatchObject({ v: 1, msg: 'command', name: 'door.unlock', reqId: 'r-1', args: { door: 2, ms: 3000 } });
    expect(command.exp - Date.now()).toBeGreaterThan(5000);
    const sig = createHmac('sha256', Buffer.from(KEYS.commandKey, 'hex')).update(signedText('door.unlock', 'r-1', command.exp, 2, 3000)).digest('hex');
    expect(command.args!.sig).toBe(sig);
    expect(run.stdout).not.toContain(KEYS.commandKey);
  });

  test('bad input: an unknown command name, a missing keys file, a malformed key, a key the verb lacks', async () => {
    const noCommandKey = file('no-command-key.json', JSON.stringify({ hashKey: KEYS.hashKey }));
    const [name, missing, malformed, lacking] = await runAll([
      ['sign-command', 'door.explode', '--keys', keys],
      ['sign-command', 'door.unlock', '--keys', join(dir, 'nowhere.json')],
      ['sign-command', 'door.unlock', '--command-key', 'abc'],
      ['sign-command', 'door.unlock', '--keys', noCommandKey],
    ]);
    expect(name).toMatchObject({ code: 2, stdout: '' });
    expect(name.stderr).toContain('"door.explode" is not a door command');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain(`--keys: cannot read ${join(dir, 'nowhere.json')}: no such file`);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain('--command-key: expected 64 hex digits');
    expect(malformed.stderr).not.toContain('abc');
    expect(lacking.code).toBe(2);
    expect(lacking.stderr).toContain('missing commandKey');
    expect(lacking.stderr).toContain(`warning: ${noCommandKey} holds site secrets and others can read it`); // written 0644
  }, 60_000); // four CLI processes, two at a time
});

describe('mint-pass', () => {
  test('a pass the door reader verifies with the pass key, for the doors and time asked; --qr draws it', async () => {
    const run = await runCli(['mint-pass', '--keys', keys, '--pass', '42', '--doors', '0,2', '--from', '2026-03-01T08:00:00Z', '--hours', '2', '--uses', '3', '--json']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as { text: string };
    const reading = readPass(out.text, { id: 7, key: new Uint8Array(Buffer.from(KEYS.passKey, 'hex')) }, createHostCrypto());
    const from = Date.UTC(2026, 2, 1, 8) / 1000;
    expect(reading).toEqual({ ok: true, pass: { keyId: 7, passId: 42, doors: 0b101, validFrom: from, validTo: from + 7200, maxUses: 3 } });
    const qr = await runCli(['mint-pass', '--keys', keys, '--pass', '43', '--doors', '0', '--qr']);
    expect(qr.code).toBe(0);
    expect(qr.stdout.split('\n')[0]).toMatch(/^CTV1\./);
    expect(qr.stdout).toContain('█');
  }, 30_000); // two CLI processes
});

describe('push-credentials --dry-run', () => {
  test('the CSV becomes a signed snapshot: a manifest and its chunks, one command per line', async () => {
    const csv = file('list.csv', [
      'kind,secret,validFrom,validTo,profile,pin,revoked,name',
      'card,04a1b2c3d4e5f6,2025-01-01,2030-12-31,0,,,alice',
      'card,04:b0:b0:00:00:00:02,,,1,4321,,bob',
      '# a comment line',
      'pin,1234,,,,,,',
      'qr,RESIDENT-X,,,0,,yes,revoked resident',
      '',
    ].join('\n'));
    const profiles = file('profiles.json', JSON.stringify([
      { doors: 'all' },
      { doors: [0, 2], schedule: [{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], start: '07:00', end: '19:00' }] },
    ]));
    const run = await runCli(['push-credentials', '--keys', keys, '--csv', csv, '--profiles', profiles, '--list-version', '9', '--dry-run']);
    expect(run.code).toBe(0);
    const commands = run.stdout.trim().split('\n').map((line) => JSON.parse(line) as CommandMessage);
    expect(commands[0]).toMatchObject({ name: 'cred.sync.begin', args: { kind: 'snapshot', version: 9, count: 4, pins: 1, profiles: 2 } });
    expect(commands.slice(1).every((command) => command.name === 'cred.sync.chunk')).toBe(true);
    const begin = commands[0]!.args as Parameters<typeof manifestSigningText>[0] & { mac: string };
    const mac = createHmac('sha256', Buffer.from(KEYS.syncKey, 'hex')).update(manifestSigningText(begin)).digest('hex');
    expect(begin.mac).toBe(mac);
    expect(new Set(commands.map((command) => command.reqId)).size).toBe(commands.length);
  });

  test('a bad row is refused with its file and line; so is a profile not defined; nothing is printed', async () => {
    const badPin = file('bad-pin.csv', 'kind,secret,validFrom\ncard,04a1b2c3d4e5f6,2025-01-01\n\npin,12ab,\n');
    const fields = file('fields.csv', 'kind,secret,validFrom\ncard,04a1b2c3d4e5f6,2025-01-01\npin,1234,,extra\n');
    const badKind = file('bad-kind.csv', 'kind,secret\ncard,04a1b2c3d4e5f6\nbadge,04a1b2c3d4e5f7\n');
    const twice = file('twice.csv', 'kind,secret\npin,1234\nqr,x\npin,1234\n');
    const column = file('column.csv', 'kind,secret,colour\ncard,04a1b2c3d4e5f6,red\n');
    const profile = file('profile.csv', 'kind,secret,profile\ncard,04a1b2c3d4e5f6,3\n');
    const runs = await runAll([badPin, badKind, twice, column, profile, fields].map((csv) => ['push-credentials', '--keys', keys, '--csv', csv, '--dry-run']));
    for (const run of runs) expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(runs[0]!.stderr).toContain(`${badPin}:4: secret: a PIN is 1–12 digits`);
    expect(runs[1]!.stderr).toContain(`${badKind}:3: kind: expected card, pin or qr, got "badge"`);
    expect(runs[2]!.stderr).toContain(`${twice}:4: the same pin as line 2`);
    expect(runs[3]!.stderr).toContain(`${column}:1: unknown column "colour"`);
    expect(runs[4]!.stderr).toContain(`${profile}:2: profile 3 is not defined`);
    expect(runs[5]!.stderr).toContain(`${fields}:3: 4 fields, the header has 3`);
  }, 60_000); // six CLI processes, two at a time
});

describe('alarm-update, clear-retained --dry-run', () => {
  test('the alarm message and its topic; a bad state is a usage error', async () => {
    const [ok, bad, eta] = await runAll([
      ['alarm-update', '--site', 'oak', '--device', 'sos-1', '--alarm', 'sos-1.12', '--state', 'dispatched', '--eta', '8', '--note', 'Li Wei', '--ts', '1700000000000', '--dry-run', '--json'],
      ['alarm-update', '--site', 'oak', '--device', 'sos-1', '--alarm', 'sos-1.12', '--state', 'finished', '--dry-run'],
      ['alarm-update', '--site', 'oak', '--device', 'sos-1', '--alarm', 'sos-1.12', '--state', 'accepted', '--eta', '8', '--dry-run'],
    ]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toEqual({
      topic: 'ct/v1/oak/sos-1/alarm', retain: true, qos: 1,
      message: { v: 1, msg: 'alarm', alarmId: 'sos-1.12', state: 'dispatched', ts: 1_700_000_000_000, note: 'Li Wei', etaMin: 8 },
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--state: "finished": expected one of raised, accepted, dispatched, onsite, resolved, cancelled');
    expect(eta.code).toBe(2);
    expect(eta.stderr).toContain('--eta: only with --state dispatched');
  }, 60_000); // three CLI processes

  test('clear-retained lists every retained topic of the device', async () => {
    const run = await runCli(['clear-retained', '--site', 'oak', '--device', 'door-9', '--dry-run']);
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n').sort()).toEqual([
      'ct/v1/oak/door-9/alarm', 'ct/v1/oak/door-9/command', 'ct/v1/oak/door-9/config/desired',
      'ct/v1/oak/door-9/config/reported', 'ct/v1/oak/door-9/status',
    ]);
  });
});

describe('broker-config, site-keys', () => {
  test('broker-config writes the site\'s Mosquitto files and never prints a password', async () => {
    const cert = file('chain.pem', 'not checked here\n');
    const key = file('key.pem', 'not checked here\n');
    const out = join(dir, 'broker');
    const run = await runCli(['broker-config', '--site', 'oak', '--devices', 'door-1,sos-1', '--cert', cert, '--key', key, '--out', out, '--json']);
    expect(run.code).toBe(0);
    const report = JSON.parse(run.stdout) as { written: string[]; devices: string[] };
    expect(report.devices).toEqual(['door-1', 'sos-1']);
    expect(report.written.map((path) => path.slice(out.length + 1)).sort()).toEqual(['acl', 'credentials.json', 'mosquitto.conf', 'passwd']);
    const credentials = JSON.parse(readFileSync(join(out, 'credentials.json'), 'utf8')) as { platform: { pass: string } };
    expect(run.stdout).not.toContain(credentials.platform.pass);
    expect(readFileSync(join(out, 'acl'), 'utf8')).toContain('topic read ct/v1/oak/door-1/command');
    const again = await runCli(['broker-config', '--site', 'oak', '--devices', 'door-1', '--cert', cert, '--key', key, '--out', out]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('--force');
    const badId = await runCli(['broker-config', '--site', 'oak', '--devices', 'door 1', '--cert', cert, '--key', key, '--out', join(dir, 'b2')]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('device "door 1" is not a valid device id');
  }, 60_000); // three CLI processes, one after another

  test('site-keys writes a 0600 keys file the other verbs read, and never replaces one unasked', async () => {
    const path = join(dir, 'new-keys.json');
    const run = await runCli(['site-keys', '--out', path, '--site', 'elm']);
    expect(run.code).toBe(0);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const written = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    expect(run.stdout).not.toContain(written.hashKey);
    expect(written.commandKey).toMatch(/^[0-9a-f]{64}$/);
    const [again, sign] = await Promise.all([
      runCli(['site-keys', '--out', path]),
      runCli(['sign-command', 'door.normal', '--keys', path]),
    ]);
    expect(again.code).toBe(2);
    expect(sign.code).toBe(0);
  }, 60_000); // three CLI processes
});
