// The setup access point's DNS (firmware/lifecycle/captive-dns.ts): Node's own resolver (c-ares) asks it over UDP
// and reads every name as the device's address, AAAA as "no data" at once; queries that are not plain ones (responses,
// several questions, compressed or overlong names, another class, short or oversized packets) get no answer, and
// no byte string makes it throw. XS answers every one of them with the same bytes as Node.
import { createSocket, type Socket } from 'node:dgram';
import { promises as dns } from 'node:dns';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { captiveDnsAnswer, DNS_QUERY_MAX_BYTES, ipv4Bytes } from '../../firmware/lifecycle/captive-dns.js';
import { Prng } from '../../scripts/fuzz/prng.js';
import { runOnXs } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';
import { main as answersOf } from './xs/captive-dns-answers.js';

const AP = ipv4Bytes('192.168.4.1')!;

/** A query as a phone sends it: id, RD set, one question (`name`, `type`, class IN unless told). */
function query(name: string, type = 1, options: { klass?: number; flags?: number; counts?: number[]; extra?: number[] } = {}): Uint8Array {
  const labels = name.split('.').filter((label) => label !== '').flatMap((label) => [label.length, ...Buffer.from(label, 'latin1')]);
  const counts = options.counts ?? [1, 0, 0, options.extra ? 1 : 0];
  const flags = options.flags ?? 0x0100;
  const klass = options.klass ?? 1;
  return new Uint8Array([0x12, 0x34, flags >> 8, flags & 0xff, ...counts.flatMap((c) => [c >> 8, c & 0xff]),
    ...labels, 0, type >> 8, type & 0xff, klass >> 8, klass & 0xff, ...(options.extra ?? [])]);
}

/** An EDNS(0) OPT record (RFC 6891): root name, type 41, 1232-byte payload, no options. */
const OPT = [0, 0, 41, 0x04, 0xd0, 0, 0, 0, 0, 0, 0];

const REFUSED: [string, Uint8Array][] = [
  ['a response', query('a.b', 1, { flags: 0x8180 })],
  ['another opcode (NOTIFY)', query('a.b', 1, { flags: 0x2000 })],
  ['two questions', query('a.b', 1, { counts: [2, 0, 0, 0] })],
  ['no question', query('a.b', 1, { counts: [0, 0, 0, 0] })],
  ['an answer inside', query('a.b', 1, { counts: [1, 1, 0, 0] })],
  ['an authority record', query('a.b', 1, { counts: [1, 0, 1, 0] })],
  ['two additional records', query('a.b', 1, { counts: [1, 0, 0, 2] })],
  ['class CH', query('version.bind', 16, { klass: 3 })],
  ['a 64-byte label', query(`${'x'.repeat(64)}.com`)],
  ['a name over 255 bytes', query(Array(5).fill('y'.repeat(60)).join('.'))],
  ['a compressed name', new Uint8Array([...query('').subarray(0, 12), 0xc0, 0x0c, 0, 1, 0, 1])],
  ['a name cut short', query('captive.apple.com').subarray(0, 20)],
  ['no type and class', query('captive.apple.com').subarray(0, 12 + 19)],
  ['a header alone', query('a.b').subarray(0, 12)],
  ['oversized', new Uint8Array([...query('a.b'), ...new Uint8Array(DNS_QUERY_MAX_BYTES)])],
];

/** Random packets and mutations of a real query (EDNS included), the same for every run. */
function fuzzed(count: number): Uint8Array[] {
  const random = new Prng(12);
  const base = query('connectivitycheck.gstatic.com', 1, { extra: OPT });
  return Array.from({ length: count }, (_, i) => {
    const packet = i % 2 === 0 ? base.slice() : new Uint8Array(random.below(600));
    if (i % 2 === 0) for (let k = 0; k < 1 + random.below(4); k++) packet[random.below(packet.length)] = random.below(256);
    else for (let k = 0; k < packet.length; k++) packet[k] = random.below(256);
    return packet;
  });
}

