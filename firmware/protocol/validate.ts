// Engine-neutral validators for every protocol v1 message (docs/protocol.md). Hand-written, no schema engine:
// the device runs parseInbound on everything it receives; the simulator and platform side check what devices
// send with parseOutbound / validateOutbound. Errors name the field and are at most MAX_REASON characters, so the
// device can put one straight into a result's `reason`.
import type { InboundMessage, Message, OutboundMessage } from './messages.js';
import { CHANNELS, isInboundChannel, isOutboundChannel, type Channel, type InboundChannel,
  type OutboundChannel } from './topics.js';
import { isPlainObject, isToken } from './fields.js';
import { MAX_PAYLOAD_BYTES, MAX_REASON, MAX_SCAN_DEPTH } from './limits.js';
import { nibble } from '../lib/hex.js';
import { isUnicodeText, utf8Decode, utf8DecodeStrict } from '../lib/utf8.js';
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

/** A payload as it arrives: the bytes of the PUBLISH (the device), or text already decoded (tools, tests). */
export type Payload = Uint8Array | string;

const NOT_UTF8 = 'payload: not valid UTF-8';
const LONE_SURROGATE = 'payload: a \\u escape names half a surrogate pair (strings must be Unicode text)';
const DUPLICATE_KEY = 'payload: an object has the same key twice';

/**
 * One pass over the text: its UTF-8 length, bracket nesting (an error past MAX_SCAN_DEPTH), how many member names
 * it holds (a string followed by `:`), and whether a string holds a `\uD800`–`\uDFFF` escape that is not one half
 * of a high-low pair (JSON.parse would make a lone surrogate of it: text no UTF-8 can carry, RFC 8259 §8.2).
 */
function scanText(payload: string): { bytes: number; loneEscape: boolean; keys: number } | string {
  let bytes = 0;
  let depth = 0;
  let inString = false;
  let loneEscape = false;
  let keys = 0;
  /** Only JSON whitespace since the last string closed: a `:` now makes that string a member name. */
  let afterString = false;
  /** The string's previous character was a `\uD800`–`\uDBFF` escape: only a low-surrogate escape may follow. */
  let high = false;
  for (let i = 0; i < payload.length; i++) {
    const c = payload.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && (payload.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
      if (high) loneEscape = true;
      high = false;
      continue;
    } else bytes += 3;
    if (inString) {
      if (c === 0x5c) {
        // A backslash escapes the next char, which is ASCII in valid JSON; \uXXXX may name a surrogate.
        const unit = payload.charCodeAt(i + 1) === 0x75 ? hexEscape(payload, i + 2) : -1;
        if (unit < 0) {
          i++;
          bytes++;
          if (high) loneEscape = true;
          high = false;
          continue;
        }
        i += 5;
        bytes += 5;
        const isHigh = unit >= 0xd800 && unit <= 0xdbff;
        const isLow = unit >= 0xdc00 && unit <= 0xdfff;
        if (high && isLow) high = false; // the pair is complete
        else {
          if (high || isLow) loneEscape = true;
          high = isHigh;
        }
      } else {
        if (high) loneEscape = true;
        high = false;
        if (c === 0x22) {
          inString = false;
          afterString = true;
        }
      }
      continue;
    }
    if (c === 0x3a && afterString) keys++;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) afterString = false;
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > MAX_SCAN_DEPTH) return `payload: nested deeper than ${MAX_SCAN_DEPTH} levels`;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return { bytes, loneEscape: loneEscape || high, keys };
}

/** Own keys in a parsed JSON value, all levels (the scan has bounded its nesting). */
function countKeys(value: unknown): number {
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  if (Array.isArray(value)) {
    for (const item of value) count += countKeys(item);
    return count;
  }
  for (const key of Object.keys(value)) count += 1 + countKeys((value as Record<string, unknown>)[key]);
  return count;
}

