// Topic grammar: topicFor and parseTopic are inverses on valid input; everything else is refused. The channel
// table in docs/protocol.md says what CHANNELS says.
import { readFileSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import {
  CHANNELS, TOPIC_ROOT, deviceSubscriptions, isInboundChannel, isOutboundChannel, isValidId, parseTopic, topicFor,
  type Channel, type DeviceAddress,
} from '../../firmware/protocol/topics.js';
import { DOCS } from './support.js';

const channels = Object.keys(CHANNELS) as Channel[];
const addresses: DeviceAddress[] = [
  { site: 'oak-court', device: 'door-07' },
  { site: 'S', device: 'd' },
  { site: 'a'.repeat(64), device: 'Z_9-'.repeat(16) },
  { site: 'config', device: 'status' },
];

describe('topicFor / parseTopic', () => {
  test.each(addresses)('round-trips every channel for %j', (address) => {
    for (const channel of channels) {
      const topic = topicFor(address, channel);
      expect(topic).toBe(`${TOPIC_ROOT}/${address.site}/${address.device}/${channel}`);
      expect(parseTopic(topic)).toEqual({ ...address, channel });
    }
  });

  test.each([
    'ct/v1/site/dev', 'ct/v1/site/dev/', 'ct/v1/site/dev/unknown', 'ct/v1/site/dev/config', 'ct/v1/site/dev/config/',
    'ct/v1/site/dev/config/desired/x', 'ct/v1/site/dev/status/x', 'ct/v2/site/dev/status', 'xx/v1/site/dev/status',
    'ct/v1//dev/status', 'ct/v1/site//status', 'ct/v1/+/dev/status', 'ct/v1/site/#', 'ct/v1/si te/dev/status',
    `ct/v1/${'a'.repeat(65)}/dev/status`, 'ct/v1/site/dév/status', '/ct/v1/site/dev/status', 'ct/v1/site/dev/event/',
    '', 'ct', 'ct/v1',
  ])('refuses %j', (topic) => {
    expect(parseTopic(topic)).toBeUndefined();
  });

  test('topicFor throws on bad ids and channels: a provisioning error, caught before connecting', () => {
    expect(() => topicFor({ site: 'a/b', device: 'd' }, 'status')).toThrow('topic: invalid site id "a/b"');
    expect(() => topicFor({ site: 's', device: '' }, 'status')).toThrow('topic: invalid device id ""');
    expect(() => topicFor({ site: 's', device: 'd' }, 'config' as Channel)).toThrow('topic: unknown channel "config"');
  });
});

describe('isValidId', () => {
  test.each(['a', 'A-z_0', '0'.repeat(64), '-', '_'])('accepts %j', (id) => expect(isValidId(id)).toBe(true));
  test.each(['', '0'.repeat(65), 'a.b', 'a/b', 'a+b', 'a#', 'a b', 'ä', 'a\n', 7, null, undefined, ['a']])(
    'refuses %j', (id) => expect(isValidId(id)).toBe(false));
});

describe('deviceSubscriptions', () => {
  test('are exactly the inbound channels of the device, QoS 1, no wildcards', () => {
    const address = { site: 'oak-court', device: 'sos-311' };
    const filters = deviceSubscriptions(address);
    expect(filters.map((f) => parseTopic(f.topic))).toEqual(
      channels.filter(isInboundChannel).map((channel) => ({ ...address, channel })),
    );
    expect(filters.map((f) => f.qos)).toEqual([1, 1, 1]);
    for (const filter of filters) expect(filter.topic).not.toMatch(/[+#]/);
  });

  test('throw for an address that is not valid', () => {
    expect(() => deviceSubscriptions({ site: '+', device: 'd' })).toThrow(/invalid site/);
  });
});

describe('channel table', () => {
  test('every channel is inbound or outbound, and commands are never retained', () => {
    for (const channel of channels) expect(isInboundChannel(channel) !== isOutboundChannel(channel)).toBe(true);
    expect(CHANNELS.command.retained).toBe(false);
    expect(CHANNELS.telemetry.qos).toBe(0);
  });

  test('docs/protocol.md states the same direction, QoS and retain flag for every channel', () => {
    const spec = readFileSync(`${DOCS}protocol.md`, 'utf8');
    const rows = [...spec.matchAll(/^\| `([a-z/]+)` \| (device → platform|platform → device) \| ([01]) \| ([^|]+) \|/gm)];
    const table = Object.fromEntries(rows.map((m) => [m[1], {
      direction: m[2] === 'device → platform' ? 'out' : 'in',
      qos: Number(m[3]),
      retained: m[4]!.trim() === 'yes',
    }]));
    expect(table).toEqual(CHANNELS);
  });
});
