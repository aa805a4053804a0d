// Topic grammar: ct/v1/{site}/{device}/{channel}. Ids are 1–64 chars of [A-Za-z0-9_-], so they can never hold
// MQTT's `/`, `+` or `#`. Device publishes: status (retained), event, telemetry, result, config/reported
// (retained). Device subscribes: command, config/desired (retained), alarm (retained).
import { MAX_NAME } from './limits.js';

export const TOPIC_ROOT = 'ct/v1';

export type OutboundChannel = 'status' | 'event' | 'telemetry' | 'result' | 'config/reported';
export type InboundChannel = 'command' | 'config/desired' | 'alarm';
export type Channel = OutboundChannel | InboundChannel;

export interface DeviceAddress {
  site: string;
  device: string;
}

export interface ParsedTopic extends DeviceAddress {
  channel: Channel;
}

export interface ChannelSpec {
  /** `out`: the device publishes; `in`: the device subscribes. */
  direction: 'out' | 'in';
  qos: 0 | 1;
  /** Whether the publisher sets the retain flag. */
  retained: boolean;
}

/** Direction, QoS and retain flag of every channel (docs/protocol.md, "Channels"). */
export const CHANNELS: Readonly<Record<Channel, ChannelSpec>> = {
  'status': { direction: 'out', qos: 1, retained: true },
  'event': { direction: 'out', qos: 1, retained: false },
  'telemetry': { direction: 'out', qos: 0, retained: false },
  'result': { direction: 'out', qos: 1, retained: false },
  'config/reported': { direction: 'out', qos: 1, retained: true },
  'command': { direction: 'in', qos: 1, retained: false },
  'config/desired': { direction: 'in', qos: 1, retained: true },
  'alarm': { direction: 'in', qos: 1, retained: true },
};

export function isValidId(id: unknown): id is string {
  if (typeof id !== 'string' || id.length < 1 || id.length > MAX_NAME) return false;
  for (let i = 0; i < id.length; i++) {
    if (!isIdChar(id.charCodeAt(i))) return false;
  }
  return true;
}

/** [A-Za-z0-9_-] */
export function isIdChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 || c === 45;
}

function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(CHANNELS, value);
}

export function isInboundChannel(value: unknown): value is InboundChannel {
  return isChannel(value) && CHANNELS[value].direction === 'in';
}

export function isOutboundChannel(value: unknown): value is OutboundChannel {
  return isChannel(value) && CHANNELS[value].direction === 'out';
}

/** Throws on a bad id or channel: that is a provisioning or programming error, never a message's fault. */
export function topicFor(address: DeviceAddress, channel: Channel): string {
  if (!isValidId(address.site)) throw new TypeError(`topic: invalid site id ${JSON.stringify(address.site)}`);
  if (!isValidId(address.device)) throw new TypeError(`topic: invalid device id ${JSON.stringify(address.device)}`);
  if (!isChannel(channel)) throw new TypeError(`topic: unknown channel ${JSON.stringify(channel)}`);
  return `${TOPIC_ROOT}/${address.site}/${address.device}/${channel}`;
}

/** The address and channel of a v1 topic, or undefined for anything else (other roots, bad ids, unknown channels). */
export function parseTopic(topic: string): ParsedTopic | undefined {
  if (typeof topic !== 'string') return undefined;
  const parts = topic.split('/');
  if (parts.length < 5 || parts.length > 6 || `${parts[0]}/${parts[1]}` !== TOPIC_ROOT) return undefined;
  const [, , site, device, ...rest] = parts;
  const channel = rest.join('/');
  if (!isValidId(site) || !isValidId(device) || !isChannel(channel)) return undefined;
  return { site, device, channel };
}

/** The filters a device subscribes to, with their QoS: exactly its own inbound channels, no wildcards. */
export function deviceSubscriptions(address: DeviceAddress): { topic: string; qos: 0 | 1 }[] {
  const filters: { topic: string; qos: 0 | 1 }[] = [];
  for (const channel of Object.keys(CHANNELS) as Channel[]) {
    const spec = CHANNELS[channel];
    if (spec.direction === 'in') filters.push({ topic: topicFor(address, channel), qos: spec.qos });
  }
  return filters;
}
