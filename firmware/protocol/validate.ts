// Engine-neutral validators for every protocol v1 message (docs/protocol.md). Hand-written, no schema engine:
// the device runs parseInbound on everything it receives; the simulator and platform side check what devices
// send with parseOutbound / validateOutbound. Errors name the field and are at most MAX_REASON characters, so the
// device can put one straight into a result's `reason`.
import type { InboundMessage, Message, OutboundMessage } from './messages.js';
import { CHANNELS, isInboundChannel, isOutboundChannel, type Channel, type InboundChannel,
  type OutboundChannel } from './topics.js';
import { bool, constant, deviceId, dottedName, epochMs, freeObject, isPlainObject, isToken, object, oneOf, shape,
  text, token, uint, uniqueList, type Shape } from './fields.js';
import { MAX_CMDS, MAX_ETA_MIN, MAX_FW, MAX_MODEL, MAX_NOTE, MAX_PAYLOAD_BYTES, MAX_REASON, MAX_RESET,
  MAX_SCAN_DEPTH, MAX_WAKE_IN } from './limits.js';

export type MessageKind = Message['msg'];

export type Validation<T> = { ok: true; message: T } | { ok: false; error: string };

/** A refused inbound message. For a command whose reqId could be read, `reqId` and the result `code` to send. */
export type InboundFailure = { ok: false; error: string; reqId?: string; code?: 'invalid' | 'rejected' };
export type InboundParse = { ok: true; message: InboundMessage } | InboundFailure;

/** The message kind each channel carries. */
export const KIND_OF_CHANNEL: Readonly<Record<Channel, MessageKind>> = {
  'status': 'status',
  'event': 'event',
  'telemetry': 'telemetry',
  'result': 'result',
  'config/reported': 'config.reported',
  'command': 'command',
  'config/desired': 'config.desired',
  'alarm': 'alarm',
};

const deviceTime: Shape = {
  up: { check: uint(), required: true },
  ts: { check: epochMs, required: true },
  tv: { check: bool, required: true },
};

function envelope(kind: MessageKind, fromDevice: boolean): Shape {
  const fields: Record<string, { check: (v: unknown, p: string) => string | undefined; required: boolean }> = {
    v: { check: constant(1), required: true },
    msg: { check: constant(kind), required: true },
  };
  if (fromDevice) fields.dev = { check: deviceId, required: true };
  return fields;
}

const BIRTH_ONLY = ['model', 'fw', 'cfgVer', 'reset', 'seq', 'cmds'];

interface Spec {
  fields: Shape;
  rule?: (o: Record<string, unknown>, kind: string) => string | undefined;
}

