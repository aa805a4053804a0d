// The engine-neutral validators agree with ajv (on the JSON Schemas, read as 2020-12 and as draft-07) on every
// example and on thousands of generated mutations, and handle the device-side cases the schemas can't express: payload size, JSON errors,
// retained commands, the reqId of a malformed command.
import { describe, expect, test } from '@jest/globals';
import { checkCredSyncArgs } from '../../firmware/apps/door-reader/command-args.js';
import { checkKioskArgs } from '../../firmware/apps/kiosk/command-args.js';
import { MAX_PAYLOAD_BYTES, MAX_REASON } from '../../firmware/protocol/limits.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';
import { isInboundChannel, type Channel, type InboundChannel, type OutboundChannel } from '../../firmware/protocol/topics.js';
import { parseInbound, parseOutbound, validateMessage, validateOutbound } from '../../firmware/protocol/validate.js';
import { binArgsError } from '../support/bin-args.js';
import { lifecycleArgsError } from '../support/lifecycle-args.js';
import { allExamples, examples, loadAjv, loadAjvDraft07, schemaFor, type Example } from './support.js';

const ajv = loadAjv();
const ajv07 = loadAjvDraft07();

/**
 * The schemas also spell out the args of the credential sync, smart-bin, kiosk and firmware update commands, which the protocol layer
 * leaves to the device that runs them: a command's verdict here is the device's, the protocol's and its args check.
 */
function argsError(channel: Channel, value: unknown): string | undefined {
  if (channel !== 'command' || typeof value !== 'object' || value === null) return undefined;
  const command = value as CommandMessage;
  return binArgsError(command) ?? lifecycleArgsError(command) ?? checkCredSyncArgs(command.name, command.args, 'command.args') ?? checkKioskArgs(command.name, command.args, 'command.args');
}

/** What the device (inbound) or the platform (outbound) decides about a payload on a channel. */
function engineVerdict(channel: Channel, text: string): boolean {
  const parsed = isInboundChannel(channel) ? parseInbound(channel, text, false) : parseOutbound(channel as OutboundChannel, text);
  return parsed.ok && argsError(channel, parsed.message) === undefined;
}

/** The same on a JS value. */
function valueVerdict(channel: Channel, value: unknown): boolean {
  return validateMessage(value).ok && argsError(channel, value) === undefined;
}

function ajvVerdict(channel: Channel, text: string): boolean {
  const byDraft2020 = schemaFor(ajv, channel)(JSON.parse(text));
  const byDraft07 = schemaFor(ajv07, channel)(JSON.parse(text));
  if (byDraft07 !== byDraft2020) throw new Error(`draft-07 and 2020-12 readings differ on ${text}`);
  return byDraft2020;
}

describe('validators and ajv agree on the examples', () => {
  test.each(allExamples().map((e) => [e.name, e] as const))('%s', (_name, example) => {
    expect(engineVerdict(example.channel, example.text)).toBe(example.valid);
    expect(ajvVerdict(example.channel, example.text)).toBe(example.valid);
    expect(valueVerdict(example.channel, example.value)).toBe(example.valid);
  });

  test('an invalid example is refused with an error naming its kind or the payload', () => {
    for (const example of examples('invalid')) {
      const verdict = isInboundChannel(example.channel)
        ? parseInbound(example.channel, example.text, false)
        : parseOutbound(example.channel as OutboundChannel, example.text);
      const error = verdict.ok ? argsError(example.channel, verdict.message) : verdict.error;
      expect(error).toMatch(/^(status|event|telemetry|result|config\.reported|command|config\.desired|alarm)[.:]/);
    }
  });
});

// ---- Mutations ----------------------------------------------------------------------------------------------

interface Mutation {
  label: string;
  value: unknown;
}

const SAMPLES: unknown[] = ['text', 7, true, null, [], {}];
const NUMBERS = [-1, 0, 1, 0.5, 1441, 2_592_001, 2 ** 53, Number.MAX_SAFE_INTEGER];
const ENUM_VALUES = ['online', 'offline', 'sleeping', 'ok', 'invalid', 'unsupported', 'expired', 'rejected', 'failed',
  'raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled', 'applied', 'stale', 'bogus'];
const KINDS = ['status', 'event', 'telemetry', 'result', 'config.reported', 'command', 'config.desired', 'alarm'];

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function nest(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 1; i < levels; i++) value = i % 2 ? { n: value } : [value];
  return value;
}

