// Field checks for the hand-written validators. Each returns an error naming the field, or undefined when fine.
// Pure ECMAScript: runs on XS and Node alike.
import { isIdChar } from './topics.js';
import { FORBIDDEN_KEYS, MAX_FREE_DEPTH, MAX_NAME } from './limits.js';

export type Check = (value: unknown, path: string) => string | undefined;

export interface Field {
  check: Check;
  required?: boolean;
}

export type Shape = Readonly<Record<string, Field>>;

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function isUint(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}

/** Length in code points, as JSON Schema's minLength/maxLength count (a lone surrogate counts as one). */
function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) i++;
    length++;
  }
  return length;
}

/** `path.key` for plain keys, `path["k\u0001…"]` (escaped, shortened) for anything else. */
export function childPath(path: string, key: string): string {
  let plain = key.length >= 1 && key.length <= 32;
  for (let i = 0; plain && i < key.length; i++) plain = isIdChar(key.charCodeAt(i));
  return plain ? `${path}.${key}` : `${path}[${quote(key)}]`;
}

/**
 * Quotes a key or value for an error message: escaped (no control character, DEL included: a reason may hold
 * none, see text()) and at most 32 characters between the quotes, then "…", so it fits a result's reason.
 */
export function quote(text: string): string {
  const escaped = JSON.stringify(text).slice(1, -1).replace(/\u007f/g, '\\u007f');
  let out = '';
  for (let i = 0; i < escaped.length;) {
    // An escape or a surrogate pair is never cut in two.
    const c = escaped.charCodeAt(i);
    const size = c === 0x5c ? (escaped.charCodeAt(i + 1) === 0x75 ? 6 : 2) : c >= 0xd800 && c <= 0xdbff ? 2 : 1;
    if (out.length + size > 32) return `"${out}…"`;
    out += escaped.slice(i, i + size);
    i += size;
  }
  return `"${out}"`;
}

export function shape(o: Record<string, unknown>, path: string, fields: Shape): string | undefined {
  for (const key of Object.keys(o)) {
    if (!Object.hasOwn(fields, key)) return `${path}: unknown field ${quote(key)}`;
  }
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    if (!Object.hasOwn(o, key)) {
      if (field.required) return `${path}.${key}: required`;
      continue;
    }
    const error = field.check(o[key], `${path}.${key}`);
    if (error !== undefined) return error;
  }
  return undefined;
}

export function constant(expected: string | number): Check {
  return (value, path) => (value === expected ? undefined : `${path}: expected ${JSON.stringify(expected)}`);
}

export function oneOf(values: readonly string[]): Check {
  const list = values.map((v) => JSON.stringify(v)).join(', ');
  return (value, path) =>
    typeof value === 'string' && values.includes(value) ? undefined : `${path}: expected one of ${list}`;
}

export const bool: Check = (value, path) => (typeof value === 'boolean' ? undefined : `${path}: expected true or false`);

export const epochMs: Check = (value, path) => (isUint(value) ? undefined : `${path}: expected integer ms since epoch`);

export function uint(min = 0, max = Number.MAX_SAFE_INTEGER, unit = ''): Check {
  const what = `expected an integer ${min}–${max === Number.MAX_SAFE_INTEGER ? '2^53-1' : max}${unit}`;
  return (value, path) => (isUint(value) && value >= min && value <= max ? undefined : `${path}: ${what}`);
}

/** 1–`max` code points, no control characters. */
export function text(max: number): Check {
  return (value, path) => {
    if (typeof value !== 'string') return `${path}: expected a string`;
    const length = codePointLength(value);
    if (length < 1 || length > max) return `${path}: expected 1–${max} characters, got ${length}`;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if (c < 0x20 || c === 0x7f) return `${path}: control characters are not allowed`;
    }
    return undefined;
  };
}

export const deviceId: Check = (value, path) =>
  chars(value, (c) => isIdChar(c)) ? undefined : `${path}: expected 1–${MAX_NAME} chars of [A-Za-z0-9_-]`;

/** Client tokens (reqId, alarmId): [A-Za-z0-9._:-]. */
export const token: Check = (value, path) =>
  isToken(value) ? undefined : `${path}: expected 1–${MAX_NAME} chars of [A-Za-z0-9._:-]`;

export function isToken(value: unknown): value is string {
  return chars(value, (c) => isIdChar(c) || c === 46 || c === 58);
}

/** Dot-separated segments of [A-Za-z0-9_-], e.g. "access.granted". */
export const dottedName: Check = (value, path) => {
  const fine = chars(value, (c) => isIdChar(c) || c === 46) &&
    !value.startsWith('.') && !value.endsWith('.') && !value.includes('..');
  return fine ? undefined : `${path}: expected a dotted name (segments of [A-Za-z0-9_-] joined by ".", 1–${MAX_NAME} chars)`;
};

function chars(value: unknown, allowed: (c: number) => boolean): value is string {
  if (typeof value !== 'string' || value.length < 1 || value.length > MAX_NAME) return false;
  for (let i = 0; i < value.length; i++) {
    if (!allowed(value.charCodeAt(i))) return false;
  }
  return true;
}

export function uniqueList(item: Check, max: number): Check {
  return (value, path) => {
    if (!Array.isArray(value)) return `${path}: expected an array`;
    if (value.length > max) return `${path}: expected at most ${max} items`;
    for (let i = 0; i < value.length; i++) {
      const error = item(value[i], `${path}[${i}]`);
      if (error !== undefined) return error;
      if (value.indexOf(value[i]) !== i) return `${path}[${i}]: duplicate`;
    }
    return undefined;
  };
}

export function object(fields: Shape, rule?: (o: Record<string, unknown>, path: string) => string | undefined): Check {
  return (value, path) => {
    if (!isPlainObject(value)) return `${path}: expected an object`;
    return shape(value, path, fields) ?? rule?.(value, path);
  };
}

/** A free-form JSON object (`args`, `config`, `data`): plain, at most MAX_FREE_DEPTH levels, no prototype keys. */
export const freeObject: Check = (value, path) =>
  isPlainObject(value) ? freeValue(value, path, 1) : `${path}: expected an object`;

function freeValue(value: unknown, path: string, level: number): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return undefined;
  if (typeof value === 'number') return Number.isFinite(value) ? undefined : `${path}: expected a finite number`;
  if (typeof value !== 'object') return `${path}: expected JSON data`;
  if (level > MAX_FREE_DEPTH) return `${path}: nested deeper than ${MAX_FREE_DEPTH} levels`;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const error = freeValue(value[i], `${path}[${i}]`, level + 1);
      if (error !== undefined) return error;
    }
    return undefined;
  }
  if (!isPlainObject(value)) return `${path}: expected a plain object`;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.includes(key)) return `${path}: key ${quote(key)} is not allowed`;
    const error = freeValue(value[key], childPath(path, key), level + 1);
    if (error !== undefined) return error;
  }
  return undefined;
}
