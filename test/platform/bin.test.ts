// The reference platform's smart-bin side on messages a test client publishes as a bin would: deposits credited
// once per deposit id (a replay after a power cut or an erased outbox credits nothing twice), the credits ledger
// and its CSV, levels with history, bin alarms as incidents that close themselves (alarm.cleared, bin.emptied for
// an overflow) with `resolved` on the alarm channel, and the signed smart-bin.open.
import { createHmac } from 'node:crypto';
import { afterEach, describe, expect, test } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import type { AlarmUpdateMessage, CommandMessage } from '../../firmware/protocol/messages.js';
import { signedText } from '../../firmware/protocol/signed-command.js';
import { topicFor, type OutboundChannel } from '../../firmware/protocol/topics.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { ReferencePlatform, type PlatformChange } from '../../simulator/platform/platform.js';
import { Rig } from './rig.js';

const T = 1_800_000_000_000;
const ALICE = 'a1'.repeat(32);
const BOB = 'b2'.repeat(32);
let rig: Rig;
let client: MqttClient;
let seq = 0;
let boot = 1;

afterEach(async () => {
  await rig?.stop();
});

async function start(): Promise<PlatformChange[]> {
  seq = 0;
  boot = 1;
  rig = await new Rig().start({ now: () => T + 60_000 });
  client = await rig.client();
  const changes: PlatformChange[] = [];
  rig.platform.onChange((change) => changes.push(change));
  return changes;
}

async function send(channel: OutboundChannel, message: Record<string, unknown>, dev = 'bin1'): Promise<void> {
  await client.publishAsync(topicFor({ site: rig.site, device: dev }, channel), JSON.stringify({ v: 1, dev, ...message }), { qos: 1 });
}

/** The next event of the bin (seq counts on; a new boot after an erase starts again at 1). */
async function event(type: string, data: Record<string, unknown>): Promise<void> {
  seq++;
  await send('event', { msg: 'event', seq, boot, up: seq * 1000, ts: T + seq * 1000, tv: true, type, data });
}

const deposit = (n: number, resident: string, grams: number, credits: number, c = 0, category = 'recyclable') =>
  ({ id: `bin1.${n}`, c, category, grams, credits, resident, via: 'card', at: T + n });

/** Waits until every event sent so far is stored (the platform handles them in order). */
async function settled(): Promise<void> {
  await rig.platform.waitFor((p) => p.events({ dev: 'bin1', limit: 1 }).at(-1)?.seq === seq, 5000, `event ${seq} stored`);
}

describe('deposits and credits', () => {
  test('each deposit id is credited once, whatever copies arrive; the ledger is per resident and category', async () => {
    const changes = await start();
    await event('bin.deposit', deposit(1, ALICE, 1200, 24));
    await event('bin.deposit', deposit(2, BOB, 500, 10));
    // A power cut before the PUBACK: the device queues the same deposit again under a new seq.
    await event('bin.deposit', deposit(1, ALICE, 1200, 24));
    await event('bin.deposit', deposit(3, ALICE, 800, 8, 1, 'kitchen'));
    await settled();
    expect(rig.platform.deposits().map((d) => [d.id, d.resident.slice(0, 4), d.grams, d.credits, d.seq])).toEqual([
      ['bin1.1', 'a1a1', 1200, 24, 1], ['bin1.2', 'b2b2', 500, 10, 2], ['bin1.3', 'a1a1', 800, 8, 4],
    ]);
    expect(rig.platform.credits()).toEqual([
      { resident: ALICE, category: 'kitchen', credits: 8, grams: 800, deposits: 1 },
      { resident: ALICE, category: 'recyclable', credits: 24, grams: 1200, deposits: 1 },
      { resident: BOB, category: 'recyclable', credits: 10, grams: 500, deposits: 1 },
    ]);
    expect(rig.platform.credits({ resident: BOB })).toHaveLength(1);
    expect(changes.filter((c) => c.kind === 'deposit').map((c) => c.kind === 'deposit' && c.credited)).toEqual([true, true, false, true]);

    // Erased storage: the same seqs with other content start a new epoch; the replayed deposit id still credits nothing.
    boot = 0;
    seq = 0;
    await send('status', { msg: 'status', state: 'online', boot: 0, conn: 1, up: 1, ts: T, tv: true, model: 'smart-bin', fw: '1', cfgVer: 0, seq: 0 });
    await event('bin.deposit', deposit(2, BOB, 500, 10));
    await rig.platform.waitFor((p) => p.device('bin1')!.epoch === 2 && p.events({ dev: 'bin1' }).length === 5, 5000);
    expect(rig.platform.deposits({ resident: BOB })).toHaveLength(1);
  });

  test('a deposit the platform cannot read is stored as an event, refused for crediting with a reason', async () => {
    const changes = await start();
    await event('bin.deposit', { ...deposit(1, ALICE, 100, 2), resident: 'not a hash' });
    await event('bin.deposit', { ...deposit(2, ALICE, 100, 2), grams: -5 });
    await event('bin.deposit', { ...deposit(3, ALICE, 100, 2), via: 'cash' });
    await event('bin.deposit', { ...deposit(4, ALICE, 100, 2), extra: 'kept, not checked' });
    await settled();
    expect(rig.platform.events({ dev: 'bin1' })).toHaveLength(4);
    expect(rig.platform.deposits().map((d) => d.id)).toEqual(['bin1.4']);
    expect(changes.filter((c) => c.kind === 'invalid').map((c) => c.kind === 'invalid' && c.error)).toEqual([
      'bin.deposit.data.resident: expected 64 lowercase hex digits',
      expect.stringMatching(/^bin\.deposit\.data\.grams: /),
      expect.stringMatching(/^bin\.deposit\.data\.via: /),
    ]);
  });

  test('the deposits CSV has one row per credited deposit, and survives a platform restart', async () => {
    await start();
    const dataDir = rig.tempDir();
    const platform = await rig.startPlatform({ dataDir, clientId: `${rig.site}.p2`, now: () => T });
    await event('bin.deposit', deposit(1, ALICE, 1200, 24));
    await event('bin.deposit', deposit(1, ALICE, 1200, 24));
    await platform.waitFor((p) => p.events({ dev: 'bin1' }).length === 2, 5000);
    await platform.stop();
    const reopened = new ReferencePlatform({ url: rig.broker.url, site: rig.site, dataDir });
    try {
      expect(reopened.depositsCsv().split('\r\n')).toEqual([
        'dev,id,c,category,grams,credits,resident,via,at,seq,received_at',
        `bin1,bin1.1,0,recyclable,1200,24,${ALICE},card,${T + 1},1,${T}`,
        '',
      ]);
    } finally {
      await reopened.stop();
    }
  });
});