const SPECS: Readonly<Record<MessageKind, Spec>> = {
  'status': {
    fields: {
      ...envelope('status', true),
      state: { check: oneOf(['online', 'offline', 'sleeping']), required: true },
      boot: { check: uint(), required: true },
      conn: { check: uint(1) },
      up: { check: uint() },
      ts: { check: epochMs },
      tv: { check: bool },
      model: { check: text(MAX_MODEL) },
      fw: { check: text(MAX_FW) },
      cfgVer: { check: uint() },
      reset: { check: text(MAX_RESET) },
      seq: { check: uint() },
      cmds: { check: uniqueList(dottedName, MAX_CMDS) },
      wakeIn: { check: uint(1, MAX_WAKE_IN, ' s') },
    },
    rule(o, kind) {
      const timed = ['up', 'ts', 'tv'].filter((k) => Object.hasOwn(o, k));
      if (timed.length === 1 || timed.length === 2) return `${kind}: up, ts and tv go together (got only ${timed.join(', ')})`;
      if (o.state === 'online') {
        for (const k of ['up', 'ts', 'tv', 'model', 'fw', 'cfgVer']) {
          if (!Object.hasOwn(o, k)) return `${kind}.${k}: required in a birth (state "online")`;
        }
      } else {
        for (const k of BIRTH_ONLY) {
          if (Object.hasOwn(o, k)) return `${kind}.${k}: only allowed in a birth (state "online")`;
        }
      }
      if (o.state === 'sleeping' && !Object.hasOwn(o, 'wakeIn')) return `${kind}.wakeIn: required when state is "sleeping"`;
      if (o.state !== 'sleeping' && Object.hasOwn(o, 'wakeIn')) return `${kind}.wakeIn: only allowed when state is "sleeping"`;
      return undefined;
    },
  },
  'event': {
    fields: {
      ...envelope('event', true),
      seq: { check: uint(1), required: true },
      boot: { check: uint(), required: true },
      ...deviceTime,
      type: { check: dottedName, required: true },
      data: { check: freeObject, required: true },
    },
  },
  'telemetry': {
    fields: {
      ...envelope('telemetry', true),
      boot: { check: uint(), required: true },
      ...deviceTime,
      data: { check: freeObject, required: true },
    },
  },
  'result': {
    fields: {
      ...envelope('result', true),
      reqId: { check: token, required: true },
      code: { check: oneOf(['ok', 'invalid', 'unsupported', 'expired', 'rejected', 'failed']), required: true },
      reason: { check: text(MAX_REASON) },
      data: { check: freeObject },
      ...deviceTime,
    },
    rule: (o, kind) =>
      o.code !== 'ok' && !Object.hasOwn(o, 'reason') ? `${kind}.reason: required when code is not "ok"` : undefined,
  },
  'config.reported': {
    fields: {
      ...envelope('config.reported', true),
      version: { check: uint(), required: true },
      config: { check: freeObject, required: true },
      last: {
        check: object({
          version: { check: uint(1), required: true },
          status: { check: oneOf(['applied', 'rejected', 'stale']), required: true },
          reason: { check: text(MAX_REASON) },
        }, (last, path) => last.status === 'rejected' && !Object.hasOwn(last, 'reason')
          ? `${path}.reason: required when status is "rejected"` : undefined),
      },
      ...deviceTime,
    },
  },
  'command': {
    fields: {
      ...envelope('command', false),
      reqId: { check: token, required: true },
      name: { check: dottedName, required: true },
      exp: { check: epochMs, required: true },
      args: { check: freeObject },
    },
  },
  'config.desired': {
    fields: {
      ...envelope('config.desired', false),
      version: { check: uint(1), required: true },
      config: { check: freeObject, required: true },
    },
  },
  'alarm': {
    fields: {
      ...envelope('alarm', false),
      alarmId: { check: token, required: true },
      state: { check: oneOf(['raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled']), required: true },
      ts: { check: epochMs, required: true },
      note: { check: text(MAX_NOTE) },
      etaMin: { check: uint(0, MAX_ETA_MIN, ' min') },
    },
    rule: (o, kind) =>
      Object.hasOwn(o, 'etaMin') && o.state !== 'dispatched' ? `${kind}.etaMin: only allowed when state is "dispatched"` : undefined,
  },
};

function isKind(value: unknown): value is MessageKind {
  return typeof value === 'string' && Object.hasOwn(SPECS, value);
}

function check(o: Record<string, unknown>, kind: MessageKind): string | undefined {
  // Version and kind first: a message of another version or kind gets that error, not a list of odd fields.
  if (o.v !== 1) return `${kind}.v: expected 1 (protocol version)`;
  if (o.msg !== kind) return `${kind}.msg: expected "${kind}"`;
  const spec = SPECS[kind];
  return shape(o, kind, spec.fields) ?? spec.rule?.(o, kind);
}

function clip(error: string): string {
  return error.length > MAX_REASON ? `${error.slice(0, MAX_REASON - 1)}…` : error;
}

/** Any v1 message, either direction, as a JS value. */
export function validateMessage(value: unknown): Validation<Message> {
  if (!isPlainObject(value)) return { ok: false, error: 'message: expected an object' };
  if (!isKind(value.msg)) return { ok: false, error: `message.msg: expected one of ${Object.keys(SPECS).join(', ')}` };
  const error = check(value, value.msg);
  return error === undefined ? { ok: true, message: value as unknown as Message } : { ok: false, error: clip(error) };
}

