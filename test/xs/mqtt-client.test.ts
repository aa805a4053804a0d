// The device's MQTT client on the real XS engine: inside xsnap, over a scripted socket and stepped timers
// (entries/mqtt-client.ts), fed byte streams built here with mqtt-packet; what the client wrote comes back as hex and
// is parsed here with mqtt-packet. Empty payloads (QoS 0, QoS 1, retained clear) followed by answered commands, an
// oversized message skipped while connected, the retained flag, malformed streams, keep-alive loss.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generate, parser, type Packet } from 'mqtt-packet';
import type { Outcome, Scenario, Step } from './entries/mqtt-client.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/mqtt-client.ts';
const TOPIC = 'ct/v1/s1/dev1/command';
const RESULT = 'ct/v1/s1/dev1/result';

let xs: XsSession;
beforeAll(async () => {
  xs = await XsSession.start({ entry: ENTRY });
});
afterAll(async () => {
  await xs?.close();
  killAllWorkers();
});

async function run(scenario: Scenario): Promise<Outcome> {
  const outcome = (await xs.call<Outcome>('run', scenario)).value;
  expect(outcome.escaped).toEqual([]); // nothing ever leaves a socket or timer callback
  return outcome;
}

const hex = (bytes: Uint8Array | string) => Buffer.from(bytes).toString('hex');

function publish(topic: string, payload: string | Uint8Array, options: { qos?: 0 | 1; id?: number; retain?: boolean } = {}): string {
  const qos = options.qos ?? 0;
  return hex(generate({
    cmd: 'publish', topic, payload: Buffer.from(payload), qos, retain: options.retain ?? false, dup: false,
    ...(qos ? { messageId: options.id ?? 1 } : {}),
  }));
}

const CONNACK = '20020000';
const PINGRESP = 'd000';
const accept: Step[] = [{ writable: 64 * 1024 }, { deliver: CONNACK }];

/** The client's packets, parsed by mqtt-packet, trimmed to what matters. */
function written(outcome: Outcome): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  const reader = parser({ protocolVersion: 4 });
  reader.on('packet', (packet: Packet) => {
    if (packet.cmd === 'publish') {
      out.push({ cmd: 'publish', topic: packet.topic, payload: Buffer.from(packet.payload).toString(), qos: packet.qos, retain: packet.retain, ...(packet.qos ? { id: packet.messageId } : {}) });
    } else if (packet.cmd === 'puback') out.push({ cmd: 'puback', id: packet.messageId });
    else if (packet.cmd === 'connect') out.push({ cmd: 'connect', clientId: packet.clientId, keepalive: packet.keepalive, clean: packet.clean });
    else out.push({ cmd: packet.cmd });
  });
  reader.on('error', (error: Error) => { throw error; });
  reader.parse(Buffer.from(outcome.written, 'hex'));
  return out;
}

function message(topic: string, payload: string, retained: boolean): string {
  return `message:${topic}:${hex(payload)}:${Buffer.byteLength(payload)}:${retained}`;
}

test('CONNECT on XS is byte for byte what mqtt-packet makes of the same options', async () => {
  const outcome = await run({
    connect: { keepAliveSeconds: 30, username: 'dev1', password: 'pw', will: { topic: 'ct/v1/s1/dev1/status', payload: '{"state":"offline"}', qos: 1, retain: true } },
    steps: [{ writable: 4096 }],
  });
  expect(outcome.written).toBe(hex(generate({
    cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: false, clientId: 'dev1', keepalive: 30, username: 'dev1', password: Buffer.from('pw'),
    will: { topic: 'ct/v1/s1/dev1/status', payload: Buffer.from('{"state":"offline"}'), qos: 1, retain: true },
  })));
});

describe('empty payloads, then a command that is answered', () => {
  const stream = [
    publish(TOPIC, '', { qos: 0 }),
    publish(TOPIC, '', { qos: 1, id: 7 }),
    publish(TOPIC, '', { qos: 1, id: 8, retain: true }), // how the platform clears a retained topic
    publish(TOPIC, '', { qos: 0, retain: true }),
    publish(TOPIC, '{"reqId":"r1"}', { qos: 1, id: 9 }),
  ].join('');

  test.each([['in one chunk', undefined], ['byte by byte', 1], ['in 5-byte chunks', 5]])('%s', async (_name, chunk) => {
    const outcome = await run({ answer: true, steps: [...accept, { deliver: stream, ...(chunk ? { chunk } : {}) }] });
    expect(outcome.events).toEqual([
      'connect:false',
      `message:${TOPIC}::0:false`,
      `message:${TOPIC}::0:false`,
      `message:${TOPIC}::0:true`,
      `message:${TOPIC}::0:true`,
      message(TOPIC, '{"reqId":"r1"}', false),
    ]);
    expect(outcome.payloadsAreBytes).toBe(true);
    expect(written(outcome)).toEqual([
      { cmd: 'connect', clientId: 'dev1', keepalive: 0, clean: false },
      { cmd: 'puback', id: 7 },
      { cmd: 'puback', id: 8 },
      { cmd: 'publish', topic: RESULT, payload: 'answer:{"reqId":"r1"}', qos: 1, retain: false, id: 1 },
      { cmd: 'puback', id: 9 },
    ]);
    expect(outcome.connected).toBe(true);
  });
});

