// The reference platform's kiosk side on messages a test client publishes as a kiosk would: repair reports moved
// step by step by staff and shown on the kiosk (re-sent at its next birth when it was away, never again once it
// refused), ratings once and only after resolved, "my home" turned into the unit by the resident register, visitor
// passes signed for pass requests and sent to the kiosk, tickets, and notices (a new version on each publish,
// again at each kiosk birth). Bad event data is reported as invalid and used for nothing.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { MqttClient } from 'mqtt';
import type { CommandMessage, ResultCode } from '../../firmware/protocol/messages.js';
import { topicFor, type OutboundChannel } from '../../firmware/protocol/topics.js';
import { readPass } from '../../firmware/apps/door-reader/visitor-pass.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { RepairTransitionError, type PlatformChange } from '../../simulator/platform/platform.js';
import { Rig } from './rig.js';

const T = 1_800_000_000_000;
const ALICE = 'a1'.repeat(16);
const BOB = 'b2'.repeat(16);
const KIOSK_CMDS = ['kiosk.report_progress', 'kiosk.pass', 'kiosk.notices'];
const NOTICE = {
  id: 'water-cut', title: { zh: '停水通知', en: 'Water cut' }, body: { zh: '周二 9:00–12:00 停水。', en: 'No water Tuesday 9:00–12:00.' },
  expiresMs: T + 86_400_000,
};

let rig: Rig;
let client: MqttClient;
let seq = 0;
let boot = 1;
let changes: PlatformChange[];
/** Commands the kiosk received, and how it answers the next ones (by command name). */
let received: CommandMessage[];
let answer: (command: CommandMessage) => { code: ResultCode; reason?: string } | undefined;

afterEach(async () => {
  await rig?.stop();
});

async function start(options: { commandTtlMs?: number } = {}): Promise<void> {
  seq = 0;
  boot = 1;
  received = [];
  answer = () => ({ code: 'ok' });
  rig = await new Rig().start({ now: () => T + 60_000, commandRetryMs: 300, ...options });
  client = await rig.client();
  changes = [];
  rig.platform.onChange((change) => changes.push(change));
}

async function send(channel: OutboundChannel, message: Record<string, unknown>, dev = 'kiosk1'): Promise<void> {
  await client.publishAsync(topicFor({ site: rig.site, device: dev }, channel), JSON.stringify({ v: 1, dev, ...message }), { qos: 1 });
}

/** The kiosk online: subscribed to its commands (answering with `answer`) and its birth published. */
async function online(): Promise<void> {
  const topic = topicFor({ site: rig.site, device: 'kiosk1' }, 'command');
  if (!client.listeners('message').length) {
    client.on('message', (_topic, payload) => {
      const command = JSON.parse(payload.toString()) as CommandMessage;
      const outcome = answer(command);
      if (!outcome) return; // a kiosk that does not answer (away)
      if (!received.some((c) => c.reqId === command.reqId)) received.push(command);
      void send('result', { msg: 'result', reqId: command.reqId, ...outcome, up: 1, ts: T, tv: true });
    });
  }
  await client.subscribeAsync(topic, { qos: 1 });
  await send('status', { msg: 'status', state: 'online', boot, conn: 1, up: 1, ts: T, tv: true, model: 'kiosk', fw: '1', cfgVer: 0, seq, cmds: KIOSK_CMDS });
  await rig.platform.waitFor((p) => p.device('kiosk1')?.state === 'online', 5000);
}

async function event(type: string, data: Record<string, unknown>): Promise<void> {
  seq++;
  await send('event', { msg: 'event', seq, boot, up: seq * 1000, ts: T + seq * 1000, tv: true, type, data });
  await rig.platform.waitFor((p) => p.events({ dev: 'kiosk1', limit: 1 }).at(-1)?.seq === seq, 5000, `event ${seq} stored`);
}

const repair = (ref: string, resident?: string, location = 'loc.home') =>
  ({ ref, category: 'cat.water', location, phrase: 'phrase.leak', ...(resident ? { resident } : {}) });
const progress = () => received.filter((c) => c.name === 'kiosk.report_progress').map((c) => c.args);
const invalid = () => changes.flatMap((c) => (c.kind === 'invalid' ? [c.error] : []));

