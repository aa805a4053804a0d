// The platform's side of smart bins (docs/protocol.md §15, docs/smart-bin.md): deposits credited once per deposit
// id (a replay after a power cut, or the same deposit in a new event epoch, credits nothing twice), a credits ledger
// per resident hash and category, fill levels per device and compartment with their history (the dashboard's
// plot), and emptyings. Event data is checked here before anything is credited: a bad deposit is stored as the
// event it is, refused for crediting with a reason, never a crash.
import type Database from 'better-sqlite3';
import { isHex64 } from '../../firmware/lib/hex.js';
import { bool, epochMs, oneOf, text, token, uint, type Check, type Shape } from '../../firmware/protocol/fields.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { toCsv } from './csv.js';
import { checkNeeds } from './event-needs.js';
import type { BinEmptying, BinLevel, CreditBalance, DepositRecord } from './types.js';

/** Compartments a station may have, numbered from 0. */
export const MAX_COMPARTMENTS = 4;

const hex64: Check = (value, path) => (isHex64(value) ? undefined : `${path}: expected 64 lowercase hex digits`);
const number = (min: number, max: number): Check => (value, path) =>
  (typeof value === 'number' && Number.isFinite(value) && value >= min && value <= max ? undefined : `${path}: expected a number ${min}–${max}`);
const compartment = uint(0, MAX_COMPARTMENTS - 1);
const category = text(32);
const pct = number(0, 100);

/** What the platform needs of each bin event (more fields may come: they are kept with the event, not checked). */
const NEEDS: Readonly<Record<string, Shape>> = {
  'bin.deposit': {
    id: { check: token, required: true }, c: { check: compartment, required: true }, category: { check: category, required: true },
    grams: { check: uint(0, 1_000_000), required: true }, credits: { check: uint(0, 1_000_000_000), required: true },
    resident: { check: hex64, required: true }, via: { check: oneOf(['card', 'qr']), required: true }, at: { check: epochMs },
  },
  'bin.level': {
    c: { check: compartment, required: true }, status: { check: oneOf(['ok', 'blind', 'fault']), required: true },
    fillPct: { check: pct }, fillMm: { check: number(0, 10_000) }, distanceMm: { check: number(0, 10_000) },
    quality: { check: pct }, full: { check: bool },
    category: { check: category }, why: { check: text(16) },
  },
  'bin.emptied': {
    c: { check: compartment, required: true }, at: { check: epochMs, required: true }, fromPct: { check: pct, required: true },
    toPct: { check: pct, required: true }, category: { check: category },
  },
};

/** The first problem of a bin event's data for the platform, or undefined (also for events it does not read). */
export function checkBinEvent(type: string, data: Record<string, unknown>): string | undefined {
  return checkNeeds(NEEDS, type, data);
}

type Statement = (sql: string) => Database.Statement;

interface DepositRow {
  dev: string; deposit_id: string; c: number; category: string; grams: number; credits: number; resident: string;
  via: string; at: number | null; seq: number; received_at: number;
}

interface LevelRow {
  dev: string; c: number; category: string | null; fill_pct: number | null; status: string; full: number | null;
  why: string | null; ts: number; received_at: number; data: string;
}

export type BinOutcome =
  | { kind: 'deposit'; deposit: DepositRecord; credited: boolean }
  | { kind: 'level'; level: BinLevel }
  | { kind: 'emptied'; emptying: BinEmptying }
  | { kind: 'invalid'; error: string };

export class BinLedger {
  #q: Statement;
  #history: number;

  constructor(q: Statement, levelHistory: number) {
    this.#q = q;
    this.#history = levelHistory;
  }

