// A door credential list as CSV, for `platform push-credentials --csv FILE`. One header row, then one credential
// per row; blank lines and lines starting with # are skipped. Columns (any order; only kind and secret required):
//
//   kind       card | pin | qr
//   secret     card: the UID (NFC) or Wiegand id bytes as hex, 3–10 bytes (e.g. 04a11ce0000001, or 0c0d80 for
//              Wiegand 26 facility 12 card 3456); pin: a PIN-only code, 1–12 digits; qr: a resident QR text
//   validFrom  first valid day, YYYY-MM-DD (the site's local calendar day); empty: 2020-01-01
//   validTo    last valid day (inclusive), YYYY-MM-DD; empty: no end (2199-06-06, the format's last day)
//   profile    access profile number 0–1023 (doors and schedule; see --profiles); empty: 0
//   pin        card + PIN: the card's PIN, 1–12 digits (cards only); empty: card alone
//   revoked    true/yes/1 keeps the credential listed as revoked (the door says "revoked"); empty: false
//   name, note free text for people; ignored
//
// Every error names the file and line.
import { parse } from 'csv-parse/sync';
import type { CredentialInput } from '../credential-encoder.js';
import { UsageError } from './common.js';

const DAY_MS = 86_400_000;
const EPOCH_2020 = Date.UTC(2020, 0, 1);
/** Days are u16 in a record. */
export const LAST_DAY = 0xffff;
export const MAX_PROFILE = 1023;

export const CSV_COLUMNS = ['kind', 'secret', 'validFrom', 'validTo', 'profile', 'pin', 'revoked', 'name', 'note'] as const;

export interface CsvCredential extends CredentialInput {
  /** Line of the file the row ends on (1-based). */
  line: number;
}

/** YYYY-MM-DD as a day number (days since 2020-01-01 of the calendar). */
export function dayOf(text: string): number | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const date = new Date(ms);
  if (date.getUTCFullYear() !== year || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return undefined;
  const days = (ms - EPOCH_2020) / DAY_MS;
  return days >= 0 && days <= LAST_DAY ? days : undefined;
}

/** A day number as YYYY-MM-DD (the inverse of dayOf). */
export function dateOf(day: number): string {
  return new Date(EPOCH_2020 + day * DAY_MS).toISOString().slice(0, 10);
}

/** A list as CSV in this format (kind,secret,validFrom,validTo,profile,pin,revoked): what parseCredentialsCsv reads. */
export function credentialsCsv(credentials: readonly CredentialInput[]): string {
  const rows = credentials.map((c) => [
    c.kind, typeof c.secret === 'string' ? c.secret : Buffer.from(c.secret).toString('hex'), dateOf(c.validFrom), dateOf(c.validTo),
    String(c.profile), c.pin ?? '', c.revoked ? 'true' : '',
  ].join(','));
  return ['kind,secret,validFrom,validTo,profile,pin,revoked', ...rows].join('\n') + '\n';
}

export function parseCredentialsCsv(text: string, source: string): CsvCredential[] {
  let rows: { record: Record<string, string>; info: { lines: number } }[];
  try {
    rows = parse(text, {
      columns: (header: string[]) => header.map((name, index) => {
        const column = name.trim();
        if (!(CSV_COLUMNS as readonly string[]).includes(column)) {
          throw new UsageError(`${source}:1: unknown column ${JSON.stringify(column)} (column ${index + 1}); known: ${CSV_COLUMNS.join(', ')}`);
        }
        return column;
      }),
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
    }) as { record: Record<string, string>; info: { lines: number } }[];
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const { lines, code, record } = error as { lines?: number; code?: string; record?: unknown[] };
    const message = code === 'CSV_RECORD_INCONSISTENT_COLUMNS' && Array.isArray(record)
      ? `${record.length} fields, the header has ${(error as { columns?: unknown[] }).columns?.length ?? 'another number'}`
      : error instanceof Error ? error.message : String(error);
    throw new UsageError(`${source}${lines === undefined ? '' : `:${lines}`}: ${message}`);
  }
  if (rows.length === 0 && !/\S/.test(text)) throw new UsageError(`${source}: empty file: expected a header row (kind,secret,...)`);
  const seen = new Map<string, number>();
  return rows.map(({ record, info }) => {
    const credential = rowCredential(record, `${source}:${info.lines}`);
    const key = `${credential.kind}:${typeof credential.secret === 'string' ? credential.secret : Buffer.from(credential.secret).toString('hex')}`;
    const first = seen.get(key);
    if (first !== undefined) throw new UsageError(`${source}:${info.lines}: the same ${credential.kind} as line ${first}`);
    seen.set(key, info.lines);
    return { ...credential, line: info.lines };
  });
}

function rowCredential(row: Record<string, string>, at: string): CredentialInput {
  const field = (name: string) => row[name] ?? '';
  const kind = field('kind').toLowerCase();
  if (kind !== 'card' && kind !== 'pin' && kind !== 'qr') throw new UsageError(`${at}: kind: expected card, pin or qr, got ${JSON.stringify(field('kind'))}`);
  const raw = field('secret');
  let secret: Uint8Array | string;
  if (kind === 'card') {
    const hex = raw.replace(/[:\s]/g, '');
    if (!/^([0-9a-fA-F]{2}){3,10}$/.test(hex)) throw new UsageError(`${at}: secret: a card is its UID as 3–10 hex bytes, got ${JSON.stringify(raw)}`);
    secret = new Uint8Array(Buffer.from(hex, 'hex'));
  } else if (kind === 'pin') {
    if (!/^\d{1,12}$/.test(raw)) throw new UsageError(`${at}: secret: a PIN is 1–12 digits`);
    secret = raw;
  } else {
    if (raw === '') throw new UsageError(`${at}: secret: a QR text is required`);
    secret = raw;
  }
  const day = (name: 'validFrom' | 'validTo', fallback: number) => {
    const value = field(name);
    if (value === '') return fallback;
    const parsed = dayOf(value);
    if (parsed === undefined) throw new UsageError(`${at}: ${name}: expected a date YYYY-MM-DD from 2020-01-01, got ${JSON.stringify(value)}`);
    return parsed;
  };
  const validFrom = day('validFrom', 0);
  const validTo = day('validTo', LAST_DAY);
  if (validFrom > validTo) throw new UsageError(`${at}: validFrom is after validTo`);
  const profileText = field('profile');
  if (profileText !== '' && !/^\d{1,4}$/.test(profileText)) throw new UsageError(`${at}: profile: expected a number 0–${MAX_PROFILE}, got ${JSON.stringify(profileText)}`);
  const profile = profileText === '' ? 0 : Number(profileText);
  if (profile > MAX_PROFILE) throw new UsageError(`${at}: profile: expected a number 0–${MAX_PROFILE}, got ${profile}`);
  const pin = field('pin');
  if (pin !== '') {
    if (kind !== 'card') throw new UsageError(`${at}: pin: only a card takes a PIN (card + PIN)`);
    if (!/^\d{1,12}$/.test(pin)) throw new UsageError(`${at}: pin: a PIN is 1–12 digits`);
  }
  const revokedText = field('revoked').toLowerCase();
  let revoked: boolean;
  if (['', 'false', 'no', '0', 'n'].includes(revokedText)) revoked = false;
  else if (['true', 'yes', '1', 'y'].includes(revokedText)) revoked = true;
  else throw new UsageError(`${at}: revoked: expected true/false, got ${JSON.stringify(field('revoked'))}`);
  return { kind, secret, validFrom, validTo, profile, ...(pin === '' ? {} : { pin }), ...(revoked ? { revoked } : {}) };
}
