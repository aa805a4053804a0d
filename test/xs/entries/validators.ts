// Runs the device's protocol validators on one example message. The same module runs on Node (imported by the
// test) and on XS (bundled), so any difference in verdicts is a difference between the engines. Inbound messages
// go in as the device receives them: bytes (the text's UTF-8, or raw bytes given as hex). A command the protocol
// layer accepts then meets the args checks of the commands that have examples: the door reader's credential sync,
// the smart bin's, the kiosk's and the firmware update's commands.
import { checkCredSyncArgs } from '../../../firmware/apps/door-reader/command-args.js';
import { checkKioskArgs } from '../../../firmware/apps/kiosk/command-args.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { utf8Encode } from '../../../firmware/lib/utf8.js';
import type { Channel, InboundChannel, OutboundChannel } from '../../../firmware/protocol/topics.js';
import { parseInbound, parseOutbound, validateOutbound, type InboundParse } from '../../../firmware/protocol/validate.js';
import { binArgsError } from '../../support/bin-args.js';
import { lifecycleArgsError } from '../../support/lifecycle-args.js';

const INBOUND: readonly string[] = ['command', 'config/desired', 'alarm'];

/** Every verdict the validators give on one payload, as plain data. */
export function verdict(channel: Channel, payloadText: string): Record<string, unknown> {
  if (INBOUND.includes(channel)) {
    const inbound = channel as InboundChannel;
    const bytes = utf8Encode(payloadText);
    return { live: withArgsCheck(parseInbound(inbound, bytes, false)), retained: parseInbound(inbound, bytes, true) };
  }
  let value: unknown;
  try {
    value = JSON.parse(payloadText);
  } catch (error) {
    value = `unparsable: ${(error as Error).name}`;
  }
  return { validate: validateOutbound(value), parse: parseOutbound(channel as OutboundChannel, payloadText) };
}

function withArgsCheck(parsed: InboundParse): InboundParse {
  if (!parsed.ok || parsed.message.msg !== 'command') return parsed;
  const error = binArgsError(parsed.message) ?? lifecycleArgsError(parsed.message) ?? checkCredSyncArgs(parsed.message.name, parsed.message.args, 'command.args')
    ?? checkKioskArgs(parsed.message.name, parsed.message.args, 'command.args');
  return error === undefined ? parsed : { ok: false, error, reqId: parsed.message.reqId, code: 'invalid' };
}

/** The inbound verdicts on raw bytes (lowercase hex): malformed UTF-8 the device can receive. */
export function verdictOfBytes(channel: InboundChannel, hex: string): Record<string, unknown> {
  const bytes = fromHex(hex);
  return { live: parseInbound(channel, bytes, false), retained: parseInbound(channel, bytes, true) };
}