describe('repair reports', () => {
  test('staff move a report step by step; each step reaches the kiosk; the rating closes it, once', async () => {
    await start();
    rig.platform.setResidentUnit({ hash: ALICE }, '3-1502');
    await online();
    await event('kiosk.repair', repair('1-1', ALICE));
    const filed = rig.platform.repair('kiosk1', '1-1')!;
    expect(filed).toMatchObject({ stage: 'submitted', unit: '3-1502', location: 'loc.home', resident: ALICE, category: 'cat.water' });

    // Out of order or without a name: refused, nothing sent.
    expect(() => rig.platform.moveRepair('kiosk1', '1-1', 'onsite')).toThrow(RepairTransitionError);
    expect(() => rig.platform.moveRepair('kiosk1', '1-1', 'dispatched', { staff: 'Li' })).toThrow(/must be accepted first/);
    expect(() => rig.platform.moveRepair('kiosk1', 'nope', 'accepted')).toThrow(/no such report/);

    rig.platform.moveRepair('kiosk1', '1-1', 'accepted', { by: 'desk' });
    await rig.platform.waitFor((p) => p.repair('kiosk1', '1-1')?.shown === 'accepted', 5000);
    expect(() => rig.platform.moveRepair('kiosk1', '1-1', 'dispatched', { staff: '  ' })).toThrow(/name the staff member/);
    rig.platform.moveRepair('kiosk1', '1-1', 'dispatched', { staff: 'Wang Wei' });
    rig.platform.moveRepair('kiosk1', '1-1', 'onsite');
    rig.platform.moveRepair('kiosk1', '1-1', 'resolved', { note: 'pipe joint replaced' });
    await rig.platform.waitFor((p) => p.repair('kiosk1', '1-1')?.shown === 'resolved', 5000);
    // One command at a time: steps made while one was on its way are followed by the newest stage (the kiosk never
    // goes backwards, so skipping between is fine), each stage at most once, in order, ending at resolved.
    const stages = progress().map((args) => args!.stage as string);
    const order = ['accepted', 'dispatched', 'onsite', 'resolved'];
    expect(stages[0]).toBe('accepted');
    expect(stages.at(-1)).toBe('resolved');
    expect(stages.map((stage) => order.indexOf(stage))).toEqual([...new Set(stages.map((stage) => order.indexOf(stage)))].sort());
    const done = rig.platform.repair('kiosk1', '1-1')!;
    expect(done.steps.map((s) => [s.stage, s.by ?? '', s.note ?? ''])).toEqual([
      ['submitted', '', ''], ['accepted', 'desk', ''], ['dispatched', 'Wang Wei', ''], ['onsite', '', ''], ['resolved', '', 'pipe joint replaced'],
    ]);
    expect(done.staff).toBe('Wang Wei');
    expect(() => rig.platform.moveRepair('kiosk1', '1-1', 'accepted')).toThrow(/while it is resolved/);

    await event('kiosk.rating', { ref: '1-1', stars: 4 });
    expect(rig.platform.repair('kiosk1', '1-1')!.stars).toBe(4);
    await event('kiosk.rating', { ref: '1-1', stars: 1 }); // another copy of a rating changes nothing
    expect(rig.platform.repair('kiosk1', '1-1')!.stars).toBe(4);
  });

  test('"my home" without a register entry keeps no unit; a unit filed by the kiosk is kept; a report without a card is never sent to the kiosk', async () => {
    await start();
    await online();
    await event('kiosk.repair', repair('1-1', BOB));
    await event('kiosk.repair', repair('1-2', ALICE, 'unit:7-301'));
    await event('kiosk.repair', repair('1-3', undefined, 'loc.lift'));
    expect(rig.platform.repair('kiosk1', '1-1')!.unit).toBeUndefined();
    expect(rig.platform.repair('kiosk1', '1-2')!.unit).toBe('7-301');
    rig.platform.moveRepair('kiosk1', '1-3', 'accepted');
    rig.platform.moveRepair('kiosk1', '1-2', 'accepted');
    await rig.platform.waitFor((p) => p.repair('kiosk1', '1-2')?.shown === 'accepted', 5000);
    expect(progress()).toEqual([{ ref: '1-2', stage: 'accepted' }]);
    expect(rig.platform.repairs({ open: true }).map((r) => r.ref)).toEqual(['1-3', '1-2', '1-1']);
  });

  test('a kiosk away when a step is made gets it at its next birth; a step it refuses is not sent again', async () => {
    await start({ commandTtlMs: 1500 });
    await online();
    await event('kiosk.repair', repair('1-1', ALICE));
    await event('kiosk.repair', repair('1-2', BOB));
    answer = () => undefined; // the kiosk is away
    rig.platform.moveRepair('kiosk1', '1-1', 'accepted');
    await new Promise((resolve) => setTimeout(resolve, 2500)); // its TTL passes unanswered
    expect(rig.platform.repair('kiosk1', '1-1')!.shown).toBeUndefined();

    answer = (command) => (command.args?.ref === '1-2' ? { code: 'rejected', reason: 'no report 1-2' } : { code: 'ok' });
    rig.platform.moveRepair('kiosk1', '1-2', 'accepted');
    await rig.platform.waitFor((p) => p.repair('kiosk1', '1-2')?.deliveryError !== undefined, 5000);
    expect(rig.platform.repair('kiosk1', '1-2')!.deliveryError).toBe('rejected: no report 1-2');

    boot++;
    received = [];
    await online();
    await rig.platform.waitFor((p) => p.repair('kiosk1', '1-1')?.shown === 'accepted', 5000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(progress()).toEqual([{ ref: '1-1', stage: 'accepted' }]);
  });

  test('bad kiosk events are reported and used for nothing', async () => {
    await start();
    await online();
    await event('kiosk.repair', { ...repair('1-1', ALICE), category: 'cat.fire' });
    await event('kiosk.repair', repair('1-2', 'not-a-hash'));
    await event('kiosk.rating', { ref: '9-9', stars: 5 });
    await event('kiosk.repair', repair('1-3', ALICE));
    await event('kiosk.rating', { ref: '1-3', stars: 5 }); // not resolved yet
    await event('kiosk.pass_request', { ref: '1-4', resident: ALICE, visitors: 12, hours: 4 });
    await event('kiosk.ticket', { number: 0, printed: true });
    expect(invalid()).toEqual([
      expect.stringContaining('kiosk.repair.data.category'), expect.stringContaining('kiosk.repair.data.resident'),
      expect.stringContaining('no repair report 9-9'), expect.stringContaining('is submitted, not resolved'),
      expect.stringContaining('kiosk.pass_request.data.visitors'), expect.stringContaining('kiosk.ticket.data.number'),
    ]);
    expect(rig.platform.repairs().map((r) => r.ref)).toEqual(['1-3']);
    expect(rig.platform.repair('kiosk1', '1-3')!.stars).toBeUndefined();
    expect(rig.platform.passRequests()).toEqual([]);
    expect(rig.platform.passes()).toEqual([]);
    expect(rig.platform.tickets()).toEqual([]);
  });
});

describe('visitor passes, tickets, notices', () => {
  test('a pass request is answered with a pass signed for the doors, from the time it was asked, for that many visitors, once', async () => {
    await start();
    await online();
    await event('kiosk.pass_request', { ref: '1-1', resident: ALICE, visitors: 3, hours: 4 });
    await rig.platform.waitFor((p) => p.passRequests()[0]?.delivered === true, 5000);
    const asked = T + 1000;
    const [pass] = rig.platform.passes();
    expect(pass).toMatchObject({ doors: [0], validFrom: Math.floor(asked / 1000) - 60, validTo: Math.floor(asked / 1000) + 4 * 3600, maxUses: 3 });
    const sent = received.filter((c) => c.name === 'kiosk.pass');
    expect(sent.map((c) => c.args)).toEqual([{ ref: '1-1', payload: pass!.text }]);
    expect(readPass(pass!.text, { id: DEMO_KEYS.passKeyId, key: DEMO_KEYS.passKey }, createHostCrypto())).toMatchObject({ ok: true, pass: { passId: pass!.passId, maxUses: 3 } });

    // The same request again (a replay after a power cut, under a new seq): no second pass.
    await event('kiosk.pass_request', { ref: '1-1', resident: ALICE, visitors: 3, hours: 4 });
    await event('kiosk.ticket', { number: 7, printed: false });
    expect(rig.platform.passes()).toHaveLength(1);
    expect(rig.platform.tickets()).toEqual([{ dev: 'kiosk1', number: 7, printed: false, ts: T + 3000, receivedAt: T + 60_000 }]);
  });

  test('notices go to every kiosk as a new version and again at each birth; a bad list is refused whole', async () => {
    await start();
    await online();
    expect(received).toEqual([]); // nothing published yet: nothing sent at birth
    const first = await rig.platform.publishNotices([NOTICE]);
    expect(first).toEqual({ version: 1, results: [{ dev: 'kiosk1', code: 'ok' }] });
    await expect(rig.platform.publishNotices([NOTICE, NOTICE])).rejects.toThrow(/ids must be unique/);
    await expect(rig.platform.publishNotices([{ ...NOTICE, title: { zh: '', en: 'x' } }])).rejects.toThrow(/title\.zh/);
    expect(rig.platform.notices()!.version).toBe(1);

    answer = (command) => (command.name === 'kiosk.notices' ? { code: 'rejected', reason: 'over noticeBytes' } : { code: 'ok' });
    expect(await rig.platform.publishNotices([])).toEqual({ version: 2, results: [{ dev: 'kiosk1', code: 'rejected', reason: 'over noticeBytes' }] });

    answer = () => ({ code: 'ok' });
    received = [];
    boot++;
    await online();
    await waitUntil(() => received.some((c) => c.name === 'kiosk.notices'));
    expect(received.filter((c) => c.name === 'kiosk.notices').map((c) => c.args)).toEqual([{ version: 2, notices: [] }]);
  });
});

async function waitUntil(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