test('a 100 KB QoS 1 message is skipped as it streams in, acknowledged, counted; the connection stays and the next one arrives', async () => {
  const big = publish(TOPIC, 'x'.repeat(100 * 1024), { qos: 1, id: 0x0a0b, retain: true });
  const outcome = await run({
    answer: true,
    // As TCP segments of 1460 bytes.
    steps: [...accept, { deliver: big.match(/.{1,2920}/g)! }, { deliver: publish(TOPIC, 'next', { qos: 1, id: 0x0a0c }), chunk: 2 }],
  });
  expect(outcome.events).toEqual(['connect:false', message(TOPIC, 'next', false)]);
  expect(outcome.counters).toEqual({ oversized: 1, malformed: 0 });
  expect(outcome.mostBuffered).toBeLessThanOrEqual(8192 + 256);
  expect(written(outcome).slice(1)).toEqual([
    { cmd: 'puback', id: 0x0a0b },
    { cmd: 'publish', topic: RESULT, payload: 'answer:next', qos: 1, retain: false, id: 1 },
    { cmd: 'puback', id: 0x0a0c },
  ]);
  expect(outcome.connected).toBe(true);
});

test('a small maxPacketBytes: exactly the limit is delivered, one byte more is skipped (QoS 0: no PUBACK)', async () => {
  const fits = publish(TOPIC, 'f'.repeat(64 - 2 - TOPIC.length));
  const over = publish(TOPIC, 'f'.repeat(65 - 2 - TOPIC.length));
  const outcome = await run({ maxPacketBytes: 64, steps: [...accept, { deliver: over + fits + over, chunk: 3 }] });
  expect(outcome.events).toEqual(['connect:false', message(TOPIC, 'f'.repeat(64 - 2 - TOPIC.length), false)]);
  expect(outcome.counters.oversized).toBe(2);
  expect(outcome.mostBuffered).toBe(64);
  expect(written(outcome)).toHaveLength(1);
});

test('the retained flag is reported as the PUBLISH carries it', async () => {
  const outcome = await run({
    steps: [...accept, { deliver: publish(TOPIC, 'kept', { qos: 1, id: 3, retain: true }) + publish(TOPIC, 'live', { qos: 1, id: 4 }) + publish('ct/v1/s1/dev1/alarm', '{}', { retain: true }) }],
  });
  expect(outcome.events).toEqual(['connect:false', message(TOPIC, 'kept', true), message(TOPIC, 'live', false), message('ct/v1/s1/dev1/alarm', '{}', true)]);
});