/** Variants of one field's value: other types, boundary numbers and strings, hostile objects. */
function fieldVariants(value: unknown): Mutation[] {
  const out: Mutation[] = SAMPLES.filter((s) => typeName(s) !== typeName(value)).map((s) => ({ label: `as ${typeName(s)}`, value: s }));
  if (typeof value === 'number') for (const n of NUMBERS) out.push({ label: `= ${n}`, value: n });
  if (typeof value === 'string') {
    out.push(
      { label: 'oversize', value: 'a'.repeat(1000) },
      { label: '65 chars', value: 'a'.repeat(65) },
      { label: '64 chars', value: 'a'.repeat(64) },
      { label: 'empty', value: '' },
      { label: 'control char', value: `${value}\u0001` },
      { label: 'slash', value: `${value}/x` },
      { label: 'dot', value: `${value}.x` },
      { label: 'double dot', value: `${value}..x` },
      { label: 'colon', value: `${value}:x` },
      { label: 'space', value: `${value} x` },
      { label: '140 emoji', value: '\u{1F691}'.repeat(140) },
      { label: '141 emoji', value: '\u{1F691}'.repeat(141) },
    );
    for (const e of ENUM_VALUES) out.push({ label: `= ${e}`, value: e });
    for (const k of KINDS) out.push({ label: `= ${k}`, value: k });
  }
  if (Array.isArray(value)) {
    out.push({ label: 'with duplicate', value: [...value, value[0]] }, { label: 'with number', value: [...value, 5] },
      { label: '33 items', value: Array.from({ length: 33 }, (_, i) => `c${i}`) });
  }
  if (typeName(value) === 'object') {
    const o = value as Record<string, unknown>;
    out.push(
      { label: '__proto__ key', value: JSON.parse(`{"__proto__":{"polluted":true}}`) },
      { label: 'nested constructor key', value: { ...o, deep: { list: [{ constructor: 1 }] } } },
      { label: 'prototype key', value: { ...o, prototype: 1 } },
      { label: 'depth 8', value: { x: nest(7) } },
      { label: 'depth 9', value: { x: nest(8) } },
      { label: 'string keys', value: { ...o, note: 'x', n: 1.5, b: false, z: null } },
    );
    for (const key of Object.keys(o)) {
      out.push({ label: `without .${key}`, value: omit(o, key) });
      for (const inner of fieldVariants(o[key]).filter((m) => typeName(m.value) !== 'object' || typeName(o[key]) === 'object')) {
        out.push({ label: `.${key} ${inner.label}`, value: { ...o, [key]: inner.value } });
      }
    }
    out.push({ label: 'with extra', value: { ...o, extra: 1 } });
  }
  return out;
}

function omit(o: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...o };
  delete copy[key];
  return copy;
}

function mutations(example: Example, siblings: Example[]): Mutation[] {
  const base = example.value as Record<string, unknown>;
  const out: Mutation[] = [{ label: 'extra top-level field', value: { ...base, extra: true } }];
  for (const key of Object.keys(base)) {
    out.push({ label: `drop ${key}`, value: omit(base, key) });
    for (const variant of fieldVariants(base[key])) out.push({ label: `${key} ${variant.label}`, value: { ...base, [key]: variant.value } });
  }
  // Fields other examples of the kind carry: exercises the cross-field rules (wakeIn in a birth, etaMin when accepted…).
  for (const sibling of siblings) {
    for (const [key, value] of Object.entries(sibling.value as Record<string, unknown>)) {
      if (!(key in base)) out.push({ label: `borrow ${key} from ${sibling.file}`, value: { ...base, [key]: value } });
    }
  }
  return out;
}

describe('validators and ajv agree on generated mutations', () => {
  const valid = examples('valid');
  const totals = { accepted: 0, refused: 0 };

  test.each(valid.map((e) => [e.name, e] as const))('mutations of %s', (_name, example) => {
    const disagreements: string[] = [];
    for (const mutation of mutations(example, valid.filter((e) => e.channel === example.channel))) {
      const text = JSON.stringify(mutation.value);
      if (text.length > MAX_PAYLOAD_BYTES) continue;
      const byAjv = ajvVerdict(example.channel, text);
      const byEngine = engineVerdict(example.channel, text);
      const byValue = valueVerdict(example.channel, JSON.parse(text));
      if (byAjv !== byEngine || byAjv !== byValue) disagreements.push(`${mutation.label}: ajv ${byAjv}, parse ${byEngine}, validateMessage ${byValue}`);
      if (byAjv) totals.accepted++;
      else totals.refused++;
    }
    expect(disagreements).toEqual([]);
  });

  test('the mutations are not vacuous: thousands of each verdict', () => {
    expect(totals.accepted).toBeGreaterThan(1000);
    expect(totals.refused).toBeGreaterThan(5000);
  });
});

