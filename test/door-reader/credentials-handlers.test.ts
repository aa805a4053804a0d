// The sync commands through a real DeviceRuntime: MQTT command in, validated by the protocol layer, dispatched to
// the store; one result per command, and credentials.synced / credentials.sync_failed events in the outbox.
import { describe, expect, test } from '@jest/globals';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { CredentialStore, credentialSyncHandlers, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import type { CommandMessage, EventMessage, ResultMessage, StatusMessage } from '../../firmware/protocol/messages.js';
import type { DeviceApp, DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { chunkBodies, encodeList, snapshotSync, syncCommands } from '../../scripts/platform/credential-encoder.js';
import { cards, PROFILES, SITE_KEYS, uid } from '../support/door-reader/credential-device.js';
import { TestDevice, WALL_TIME } from '../support/device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';

const PREFIX = 'ct/v1/test-site/dev-1';
const EXP = WALL_TIME + 600_000;

function door() {
  const storage = createHostStorage({ partitions: { outbox: 64 * 1024, credA: 128 * 1024, credB: 128 * 1024 } });
  writeCredentialKeys(storage.kv, SITE_KEYS);
  let mqtt!: FakeMqtt;
  let store!: CredentialStore;
  const app = (): DeviceApp => {
    let runtime: DeviceRuntime | undefined;
    store = new CredentialStore({ storage, crypto: createHostCrypto() });
    return { commands: { ...credentialSyncHandlers(store, () => runtime) }, start: (r) => { runtime = r; } };
  };
  const device = new TestDevice({ storage, app, transport: () => (mqtt = new FakeMqtt()) }).boot();
  const send = (command: CommandMessage | string) =>
    mqtt.deliver(`${PREFIX}/command`, typeof command === 'string' ? command : JSON.stringify(command));
  const results = () => mqtt.messages<ResultMessage>('result');
  const events = (type: string) => mqtt.messages<EventMessage>('event').filter((e) => e.type === type);
  return { device, mqtt: () => mqtt, store: () => store, send, results, events };
}

const V1 = encodeList(SITE_KEYS, 1, cards(100), PROFILES);

describe('credential sync over commands', () => {
  test('a snapshot: a result per chunk, the summary in the last, a credentials.synced event', () => {
    const d = door();
    const birth = d.mqtt().messages<StatusMessage>('status')[0]!;
    expect(birth.cmds).toEqual(expect.arrayContaining(['cred.sync.begin', 'cred.sync.chunk', 'cred.sync.status']));
    const commands = syncCommands(snapshotSync(SITE_KEYS, V1, { recordsPerChunk: 30 }), { exp: EXP });
    for (const command of commands) d.send(command);
    const results = d.results();
    expect(results.map((r) => [r.reqId, r.code])).toEqual(commands.map((c) => [c.reqId, 'ok']));
    expect(results[1]!.data).toEqual({ sync: 's0-1', next: 1, chunks: commands.length - 1 });
    expect(results.at(-1)!.data).toMatchObject({ done: true, version: 1, added: 100, removed: 0, updated: 0, count: 100 });
    expect(d.events('credentials.synced').map((e) => e.data)).toEqual([{
      sync: 's0-1', kind: 'snapshot', version: 1, previous: 0, added: 100, removed: 0, updated: 0, count: 100, pins: 10, profiles: 3,
    }]);
    for (const p of d.mqtt().published) expect(validateOutbound(JSON.parse(p.payload))).toMatchObject({ ok: true });
    expect(d.store().lookup('card', uid(42))).toBeDefined();

    d.send({ v: 1, msg: 'command', reqId: 'st-1', name: 'cred.sync.status', exp: EXP });
    expect(d.results().at(-1)).toMatchObject({ reqId: 'st-1', code: 'ok', data: { version: 1, count: 100, pins: 10, profiles: 3 } });
  });

  test('a tampered chunk: rejected, a credentials.sync_failed event, the old list kept', () => {
    const d = door();
    for (const command of syncCommands(snapshotSync(SITE_KEYS, V1), { exp: EXP })) d.send(command);
    const next = encodeList(SITE_KEYS, 2, cards(100, 7), PROFILES);
    const sync = snapshotSync(SITE_KEYS, next, { recordsPerChunk: 30 });
    const body = chunkBodies(sync)[2]!;
    body[20] ^= 0x80;
    const commands = syncCommands(sync, { exp: EXP, reqIdPrefix: 'v2' });
    commands[3] = { ...commands[3]!, args: { ...commands[3]!.args, data: Buffer.from(body).toString('base64') } };
    for (const command of commands.slice(0, 5)) d.send(command);
    expect(d.results().slice(-5).map((r) => [r.reqId, r.code])).toEqual([
      ['v2.b', 'ok'], ['v2.0', 'ok'], ['v2.1', 'ok'], ['v2.2', 'rejected'], ['v2.3', 'rejected'],
    ]);
    expect(d.results().at(-2)!.reason).toBe('chunk_hash: chunk 2: SHA-256 differs from the manifest');
    expect(d.results().at(-1)!.reason).toBe('no sync session "s0-2": begin it again');
    expect(d.events('credentials.sync_failed').map((e) => e.data)).toEqual([
      { sync: 's0-2', kind: 'snapshot', version: 2, reason: 'chunk_hash', detail: 'chunk 2: SHA-256 differs from the manifest' },
    ]);
    expect(d.store().version).toBe(1);
    expect(d.store().lookup('card', uid(3))).toBeDefined();
  });

  test('a malformed chunk command is refused by its args check and leaves the session as it was', () => {
    const d = door();
    const commands = syncCommands(snapshotSync(SITE_KEYS, V1, { recordsPerChunk: 30 }), { exp: EXP });
    d.send(commands[0]!);
    d.send({ ...commands[1]!, reqId: 'bad-1', args: { ...commands[1]!.args, data: 'not base64!' } });
    d.send({ ...commands[1]!, reqId: 'bad-2', args: { ...commands[1]!.args, extra: 1 } });
    expect(d.results().slice(-2).map((r) => [r.reqId, r.code, r.reason])).toEqual([
      ['bad-1', 'invalid', 'command.args.data: expected base64 (padded), 4–7684 chars'],
      ['bad-2', 'invalid', 'command.args: unknown field "extra"'],
    ]);
    for (const command of commands.slice(1)) d.send(command);
    expect(d.results().at(-1)).toMatchObject({ code: 'ok', data: { done: true, version: 1 } });
    expect(d.events('credentials.sync_failed')).toEqual([]);
  });

  test('a repeated reqId returns the first result and applies nothing twice; a forged manifest is refused', () => {
    const d = door();
    const commands = syncCommands(snapshotSync(SITE_KEYS, V1, { recordsPerChunk: 30 }), { exp: EXP });
    d.send(commands[0]!);
    d.send(commands[1]!);
    d.send(commands[1]!);
    expect(d.results().slice(-2).map((r) => r.data)).toEqual([1, 2].map(() => ({ sync: 's0-1', next: 1, chunks: commands.length - 1 })));
    const forged = { ...commands[0]!, reqId: 'forged', args: { ...commands[0]!.args, version: 9 } };
    const failuresBefore = d.events('credentials.sync_failed').length;
    d.send(forged);
    // Refused before it runs: no event, nothing written (a flood of forgeries costs no flash).
    expect(d.results().at(-1)).toMatchObject({ reqId: 'forged', code: 'invalid', reason: 'manifest signature does not verify' });
    expect(d.events('credentials.sync_failed')).toHaveLength(failuresBefore);
    // The forged manifest did not disturb the genuine session.
    for (const command of commands.slice(2)) d.send(command);
    expect(d.results().at(-1)).toMatchObject({ code: 'ok', data: { done: true, added: 100 } });
  });
});