/** A message a device sends (status, event, telemetry, result, config.reported). */
export function validateOutbound(value: unknown): Validation<OutboundMessage> {
  if (isPlainObject(value) && isKind(value.msg) && CHANNELS[channelOf(value.msg)].direction !== 'out') {
    return { ok: false, error: `message.msg: "${value.msg}" is not sent by devices` };
  }
  return validateMessage(value) as Validation<OutboundMessage>;
}

function channelOf(kind: MessageKind): Channel {
  return (Object.keys(KIND_OF_CHANNEL) as Channel[]).find((c) => KIND_OF_CHANNEL[c] === kind) as Channel;
}

/**
 * Size and nesting, checked on the text before JSON.parse: a payload over MAX_PAYLOAD_BYTES of UTF-8 or nested
 * deeper than MAX_SCAN_DEPTH never reaches the parser.
 */
export function scanPayload(payload: string): string | undefined {
  if (payload.length > MAX_PAYLOAD_BYTES) return `payload: larger than ${MAX_PAYLOAD_BYTES} bytes`;
  let bytes = 0;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (payload.charCodeAt(i + 1) & 0xfc00) === 0xdc00) { bytes += 4; i++; continue; }
    else bytes += 3;
    if (inString) {
      if (c === 0x5c) {
        i++; // a backslash escapes the next char, which is ASCII in valid JSON
        bytes++;
      } else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_SCAN_DEPTH) return `payload: nested deeper than ${MAX_SCAN_DEPTH} levels`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return bytes > MAX_PAYLOAD_BYTES ? `payload: larger than ${MAX_PAYLOAD_BYTES} bytes` : undefined;
}

function parseText(kind: MessageKind, payload: unknown): Record<string, unknown> | string {
  if (typeof payload !== 'string') return `${kind}: payload is not text`;
  if (payload.length === 0) return `${kind}: empty payload (a cleared retained message)`;
  const error = scanPayload(payload);
  if (error !== undefined) return error;
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return `${kind}: payload is not valid JSON`;
  }
  return isPlainObject(value) ? value : `${kind}: expected a JSON object`;
}

/**
 * A message received on one of the device's own inbound channels. Strict: unknown fields are refused. A retained
 * command is refused (`code: 'rejected'`), however well-formed: only stale commands arrive retained.
 */
export function parseInbound(channel: InboundChannel, payloadText: string, retained: boolean): InboundParse {
  if (!isInboundChannel(channel)) return { ok: false, error: `payload: ${JSON.stringify(String(channel))} is not an inbound channel` };
  const kind = KIND_OF_CHANNEL[channel];
  const parsed = parseText(kind, payloadText);
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const reqId = channel === 'command' && isToken(parsed.reqId) ? parsed.reqId : undefined;
  const fail = (error: string, code: 'invalid' | 'rejected'): InboundFailure =>
    reqId === undefined ? { ok: false, error: clip(error) } : { ok: false, error: clip(error), reqId, code };
  if (channel === 'command' && retained) return fail('command: retained commands are refused (clear the retained message)', 'rejected');
  const error = check(parsed, kind);
  return error === undefined ? { ok: true, message: parsed as unknown as InboundMessage } : fail(error, 'invalid');
}

/**
 * A message a device sent, as the platform or simulator receives it. With `device`, `dev` must name the device
 * the topic belongs to (the broker's ACL keeps devices in their own prefix; this keeps the payload honest too).
 */
export function parseOutbound(channel: OutboundChannel, payloadText: string, device?: string): Validation<OutboundMessage> {
  if (!isOutboundChannel(channel)) return { ok: false, error: `payload: ${JSON.stringify(String(channel))} is not an outbound channel` };
  const kind = KIND_OF_CHANNEL[channel];
  const parsed = parseText(kind, payloadText);
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const error = check(parsed, kind);
  if (error !== undefined) return { ok: false, error: clip(error) };
  if (device !== undefined && parsed.dev !== device) return { ok: false, error: `${kind}.dev: does not match the topic's device` };
  return { ok: true, message: parsed as unknown as OutboundMessage };
}
