// Fuzz core for the device's inbound validator, parseInbound (firmware/protocol/validate.ts), on each inbound
// channel, with the payload as the bytes that arrived. Engine-neutral: runs on Node and inside XS.
//
// Asserted: it never throws; a refusal has a reason of at most MAX_REASON characters, and a reqId only if it is a
// token (then a code, invalid or rejected); an accepted message is a plain object of the channel's kind that the
// generic validator accepts too; nothing is accepted that is empty, over MAX_PAYLOAD_BYTES, not UTF-8, or (on
// `command`) retained.
import { isToken } from '../../../firmware/protocol/fields.js';
import { MAX_PAYLOAD_BYTES, MAX_REASON } from '../../../firmware/protocol/limits.js';
import type { InboundChannel } from '../../../firmware/protocol/topics.js';
import { KIND_OF_CHANNEL, type InboundParse, parseInbound, validateMessage } from '../../../firmware/protocol/validate.js';
import { check, isValidUtf8 } from './invariant.js';

export const INBOUND_CHANNELS: readonly InboundChannel[] = ['command', 'config/desired', 'alarm'];

export function checkInbound(channel: InboundChannel, payload: Uint8Array, retained: boolean, result: InboundParse): void {
  check(result !== null && typeof result === 'object' && typeof result.ok === 'boolean', 'parseInbound returned no verdict');
  if (!result.ok) {
    check(typeof result.error === 'string' && result.error.length > 0, 'refusal without a reason');
    check(result.error.length <= MAX_REASON, () => `reason of ${result.error.length} characters (max ${MAX_REASON})`);
    if (result.reqId !== undefined) {
      check(channel === 'command' && isToken(result.reqId), () => `refusal names reqId ${JSON.stringify(result.reqId)}`);
      check(result.code === 'invalid' || result.code === 'rejected', () => `refusal with code ${String(result.code)}`);
    }
    return;
  }
  const message = result.message as unknown as Record<string, unknown>;
  check(message !== null && typeof message === 'object' && !Array.isArray(message), 'accepted message is not an object');
  check(message.msg === KIND_OF_CHANNEL[channel], () => `accepted a "${String(message.msg)}" on ${channel}`);
  check(validateMessage(message).ok, () => `accepted on ${channel} but validateMessage refuses it`);
  check(payload.length > 0, 'accepted an empty payload');
  check(payload.length <= MAX_PAYLOAD_BYTES, () => `accepted a payload of ${payload.length} bytes`);
  check(isValidUtf8(payload), 'accepted a payload that is not UTF-8');
  check(!(channel === 'command' && retained), 'accepted a retained command');
}

/** Runs one payload through parseInbound on `channel`, live and retained. */
export function runInbound(channel: InboundChannel, payload: Uint8Array): void {
  for (const retained of [false, true]) {
    checkInbound(channel, payload, retained, parseInbound(channel, payload, retained));
  }
}
