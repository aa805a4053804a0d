// The AsyncAPI 3.0 document parses without errors or warnings, describes exactly the channels of topics.ts with
// the right operations, QoS and retain flags, points at the JSON Schemas, and its examples pass those schemas.
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, test } from '@jest/globals';
import { Parser, fromFile, type AsyncAPIDocumentInterface, type Diagnostic } from '@asyncapi/parser';
import { CHANNELS, type Channel } from '../../firmware/protocol/topics.js';
import { KIND_OF_CHANNEL } from '../../firmware/protocol/validate.js';
import { DOCS, loadAjv, schemaFor } from './support.js';

const channels = Object.keys(CHANNELS) as Channel[];
let document: AsyncAPIDocumentInterface | undefined;
let diagnostics: Diagnostic[] = [];

beforeAll(async () => {
  const parsed = await fromFile(new Parser(), fileURLToPath(new URL('asyncapi.yaml', `file://${DOCS}`))).parse();
  document = parsed.document;
  diagnostics = parsed.diagnostics;
});

function channelFor(channel: Channel) {
  const address = `ct/v1/{site}/{device}/${channel}`;
  const found = document!.channels().all().find((c) => c.address() === address);
  if (!found) throw new Error(`no AsyncAPI channel with address ${address}`);
  return found;
}

describe('docs/asyncapi.yaml', () => {
  test('parses as AsyncAPI 3.0 with no error- or warning-level diagnostics', () => {
    const serious = diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code}: ${d.message} at ${d.path.join('.')}`);
    expect(serious).toEqual([]);
    expect(document).toBeDefined();
    expect(document!.version()).toBe('3.0.0');
  });

  test('has one channel per protocol channel and no others', () => {
    expect(document!.channels().all().map((c) => c.address()).sort()).toEqual(channels.map((c) => `ct/v1/{site}/{device}/${c}`).sort());
  });

  test.each(channels)('%s: parameters, operation, bindings and payload match the protocol', (channel) => {
    const spec = CHANNELS[channel];
    const c = channelFor(channel);
    expect(c.parameters().all().map((p) => p.id()).sort()).toEqual(['device', 'site']);

    const operations = c.operations().all();
    expect(operations).toHaveLength(1);
    const operation = operations[0]!;
    expect(operation.action()).toBe(spec.direction === 'out' ? 'send' : 'receive');
    const mqtt = operation.bindings().get('mqtt')?.value() as { qos: number; retain: boolean };
    expect(mqtt).toEqual(expect.objectContaining({ qos: spec.qos, retain: spec.retained }));

    const messages = c.messages().all();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.contentType()).toBe('application/json');
    expect(messages[0]!.payload()?.title()).toBe(KIND_OF_CHANNEL[channel]);
    expect(messages[0]!.payload()?.additionalProperties()).toBe(false);
  });

  test('every message example passes the JSON Schema of its channel', () => {
    const ajv = loadAjv();
    let count = 0;
    for (const channel of channels) {
      const check = schemaFor(ajv, channel);
      for (const example of channelFor(channel).messages().all()[0]!.examples().all()) {
        expect([channel, example.name(), check(example.payload())]).toEqual([channel, example.name(), true]);
        count++;
      }
    }
    expect(count).toBeGreaterThanOrEqual(channels.length);
  });

  test('a command receive operation replies on the result channel', () => {
    const receive = channelFor('command').operations().all()[0]!;
    expect(receive.reply()?.channel()?.address()).toBe('ct/v1/{site}/{device}/result');
  });

  test('the server speaks MQTT 3.1.1 and describes the will: retained offline status, QoS 1', () => {
    const server = document!.servers().all().find((s) => s.protocol() === 'secure-mqtt')!;
    expect(server.protocolVersion()).toBe('3.1.1');
    const binding = server.bindings().get('mqtt')?.value() as { clientId: string; lastWill: Record<string, unknown> };
    expect(binding.clientId).toBe('{site}.{device}');
    expect(binding.lastWill).toEqual(expect.objectContaining({ topic: 'ct/v1/{site}/{device}/status', qos: 1, retain: true }));
    expect(String(binding.lastWill.message)).toContain('"state":"offline"');
  });
});
