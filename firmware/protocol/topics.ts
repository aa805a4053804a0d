// Topic grammar: ct/v1/{site}/{device}/{channel}. Ids are 1–64 chars of [A-Za-z0-9_-].
// Device publishes: status (retained), event, telemetry, result, config/reported (retained).
// Device subscribes: command, config/desired (retained), alarm.

export const TOPIC_ROOT = 'ct/v1';

export type OutboundChannel = 'status' | 'event' | 'telemetry' | 'result' | 'config/reported';
export type InboundChannel = 'command' | 'config/desired' | 'alarm';
export type Channel = OutboundChannel | InboundChannel;

export interface DeviceAddress {
  site: string;
  device: string;
}
