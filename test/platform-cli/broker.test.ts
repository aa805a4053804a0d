// The platform CLI against a live site: the embedded aedes broker (simulator/broker.ts) and a real door reader
// (SimDevice, real time, the device's own MQTT client) holding the demo site's keys. A list pushed from CSV makes a
// card the door did not know grant; a signed unlock is executed; an alarm step and the decommissioning clear land
// on the broker as retained messages; an unknown device is refused.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../simulator/broker.js';
import { SimDevice } from '../../simulator/device.js';
import { DEMO_KEYS, doorReaderKind, type DoorWorld } from '../../simulator/kinds/door-reader.js';
import { sosButtonKind } from '../../simulator/kinds/sos-button.js';
import { until } from '../support/wait.js';
import { runCli } from './run.js';

const SITE = 'cli-site';
const DEVICE = 'door-1';
const NEW_CARD = '04c11c11c11c01';
const hex = (key: Uint8Array) => Buffer.from(key).toString('hex');

let broker: EmbeddedBroker;
let door: SimDevice<DoorWorld>;
let dir: string;
let keys: string;

beforeAll(async () => {
  broker = await startEmbeddedBroker();
  door = new SimDevice({
    kind: doorReaderKind,
    provisioning: { site: SITE, device: DEVICE, host: '127.0.0.1', port: broker.port },
    record: true,
  }).boot();
  dir = mkdtempSync(join(tmpdir(), 'platform-cli-broker-'));
  keys = join(dir, 'keys.json');
  // The simulator's demo keys, which the door reader's world provisions it with.
  const written = await runCli(['site-keys', '--demo', '--site', SITE, '--out', keys]);
  expect(written.code).toBe(0);
  expect(JSON.parse(readFileSync(keys, 'utf8'))).toMatchObject({ site: SITE, hashKey: hex(DEMO_KEYS.hashKey), commandKey: hex(DEMO_KEYS.commandKey) });
  await until(() => door.state === 'online', 'the door reader online', 15_000);
}, 60_000); // a device boot and one CLI process

afterAll(async () => {
  door.stop();
  await broker.close();
  rmSync(dir, { recursive: true, force: true });
});

const brokerArgs = () => ['--broker', broker.url, '--keys', keys, '--device', DEVICE];

/** Presents a card for 300 ms and waits for the decision the device publishes. */
async function badge(uid: string): Promise<string> {
  const before = door.events(/^access\./).length;
  door.world.presentCard(Uint8Array.from(Buffer.from(uid, 'hex')), 300);
  await until(() => door.events(/^access\./).length > before, `a decision on card ${uid}`, 10_000);
  return door.events(/^access\./).at(-1)!.type;
}

/** The retained message the broker holds on a topic ('' when none), as a new subscriber sees it. */
async function retained(topic: string): Promise<string> {
  const client: MqttClient = await mqtt.connectAsync(broker.url, { protocolVersion: 4, reconnectPeriod: 0 });
  try {
    const got = new Promise<string>((resolve) => {
      const timer = setTimeout(() => resolve(''), 800);
      client.on('message', (_topic, payload, packet) => {
        if (packet.retain) {
          clearTimeout(timer);
          resolve(payload.toString('utf8'));
        }
      });
    });
    await client.subscribeAsync(topic, { qos: 1 });
    return await got;
  } finally {
    await client.endAsync();
  }
}