describe('through a real resolver', () => {
  let server: Socket;
  let resolver: dns.Resolver;

  beforeAll(async () => {
    server = createSocket('udp4');
    server.on('message', (message, from) => {
      const answer = captiveDnsAnswer(new Uint8Array(message), AP);
      if (answer) server.send(answer, from.port, from.address);
    });
    await new Promise<void>((resolve) => server.bind(0, '127.0.0.1', resolve));
    resolver = new dns.Resolver({ timeout: 5000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.address().port}`]);
  });

  afterAll(() => {
    server.close();
  });

  test('every name is the access point; its AAAA has no data', async () => {
    for (const name of ['connectivitycheck.gstatic.com', 'captive.apple.com', 'www.msftconnecttest.com', 'a.b']) {
      expect(await resolver.resolve4(name, { ttl: true })).toEqual([{ address: '192.168.4.1', ttl: 0 }]);
    }
    await expect(resolver.resolve6('captive.apple.com')).rejects.toMatchObject({ code: 'ENODATA' });
  });
});

describe('the answer, byte by byte', () => {
  test('an A question: the id, RD, the question once, one answer to the address; an EDNS record is not echoed', () => {
    const plain = captiveDnsAnswer(query('captive.apple.com'), AP)!;
    const edns = captiveDnsAnswer(query('captive.apple.com', 1, { extra: OPT }), AP)!;
    expect(edns).toEqual(plain);
    const question = query('captive.apple.com').subarray(12);
    expect([...plain.subarray(0, 12)]).toEqual([0x12, 0x34, 0x85, 0x00, 0, 1, 0, 1, 0, 0, 0, 0]);
    expect(plain.subarray(12, 12 + question.length)).toEqual(question);
    expect([...plain.subarray(12 + question.length)]).toEqual([0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 192, 168, 4, 1]);
    // RD not asked: not echoed.
    expect(captiveDnsAnswer(query('a.b', 1, { flags: 0 }), AP)![2]).toBe(0x84);
    // ANY gets the address too; HTTPS (65) no data.
    expect(captiveDnsAnswer(query('a.b', 255), AP)![7]).toBe(1);
    expect(captiveDnsAnswer(query('a.b', 65), AP)![7]).toBe(0);
  });

  test('anything but a plain query gets no answer', () => {
    for (const [what, packet] of REFUSED) expect([what, captiveDnsAnswer(packet, AP)]).toEqual([what, undefined]);
    expect(captiveDnsAnswer(query('a.b'), new Uint8Array(3))).toBeUndefined();
  });

  test('random and mutated packets never throw; any answer is a response to the same id', () => {
    for (const packet of fuzzed(2000)) {
      const answer = captiveDnsAnswer(packet, AP);
      if (answer) expect([answer[0], answer[1], answer[2]! & 0x80]).toEqual([packet[0], packet[1], 0x80]);
    }
  });

  test('addresses: dotted quads only', () => {
    expect(ipv4Bytes('10.0.0.255')).toEqual(new Uint8Array([10, 0, 0, 255]));
    for (const bad of ['', '1.2.3', '1.2.3.4.5', '256.1.1.1', '01.2.3.4', '1.2.3.-4', 'a.b.c.d', '1.2.3.4 ']) expect([bad, ipv4Bytes(bad)]).toEqual([bad, undefined]);
  });
});

describe('on XS', () => {
  afterAll(() => killAllWorkers());

  test('the same bytes as on Node, for real queries, refused ones and mutations', async () => {
    const packets = [query('captive.apple.com'), query('a.b', 28), query('a.b', 255, { extra: OPT }), ...REFUSED.map(([, p]) => p), ...fuzzed(300)];
    const hex = packets.map((p) => Buffer.from(p).toString('hex'));
    const onNode = answersOf('192.168.4.1', hex);
    expect(onNode.filter((a) => a !== null).length).toBeGreaterThan(3); // mutations answered too, not only the three
    const { result } = await runOnXs<(string | null)[]>({ entry: 'test/lifecycle/xs/captive-dns-answers.ts', args: ['192.168.4.1', hex] });
    expect(result).toEqual(onNode);
  });
});
