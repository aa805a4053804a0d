// Protocol v1 message shapes. The normative text is docs/protocol.md; JSON Schemas in docs/schemas/ mirror
// these types and CI checks examples against both. MQTT 3.1.1 has no properties, so everything that
// MQTT 5 would carry in properties (ids, correlation, ordering, content type) is in the payload.

/** `v` of every message, both ways; any other is refused (docs/protocol.md §3). */
export const PROTOCOL_VERSION = 1;

/** Time stamp block carried by device messages: uptime always, wall time with a validity flag. */
export interface DeviceTime {
  /** Uptime in ms at the moment the message was made. */
  up: number;
  /** Wall time in ms since the epoch (the device's best guess). */
  ts: number;
  /** True when `ts` came from a clock set by a trusted source. */
  tv: boolean;
}

export type DeviceState = 'online' | 'offline' | 'sleeping';

/** Retained on `…/status`. The birth (online) carries a snapshot; the will (offline) only who and which boot. */
export interface StatusMessage {
  v: typeof PROTOCOL_VERSION;
  msg: 'status';
  dev: string;
  state: DeviceState;
  /** Boot counter of the session this status belongs to: a will with an older boot than the last birth is stale. */
  boot: number;
  /** Connection count within this boot (1 for the first connect). With `boot` it orders sessions, so a will left
   *  by an earlier connection of the same boot is recognised as stale too (like Sparkplug's bdSeq). */
  conn?: number;
  up?: number;
  ts?: number;
  tv?: boolean;
  /** Birth only. */
  model?: string;
  fw?: string;
  cfgVer?: number;
  reset?: string;
  /** Birth only: the last event `seq` assigned (0 when none), so the platform sees at once what it still lacks. */
  seq?: number;
  /** Birth only: the command names this device supports (self-description, like Homie's). */
  cmds?: string[];
  /** Birth only: the chip's hardware id (e.g. its MAC as hex). Events made before the device was provisioned
   *  carry it as `dev` (the device had no other name then). */
  hw?: string;
  /** Birth only, and only ever `true`: the device runs under the lab setting `prov/insecure`, connected without TLS
   *  or without its own credentials to a broker outside loopback (docs/protocol.md §11). Absent: it does not. */
  insecure?: true;
  /** Birth only: the device is in safe mode (the runtime alone, no app) and why: a boot loop, an app that failed to
   *  start. It takes only diagnostics, config, `lifecycle.resume`, update and factory reset. */
  safe?: string;
  /** Birth only, with `safe`: the abnormal resets it remembers, `<boot>:<reason>`, oldest first. */
  resets?: string[];
  /** Sleeping only: the device expects to be back within this many seconds. */
  wakeIn?: number;
}

/** Durable, QoS 1, on `…/event`. Platform dedupe key: (dev, seq). */
export interface EventMessage extends DeviceTime {
  v: typeof PROTOCOL_VERSION;
  msg: 'event';
  dev: string;
  /** Per-device sequence, monotonic for the life of the device's storage; never reused. */
  seq: number;
  /** Boot counter at the time the event was made. */
  boot: number;
  /** Dotted event type, e.g. "access.granted", "alarm.raised", "config.applied". */
  type: string;
  data: Record<string, unknown>;
}

/** Best effort, QoS 0, on `…/telemetry`. */
export interface TelemetryMessage extends DeviceTime {
  v: typeof PROTOCOL_VERSION;
  msg: 'telemetry';
  dev: string;
  boot: number;
  data: Record<string, unknown>;
}

export type ResultCode =
  | 'ok'          // executed
  | 'invalid'     // malformed or fails validation
  | 'unsupported' // unknown command name for this device
  | 'expired'     // received after its expiry
  | 'rejected'    // well-formed but refused (policy, state, clock not set, retained)
  | 'failed';     // tried and failed

/** Platform → device on `…/command`, QoS 1, never retained. */
export interface CommandMessage {
  v: typeof PROTOCOL_VERSION;
  msg: 'command';
  /** Client token: 1–64 chars of [A-Za-z0-9._:-]. A repeated reqId returns the first result and does not re-execute. */
  reqId: string;
  name: string;
  /** Expiry, ms since the epoch. A device without valid wall time rejects the command. */
  exp: number;
  args?: Record<string, unknown>;
}

/** Device → platform on `…/result`, QoS 1. */
export interface ResultMessage extends DeviceTime {
  v: typeof PROTOCOL_VERSION;
  msg: 'result';
  dev: string;
  reqId: string;
  code: ResultCode;
  reason?: string;
  data?: Record<string, unknown>;
}

/** Platform → device on `…/config/desired`, retained, QoS 1. A full document with a version. */
export interface DesiredConfigMessage {
  v: typeof PROTOCOL_VERSION;
  msg: 'config.desired';
  version: number;
  config: Record<string, unknown>;
}

/** Device → platform on `…/config/reported`, retained, QoS 1. */
export interface ReportedConfigMessage extends DeviceTime {
  v: typeof PROTOCOL_VERSION;
  msg: 'config.reported';
  dev: string;
  /** Version now in force. */
  version: number;
  config: Record<string, unknown>;
  /** Outcome of the last desired document seen. */
  last?: { version: number; status: 'applied' | 'rejected' | 'stale' | 'reverted'; reason?: string };
}

export type AlarmState = 'raised' | 'accepted' | 'dispatched' | 'onsite' | 'resolved' | 'cancelled';

/** Platform → device on `…/alarm`, QoS 1: progress of an alarm the device raised. */
export interface AlarmUpdateMessage {
  v: typeof PROTOCOL_VERSION;
  msg: 'alarm';
  alarmId: string;
  state: AlarmState;
  /** Platform wall time of the change, ms since the epoch. */
  ts: number;
  /** Free text for staff/handset display, e.g. responder name. Short. */
  note?: string;
  /** Expected minutes to arrival, when dispatched. */
  etaMin?: number;
}

export type InboundMessage = CommandMessage | DesiredConfigMessage | AlarmUpdateMessage;
export type OutboundMessage = StatusMessage | EventMessage | TelemetryMessage | ResultMessage | ReportedConfigMessage;
export type Message = InboundMessage | OutboundMessage;
