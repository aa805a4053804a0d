// Argument checks of the kiosk's commands (docs/protocol.md, "Kiosk"; docs/schemas/command.json says the same).
// Strict: an unknown field, a bad ref or stage, a pass payload that is not printable ASCII, a notice that does not
// parse, each gets `invalid` with the first reason, before anything acts.
import { epochMs, isPlainObject, object, oneOf, shape, uint, type Check, type Shape } from '../../protocol/fields.js';
import { REPORT_STAGES } from './screen/catalogue.js';
import { isPassPayload, isRef, MAX_NOTICES, parseNotices } from './screen/inbound.js';

export const REPORT_PROGRESS = 'kiosk.report_progress';
export const PASS = 'kiosk.pass';
export const NOTICES = 'kiosk.notices';
/** Notice list versions: the platform counts up; a 32-bit integer, as the cache stores it. */
export const MAX_NOTICE_VERSION = 0x7fff_ffff;

const ref: Check = (value, path) => (isRef(value) ? undefined : `${path}: expected 1–32 chars of [A-Za-z0-9_.-]`);
const payload: Check = (value, path) => (isPassPayload(value) ? undefined : `${path}: expected 1–512 printable ASCII characters`);
/** Text without control characters (a body may break lines), 1–max UTF-16 units, as screen/inbound.ts reads it. */
function noticeText(max: number, lines: boolean): Check {
  return (value, path) => {
    if (typeof value !== 'string' || value.length < 1 || value.length > max) return `${path}: expected 1–${max} characters`;
    for (let i = 0; i < value.length; i++) {
      const c = value.charCodeAt(i);
      if ((c < 0x20 && !(lines && c === 0x0a)) || c === 0x7f) return `${path}: control characters are not allowed`;
    }
    return undefined;
  };
}
const bilingual = (max: number, lines: boolean): Check => object({ zh: { check: noticeText(max, lines), required: true }, en: { check: noticeText(max, lines), required: true } });
const NOTICE: Check = object({
  id: { check: ref, required: true },
  title: { check: bilingual(80, false), required: true },
  body: { check: bilingual(2000, true), required: true },
  expiresMs: { check: epochMs, required: true },
});
const notices: Check = (value, path) => {
  if (!Array.isArray(value)) return `${path}: expected an array`;
  if (value.length > MAX_NOTICES) return `${path}: at most ${MAX_NOTICES} notices`;
  for (let i = 0; i < value.length; i++) {
    const error = NOTICE(value[i], `${path}[${i}]`);
    if (error !== undefined) return error;
  }
  const { dropped } = parseNotices(value);
  return dropped === 0 ? undefined : `${path}: notice ids must be unique`;
};

const SHAPES: Readonly<Record<string, Shape>> = Object.freeze({
  [REPORT_PROGRESS]: Object.freeze({ ref: { check: ref, required: true }, stage: { check: oneOf(REPORT_STAGES.slice(1)), required: true } }),
  [PASS]: Object.freeze({ ref: { check: ref, required: true }, payload: { check: payload, required: true } }),
  [NOTICES]: Object.freeze({ version: { check: uint(1, MAX_NOTICE_VERSION), required: true }, notices: { check: notices, required: true } }),
});

/** The first problem of a kiosk command's args, or undefined; undefined for any other command. */
export function checkKioskArgs(name: unknown, args: unknown, path: string): string | undefined {
  if (typeof name !== 'string' || !Object.hasOwn(SHAPES, name)) return undefined;
  if (!isPlainObject(args)) return `${path}: expected an object`;
  return shape(args, path, SHAPES[name]!);
}