  /** A stored event of a bin: credits, levels, emptyings. Undefined for other events. */
  onEvent(dev: string, event: EventMessage, now: number): BinOutcome | undefined {
    if (!Object.hasOwn(NEEDS, event.type)) return undefined;
    const error = checkBinEvent(event.type, event.data);
    if (error !== undefined) return { kind: 'invalid', error };
    const d = event.data;
    if (event.type === 'bin.deposit') {
      // INSERT OR IGNORE on (dev, deposit id): the first copy credits, any later one is a duplicate.
      const info = this.#q(`INSERT OR IGNORE INTO bin_deposits (dev, deposit_id, c, category, grams, credits, resident, via, at, seq, received_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(dev, d.id, d.c, d.category, d.grams, d.credits, d.resident, d.via,
        (d.at as number | undefined) ?? null, event.seq, now);
      return { kind: 'deposit', deposit: this.deposit(dev, d.id as string)!, credited: info.changes === 1 };
    }
    if (event.type === 'bin.level') {
      this.#q(`INSERT INTO bin_levels (dev, c, category, fill_pct, status, full, why, ts, received_at, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(dev, d.c, (d.category as string | undefined) ?? null, (d.fillPct as number | undefined) ?? null, d.status,
          typeof d.full === 'boolean' ? (d.full ? 1 : 0) : null, (d.why as string | undefined) ?? null, event.ts, now, JSON.stringify(d));
      this.#q(`DELETE FROM bin_levels WHERE dev = ? AND c = ? AND id <= (SELECT id FROM bin_levels WHERE dev = ? AND c = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`)
        .run(dev, d.c, dev, d.c, this.#history);
      return { kind: 'level', level: this.levels(dev, d.c as number, 1)[0]! };
    }
    this.#q('INSERT INTO bin_emptyings (dev, c, category, at, from_pct, to_pct, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(dev, d.c, (d.category as string | undefined) ?? null, d.at, d.fromPct, d.toPct, now);
    return { kind: 'emptied', emptying: this.emptyings(dev, d.c as number).at(-1)! };
  }

  deposit(dev: string, id: string): DepositRecord | undefined {
    const row = this.#q('SELECT * FROM bin_deposits WHERE dev = ? AND deposit_id = ?').get(dev, id) as DepositRow | undefined;
    return row && depositRecord(row);
  }

  /** Deposits credited, oldest first. */
  deposits(filter: { dev?: string; resident?: string } = {}): DepositRecord[] {
    const { where, params } = filterOf(filter);
    return (this.#q(`SELECT * FROM bin_deposits ${where} ORDER BY rowid`).all(...params) as DepositRow[]).map(depositRecord);
  }

  /** The ledger: credits, grams and deposits per resident hash and category. */
  credits(filter: { resident?: string } = {}): CreditBalance[] {
    const { where, params } = filterOf(filter);
    return (this.#q(`SELECT resident, category, SUM(credits) AS credits, SUM(grams) AS grams, COUNT(*) AS deposits
      FROM bin_deposits ${where} GROUP BY resident, category ORDER BY resident, category`).all(...params) as CreditBalance[])
      .map((row) => ({ ...row }));
  }

  depositsCsv(filter: { dev?: string; resident?: string } = {}): string {
    return toCsv(['dev', 'id', 'c', 'category', 'grams', 'credits', 'resident', 'via', 'at', 'seq', 'received_at'],
      this.deposits(filter).map((d) => [d.dev, d.id, d.c, d.category, d.grams, d.credits, d.resident, d.via, d.at, d.seq, d.receivedAt]));
  }

  /** A compartment's level reports, oldest first (the newest `limit`); every compartment's when `c` is absent. */
  levels(dev: string, c?: number, limit = this.#history): BinLevel[] {
    const rows = this.#q(`SELECT * FROM (SELECT * FROM bin_levels WHERE dev = ? ${c === undefined ? '' : 'AND c = ?'}
      ORDER BY id DESC LIMIT ?) ORDER BY id`).all(...(c === undefined ? [dev, limit] : [dev, c, limit])) as LevelRow[];
    return rows.map(levelRecord);
  }

  /** The newest report of each compartment of a device. */
  latestLevels(dev: string): BinLevel[] {
    const rows = this.#q(`SELECT * FROM bin_levels WHERE id IN (SELECT MAX(id) FROM bin_levels WHERE dev = ? GROUP BY c) ORDER BY c`).all(dev) as LevelRow[];
    return rows.map(levelRecord);
  }

  emptyings(dev: string, c?: number): BinEmptying[] {
    const rows = this.#q(`SELECT * FROM bin_emptyings WHERE dev = ? ${c === undefined ? '' : 'AND c = ?'} ORDER BY rowid`)
      .all(...(c === undefined ? [dev] : [dev, c])) as { dev: string; c: number; category: string | null; at: number; from_pct: number; to_pct: number; received_at: number }[];
    return rows.map((row) => ({
      dev: row.dev, c: row.c, at: row.at, fromPct: row.from_pct, toPct: row.to_pct, receivedAt: row.received_at,
      ...(row.category !== null ? { category: row.category } : {}),
    }));
  }
}

function filterOf(filter: { dev?: string; resident?: string }): { where: string; params: string[] } {
  const where: string[] = [];
  const params: string[] = [];
  if (filter.dev !== undefined) { where.push('dev = ?'); params.push(filter.dev); }
  if (filter.resident !== undefined) { where.push('resident = ?'); params.push(filter.resident); }
  return { where: where.length ? `WHERE ${where.join(' AND ')}` : '', params };
}

function depositRecord(row: DepositRow): DepositRecord {
  return {
    dev: row.dev, id: row.deposit_id, c: row.c, category: row.category, grams: row.grams, credits: row.credits,
    resident: row.resident, via: row.via as DepositRecord['via'], seq: row.seq, receivedAt: row.received_at,
    ...(row.at !== null ? { at: row.at } : {}),
  };
}

function levelRecord(row: LevelRow): BinLevel {
  return {
    dev: row.dev, c: row.c, status: row.status as BinLevel['status'], ts: row.ts, receivedAt: row.received_at,
    data: JSON.parse(row.data) as Record<string, unknown>,
    ...(row.fill_pct !== null ? { fillPct: row.fill_pct } : {}), ...(row.full !== null ? { full: row.full === 1 } : {}),
    ...(row.category !== null ? { category: row.category } : {}), ...(row.why !== null ? { why: row.why } : {}),
  };
}