describe('malformed streams close the connection with the reason', () => {
  const cases: [string, string, RegExp][] = [
    ['a Remaining Length of five bytes', '30ffffffff01', /Remaining Length longer than four bytes/],
    ['CONNECT from the broker', '1000', /unexpected packet type 1/],
    ['PUBREL (QoS 2 is never used)', '62020001', /unexpected packet type 6/],
    ['CONNACK with Remaining Length 3', '2003000000', /packet type 2 with Remaining Length 3/],
    ['CONNACK with flags in its header', '21020000', /packet type 2 with flags 1/],
    ['a PUBLISH at QoS 3', '36050001610001', /PUBLISH with QoS 3/],
    ['a PUBLISH whose topic overruns it', '3003000561', /overruns/],
    ['a PUBLISH topic with a wildcard', '30050003612362', /wildcard/],
    ['a PUBLISH topic of invalid UTF-8', '3004000261ff', /not valid UTF-8/],
    ['a SUBACK with return code 3', '9003000103', /SUBACK return code 3/],
    ['a second CONNACK', CONNACK, /second CONNACK/],
  ];

  test.each(cases)('%s', async (_name, bad, why) => {
    for (const chunk of [undefined, 1]) {
      const outcome = await run({
        connect: { keepAliveSeconds: 10 },
        steps: [...accept, { deliver: publish(TOPIC, 'before') + bad + publish(TOPIC, 'after', { qos: 1, id: 5 }), ...(chunk ? { chunk } : {}) }, { fail: 'reset' }, { advance: 60_000 }],
      });
      expect(outcome.events.slice(0, 2)).toEqual(['connect:false', message(TOPIC, 'before', false)]);
      expect(outcome.events).toHaveLength(3);
      expect(outcome.events[2]).toMatch(/^close:malformed packet from the broker: /);
      expect(outcome.events[2]).toMatch(why);
      expect(outcome.counters.malformed).toBe(1);
      expect(outcome.closed).toBe(true);
      expect(written(outcome)).toHaveLength(1); // CONNECT only: no PUBACK for "after", no DISCONNECT
    }
  });

  test('a packet before CONNACK', async () => {
    const outcome = await run({ steps: [{ writable: 4096 }, { deliver: publish(TOPIC, 'early') }] });
    expect(outcome.events).toEqual(['close:malformed packet from the broker: packet type 3 before CONNACK']);
  });

  test('a truncated packet, then the socket fails: onClose once with the socket\'s reason', async () => {
    const whole = publish(TOPIC, 'cut short', { qos: 1, id: 4 });
    const outcome = await run({ steps: [...accept, { deliver: whole.slice(0, -6), chunk: 2 }, { fail: 'ECONNRESET' }, { fail: null }] });
    expect(outcome.events).toEqual(['connect:false', 'close:ECONNRESET']);
    expect(written(outcome)).toHaveLength(1);
  });

  test('a socket whose read() throws: onClose once, nothing escapes', async () => {
    const outcome = await run({ steps: [...accept, { readThrows: 'invalid' }, { deliver: publish(TOPIC, 'x') }, { deliver: publish(TOPIC, 'y') }] });
    expect(outcome.events).toEqual(['connect:false', 'close:internal error: invalid']);
  });
});

describe('keep-alive', () => {
  test('no PINGRESP: PINGREQ after three quarters of the period, the connection ends half a period later', async () => {
    const outcome = await run({ connect: { keepAliveSeconds: 10 }, steps: [...accept, { advance: 7499 }, { advance: 1 }, { advance: 4999 }] });
    expect(written(outcome).map((p) => p.cmd)).toEqual(['connect', 'pingreq']);
    expect(outcome.events).toEqual(['connect:false']);
    const lost = await run({ connect: { keepAliveSeconds: 10 }, steps: [...accept, { advance: 10_000 }, { advance: 60_000 }] });
    expect(lost.events).toEqual(['connect:false', 'close:keep-alive: the broker did not answer PINGREQ']);
    expect(written(lost).map((p) => p.cmd)).toEqual(['connect', 'pingreq']);
    expect(lost.closed).toBe(true);
    expect(lost.connected).toBe(false);
  });

  test('answered PINGREQs keep the connection up', async () => {
    const steps: Step[] = [...accept];
    for (let i = 0; i < 12; i++) steps.push({ advance: i === 0 ? 7500 : 10_000 }, { deliver: PINGRESP });
    const outcome = await run({ connect: { keepAliveSeconds: 10 }, steps });
    expect(outcome.events).toEqual(['connect:false']);
    expect(written(outcome).filter((p) => p.cmd === 'pingreq')).toHaveLength(12);
    expect(outcome.connected).toBe(true);
  });
});

test('close() on XS: queued packets, then DISCONNECT, no handler called', async () => {
  const outcome = await run({
    steps: [{ writable: 18 }, { deliver: CONNACK }, { publish: ['ct/v1/s1/dev1/status', '{"state":"sleeping"}', 1, true] }, { close: true }, { writable: 1024 }],
  });
  expect(written(outcome).map((p) => p.cmd)).toEqual(['connect', 'publish', 'disconnect']);
  expect(outcome.events).toEqual(['connect:false']);
  expect(outcome.closed).toBe(true);
});

test('the same scenario gives the same outcome and computrons on every run (deterministic)', async () => {
  const scenario: Scenario = { answer: true, steps: [...accept, { deliver: publish(TOPIC, '', { qos: 1, id: 2 }) + publish(TOPIC, 'c', { qos: 1, id: 3 }), chunk: 1 }] };
  const first = await xs.call<Outcome>('run', scenario);
  const second = await xs.call<Outcome>('run', scenario);
  expect(second.value).toEqual(first.value);
  expect(second.callComputrons).toBe(first.callComputrons);
});
