// Protocol v1 bounds (docs/protocol.md, "Limits"). The JSON Schemas in docs/schemas/ carry the same numbers.

/** Largest payload, in bytes of UTF-8. */
export const MAX_PAYLOAD_BYTES = 8192;
/** Deepest nesting of a free-form object (`args`, `config`, `data`): the object itself is level 1. */
export const MAX_FREE_DEPTH = 8;
/** Deepest bracket nesting accepted before JSON.parse runs at all: keeps the engine's parser off deep recursion. */
export const MAX_SCAN_DEPTH = 32;
/** Ids, tokens (reqId, alarmId) and dotted names. */
export const MAX_NAME = 64;
export const MAX_MODEL = 64;
export const MAX_FW = 64;
export const MAX_RESET = 64;
/** Safe mode: why (status.safe), and the abnormal resets remembered (status.resets, firmware/lifecycle/boot-guard.ts). */
export const MAX_SAFE = 80;
export const MAX_RESETS = 8;
export const MAX_REASON = 200;
export const MAX_NOTE = 140;
export const MAX_CMDS = 32;
/** Seconds: a sleeping device is back within 30 days at the latest. */
export const MAX_WAKE_IN = 2_592_000;
export const MAX_ETA_MIN = 1440;
/** Keys refused anywhere in free-form objects: harmless in JSON, dangerous once merged into JS objects. */
export const FORBIDDEN_KEYS: readonly string[] = ['__proto__', 'constructor', 'prototype'];
