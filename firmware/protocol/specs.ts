// What each protocol v1 message may hold (docs/protocol.md §5–§9): fields, bounds and cross-field rules, one
// entry per message kind. validate.ts runs these; docs/schemas/ says the same in JSON Schema.
import { PROTOCOL_VERSION, type Message } from './messages.js';
import type { Channel } from './topics.js';
import { bool, constant, deviceId, dottedName, epochMs, freeObject, object, oneOf, shape, text, token, uint,
  uniqueList, type Check, type Field, type Shape } from './fields.js';
import { MAX_CMDS, MAX_ETA_MIN, MAX_FW, MAX_MODEL, MAX_NOTE, MAX_REASON, MAX_RESET, MAX_RESETS, MAX_SAFE, MAX_WAKE_IN } from './limits.js';

export type MessageKind = Message['msg'];

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
  const fields: Record<string, Field> = {
    v: { check: constant(PROTOCOL_VERSION), required: true },
    msg: { check: constant(kind), required: true },
  };
  if (fromDevice) fields.dev = { check: deviceId, required: true };
  return fields;
}

const BIRTH_ONLY = ['model', 'fw', 'cfgVer', 'reset', 'seq', 'cmds', 'hw', 'insecure', 'safe', 'resets'];
/** A remembered abnormal reset: `<boot>:<reason>`. */
const resetEntry: Check = (value, path) => (typeof value === 'string' && /^\d{1,10}:[a-z-]{1,16}$/.test(value) ? undefined : `${path}: expected <boot>:<reason>`);

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
      hw: { check: deviceId },
      insecure: { check: (value, path) => (value === true ? undefined : `${path}: expected true (leave it out when secure)`) },
      safe: { check: text(MAX_SAFE) },
      resets: { check: uniqueList(resetEntry, MAX_RESETS) },
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
          status: { check: oneOf(['applied', 'rejected', 'stale', 'reverted']), required: true },
          reason: { check: text(MAX_REASON) },
        }, (last, path) => (last.status === 'rejected' || last.status === 'reverted') && !Object.hasOwn(last, 'reason')
          ? `${path}.reason: required when status is "${String(last.status)}"` : undefined),
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
      // The device that runs the command checks its args (its CommandSpec's validate()).
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

export function isKind(value: unknown): value is MessageKind {
  return typeof value === 'string' && Object.hasOwn(SPECS, value);
}

/** The first problem of a parsed message taken as `kind`, or undefined. */
export function checkMessage(o: Record<string, unknown>, kind: MessageKind): string | undefined {
  // Version and kind first: a message of another version or kind gets that error, not a list of odd fields.
  if (o.v !== PROTOCOL_VERSION) return `${kind}.v: expected ${PROTOCOL_VERSION} (protocol version)`;
  if (o.msg !== kind) return `${kind}.msg: expected "${kind}"`;
  const spec = SPECS[kind];
  return shape(o, kind, spec.fields) ?? spec.rule?.(o, kind);
}

export const SPEC_KINDS: readonly MessageKind[] = Object.keys(SPECS) as MessageKind[];