/** The code unit of a `\uXXXX` escape whose four hex digits start at `at`; -1 when they are not four hex digits. */
function hexEscape(text: string, at: number): number {
  let unit = 0;
  for (let k = at; k < at + 4; k++) {
    const digit = nibble(text.charCodeAt(k));
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
}

/**
 * A payload parsed as far as it can be. `flaw` is a problem found on the way that still left a JSON object to
 * read a command's reqId from (the bytes are not UTF-8: the object comes from a lenient decoding, only ever read
 * for the reqId; or a string holds a lone surrogate). Anything worse is an error string.
 */
function parseText(kind: MessageKind, payload: unknown): { value: Record<string, unknown>; flaw?: string } | string {
  let text: string;
  let flaw: string | undefined;
  /** Text came in: its UTF-8 length is only known from the scan. */
  let sizeFromScan = false;
  if (ArrayBuffer.isView(payload)) {
    // Any byte view (a Node Buffer, a Uint8Array of another realm), read in place.
    payload = new Uint8Array(payload.buffer, payload.byteOffset, payload.byteLength);
  }
  if (payload instanceof Uint8Array) {
    if (payload.length === 0) return `${kind}: empty payload (a cleared retained message)`;
    // The size is the bytes' own, checked before anything is decoded.
    if (payload.length > MAX_PAYLOAD_BYTES) return `payload: larger than ${MAX_PAYLOAD_BYTES} bytes`;
    const strict = utf8DecodeStrict(payload);
    if (strict === undefined) {
      flaw = NOT_UTF8;
      text = utf8Decode(payload);
    } else text = strict;
  } else if (typeof payload === 'string') {
    if (payload.length === 0) return `${kind}: empty payload (a cleared retained message)`;
    if (payload.length > MAX_PAYLOAD_BYTES) return `payload: larger than ${MAX_PAYLOAD_BYTES} bytes`;
    // Text with a lone surrogate has no UTF-8 form: the bytes it came from were not UTF-8.
    if (!isUnicodeText(payload)) flaw = NOT_UTF8;
    text = payload;
    sizeFromScan = true;
  } else return `${kind}: payload is not text`;
  // Past this point a payload that is not UTF-8 is only read for a reqId: whatever else fails, that is its error.
  const fatal = (error: string) => (flaw === NOT_UTF8 ? NOT_UTF8 : error);
  const scan = scanText(text);
  if (typeof scan === 'string') return fatal(scan);
  if (sizeFromScan && scan.bytes > MAX_PAYLOAD_BYTES) return `payload: larger than ${MAX_PAYLOAD_BYTES} bytes`;
  if (scan.loneEscape) flaw ??= LONE_SURROGATE;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fatal(`${kind}: payload is not valid JSON`);
  }
  if (!isPlainObject(value)) return fatal(`${kind}: expected a JSON object`);
  // JSON.parse keeps the last of two equal member names (XS and V8 alike); a reader that kept the first would see
  // another message. Fewer keys in the result than member names in the text means one was dropped: refused.
  if (countKeys(value) !== scan.keys) flaw ??= DUPLICATE_KEY;
  return flaw === undefined ? { value } : { value, flaw };
}

/**
 * A message received on one of the device's own inbound channels, as the bytes that arrived (text is accepted
 * too, for tools and tests). Strict: unknown fields are refused. Bytes that are not UTF-8, and strings holding a
 * lone surrogate, are refused as invalid. A retained command is refused (`code: 'rejected'`) whenever its reqId
 * can be read, however well or badly formed it is: only stale commands arrive retained.
 */
export function parseInbound(channel: InboundChannel, payload: Payload, retained: boolean): InboundParse {
  if (!isInboundChannel(channel)) return { ok: false, error: `payload: ${JSON.stringify(String(channel))} is not an inbound channel` };
  const kind = KIND_OF_CHANNEL[channel];
  const parsed = parseText(kind, payload);
  if (typeof parsed === 'string') return { ok: false, error: parsed };
  const { value, flaw } = parsed;
  // Read from a lenient decoding when the bytes are not UTF-8: only to answer the command, never to act on it.
  const reqId = channel === 'command' && isToken(value.reqId) ? value.reqId : undefined;
  const fail = (error: string, code: 'invalid' | 'rejected'): InboundFailure =>
    reqId === undefined ? { ok: false, error: clip(error) } : { ok: false, error: clip(error), reqId, code };
  if (channel === 'command' && retained) return fail('command: retained commands are refused (clear the retained message)', 'rejected');
  if (flaw !== undefined) return fail(flaw, 'invalid');
  const error = checkMessage(value, kind);
  return error === undefined ? { ok: true, message: value as unknown as InboundMessage } : fail(error, 'invalid');
}

/**
 * Parses what a device published on `channel` (bytes or text), as the platform or simulator receives it: the same
 * payload rules as inbound (UTF-8, size, nesting, no lone surrogates). With `device` (the topic's device), `dev`
 * must match it (the broker's ACL keeps devices in their own prefix; this keeps the payload honest too); an event
 * may instead carry `hardwareId`, the `hw` of the device's birth: it was made before the device was provisioned.
 */
export function parseOutbound(
  channel: OutboundChannel, payload: Payload, device?: string, hardwareId?: string,
): Validation<OutboundMessage> {
  if (!isOutboundChannel(channel)) return { ok: false, error: `payload: ${JSON.stringify(String(channel))} is not an outbound channel` };
  const kind = KIND_OF_CHANNEL[channel];
  const read = parseText(kind, payload);
  if (typeof read === 'string') return { ok: false, error: read };
  if (read.flaw !== undefined) return { ok: false, error: read.flaw };
  const parsed = read.value;
  const error = checkMessage(parsed, kind);
  if (error !== undefined) return { ok: false, error: clip(error) };
  if (device !== undefined && parsed.dev !== device && !(kind === 'event' && hardwareId !== undefined && parsed.dev === hardwareId)) {
    return { ok: false, error: `${kind}.dev: does not match the topic's device` };
  }
  return { ok: true, message: parsed as unknown as OutboundMessage };
}