describe('levels and emptying', () => {
  test('level reports are kept per compartment with their history; the newest of each is at hand', async () => {
    const changes = await start();
    const level = (c: number, fillPct: number, why: string) => ({
      c, category: c === 0 ? 'recyclable' : 'other', fillPct, fillMm: fillPct * 8, distanceMm: 1000 - fillPct * 8, heightMm: 1000,
      status: 'ok', quality: 90, full: fillPct >= 80, empty: fillPct <= 10, highPct: 80, lowPct: 10, why,
    });
    await event('bin.level', level(0, 40, 'periodic'));
    await event('bin.level', level(1, 10, 'periodic'));
    await event('bin.level', level(0, 82, 'crossing'));
    await event('bin.level', { c: 1, status: 'fault', fault: 'noEcho', quality: 0, heightMm: 1000, why: 'periodic' });
    await settled();
    expect(rig.platform.binLevels('bin1', 0).map((l) => [l.fillPct, l.full, l.why])).toEqual([[40, false, 'periodic'], [82, true, 'crossing']]);
    expect(rig.platform.binLevels('bin1').map((l) => l.c)).toEqual([0, 1, 0, 1]);
    expect(rig.platform.latestBinLevels('bin1').map((l) => [l.c, l.status, l.fillPct])).toEqual([[0, 'ok', 82], [1, 'fault', undefined]]);
    expect(rig.platform.latestBinLevels('bin1')[1]!.data).toMatchObject({ fault: 'noEcho' });
    expect(changes.filter((c) => c.kind === 'level')).toHaveLength(4);
  });

  test('history is bounded per compartment', async () => {
    await start();
    const platform = await rig.startPlatform({ levelHistory: 3, clientId: `${rig.site}.small` });
    for (let i = 0; i < 5; i++) await event('bin.level', { c: 0, status: 'ok', fillPct: i * 10, why: 'periodic' });
    await event('bin.level', { c: 1, status: 'ok', fillPct: 5, why: 'periodic' });
    await platform.waitFor((p) => p.events({ dev: 'bin1' }).length === 6, 5000);
    expect(platform.binLevels('bin1', 0).map((l) => l.fillPct)).toEqual([20, 30, 40]);
    expect(platform.binLevels('bin1', 1)).toHaveLength(1);
  });
});