// ---- Device-side rules the schemas can't express ------------------------------------------------------------

const T = 1_770_000_000_000;
const command: CommandMessage = { v: 1, msg: 'command', reqId: 'r-1', name: 'door.open', exp: T + 30_000, args: { door: 1 } };

function commandText(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({ ...command, ...overrides });
}

/** A command whose payload is exactly `bytes` long in UTF-8, padded with `unit` (1, 2 or 3 bytes each). */
function commandOfBytes(bytes: number, unit: string): string {
  const empty = commandText({ args: { pad: '' } });
  const unitBytes = new TextEncoder().encode(unit).length;
  const count = Math.floor((bytes - empty.length) / unitBytes);
  const text = commandText({ args: { pad: unit.repeat(count) + 'a'.repeat(bytes - empty.length - count * unitBytes) } });
  expect(new TextEncoder().encode(text).length).toBe(bytes);
  return text;
}

describe('parseInbound', () => {
  test('accepts a well-formed command and returns it', () => {
    const parsed = parseInbound('command', commandText(), false);
    expect(parsed).toEqual({ ok: true, message: command });
  });

  test.each([['ASCII', 'a'], ['2-byte', 'é'], ['3-byte', '救']])('payload size is counted in UTF-8 bytes (%s)', (_what, unit) => {
    expect(parseInbound('command', commandOfBytes(MAX_PAYLOAD_BYTES, unit), false).ok).toBe(true);
    const over = parseInbound('command', commandOfBytes(MAX_PAYLOAD_BYTES + 1, unit), false);
    expect(over).toEqual({ ok: false, error: `payload: larger than ${MAX_PAYLOAD_BYTES} bytes` });
  });

  test('a payload far over the limit is refused without parsing', () => {
    expect(parseInbound('command', `{"x":"${'a'.repeat(100_000)}"}`, false)).toEqual({ ok: false, error: 'payload: larger than 8192 bytes' });
  });

  test.each([
    ['', 'command: empty payload (a cleared retained message)'],
    ['{', 'command: payload is not valid JSON'],
    ['{"v":1,}', 'command: payload is not valid JSON'],
    ['null', 'command: expected a JSON object'],
    ['[1,2]', 'command: expected a JSON object'],
    ['"text"', 'command: expected a JSON object'],
    ['42', 'command: expected a JSON object'],
  ])('refuses %j with a clear error and no reqId', (text, error) => {
    expect(parseInbound('command', text, false)).toEqual({ ok: false, error });
  });

  test('refuses nesting deeper than 32 before JSON.parse, but not brackets inside strings', () => {
    const deep = commandText({ args: { x: JSON.parse('['.repeat(40) + ']'.repeat(40)) } });
    expect(parseInbound('command', deep, false)).toEqual({ ok: false, error: 'payload: nested deeper than 32 levels' });
    const bracketsInText = commandText({ args: { x: '[{'.repeat(100) + '\\"' } });
    expect(parseInbound('command', bracketsInText, false).ok).toBe(true);
    expect(parseInbound('command', commandText({ args: { x: `"${'['.repeat(40)}` } }), false).ok).toBe(true);
  });

  test('nesting between 9 and 32 reaches the validator, so a malformed command still yields its reqId', () => {
    const text = commandText({ args: { x: nest(12) } });
    const parsed = parseInbound('command', text, false);
    expect(parsed).toMatchObject({ ok: false, reqId: 'r-1', code: 'invalid' });
    if (!parsed.ok) expect(parsed.error).toMatch(/^command\.args\.x.*nested deeper than 8 levels$/);
  });

  test('a malformed command with a readable reqId yields it, with code invalid and the field named', () => {
    expect(parseInbound('command', commandText({ exp: '2026-02-02T02:40:30Z' }), false)).toEqual({
      ok: false, error: 'command.exp: expected integer ms since epoch', reqId: 'r-1', code: 'invalid',
    });
    expect(parseInbound('command', commandText({ name: 'door..open' }), false)).toMatchObject({ reqId: 'r-1', code: 'invalid' });
    expect(parseInbound('command', commandText({ v: 2 }), false)).toEqual({
      ok: false, error: 'command.v: expected 1 (protocol version)', reqId: 'r-1', code: 'invalid',
    });
    expect(parseInbound('command', commandText({ ttl: 30 }), false)).toEqual({
      ok: false, error: 'command: unknown field "ttl"', reqId: 'r-1', code: 'invalid',
    });
    expect(parseInbound('command', JSON.stringify({ v: 1, msg: 'command', reqId: 'r-2' }), false)).toEqual({
      ok: false, error: 'command.name: required', reqId: 'r-2', code: 'invalid',
    });
  });

  test.each([
    ['missing', { reqId: undefined }],
    ['a number', { reqId: 12 }],
    ['too long', { reqId: 'r'.repeat(65) }],
    ['with a space', { reqId: 'r 1' }],
    ['with a slash', { reqId: 'r/1' }],
  ])('no reqId is returned when it is %s', (_what, overrides) => {
    const parsed = parseInbound('command', commandText({ ...overrides, exp: 'soon' }), false);
    expect(parsed.ok).toBe(false);
    expect(parsed).not.toHaveProperty('reqId');
    expect(parsed).not.toHaveProperty('code');
  });

  test('a retained command is refused with code rejected even when well-formed', () => {
    expect(parseInbound('command', commandText(), true)).toEqual({
      ok: false, error: 'command: retained commands are refused (clear the retained message)', reqId: 'r-1', code: 'rejected',
    });
  });

  test('retained desired config and alarm updates are normal', () => {
    const desired = JSON.stringify({ v: 1, msg: 'config.desired', version: 3, config: { a: 1 } });
    expect(parseInbound('config/desired', desired, true).ok).toBe(true);
    const alarm = JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a.1', state: 'accepted', ts: T });
    expect(parseInbound('alarm', alarm, true).ok).toBe(true);
  });

  test('the msg must match the channel', () => {
    expect(parseInbound('alarm', commandText(), false)).toEqual({ ok: false, error: 'alarm.msg: expected "alarm"' });
  });

  test('only inbound channels are accepted', () => {
    const parsed = parseInbound('event' as InboundChannel, commandText(), false);
    expect(parsed).toEqual({ ok: false, error: 'payload: "event" is not an inbound channel' });
  });

  test('prototype keys are refused and pollute nothing', () => {
    const text = commandText({ args: JSON.parse('{"a":{"__proto__":{"polluted":true}}}') });
    expect(text).toContain('__proto__');
    const parsed = parseInbound('command', text, false);
    expect(parsed).toEqual({ ok: false, error: 'command.args.a: key "__proto__" is not allowed', reqId: 'r-1', code: 'invalid' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('errors are clipped to a result reason and never carry raw control characters', () => {
    const key = 'k'.repeat(40);
    let args: unknown = { __proto__x: 1 };
    for (let i = 0; i < 7; i++) args = { [`${key}${i}`]: args };
    const parsed = parseInbound('command', commandText({ args: { ...(args as object), constructor: 1 } }), false);
    expect(parsed.ok).toBe(false);
    const text = commandText({ [`bad\u0001${'x'.repeat(300)}`]: 1 });
    const unknown = parseInbound('command', text, false);
    for (const result of [parsed, unknown]) {
      if (result.ok) throw new Error('expected a refusal');
      expect(result.error.length).toBeLessThanOrEqual(MAX_REASON);
      expect(result.error).not.toMatch(/[\u0000-\u001f]/);
    }
    if (!unknown.ok) expect(unknown.error).toMatch(/^command: unknown field "bad\\u0001x+…"$/);
  });

  test('odd keys inside free-form objects are quoted in the error path', () => {
    const args = JSON.parse('{"line\\nbreak":{"ok":{"__proto__":1}}}');
    expect(parseInbound('command', commandText({ args }), false)).toMatchObject({
      error: 'command.args["line\\nbreak"].ok: key "__proto__" is not allowed',
    });
  });

  test('never throws, whatever the payload', () => {
    const hostile = ['\u0000', '{"v":1e999}', '{"msg":"command","v":1,"reqId":"a","name":"b","exp":1e400}',
      `{"a":"${'\\'.repeat(5)}`, '\ud800', '{"reqId":{"toString":1}}', '[' .repeat(10_000)];
    for (const text of hostile) {
      for (const channel of ['command', 'config/desired', 'alarm'] as InboundChannel[]) {
        expect(() => parseInbound(channel, text, false)).not.toThrow();
        expect(parseInbound(channel, text, false).ok).toBe(false);
      }
    }
    expect(parseInbound('command', undefined as unknown as string, false).ok).toBe(false);
  });
});

describe('parseInbound on bytes (what the device receives)', () => {
  const utf8 = (text: string) => new TextEncoder().encode(text);
  /** The command with `hex` bytes spliced into a string of its args. */
  const withBytes = (hex: string, overrides: Record<string, unknown> = {}) => {
    const [before, after] = commandText({ args: { text: '@' }, ...overrides }).split('@');
    return Uint8Array.from([...utf8(before!), ...Buffer.from(hex, 'hex'), ...utf8(after!)]);
  };

  test('the UTF-8 of a command is the command, as a Uint8Array or a Node Buffer', () => {
    expect(parseInbound('command', utf8(commandText()), false)).toEqual({ ok: true, message: command });
    expect(parseInbound('command', Buffer.from(commandText()), false)).toEqual({ ok: true, message: command });
    const multiByte = withBytes('c3a9e69591f09f9a91'); // é 救 🚑: 2, 3 and 4 bytes
    expect(parseInbound('command', multiByte, false)).toMatchObject({ ok: true, message: { args: { text: 'é救🚑' } } });
  });

  test('the size is the byte length, checked before anything is decoded', () => {
    expect(parseInbound('command', utf8(commandOfBytes(MAX_PAYLOAD_BYTES, '救')), false).ok).toBe(true);
    expect(parseInbound('command', utf8(commandOfBytes(MAX_PAYLOAD_BYTES + 1, 'é')), false)).toEqual({ ok: false, error: 'payload: larger than 8192 bytes' });
    // 9000 bytes that are not UTF-8 at all: too large, not "not UTF-8" (never decoded).
    expect(parseInbound('command', new Uint8Array(9000).fill(0xff), false)).toEqual({ ok: false, error: 'payload: larger than 8192 bytes' });
    // 8192 bytes of 0xff decode leniently to 24 KB of U+FFFD: still refused as not UTF-8, not as too large.
    expect(parseInbound('command', new Uint8Array(MAX_PAYLOAD_BYTES).fill(0xff), false)).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
  });

  test('zero bytes are an empty payload (a cleared retained message), never a command', () => {
    for (const retained of [false, true]) {
      expect(parseInbound('command', new Uint8Array(0), retained)).toEqual({ ok: false, error: 'command: empty payload (a cleared retained message)' });
    }
    expect(parseInbound('alarm', new Uint8Array(0), true)).toEqual({ ok: false, error: 'alarm: empty payload (a cleared retained message)' });
  });

  test.each([
    ['an overlong "/"', 'c0af'],
    ['an overlong 3-byte NUL', 'e08080'],
    ['a UTF-8-encoded surrogate (CESU)', 'eda0bd'],
    ['a surrogate pair encoded as two 3-byte sequences', 'eda0bdedb2a9'],
    ['a truncated 2-byte sequence', 'c3'],
    ['a truncated 4-byte sequence', 'f09f9a'],
    ['a point above U+10FFFF', 'f4908080'],
    ['a 5-byte form', 'f888808080'],
    ['a stray continuation byte', '80'],
    ['0xFE', 'fe'],
    ['0xFF', 'ff'],
  ])('%s in a string field: invalid, answered by the reqId read leniently; rejected when retained', (_what, hex) => {
    expect(parseInbound('command', withBytes(hex), false)).toEqual({ ok: false, error: 'payload: not valid UTF-8', reqId: 'r-1', code: 'invalid' });
    expect(parseInbound('command', withBytes(hex), true)).toMatchObject({ reqId: 'r-1', code: 'rejected' });
  });

  test('bytes that are not UTF-8 are refused on every channel; without a readable reqId there is no answer', () => {
    const [start, end] = commandText({ reqId: 'r-@' }).split('@');
    expect(parseInbound('command', Uint8Array.from([...utf8(start!), 0xff, ...utf8(end!)]), false)).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
    // Not UTF-8 and not JSON either: the first problem is the one reported.
    expect(parseInbound('command', Uint8Array.from([0x7b, 0xff]), false)).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
    const [before, after] = JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'accepted', ts: T, note: '@' }).split('@');
    const alarm = Uint8Array.from([...utf8(before!), 0xed, 0xa0, 0x80, ...utf8(after!)]);
    expect(parseInbound('alarm', alarm, true)).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
    const reqIdBytes = Uint8Array.from([...utf8('{"v":1,"msg":"command","reqId":"r'), 0xc0, 0x80, ...utf8('","name":"ping","exp":1}')]);
    expect(parseInbound('command', reqIdBytes, false)).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
  });

  test('text holding a lone surrogate (no UTF-8 form) is refused the same way', () => {
    // Raw, not escaped (JSON.stringify would escape it).
    expect(parseInbound('command', commandText({ args: { text: '@' } }).replace('@', 'a\ud800b'), false)).toEqual({
      ok: false, error: 'payload: not valid UTF-8', reqId: 'r-1', code: 'invalid',
    });
  });
});

describe('parseInbound: JSON escapes of lone surrogates', () => {
  const withEscape = (escaped: string) => commandText({ args: { text: '@' } }).replace('@', escaped);

  test.each([
    ['a high surrogate alone', '\\ud800'],
    ['a low surrogate alone', '\\udc00'],
    ['a high surrogate at the end of the string', 'abc\\uD83D'],
    ['a high surrogate followed by a letter', '\\ud83dx'],
    ['a high surrogate followed by another escape', '\\ud83d\\n'],
    ['two high surrogates then a low one', '\\ud83d\\ud83d\\ude91'],
    ['a reversed pair', '\\ude91\\ud83d'],
    ['a high escape before a raw character', '\\ud83dé'],
  ])('%s: invalid, with the reqId', (_what, escaped) => {
    const parsed = parseInbound('command', withEscape(escaped), false);
    expect(parsed).toMatchObject({ ok: false, reqId: 'r-1', code: 'invalid' });
    if (!parsed.ok) expect(parsed.error).toMatch(/^payload: .*surrogate/);
  });

  test('in keys and in any message kind too', () => {
    expect(parseInbound('command', commandText({ args: JSON.parse('{"k":1}') }).replace('"k"', '"k\\udfff"'), false).ok).toBe(false);
    const alarm = JSON.stringify({ v: 1, msg: 'alarm', alarmId: 'a1', state: 'accepted', ts: T, note: 'x' }).replace('"x"', '"\\ud800 lone"');
    expect(parseInbound('alarm', alarm, true)).toEqual({ ok: false, error: expect.stringMatching(/surrogate/) });
  });

  test.each([
    ['a pair as escapes', '\\ud83d\\ude91', '\u{1F691}'],
    ['a pair in upper case', '\\uD83D\\uDE91', '\u{1F691}'],
    ['other escapes', '\\u00e9\\n\\"\\u0041', 'é\n"A'],
    ['an escaped backslash before "ud800" (no escape at all)', '\\\\ud800', '\\ud800'],
    ['the raw emoji', '\u{1F691}', '\u{1F691}'],
  ])('%s is fine', (_what, escaped, value) => {
    expect(parseInbound('command', withEscape(escaped), false)).toMatchObject({ ok: true, message: { args: { text: value } } });
  });
});

describe('duplicate keys', () => {
  const DUPLICATE = { ok: false, error: 'payload: an object has the same key twice' };

  test.each([
    ['a top-level field', '{"v":1,"msg":"command","reqId":"r-1","name":"door.open","name":"door.unlock","exp":1770000030000}'],
    ['exp, the later one harmless', '{"v":1,"msg":"command","reqId":"r-1","name":"ping","exp":1,"exp":1770000030000}'],
    ['a key inside args', '{"v":1,"msg":"command","reqId":"r-1","name":"ping","exp":1770000030000,"args":{"door":1,"door":2}}'],
    ['a key deep inside an array', '{"v":1,"msg":"command","reqId":"r-1","name":"ping","exp":1770000030000,"args":{"a":[{"x":1},{"y":1,"y":2}]}}'],
    ['the same name spelt with an escape', '{"v":1,"msg":"command","reqId":"r-1","name":"ping","exp":1770000030000,"args":{"door":1,"d\\u006for":2}}'],
    ['with whitespace around the colon', '{"v":1,"msg":"command","reqId":"r-1","name":"ping","exp":1770000030000,"args":{"a" :1,\n"a"\t:\r2}}'],
  ])('%s: refused as invalid, with the reqId', (_what, text) => {
    expect(parseInbound('command', text, false)).toEqual({ ...DUPLICATE, reqId: 'r-1', code: 'invalid' });
  });

  test('a duplicated reqId: the answer goes to the last one (JSON.parse keeps the last on XS and V8 alike)', () => {
    const text = '{"v":1,"msg":"command","reqId":"r-1","reqId":"r-2","name":"ping","exp":1770000030000}';
    expect(parseInbound('command', text, false)).toEqual({ ...DUPLICATE, reqId: 'r-2', code: 'invalid' });
  });

  test('names that only look alike, and colons inside strings, are not duplicates', () => {
    const args = { door: 1, Door: 2, 'door ': 3, nested: { door: 4 }, list: [{ door: 5 }, { door: 6 }], text: '"door": 7, "a":"b"', '': 8 };
    expect(parseInbound('command', commandText({ args }), false)).toMatchObject({ ok: true, message: { args } });
    expect(parseInbound('command', JSON.stringify({ ...command, args }, null, 2), false).ok).toBe(true);
  });

  test('platform side too: parseOutbound refuses them and bytes that are not UTF-8', () => {
    const event = JSON.stringify({ v: 1, msg: 'event', dev: 'd1', seq: 1, boot: 1, up: 1, ts: T, tv: true, type: 'a.b', data: { k: 1 } });
    expect(parseOutbound('event', event).ok).toBe(true);
    expect(parseOutbound('event', event.replace('"seq":1', '"seq":1,"seq":2'))).toEqual(DUPLICATE);
    expect(parseOutbound('event', Uint8Array.from([...new TextEncoder().encode(event.slice(0, -2)), 0xff, 0x7d, 0x7d]))).toEqual({ ok: false, error: 'payload: not valid UTF-8' });
  });
});

describe('validateOutbound and parseOutbound', () => {
  const event = examples('valid').find((e) => e.file === 'event-access-granted.json')!;

  test('accept device messages and refuse platform ones', () => {
    expect(validateOutbound(event.value)).toEqual({ ok: true, message: event.value });
    expect(validateOutbound(command)).toEqual({ ok: false, error: 'message.msg: "command" is not sent by devices' });
    expect(validateOutbound('event')).toEqual({ ok: false, error: 'message: expected an object' });
    expect(validateOutbound({ msg: 'gossip' }).ok).toBe(false);
  });

  test('refuse values JSON cannot carry', () => {
    const base = event.value as Record<string, unknown>;
    expect(validateOutbound({ ...base, data: { x: Number.NaN } })).toEqual({ ok: false, error: 'event.data.x: expected a finite number' });
    expect(validateOutbound({ ...base, data: { x: undefined } }).ok).toBe(false);
    expect(validateOutbound({ ...base, data: { when: new Date(0) } })).toEqual({ ok: false, error: 'event.data.when: expected a plain object' });
    expect(validateOutbound({ ...base, data: new Map() })).toEqual({ ok: false, error: 'event.data: expected an object' });
    expect(validateOutbound({ ...base, data: Object.create(null) }).ok).toBe(true);
  });

  test('parseOutbound checks dev against the topic device when asked', () => {
    expect(parseOutbound('event', event.text, 'door-07').ok).toBe(true);
    expect(parseOutbound('event', event.text, 'door-08')).toEqual({ ok: false, error: 'event.dev: does not match the topic\'s device' });
    expect(parseOutbound('command' as OutboundChannel, event.text).ok).toBe(false);
  });

  test('an event made before provisioning may carry the hardware id the birth reported; nothing else may', () => {
    const early = JSON.stringify({ ...(event.value as Record<string, unknown>), dev: 'a4cf12f07e3c' });
    expect(parseOutbound('event', early, 'door-07', 'a4cf12f07e3c').ok).toBe(true);
    expect(parseOutbound('event', early, 'door-07').ok).toBe(false);
    expect(parseOutbound('event', early, 'door-07', 'a4cf12f07e3d').ok).toBe(false);
    const will = JSON.stringify({ v: 1, msg: 'status', dev: 'a4cf12f07e3c', state: 'offline', boot: 1 });
    expect(parseOutbound('status', will, 'door-07', 'a4cf12f07e3c')).toEqual({ ok: false, error: 'status.dev: does not match the topic\'s device' });
  });
});
