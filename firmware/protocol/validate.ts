// Engine-neutral validators for every protocol v1 message (docs/protocol.md). Hand-written, no schema engine:
// the device runs parseInbound on everything it receives; the simulator and platform side check what devices
// send with parseOutbound / validateOutbound. Errors name the field and are at most MAX_REASON characters, so the
// device can put one straight into a result's `reason`.
import type { InboundMessage, Message, OutboundMessage } from './messages.js';
import { CHANNELS, isInboundChannel, isOutboundChannel, type Channel, type InboundChannel,
  type OutboundChannel } from './topics.js';
import { isPlainObject, isToken } from './fields.js';
import { MAX_PAYLOAD_BYTES, MAX_REASON, MAX_SCAN_DEPTH } from './limits.js';
import { KIND_OF_CHANNEL, SPEC_KINDS, checkMessage, isKind, type MessageKind } from './specs.js';

export { KIND_OF_CHANNEL, type MessageKind };

export type Validation<T> = { ok: true; message: T } | { ok: false; error: string };

/** A refused inbound message. For a command whose reqId could be read, `reqId` and the result `code` to send. */
export type InboundFailure = { ok: false; error: string; reqId?: string; code?: 'invalid' | 'rejected' };
export type InboundParse = { ok: true; message: InboundMessage } | InboundFailure;

function clip(error: string): string {
  return error.length > MAX_REASON ? `${error.slice(0, MAX_REASON - 1)}…` : error;
}

/** Any v1 message, either direction, as a JS value. */
export function validateMessage(value: unknown): Validation<Message> {
  if (!isPlainObject(value)) return { ok: false, error: 'message: expected an object' };
  if (!isKind(value.msg)) return { ok: false, error: `message.msg: expected one of ${SPEC_KINDS.join(', ')}` };
  const error = checkMessage(value, value.msg);
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
  const error = checkMessage(parsed, kind);
  return error === undefined ? { ok: true, message: parsed as unknown as InboundMessage } : fail(error, 'invalid');
}

/**
 * A message a device sent, as the platform or simulator receives it. With `device`, `dev` must name the device
 * the topic belongs to (the broker's ACL keeps devices in their own prefix; this keeps the payload honest too).
 */
/**
 * Parses what a device published on `channel`. With `device` (the topic's device), `dev` must match it; an event
 * may instead carry `hardwareId`, the `hw` of the device's birth: it was made before the device was provisioned.
 */
export function parseOutbound(
  channel: OutboundChannel, payloadText: string, device?: string, hardwareId?: string,
): Validation<OutboundMessage> {
  if (!isOutboundChannel(channel)) return { ok: false, error: `payload: ${JSON.stringify(String(channel))} is not an outbound channel` };
  const kind = KIND_OF_CHANNEL[channel];
  const parsed = parseText(kind, payloadText);
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const error = checkMessage(parsed, kind);
  if (error !== undefined) return { ok: false, error: clip(error) };
  if (device !== undefined && parsed.dev !== device && !(kind === 'event' && hardwareId !== undefined && parsed.dev === hardwareId)) {
    return { ok: false, error: `${kind}.dev: does not match the topic's device` };
  }
  return { ok: true, message: parsed as unknown as OutboundMessage };
}