describe('bin alarms close the loop', () => {
  /** The alarm updates the platform publishes to the bin, in order. */
  async function alarmChannel(): Promise<AlarmUpdateMessage[]> {
    const seen: AlarmUpdateMessage[] = [];
    const device = await rig.client();
    device.on('message', (_topic, payload) => { if (payload.length) seen.push(JSON.parse(payload.toString()) as AlarmUpdateMessage); });
    await device.subscribeAsync(topicFor({ site: rig.site, device: 'bin1' }, 'alarm'), { qos: 1 });
    return seen;
  }

  test('overflow: raised → accepted → collection dispatched → bin.emptied resolves it with the emptying time', async () => {
    await start();
    const seen = await alarmChannel();
    await event('alarm.raised', { alarmId: 'bin1.1', cause: 'overflow', c: 2, detector: { fillPct: 97 } });
    await rig.platform.waitFor((p) => p.alarms().length === 1, 5000);
    const id = rig.platform.alarms()[0]!.id;
    expect(rig.platform.alarm(id)).toMatchObject({ cause: 'overflow', c: 2, state: 'raised' });
    await rig.platform.acceptAlarm(id, 'operator');
    const dispatched = await rig.platform.dispatch(id, 'crew 3', 45);
    expect(dispatched.steps.at(-1)).toMatchObject({ state: 'dispatched', note: 'collection: crew 3 on the way' });
    const emptiedAt = T + 3_600_000;
    await event('bin.emptied', { c: 1, category: 'other', at: emptiedAt - 5, fromPct: 60, toPct: 2 }); // another compartment
    await event('bin.emptied', { c: 2, category: 'recyclable', at: emptiedAt, fromPct: 97.4, toPct: 3 });
    await rig.platform.waitFor((p) => p.alarm(id)?.state === 'resolved', 5000);
    expect(rig.platform.alarm(id)).toMatchObject({ clearedAt: emptiedAt, resolution: `emptied ${iso(emptiedAt)} (97 % → 3 %)` });
    expect(rig.platform.emptyings('bin1').map((e) => e.c)).toEqual([1, 2]);
    await waitUntil(() => seen.at(-1)?.state === 'resolved');
    expect(seen.map((u) => u.state)).toEqual(['raised', 'accepted', 'dispatched', 'resolved']);
    expect(seen.at(-1)).toMatchObject({ alarmId: 'bin1.1', note: `emptied ${iso(emptiedAt)} (97 % → 3 %)` });
    // The device's own alarm.cleared after that changes nothing but is kept.
    await event('alarm.cleared', { alarmId: 'bin1.1', cause: 'overflow', c: 2, at: emptiedAt + 10, emptiedAt, fillPct: 3 });
    await settled();
    expect(rig.platform.alarm(id)).toMatchObject({ state: 'resolved', clearedAt: emptiedAt });
    await rig.platform.close(id, 'supervisor');
  });

  test('a fire that goes out before anyone was dispatched is marked cleared and resolved', async () => {
    await start();
    const seen = await alarmChannel();
    await event('alarm.raised', { alarmId: 'bin1.1', cause: 'fire', detector: { tempC: 71 } });
    await event('alarm.raised', { alarmId: 'bin1.2', cause: 'tilt', detector: { tiltDeg: 70 } });
    await rig.platform.waitFor((p) => p.alarms().length === 2, 5000);
    const fire = rig.platform.alarms().find((a) => a.cause === 'fire')!;
    await event('alarm.cleared', { alarmId: 'bin1.1', cause: 'fire', at: T + 120_000, tempC: 31 });
    await rig.platform.waitFor((p) => p.alarm(fire.id)?.state === 'resolved', 5000);
    expect(rig.platform.alarm(fire.id)).toMatchObject({
      clearedAt: T + 120_000, resolution: `cleared on the device ${iso(T + 120_000)}`,
      steps: [expect.objectContaining({ state: 'raised' }), expect.objectContaining({ state: 'resolved', by: 'device' })],
    });
    expect(rig.platform.alarms().find((a) => a.cause === 'tilt')).toMatchObject({ state: 'raised' });
    await waitUntil(() => seen.some((u) => u.alarmId === 'bin1.1' && u.state === 'resolved'));
    // alarm.cleared for an alarm the platform never saw raised resolves nothing.
    await event('alarm.cleared', { alarmId: 'bin1.99', cause: 'tilt', at: T });
    await settled();
    expect(rig.platform.alarms()).toHaveLength(2);
  });
});

describe('bin commands', () => {
  test('smart-bin.open is signed over name, reqId, exp, compartment and seconds; tare and calibrate are not', async () => {
    await start();
    const device = await rig.client();
    const received: CommandMessage[] = [];
    device.on('message', (_topic, payload) => {
      const command = JSON.parse(payload.toString()) as CommandMessage;
      received.push(command);
      void device.publishAsync(topicFor({ site: rig.site, device: 'bin1' }, 'result'),
        JSON.stringify({ v: 1, msg: 'result', dev: 'bin1', reqId: command.reqId, code: 'ok', up: 1, ts: T, tv: true }), { qos: 1 });
    });
    await device.subscribeAsync(topicFor({ site: rig.site, device: 'bin1' }, 'command'), { qos: 1 });
    expect((await rig.platform.sendCommand('bin1', 'smart-bin.open', { c: 1, s: 90 })).code).toBe('ok');
    expect((await rig.platform.sendCommand('bin1', 'smart-bin.open', { c: 3 })).code).toBe('ok');
    expect((await rig.platform.sendCommand('bin1', 'smart-bin.calibrate', { c: 0, grams: 2000 })).code).toBe('ok');
    const [open, openDefault, calibrate] = received;
    const sig = (c: CommandMessage, target: number, amount?: number) =>
      createHmac('sha256', DEMO_KEYS.commandKey).update(signedText(c.name, c.reqId, c.exp, target, amount)).digest('hex');
    expect(open!.args).toEqual({ c: 1, s: 90, sig: sig(open!, 1, 90) });
    expect(openDefault!.args).toEqual({ c: 3, sig: sig(openDefault!, 3) });
    expect(calibrate!.args).toEqual({ c: 0, grams: 2000 });
    await expect(rig.platform.sendCommand('bin1', 'smart-bin.open', { s: 5 })).rejects.toThrow(/args\.c/);
  });
});

function iso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

async function waitUntil(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
