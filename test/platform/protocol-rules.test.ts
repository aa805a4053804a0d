// The platform's protocol rules (docs/protocol.md §4, §5.2, §6.2, §7.5) on messages a test client publishes as
// a device would: stale wills, overdue sleepers, erased storage, differing copies, gaps, time correction,
// invalid messages, result dedupe; the incident transitions and the CSV quoting on their own.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import { topicFor, type OutboundChannel } from '../../firmware/protocol/topics.js';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { csvField, toCsv } from '../../simulator/platform/csv.js';
import { refuseTransition } from '../../simulator/platform/incidents.js';
import { keysFileText, ReferencePlatform, type PlatformChange } from '../../simulator/platform/platform.js';
import { Rig } from './rig.js';

const T = 1_800_000_000_000;
let rig: Rig;
let client: MqttClient;
let now = T;

afterEach(async () => {
  await rig?.stop();
});

async function start(): Promise<PlatformChange[]> {
  now = T;
  rig = await new Rig().start({ now: () => now });
  client = await rig.client();
  const changes: PlatformChange[] = [];
  rig.platform.onChange((change) => changes.push(change));
  return changes;
}

async function send(channel: OutboundChannel, message: Record<string, unknown>, dev = 'd1'): Promise<void> {
  await client.publishAsync(topicFor({ site: rig.site, device: dev }, channel), JSON.stringify({ v: 1, dev, ...message }), { qos: 1 });
}

const birth = (boot: number, conn: number, seq: number) => ({
  msg: 'status', state: 'online', boot, conn, up: 100, ts: T, tv: true, model: 'test', fw: '1', cfgVer: 0, seq,
});
const event = (seq: number, boot: number, extra: Record<string, unknown> = {}) => ({
  msg: 'event', seq, boot, up: 1000 * seq, ts: T + 1000 * seq, tv: true, type: 'test.thing', data: { n: seq }, ...extra,
});

describe('platform protocol rules', () => {
  test('a stale will does not mark the device offline; its own will does; a sleeper becomes overdue', async () => {
    await start();
    await send('status', birth(2, 3, 0));
    await rig.platform.waitFor((p) => p.device('d1')?.state === 'online', 5000);
    await send('status', { msg: 'status', state: 'offline', boot: 2, conn: 2 }); // an older connection's will
    await send('status', { msg: 'status', state: 'offline', boot: 1 }); // an older boot's
    await send('event', event(1, 2)); // a marker: everything before it has been handled
    await rig.platform.waitFor((p) => p.events().length === 1, 5000);
    expect(rig.platform.device('d1')).toMatchObject({ state: 'online', boot: 2, conn: 3 });
    await send('status', { msg: 'status', state: 'offline', boot: 2, conn: 3 });
    await rig.platform.waitFor((p) => p.device('d1')?.state === 'offline', 5000);

    await send('status', birth(2, 4, 1));
    await send('status', { msg: 'status', state: 'sleeping', boot: 2, conn: 4, wakeIn: 600 });
    await rig.platform.waitFor((p) => p.device('d1')?.state === 'sleeping', 5000);
    now += 600_000 + 59_000;
    expect(rig.platform.device('d1')!.state).toBe('sleeping'); // within the grace (60 s)
    now += 2000;
    expect(rig.platform.device('d1')!.state).toBe('overdue');
  });

  test('duplicates, gaps, a differing copy and a lower boot each start what §6.2 and §5.2 say', async () => {
    const changes = await start();
    await send('status', birth(5, 1, 0));
    await send('event', event(1, 5, { tv: false, ts: 1000, up: 1000 }));
    await send('event', event(2, 5));
    await send('event', event(2, 5)); // the same bytes: a duplicate
    await send('event', event(5, 5)); // 3 and 4 never come
    await rig.platform.waitFor((p) => p.events().length === 3 && p.device('d1')!.duplicates === 1, 5000);
    expect(rig.platform.gaps('d1')).toEqual([{ dev: 'd1', epoch: 1, from: 3, to: 4, count: 2, boot: 5 }]);
    expect(changes).toContainEqual({ kind: 'gap', gap: { dev: 'd1', epoch: 1, from: 3, to: 4, count: 2, boot: 5 } });
    // §4: event 1 had no trusted time; event 2 of the same boot places it.
    expect(rig.platform.events({ dev: 'd1' })[0]).toMatchObject({ seq: 1, tv: false, ts: 1000, tsCorrected: T + 1000 });

    await send('event', event(2, 5, { data: { n: 'other' } })); // seq 2 again, different: storage erased
    await rig.platform.waitFor((p) => p.device('d1')!.epoch === 2, 5000);
    expect(changes).toContainEqual(expect.objectContaining({ kind: 'epoch', dev: 'd1', epoch: 2 }));
    expect(rig.platform.events({ dev: 'd1' }).map((e) => [e.epoch, e.seq])).toEqual([[1, 1], [1, 2], [1, 5], [2, 2]]);

    await send('status', birth(1, 1, 0)); // boot below the highest seen: erased again
    await rig.platform.waitFor((p) => p.device('d1')!.epoch === 3, 5000);
    await send('event', event(1, 1));
    await rig.platform.waitFor((p) => p.events({ dev: 'd1' }).length === 5, 5000);
    expect(rig.platform.events({ dev: 'd1' }).at(-1)).toMatchObject({ epoch: 3, seq: 1 });
    expect(rig.platform.gaps('d1').filter((gap) => gap.epoch === 3)).toEqual([]);
  });

  test('invalid messages are counted, not stored; results are deduplicated by (dev, reqId)', async () => {
    const changes = await start();
    await send('event', { ...event(1, 1), dev: 'someone-else' }); // dev does not match the topic
    await send('event', { ...event(2, 1), extra: 1 }); // a field the protocol does not have
    await send('result', { msg: 'result', reqId: 'r1', code: 'ok', up: 1, ts: T, tv: true });
    await send('result', { msg: 'result', reqId: 'r1', code: 'ok', up: 1, ts: T, tv: true });
    await send('result', { msg: 'result', reqId: 'r2', code: 'failed', up: 1, ts: T, tv: true, reason: 'jammed' });
    await rig.platform.waitFor((p) => p.results('d1').length === 2, 5000);
    expect(rig.platform.device('d1')).toMatchObject({ invalid: 2, events: 0 });
    expect(rig.platform.events()).toEqual([]);
    expect(changes.filter((change) => change.kind === 'invalid')).toEqual([
      { kind: 'invalid', dev: 'd1', channel: 'event', error: expect.stringMatching(/dev/) },
      { kind: 'invalid', dev: 'd1', channel: 'event', error: expect.stringMatching(/extra/) },
    ]);
    expect(rig.platform.results('d1').map((r) => [r.reqId, r.code, r.reason])).toEqual([['r1', 'ok', undefined], ['r2', 'failed', 'jammed']]);
  });
});

