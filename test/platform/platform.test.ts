// The reference platform against the embedded broker and real devices (door reader, SOS button) at 20× speed:
// the alarm loop end to end, dedupe, gaps, the access chain, restarts, CSV, door operations.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { topicFor } from '../../firmware/protocol/topics.js';
import { doorReaderKind, type DoorWorld } from '../../simulator/kinds/door-reader.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import { sosButtonKind, type SosWorld } from '../../simulator/kinds/sos-button.js';
import { TransitionError } from '../../simulator/platform/platform.js';
import type { SimDevice } from '../../simulator/device.js';
import { until } from '../support/wait.js';
import { Rig } from './rig.js';

const WAIT_MS = 15_000;
let rig: Rig;

afterEach(async () => {
  await rig?.stop();
});

const ALICE = Uint8Array.of(0x04, 0xa1, 0x1c, 0xe0, 0x00, 0x00, 0x01);

async function online(dev: string): Promise<void> {
  await rig.platform.waitFor((p) => p.device(dev)?.state === 'online', WAIT_MS, `${dev} online`);
}

/** A card held to the reader until `seen` holds at the platform, then taken away (the reader reports a card once per presentation). */
async function badge(door: SimDevice<DoorWorld>, uid: Uint8Array, seen: Parameters<Rig['platform']['waitFor']>[0], what: string): Promise<void> {
  door.world.presentCard(uid);
  await rig.platform.waitFor(seen, WAIT_MS, what);
  door.world.removeCard();
  await new Promise((resolve) => setTimeout(resolve, 150)); // 3 s of device time: the reader sees the field empty
}

function sosAlarm(device: SimDevice<SosWorld>) {
  return device.world.boot?.app.alarms.alarm;
}