describe('platform CLI on a live site', () => {
  test('push-credentials: a list from CSV syncs to the door, and a card it did not know now opens it', async () => {
    expect(await badge(NEW_CARD)).toBe('access.denied');
    const csv = join(dir, 'list.csv');
    writeFileSync(csv, `kind,secret,validFrom,validTo,profile,name\ncard,${NEW_CARD},2020-01-01,,0,new tenant\npin,2468,,,0,\n`);
    const run = await runCli(['push-credentials', ...brokerArgs(), '--csv', csv, '--list-version', '2', '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ device: DEVICE, ok: true, version: 2, credentials: 2, synced: { version: 2, previous: 1, count: 2 } });
    expect(door.events('credentials.synced').at(-1)!.data).toMatchObject({ version: 2, count: 2 });
    await new Promise((resolve) => setTimeout(resolve, 500)); // the card leaves the field before the next one
    expect(await badge(NEW_CARD)).toBe('access.granted');

    // The same version again: the device says it is already in force. An older one: the device's reason.
    const again = await runCli(['push-credentials', ...brokerArgs(), '--csv', csv, '--list-version', '2']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already in force');
    const stale = await runCli(['push-credentials', ...brokerArgs(), '--csv', csv, '--list-version', '1']);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('stale_version');
  }, 90_000); // three syncs and two badges in real time, each CLI run ~2 s of tsx start-up on a loaded machine

  test('sign-command sends a signed door.unlock and reports the device\'s result', async () => {
    const run = await runCli(['sign-command', 'door.unlock', ...brokerArgs(), '--req-id', 'cli-unlock-1', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ msg: 'result', reqId: 'cli-unlock-1', code: 'ok', dev: DEVICE });
    expect(door.messages<ResultMessage>('result').some((result) => result.reqId === 'cli-unlock-1' && result.code === 'ok')).toBe(true);
    // Signed with the wrong key: the device refuses, the CLI exits 1 with its reason.
    const forged = await runCli(['sign-command', 'door.unlock', ...brokerArgs(), '--command-key', 'ab'.repeat(32)]);
    expect(forged.code).toBe(1);
    expect(forged.stderr).toContain('invalid: args.sig: signature does not match');
  }, 60_000); // two CLI processes and two round trips

  test('an unknown device is refused before anything is sent', async () => {
    const csv = join(dir, 'one.csv');
    writeFileSync(csv, 'kind,secret\npin,1357\n');
    const [push, sign] = await Promise.all([
      runCli(['push-credentials', '--broker', broker.url, '--keys', keys, '--device', 'door-404', '--csv', csv]),
      runCli(['sign-command', 'door.unlock', '--broker', broker.url, '--keys', keys, '--site', 'other-site', '--device', DEVICE]),
    ]);
    expect(push.code).toBe(1);
    expect(push.stderr).toContain(`unknown device door-404 on site ${SITE}`);
    expect(sign.code).toBe(1);
    expect(sign.stderr).toContain(`unknown device ${DEVICE} on site other-site`);
    const unreachable = await runCli(['sign-command', 'door.unlock', '--broker', 'mqtt://127.0.0.1:1', '--keys', keys, '--device', DEVICE]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toContain('cannot connect to mqtt://127.0.0.1:1');
  }, 60_000); // three CLI processes

  test('alarm-update leaves the step retained on the device\'s alarm topic', async () => {
    const run = await runCli(['alarm-update', '--broker', broker.url, '--site', SITE, '--device', DEVICE, '--alarm', `${DEVICE}.7`, '--state', 'on-site', '--note', 'Guard Chen']);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`alarm ${DEVICE}.7 onsite published`);
    expect(JSON.parse(await retained(`ct/v1/${SITE}/${DEVICE}/alarm`))).toMatchObject({ msg: 'alarm', alarmId: `${DEVICE}.7`, state: 'onsite', note: 'Guard Chen' });
  }, 30_000); // one CLI process and a subscriber

  test('alarm-update: an SOS button\'s raised alarm, accepted from the shell, shows as accepted on the button', async () => {
    const sos = new SimDevice({
      kind: sosButtonKind,
      provisioning: { site: SITE, device: 'sos-1', host: '127.0.0.1', port: broker.port },
      record: true,
    }).boot();
    try {
      await until(() => sos.state === 'online', 'the SOS button online', 10_000);
      sos.kindCommand('press', []);
      await until(() => sos.events('alarm.raised').length === 1, 'alarm.raised after the confirmation window', 10_000);
      const { alarmId } = sos.events('alarm.raised')[0]!.data as { alarmId: string };
      const run = await runCli(['alarm-update', '--broker', broker.url, '--site', SITE, '--device', 'sos-1', '--alarm', alarmId, '--state', 'accepted', '--note', 'Desk: Anna']);
      expect(run.code).toBe(0);
      await until(() => /^alarm accepted/.test(sos.describe()), 'the button showing accepted', 5000);
    } finally {
      sos.stop();
    }
  }, 60_000); // a boot, the 3 s confirmation window in real time, one CLI process

  test('clear-retained refuses a device still online; once it is off, its retained topics are cleared', async () => {
    const online = await runCli(['clear-retained', '--broker', broker.url, '--site', SITE, '--device', DEVICE]);
    expect(online.code).toBe(1);
    expect(online.stderr).toContain(`${DEVICE} is online`);
    door.stop(); // the power goes: the broker publishes the will, a retained offline status
    const status = `ct/v1/${SITE}/${DEVICE}/status`;
    const deadline = Date.now() + 10_000;
    while (!(await retained(status)).includes('"offline"')) {
      if (Date.now() > deadline) throw new Error('no offline status after the power cut');
    }
    // A broker whose ACL drops the clear of `status` while acknowledging it (as Mosquitto does for a user not allowed
    // to write there): the CLI looks again and says so.
    const allow = broker.aedes.authorizePublish;
    broker.aedes.authorizePublish = (client, packet, callback) => {
      if (packet.topic === status) packet.retain = false; // delivered, but the retained message stays
      callback(null);
    };
    const denied = await runCli(['clear-retained', '--broker', broker.url, '--site', SITE, '--device', DEVICE]);
    broker.aedes.authorizePublish = allow;
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain(`still holds retained messages on ${status}: this MQTT user may not write them`);
    const run = await runCli(['clear-retained', '--broker', broker.url, '--site', SITE, '--device', DEVICE, '--json']);
    expect(run.code).toBe(0);
    expect((JSON.parse(run.stdout) as { topics: string[] }).topics).toHaveLength(5);
    for (const channel of ['status', 'config/reported', 'alarm']) expect(await retained(`ct/v1/${SITE}/${DEVICE}/${channel}`)).toBe('');
  }, 60_000); // a power cut, the will, three CLI processes
});
