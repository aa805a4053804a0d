// The durable outbox on the real XS engine: events persisted to the host's flash while offline survive a restart
// and reach the broker after reconnect, once each (by the platform's dedupe key) and in order; a power cut at
// any storage write loses no event whose enqueue had returned.
import { afterAll, afterEach, expect, test } from '@jest/globals';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import type { PublishedMessage } from '../support/xs/scripted-mqtt.js';
import { XsSession } from '../support/xs/session.js';
import type { TestHal } from '../support/xs/test-hal.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/outbox-scenario.ts';
const WINDOW = 4;

interface OutboxStatus {
  depth: number;
  inFlight: number;
  nextSeq: number;
  counters: { enqueued: number; published: number; acknowledged: number; retransmitted: number; dropped: number };
}

const sessions: XsSession[] = [];
afterEach(async () => {
  await Promise.all(sessions.splice(0).map((session) => session.close()));
});
afterAll(() => killAllWorkers());

async function bootDevice(host?: TestHal): Promise<XsSession> {
  const xs = await XsSession.start({
    entry: ENTRY,
    ...(host ? { host } : { hostOptions: { wallTimeMs: 1_770_000_000_000, wallTimeValid: true } }),
  });
  sessions.push(xs);
  await xs.call('boot', WINDOW);
  return xs;
}

async function reboot(xs: XsSession): Promise<XsSession> {
  await xs.close();
  return bootDevice(xs.host.rebooted());
}

const status = async (xs: XsSession) => (await xs.call<OutboxStatus>('status')).value;

function parseEvent(message: PublishedMessage): EventMessage {
  const checked = validateOutbound(JSON.parse(message.payload));
  if (!checked.ok) throw new Error(`device published an invalid event: ${checked.error}\n${message.payload}`);
  return checked.message as EventMessage;
}

/**
 * The platform's view: acknowledged publishes deduplicated by (dev, seq), in order of first arrival. A duplicate
 * must be byte-for-byte the first copy.
 */
function delivered(messages: PublishedMessage[]): EventMessage[] {
  const bySeq = new Map<number, string>();
  const events: EventMessage[] = [];
  for (const message of messages.filter((candidate) => candidate.acked)) {
    const event = parseEvent(message);
    const first = bySeq.get(event.seq);
    if (first !== undefined) {
      expect(message.payload).toBe(first);
      continue;
    }
    bySeq.set(event.seq, message.payload);
    events.push(event);
  }
  return events;
}

test('events queued offline survive a restart and are delivered once each, in order, after reconnect', async () => {
  let xs = await bootDevice();
  const mqtt = xs.host.mqtt;
  for (let n = 1; n <= 5; n++) expect((await xs.call('emit', n)).value).toBe(n);
  expect(mqtt.published).toEqual([]);

  await xs.call('connect');
  await mqtt.accept();
  expect(mqtt.published.map((message) => parseEvent(message).seq)).toEqual([1, 2, 3, 4]);
  const [one, two] = mqtt.unacked;
  await mqtt.puback(one!.packetId);
  await mqtt.puback(two!.packetId);
  expect((await status(xs)).inFlight).toBe(3); // 3, 4 and 5: the window slid by the two PUBACKs
  await mqtt.drop();
  for (let n = 6; n <= 8; n++) await xs.call('emit', n);
  expect((await status(xs)).depth).toBe(6);

  xs = await reboot(xs);
  const afterRestart = await status(xs);
  expect(afterRestart.nextSeq).toBe(9);
  expect(afterRestart.depth).toBeGreaterThanOrEqual(6);
  expect(mqtt.state).toBe('idle');
  await xs.call('connect');
  await mqtt.accept();
  await mqtt.pubackAll();
  expect(await status(xs)).toMatchObject({ depth: 0, inFlight: 0 });

  const events = delivered(mqtt.published);
  expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  expect(events.map((event) => event.data.n)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);

  // Nothing is left to send after another restart, and a new event continues the sequence.
  const sentBefore = mqtt.published.length;
  xs = await reboot(xs);
  await xs.call('connect');
  await mqtt.accept();
  expect(mqtt.published.length).toBe(sentBefore);
  expect((await xs.call('emit', 9)).value).toBe(9);
});

test('a power cut at any storage write while enqueueing loses no event whose enqueue returned', async () => {
  let cutsThatHit = 0;
  for (let writesBeforeCut = 0; ; writesBeforeCut++) {
    let xs = await bootDevice();
    for (let n = 1; n <= 2; n++) await xs.call('emit', n);
    xs.host.storage.failAfterWrites(writesBeforeCut, { torn: true });
    const durable = [1, 2];
    let died = false;
    for (let n = 3; n <= 5 && !died; n++) {
      try {
        await xs.call('emit', n);
        durable.push(n);
      } catch (error) {
        expect(String(error)).toMatch(/PowerLoss/);
        died = true;
      }
    }
    if (!died) break; // every write of the three enqueues went through: all cut points covered
    cutsThatHit++;
    expect(xs.worker.running).toBe(false);

    xs = await reboot(xs);
    await xs.call('connect');
    await xs.host.mqtt.accept();
    await xs.host.mqtt.pubackAll();
    const seen = delivered(xs.host.mqtt.published).map((event) => event.data.n as number);
    // Every durable event arrives, in order; the event cut mid-write may or may not have made it.
    expect(seen.slice(0, durable.length)).toEqual(durable);
    expect(seen.length - durable.length).toBeLessThanOrEqual(1);
    expect(await status(xs)).toMatchObject({ depth: 0, inFlight: 0 });
    await xs.close();
  }
  expect(cutsThatHit).toBeGreaterThanOrEqual(3);
});
