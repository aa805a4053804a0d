// Runs the device's protocol validators on one example message. The same module runs on Node (imported by the
// test) and on XS (bundled), so any difference in verdicts is a difference between the engines.
import type { Channel, InboundChannel, OutboundChannel } from '../../../firmware/protocol/topics.js';
import { parseInbound, parseOutbound, validateOutbound } from '../../../firmware/protocol/validate.js';

const INBOUND: readonly string[] = ['command', 'config/desired', 'alarm'];

/** Every verdict the validators give on one payload, as plain data. */
export function verdict(channel: Channel, payloadText: string): Record<string, unknown> {
  if (INBOUND.includes(channel)) {
    const inbound = channel as InboundChannel;
    return { live: parseInbound(inbound, payloadText, false), retained: parseInbound(inbound, payloadText, true) };
  }
  let value: unknown;
  try {
    value = JSON.parse(payloadText);
  } catch (error) {
    value = `unparsable: ${(error as Error).name}`;
  }
  return { validate: validateOutbound(value), parse: parseOutbound(channel as OutboundChannel, payloadText) };
}