describe('reference platform', () => {
  test('an SOS press opens an incident; accept, dispatch, arrive, resolve reach the device; close files it', async () => {
    rig = await new Rig().start();
    const sos = rig.device(sosButtonKind, 'sos-1');
    await online('sos-1');
    await rig.platform.setDesiredConfig('sos-1', { pressConfirmS: 0 });
    await rig.platform.waitFor((p) => p.config('sos-1').reported?.config.pressConfirmS === 0, WAIT_MS, 'pressConfirmS applied');

    sos.world.holdButton(200);
    await rig.platform.waitFor((p) => p.alarms().length === 1, WAIT_MS, 'an incident');
    const [incident] = rig.platform.alarms();
    expect(incident).toMatchObject({ dev: 'sos-1', cause: 'button', state: 'raised' });
    expect(incident!.alarmId).toMatch(/^sos-1\./);
    const id = incident!.id;
    // `raised` acknowledges it on the device's alarm topic.
    await until(() => sosAlarm(sos)?.state === 'raised' && sos.world.boot?.app.showing === 'raised', 'the device shows raised', WAIT_MS);

    // Steps out of order are refused with a reason, and nothing is sent.
    await expect(rig.platform.arrive(id)).rejects.toThrow(TransitionError);
    await expect(rig.platform.arrive(id)).rejects.toThrow(/must be dispatched first/);
    await expect(rig.platform.close(id)).rejects.toThrow(/must be resolved or cancelled first/);

    // Two operators click at once: the second finds it accepted already.
    const [first, second] = await Promise.allSettled([rig.platform.acceptAlarm(id, 'operator Li'), rig.platform.acceptAlarm(id, 'operator Ma')]);
    expect(first).toMatchObject({ status: 'fulfilled', value: { state: 'accepted', acceptedBy: 'operator Li' } });
    expect(second).toMatchObject({ status: 'rejected', reason: expect.objectContaining({ message: expect.stringMatching(/while it is accepted/) }) });
    await until(() => sosAlarm(sos)?.state === 'accepted' && sos.world.boot?.app.showing === 'accepted', 'the device shows accepted', WAIT_MS);
    await rig.platform.dispatch(id, 'Wang Wei', 5);
    await until(() => sosAlarm(sos)?.state === 'dispatched' && sos.world.boot?.app.showing === 'dispatched', 'the device shows dispatched', WAIT_MS);
    await expect(rig.platform.acceptAlarm(id, 'someone')).rejects.toThrow(/while it is dispatched/);
    await rig.platform.arrive(id);
    await until(() => sosAlarm(sos)?.state === 'onsite' && sos.world.boot?.app.showing === 'onsite', 'the device shows onsite', WAIT_MS);
    await rig.platform.resolve(id, 'helped up, unhurt');
    // A final state ends the device's alarm and plays its indication.
    await until(() => sosAlarm(sos) === undefined && sos.world.boot?.app.showing === 'resolved', 'the device shows resolved', WAIT_MS);
    const closed = await rig.platform.close(id, 'supervisor Zhao');
    expect(closed).toMatchObject({ state: 'closed', acceptedBy: 'operator Li', staff: 'Wang Wei', etaMin: 5, resolution: 'helped up, unhurt', closedBy: 'supervisor Zhao' });
    expect(closed.steps.map((step) => step.state)).toEqual(['raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'closed']);
    await expect(rig.platform.resolve(id)).rejects.toThrow(/closed/);

    // Retained: a client subscribing now learns the alarm's last device-visible state.
    const client = await rig.client();
    const retained = new Promise<string>((resolve) => client.on('message', (_topic, payload) => resolve(payload.toString())));
    await client.subscribeAsync(topicFor({ site: rig.site, device: 'sos-1' }, 'alarm'), { qos: 1 });
    expect(JSON.parse(await retained)).toMatchObject({ v: 1, msg: 'alarm', alarmId: incident!.alarmId, state: 'resolved' });

    const csv = rig.platform.alarmsCsv().split('\r\n');
    expect(csv[0]).toBe('id,dev,alarm_id,cause,state,raised_at,accepted_at,accepted_by,dispatched_at,staff,eta_min,onsite_at,resolved_at,resolution,cancelled_at,closed_at,closed_by,reminders');
    expect(csv[1]).toContain(`,sos-1,${incident!.alarmId},button,closed,`);
    expect(csv[1]).toContain(',operator Li,');
    expect(csv[1]).toContain(',"helped up, unhurt",');
  });

  test('a card grant lands once even when it is delivered again; the access chain links; CSV of events', async () => {
    rig = await new Rig().start();
    const door = rig.device(doorReaderKind, 'door-1') as SimDevice<DoorWorld>;
    await online('door-1');
    await badge(door, ALICE, (p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 1, 'a grant');
    const payload = door.eventPayloads().find((text) => (JSON.parse(text) as EventMessage).type === 'access.granted')!;

    // The same bytes again, as a broker redelivery or a device retransmission brings them.
    const client = await rig.client();
    const topic = topicFor({ site: rig.site, device: 'door-1' }, 'event');
    await client.publishAsync(topic, payload, { qos: 1 });
    await client.publishAsync(topic, payload, { qos: 1 });
    await rig.platform.waitFor((p) => p.device('door-1')!.duplicates === 2, WAIT_MS, 'two duplicates');
    expect(rig.platform.events({ dev: 'door-1', type: 'access.granted' })).toHaveLength(1);

    const mallory = Uint8Array.of(0x04, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66); // not enrolled: denied
    await badge(door, mallory, (p) => p.events({ dev: 'door-1', type: 'access.' }).length === 2, 'a denial');
    const chain = rig.platform.chain('door-1');
    expect(chain).toMatchObject({ ok: true, findings: [] });
    expect(chain.linked).toBeGreaterThanOrEqual(1);
    expect(rig.platform.gaps('door-1')).toEqual([]);

    const csv = rig.platform.eventsCsv({ dev: 'door-1' }).trimEnd().split('\r\n');
    expect(csv[0]).toBe('id,dev,epoch,seq,boot,type,ts,tv,up,ts_corrected,received_at,data');
    expect(csv.filter((line) => line.includes(',access.granted,'))).toHaveLength(1);
    expect(csv.length - 1).toBe(rig.platform.events({ dev: 'door-1' }).length);
  });

  test('a forged access event is flagged as a broken chain', async () => {
    rig = await new Rig().start();
    const door = rig.device(doorReaderKind, 'door-1') as SimDevice<DoorWorld>;
    await online('door-1');
    await badge(door, ALICE, (p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 1, 'a grant');
    const last = rig.platform.device('door-1')!.lastSeq!;
    const genuine = rig.platform.events({ dev: 'door-1', type: 'access.granted' })[0]!;
    // Someone who can publish on the door's topic slips in a grant of their own, in sequence.
    const forged: EventMessage = {
      v: 1, msg: 'event', dev: 'door-1', seq: last + 1, boot: genuine.boot, up: genuine.up + 10, ts: genuine.ts + 10, tv: true,
      type: 'access.granted', data: { ...genuine.data, prev: 'ab'.repeat(16) },
    };
    const client = await rig.client();
    await client.publishAsync(topicFor({ site: rig.site, device: 'door-1' }, 'event'), JSON.stringify(forged), { qos: 1 });
    await rig.platform.waitFor((p) => !p.chain('door-1').ok, WAIT_MS, 'a chain finding');
    expect(rig.platform.chain('door-1').findings).toEqual([{ kind: 'break', seq: last + 1 }]);
    // One that claims the chain starts afresh, with no sign of erased storage, is flagged too.
    const restart = { ...forged, seq: last + 2, up: forged.up + 10, ts: forged.ts + 10, data: { ...genuine.data, prev: '0'.repeat(32) } };
    await client.publishAsync(topicFor({ site: rig.site, device: 'door-1' }, 'event'), JSON.stringify(restart), { qos: 1 });
    await rig.platform.waitFor((p) => p.chain('door-1').findings.length === 2, WAIT_MS, 'a second finding');
    expect(rig.platform.chain('door-1').findings[1]).toEqual({ kind: 'restart', seq: last + 2 });
  });

  test('events dropped by a full outbox show as a gap; the birth says what is still on its way', async () => {
    rig = await new Rig().start();
    const device = rig.device(genericKind, 'gen-1', { outbox: 8 * 1024 });
    await online('gen-1');
    device.setNetwork(false);
    await rig.platform.waitFor((p) => p.device('gen-1')?.state === 'offline', WAIT_MS, 'gen-1 offline');
    for (let i = 0; i < 120; i++) device.emit('test.burst', { i, pad: 'x'.repeat(100) });
    device.setNetwork(true);
    await rig.platform.waitFor((p) => p.gaps('gen-1').length > 0 && p.device('gen-1')!.pending === 0, WAIT_MS * 2, 'a gap, and nothing pending');
    const [gap] = rig.platform.gaps('gen-1');
    expect(gap!.count).toBeGreaterThan(0);
    expect(gap!.to - gap!.from + 1).toBe(gap!.count);
    const seqs = rig.platform.events({ dev: 'gen-1', limit: 1000 }).map((event) => event.seq);
    for (let seq = gap!.from; seq <= gap!.to; seq++) expect(seqs).not.toContain(seq);
    expect(seqs).toContain(gap!.to + 1);
  });

  test('a restart keeps the history: events, incidents, chain; the broker queued what came meanwhile', async () => {
    rig = await new Rig().start({ dataDir: undefined });
    await rig.platform.stop();
    const dataDir = rig.tempDir();
    let platform = await rig.startPlatform({ dataDir });
    rig.platform = platform;
    const door = rig.device(doorReaderKind, 'door-1') as SimDevice<DoorWorld>;
    await online('door-1');
    await badge(door, ALICE, (p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 1, 'a grant');
    const before = platform.events({ dev: 'door-1' }).length;
    const drill = await platform.raiseAlarm('door-1', 'fire drill: leave by the stairs');
    await platform.cancel(drill.id, 'drill over');
    await platform.stop();

    // While the platform is down the door grants again; its persistent session keeps the event at the broker.
    door.world.presentCard(ALICE);
    await until(() => door.events('access.granted').length === 2 && door.queued === 0, 'second grant delivered to the broker', WAIT_MS);
    door.world.removeCard();

    platform = await rig.startPlatform({ dataDir });
    rig.platform = platform;
    await platform.waitFor((p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 2, WAIT_MS, 'the queued grant');
    expect(platform.events({ dev: 'door-1' }).length).toBeGreaterThan(before);
    expect(platform.chain('door-1')).toMatchObject({ ok: true });
    expect(platform.chain('door-1').linked).toBeGreaterThanOrEqual(1);
    expect(platform.device('door-1')).toMatchObject({ model: 'door-reader', duplicates: 0 });
    expect(platform.gaps()).toEqual([]);
    expect(platform.alarm(drill.id)).toMatchObject({ dev: 'door-1', cause: 'platform', state: 'cancelled', resolution: 'drill over' });
    expect(platform.alarm(drill.id)!.steps.map((step) => step.state)).toEqual(['raised', 'cancelled']);
  });

  test('door operations: a synced list, a visitor pass, a signed unlock', async () => {
    rig = await new Rig().start();
    const door = rig.device(doorReaderKind, 'door-1') as SimDevice<DoorWorld>;
    await online('door-1');

    const today = Math.floor((Date.now() - Date.UTC(2020, 0, 1)) / 86_400_000);
    const zoe = Uint8Array.of(0x04, 0x20, 0xe0, 0x00, 0x00, 0x00, 0x09);
    const profiles = [{ doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] }];
    const outcome = await rig.platform.syncCredentials('door-1', [
      { kind: 'card', secret: zoe, validFrom: today - 1, validTo: today + 30, profile: 0 },
    ], profiles, { recordsPerChunk: 1 });
    expect(outcome).toMatchObject({ ok: true, kind: 'snapshot', version: 2 });
    await rig.platform.waitFor((p) => p.events({ dev: 'door-1', type: 'credentials.synced' }).length === 1, WAIT_MS, 'credentials.synced');
    await badge(door, zoe, (p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 1, "zoe's grant");
    await badge(door, ALICE, (p) => p.events({ dev: 'door-1', type: 'access.denied' }).length === 1, "alice's denial"); // alice is no longer listed

    // A delta from the version the door holds.
    const delta = await rig.platform.syncCredentials('door-1', [
      { kind: 'card', secret: zoe, validFrom: today - 1, validTo: today + 30, profile: 0 },
      { kind: 'card', secret: ALICE, validFrom: today - 1, validTo: today + 30, profile: 0 },
    ], profiles);
    expect(delta).toMatchObject({ ok: true, kind: 'delta', version: 3 });

    const pass = rig.platform.mintPass({ doors: [0], hours: 1, note: 'plumber' });
    expect(rig.platform.passes()).toEqual([expect.objectContaining({ passId: pass.passId, note: 'plumber' })]);
    door.world.scanQr(pass.text);
    await rig.platform.waitFor((p) => p.events({ dev: 'door-1', type: 'access.granted' }).length === 2, WAIT_MS, 'the visitor grant');

    const unlock = await rig.platform.sendCommand('door-1', 'door.unlock', { door: 0, ms: 1000 });
    expect(unlock).toMatchObject({ code: 'ok' });
    const unsigned = await rig.platform.sendCommand('door-1', 'ping');
    expect(unsigned.code).toBe('ok');
    await expect(rig.platform.sendCommand('door-1', 'door.unlock', {})).rejects.toThrow(/args\.door/);
  });
});