describe('decommissioning', () => {
  test('clearRetained empties the retained topics; the history stays', async () => {
    await start();
    await send('status', birth(1, 1, 0));
    await send('event', event(1, 1));
    await rig.platform.waitFor((p) => p.events().length === 1, 5000);
    await rig.platform.setDesiredConfig('d1', { healthIntervalS: 60 });
    await rig.platform.raiseAlarm('d1', 'evacuate');
    await rig.platform.clearRetained('d1');
    const late = await rig.client();
    const retained: string[] = [];
    late.on('message', (topic, payload) => retained.push(`${topic} ${payload.length}`));
    await late.subscribeAsync(`ct/v1/${rig.site}/d1/#`, { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(retained).toEqual([]);
    expect(rig.platform.events()).toHaveLength(1);
    expect(rig.platform.device('d1')).toMatchObject({ state: 'online' });
  });
});

describe('incident transitions', () => {
  test('each step only from the one before; cancel before a final state; close after one', () => {
    expect(refuseTransition('raised', 'accepted')).toBeUndefined();
    expect(refuseTransition('accepted', 'dispatched')).toBeUndefined();
    expect(refuseTransition('dispatched', 'dispatched')).toBeUndefined(); // another responder or ETA
    expect(refuseTransition('dispatched', 'onsite')).toBeUndefined();
    expect(refuseTransition('onsite', 'resolved')).toBeUndefined();
    expect(refuseTransition('resolved', 'closed')).toBeUndefined();
    expect(refuseTransition('accepted', 'cancelled')).toBeUndefined();
    expect(refuseTransition('cancelled', 'closed')).toBeUndefined();
    expect(refuseTransition('raised', 'dispatched')).toBe('cannot mark it dispatched while it is raised: it must be accepted first');
    expect(refuseTransition('onsite', 'accepted')).toBe('cannot mark it accepted while it is on site: it must be raised first');
    expect(refuseTransition('resolved', 'cancelled')).toBe('the alarm is already resolved');
    expect(refuseTransition('closed', 'resolved')).toBe('the alarm is closed');
    expect(refuseTransition('accepted', 'raised')).toMatch(/raised by its device/);
  });
});

describe('CSV', () => {
  test('RFC 4180 quoting, CRLF, and no formulas from device text', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvField(-3)).toBe('-3');
    expect(csvField(undefined)).toBe('');
    expect(toCsv(['a', 'b'], [[1, 'x'], [true, null]])).toBe('a,b\r\n1,x\r\ntrue,\r\n');
  });
});

describe('site keys', () => {
  test('read from keys.json in the data dir; a bad key is a clear error', async () => {
    rig = new Rig();
    const dir = rig.tempDir();
    writeFileSync(join(dir, 'keys.json'), keysFileText(DEMO_KEYS));
    const platform = new ReferencePlatform({ url: 'mqtt://127.0.0.1:1', site: 's', dataDir: dir });
    expect(platform.keys).toEqual({ ...DEMO_KEYS });
    const pass = platform.mintPass({ doors: [0, 2], validFrom: 1_800_000_000, hours: 2, maxUses: 3 });
    expect(pass).toMatchObject({ passId: 1, doors: [0, 2], validTo: 1_800_007_200, maxUses: 3 });
    expect(platform.mintPass({ doors: [1] }).passId).toBe(2);
    await platform.stop();

    const bad = rig.tempDir();
    writeFileSync(join(bad, 'keys.json'), JSON.stringify({ hashKey: 'abc', syncKey: '00'.repeat(32) }));
    expect(() => new ReferencePlatform({ url: 'mqtt://127.0.0.1:1', site: 's', dataDir: bad })).toThrow(/hashKey: expected 64 hex digits/);
  });
});
