// The platform's side of kiosks (docs/protocol.md §16, docs/kiosk.md): repair reports moved by the property's staff
// (submitted → accepted → dispatched → on site → resolved) with each step shown on the kiosk that filed it and a
// rating at the end; visitor pass requests answered with a pass signed for the doors; queue tickets; the site's
// notices, versioned and sent to every kiosk whenever they change and again at each kiosk's birth; and the
// resident register that turns "my home" (`loc.home`) into the resident's unit, so kiosks keep no unit list.
//
// What reaches a kiosk goes as a command and is re-sent at its next birth until the kiosk took it: a kiosk that was
// offline when the staff moved a report, or when its pass was signed, catches up when it is back. Event data is
// checked before it is used: a bad event is stored as the event it is and reported as `invalid`, never a crash.
import type Database from 'better-sqlite3';
import { CATEGORIES, HOME_LOCATION, LOCATIONS, MAX_VISITORS, PHRASES, VISIT_HOURS } from '../../firmware/apps/kiosk/screen/catalogue.js';
import { checkKioskArgs, MAX_NOTICE_VERSION, NOTICES, PASS, REPORT_PROGRESS } from '../../firmware/apps/kiosk/command-args.js';
import { isRef, isUnit, type Notice } from '../../firmware/apps/kiosk/screen/inbound.js';
import { bool, oneOf, uint, type Check, type Shape } from '../../firmware/protocol/fields.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { checkNeeds } from './event-needs.js';
import type { PassRecord, PassRequestRecord, PlatformChange, RepairRecord, RepairStage, ResultRecord, TicketRecord } from './types.js';

const UNIT_PREFIX = 'unit:';
/** Doors a kiosk's visitor pass opens when the platform is not told otherwise: door 0 of every reader. */
export const DEFAULT_PASS_DOORS: readonly number[] = Object.freeze([0]);
/** A pass starts a minute before it was asked for: clocks a little apart must not make it "not yet valid". */
const PASS_LEAD_S = 60;

const ref: Check = (value, path) => (isRef(value) ? undefined : `${path}: expected 1–32 chars of [A-Za-z0-9_.-]`);
const resident: Check = (value, path) => (typeof value === 'string' && /^[0-9a-f]{32}$/.test(value) ? undefined : `${path}: expected 32 lowercase hex digits`);
const location: Check = (value, path) => {
  if (typeof value !== 'string') return `${path}: expected a location`;
  if (value === HOME_LOCATION || LOCATIONS.some((l) => l.id === value)) return undefined;
  if (value.startsWith(UNIT_PREFIX) && isUnit(value.slice(UNIT_PREFIX.length))) return undefined;
  return `${path}: expected ${HOME_LOCATION}, ${LOCATIONS.map((l) => l.id).join(', ')} or unit:<unit>`;
};
const hours: Check = (value, path) =>
  (VISIT_HOURS.some((h) => h.hours === value) ? undefined : `${path}: expected ${VISIT_HOURS.map((h) => h.hours).join(', ')}`);

/** What the platform needs of each kiosk event (more fields may come: they are kept with the event, not checked). */
const NEEDS: Readonly<Record<string, Shape>> = {
  'kiosk.repair': {
    ref: { check: ref, required: true }, category: { check: oneOf(CATEGORIES.map((c) => c.id)), required: true },
    location: { check: location, required: true }, phrase: { check: oneOf(PHRASES.map((p) => p.id)), required: true },
    resident: { check: resident },
  },
  'kiosk.rating': { ref: { check: ref, required: true }, stars: { check: uint(1, 5), required: true } },
  'kiosk.pass_request': {
    ref: { check: ref, required: true }, resident: { check: resident, required: true },
    visitors: { check: uint(1, MAX_VISITORS), required: true }, hours: { check: hours, required: true },
  },
  'kiosk.ticket': { number: { check: uint(1, 999), required: true }, printed: { check: bool, required: true } },
};

/** The first problem of a kiosk event's data for the platform, or undefined (also for events it does not read). */
export function checkKioskEvent(type: string, data: Record<string, unknown>): string | undefined {
  return checkNeeds(NEEDS, type, data);
}

/** The one stage each staff step may start from (resolving by phone, without a visit, is allowed). */
const FROM: Readonly<Record<Exclude<RepairStage, 'submitted'>, readonly RepairStage[]>> = {
  accepted: ['submitted'],
  dispatched: ['accepted', 'dispatched'], // dispatching again: another staff member
  onsite: ['dispatched'],
  resolved: ['accepted', 'dispatched', 'onsite'],
};

export class RepairTransitionError extends Error {
  constructor(readonly dev: string, readonly ref: string, reason: string) {
    super(`repair ${dev}/${ref}: ${reason}`);
    this.name = 'RepairTransitionError';
  }
}

/** What the desk needs of the platform. */
export interface KioskDeskPorts {
  q(sql: string): Database.Statement;
  now(): number;
  /** Sends a command and waits for its result (throws when none came before its TTL). */
  send(dev: string, name: string, args: Record<string, unknown>, ttlMs: number): Promise<ResultRecord>;
  mintPass(options: { doors: readonly number[]; validFrom: number; validTo: number; maxUses: number; note: string }): PassRecord;
  emit(change: PlatformChange): void;
  /** Devices whose birth lists `kiosk.notices`. */
  kiosks(): string[];
  log?(message: string): void;
}

export interface KioskDeskOptions {
  passDoors?: readonly number[];
  commandTtlMs?: number;
}

interface RepairRow {
  dev: string; ref: string; category: string; location: string; unit: string | null; phrase: string; resident: string | null;
  stage: string; staff: string | null; stars: number | null; shown: string | null; delivery_error: string | null;
  ts: number; seq: number; filed_at: number; steps: string;
}

interface PassRequestRow {
  dev: string; ref: string; resident: string; visitors: number; hours: number; ts: number; requested_at: number;
  pass_id: number | null; payload: string | null; delivered: number; delivery_error: string | null;
}

export type KioskOutcome = { kind: 'invalid'; error: string } | { kind: 'handled' };

export class KioskDesk {
  #p: KioskDeskPorts;
  #passDoors: readonly number[];
  #ttlMs: number;
  /** How far each kiosk's clock runs ahead of the platform's (the simulator's time scale): commands get a TTL
   * that reaches past it, else a kiosk would see them expired. From the kiosk's last trusted timestamp. */
  #ahead = new Map<string, number>();
  /** (dev, what) deliveries in flight: one at a time, the newest state sent when it ends. */
  #sending = new Map<string, Promise<void>>();
  /** The notice version each kiosk settled since this platform started (a restart re-sends: the kiosk says unchanged). */
  #noticesTaken = new Map<string, { version: number; code: string; reason?: string }>();

  constructor(ports: KioskDeskPorts, options: KioskDeskOptions = {}) {
    this.#p = ports;
    this.#passDoors = options.passDoors ?? DEFAULT_PASS_DOORS;
    this.#ttlMs = options.commandTtlMs ?? 30_000;
  }

  // ---- from kiosks

  /** A stored event of a kiosk (its first copy). Undefined for other events. */
  onEvent(dev: string, event: EventMessage): KioskOutcome | undefined {
    if (!Object.hasOwn(NEEDS, event.type)) return undefined;
    const error = checkKioskEvent(event.type, event.data);
    if (error !== undefined) return { kind: 'invalid', error };
    if (event.tv) this.#noteClock(dev, event.ts);
    const d = event.data;
    const now = this.#p.now();
    switch (event.type) {
      case 'kiosk.repair': {
        const loc = d.location as string;
        const unit = loc.startsWith(UNIT_PREFIX) ? loc.slice(UNIT_PREFIX.length)
          : loc === HOME_LOCATION && typeof d.resident === 'string' ? this.residentUnit(d.resident) ?? null : null;
        const info = this.#p.q(`INSERT OR IGNORE INTO kiosk_repairs (dev, ref, category, location, unit, phrase, resident, stage, ts, seq, filed_at, steps)
          VALUES (?, ?, ?, ?, ?, ?, ?, 'submitted', ?, ?, ?, ?)`).run(dev, d.ref, d.category, loc, unit, d.phrase,
          (d.resident as string | undefined) ?? null, event.ts, event.seq, now, JSON.stringify([{ stage: 'submitted', at: now }]));
        if (info.changes === 1) this.#emitRepair(dev, d.ref as string);
        return { kind: 'handled' };
      }
      case 'kiosk.rating': {
        const row = this.#repairRow(dev, d.ref as string);
        if (!row) return { kind: 'invalid', error: `kiosk.rating.data.ref: no repair report ${d.ref as string} from ${dev}` };
        if (row.stage !== 'resolved') return { kind: 'invalid', error: `kiosk.rating: report ${row.ref} is ${row.stage}, not resolved` };
        if (row.stars !== null) return { kind: 'handled' }; // rated once; a second rating (another epoch's copy) changes nothing
        this.#p.q('UPDATE kiosk_repairs SET stars = ? WHERE dev = ? AND ref = ?').run(d.stars, dev, row.ref);
        this.#emitRepair(dev, row.ref);
        return { kind: 'handled' };
      }
      case 'kiosk.pass_request': {
        const info = this.#p.q(`INSERT OR IGNORE INTO kiosk_pass_requests (dev, ref, resident, visitors, hours, ts, requested_at, delivered)
          VALUES (?, ?, ?, ?, ?, ?, ?, 0)`).run(dev, d.ref, d.resident, d.visitors, d.hours, event.ts, now);
        if (info.changes === 1) this.#issuePass(dev, d.ref as string);
        return { kind: 'handled' };
      }
      default: {
        this.#p.q('INSERT INTO kiosk_tickets (dev, number, printed, ts, received_at) VALUES (?, ?, ?, ?, ?)')
          .run(dev, d.number, d.printed ? 1 : 0, event.ts, now);
        this.#p.emit({ kind: 'ticket', dev, ticket: this.tickets({ dev }).at(-1)! });
        return { kind: 'handled' };
      }
    }
  }

  /** A kiosk's birth: it gets the notices, and whatever it has not taken yet (report steps, passes). */
  onBirth(dev: string, ts: number | undefined, tv: boolean | undefined): void {
    if (tv && ts !== undefined) this.#noteClock(dev, ts);
    this.#noticesTaken.delete(dev); // every birth gets the list (§16.3): the kiosk says "unchanged" when it has it
    void this.#deliverNotices(dev);
    const repairs = this.#p.q(`SELECT ref FROM kiosk_repairs WHERE dev = ? AND resident IS NOT NULL AND stage != 'submitted'
      AND (shown IS NULL OR shown != stage) AND delivery_error IS NULL`).all(dev) as { ref: string }[];
    for (const { ref: r } of repairs) void this.#deliverStage(dev, r);
    const passes = this.#p.q('SELECT ref FROM kiosk_pass_requests WHERE dev = ? AND pass_id IS NOT NULL AND delivered = 0 AND delivery_error IS NULL').all(dev) as { ref: string }[];
    for (const { ref: r } of passes) void this.#deliverPass(dev, r);
  }

  // ---- staff and operators

  /** Moves a repair report one step and shows it on its kiosk (sent now, and again at the kiosk's next birth
   * until it is taken). Throws RepairTransitionError for a step out of order; nothing is sent then. */
  move(dev: string, reportRef: string, stage: Exclude<RepairStage, 'submitted'>, details: { by?: string; staff?: string; note?: string } = {}): RepairRecord {
    const row = this.#repairRow(dev, reportRef);
    if (!row) throw new RepairTransitionError(dev, reportRef, 'no such report');
    if (!Object.hasOwn(FROM, stage)) throw new RepairTransitionError(dev, reportRef, `unknown stage "${String(stage)}"`);
    if (!FROM[stage].includes(row.stage as RepairStage)) {
      throw new RepairTransitionError(dev, reportRef, `cannot mark it ${stage} while it is ${row.stage}: it must be ${FROM[stage].filter((s) => s !== stage).join(' or ')} first`);
    }
    const staff = details.staff?.trim();
    if (stage === 'dispatched' && !staff) throw new RepairTransitionError(dev, reportRef, 'dispatch: name the staff member');
    const steps = JSON.parse(row.steps) as RepairRecord['steps'];
    const by = staff ?? details.by;
    steps.push({ stage, at: this.#p.now(), ...(by ? { by } : {}), ...(details.note ? { note: details.note } : {}) });
    this.#p.q('UPDATE kiosk_repairs SET stage = ?, staff = COALESCE(?, staff), steps = ? WHERE dev = ? AND ref = ?')
      .run(stage, staff ?? null, JSON.stringify(steps), dev, reportRef);
    this.#emitRepair(dev, reportRef);
    // A report filed without a card has no one to show it to (§16.1): its kiosk would refuse the step.
    if (row.resident !== null) void this.#deliverStage(dev, reportRef);
    return this.repair(dev, reportRef)!;
  }

  /** Replaces the site's notices (a new version), sends them to every kiosk and resolves with what each said
   * (`undelivered`: no answer in time; it gets them at its next birth). */
  async publishNotices(notices: readonly Notice[]): Promise<{ version: number; results: { dev: string; code: string; reason?: string }[] }> {
    const version = (this.notices()?.version ?? 0) + 1;
    if (version > MAX_NOTICE_VERSION) throw new Error('notice versions are used up');
    const error = checkKioskArgs(NOTICES, { version, notices }, 'notices');
    if (error !== undefined) throw new Error(`refusing to publish notices: ${error}`);
    this.#p.q(`INSERT INTO meta (key, value) VALUES ('kiosk.notices', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`)
      .run(JSON.stringify({ version, notices, publishedAt: this.#p.now() }));
    this.#p.emit({ kind: 'notices', version });
    const kiosks = this.#p.kiosks();
    await Promise.all(kiosks.map((dev) => this.#deliverNotices(dev)));
    return {
      version,
      results: kiosks.map((dev) => {
        const taken = this.#noticesTaken.get(dev);
        return taken?.version === version ? { dev, code: taken.code, ...(taken.reason ? { reason: taken.reason } : {}) } : { dev, code: 'undelivered' };
      }),
    };
  }

  /** The notice version a kiosk settled since its last birth, and how (`ok`, `rejected` with the reason). */
  noticesTaken(dev: string): { version: number; code: string; reason?: string } | undefined {
    return this.#noticesTaken.get(dev);
  }

  // ---- the register

  /** The resident's unit (for "my home"). `resident`: a card's keyed hash, hex (its first 32 digits are kept). */
  setResidentUnit(residentHash: string, unit: string | null): void {
    const key = residentKey(residentHash);
    if (unit === null) {
      this.#p.q('DELETE FROM residents WHERE resident = ?').run(key);
      return;
    }
    if (!isUnit(unit)) throw new Error(`unit "${unit}": expected 1–12 of [0-9A-Za-z-]`);
    this.#p.q('INSERT INTO residents (resident, unit) VALUES (?, ?) ON CONFLICT (resident) DO UPDATE SET unit = excluded.unit').run(key, unit);
  }

  residentUnit(residentHash: string): string | undefined {
    const row = this.#p.q('SELECT unit FROM residents WHERE resident = ?').get(residentKey(residentHash)) as { unit: string } | undefined;
    return row?.unit;
  }

  // ---- views

  repair(dev: string, reportRef: string): RepairRecord | undefined {
    const row = this.#repairRow(dev, reportRef);
    return row && repairRecord(row);
  }

  /** Repair reports, newest first. */
  repairs(filter: { dev?: string; open?: boolean; limit?: number } = {}): RepairRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.dev !== undefined) { where.push('dev = ?'); params.push(filter.dev); }
    if (filter.open) where.push("stage != 'resolved'");
    params.push(filter.limit ?? 1000);
    const rows = this.#p.q(`SELECT * FROM kiosk_repairs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY rowid DESC LIMIT ?`).all(...params) as RepairRow[];
    return rows.map(repairRecord);
  }

  passRequests(filter: { dev?: string } = {}): PassRequestRecord[] {
    const rows = (filter.dev === undefined
      ? this.#p.q('SELECT * FROM kiosk_pass_requests ORDER BY rowid').all()
      : this.#p.q('SELECT * FROM kiosk_pass_requests WHERE dev = ? ORDER BY rowid').all(filter.dev)) as PassRequestRow[];
    return rows.map(passRequestRecord);
  }

  tickets(filter: { dev?: string } = {}): TicketRecord[] {
    const rows = (filter.dev === undefined
      ? this.#p.q('SELECT * FROM kiosk_tickets ORDER BY rowid').all()
      : this.#p.q('SELECT * FROM kiosk_tickets WHERE dev = ? ORDER BY rowid').all(filter.dev)) as { dev: string; number: number; printed: number; ts: number; received_at: number }[];
    return rows.map((row) => ({ dev: row.dev, number: row.number, printed: row.printed === 1, ts: row.ts, receivedAt: row.received_at }));
  }

  /** The notices in force. */
  notices(): { version: number; notices: Notice[]; publishedAt: number } | undefined {
    const row = this.#p.q(`SELECT value FROM meta WHERE key = 'kiosk.notices'`).get() as { value: string } | undefined;
    return row ? JSON.parse(row.value) as { version: number; notices: Notice[]; publishedAt: number } : undefined;
  }

  // ---- inside

  #issuePass(dev: string, requestRef: string): void {
    const row = this.#passRow(dev, requestRef)!;
    let pass: PassRecord;
    try {
      const validFrom = Math.floor(row.ts / 1000) - PASS_LEAD_S;
      pass = this.#p.mintPass({
        doors: this.#passDoors, validFrom, validTo: validFrom + PASS_LEAD_S + row.hours * 3600, maxUses: row.visitors,
        note: `kiosk ${dev} ${requestRef}: ${row.visitors} visitor(s)`,
      });
    } catch (error) {
      this.#passFailed(dev, requestRef, error instanceof Error ? error.message : String(error));
      return;
    }
    this.#p.q('UPDATE kiosk_pass_requests SET pass_id = ?, payload = ? WHERE dev = ? AND ref = ?').run(pass.passId, pass.text, dev, requestRef);
    this.#emitPass(dev, requestRef);
    void this.#deliverPass(dev, requestRef);
  }

  #deliverStage(dev: string, reportRef: string): Promise<void> {
    return this.#deliver(dev, `repair ${reportRef}`, () => {
      const row = this.#repairRow(dev, reportRef);
      return row && row.stage !== 'submitted' && row.shown !== row.stage && row.delivery_error === null
        ? { name: REPORT_PROGRESS, args: { ref: reportRef, stage: row.stage } } : undefined;
    }, (args, result) => {
      if (result.code === 'ok') this.#p.q('UPDATE kiosk_repairs SET shown = ? WHERE dev = ? AND ref = ?').run(args.stage, dev, reportRef);
      else this.#p.q('UPDATE kiosk_repairs SET delivery_error = ? WHERE dev = ? AND ref = ?').run(resultText(result), dev, reportRef);
      this.#emitRepair(dev, reportRef);
    });
  }

  #deliverPass(dev: string, requestRef: string): Promise<void> {
    return this.#deliver(dev, `pass ${requestRef}`, () => {
      const row = this.#passRow(dev, requestRef);
      return row && row.payload !== null && row.delivered === 0 && row.delivery_error === null
        ? { name: PASS, args: { ref: requestRef, payload: row.payload } } : undefined;
    }, (_args, result) => {
      if (result.code === 'ok') this.#p.q('UPDATE kiosk_pass_requests SET delivered = 1 WHERE dev = ? AND ref = ?').run(dev, requestRef);
      else this.#passFailed(dev, requestRef, resultText(result));
      this.#emitPass(dev, requestRef);
    });
  }

  #passFailed(dev: string, requestRef: string, reason: string): void {
    this.#p.q('UPDATE kiosk_pass_requests SET delivery_error = ? WHERE dev = ? AND ref = ?').run(reason, dev, requestRef);
    this.#emitPass(dev, requestRef);
  }

  #deliverNotices(dev: string): Promise<void> {
    return this.#deliver(dev, 'notices', () => {
      const current = this.notices();
      return current && this.#noticesTaken.get(dev)?.version !== current.version
        ? { name: NOTICES, args: { version: current.version, notices: current.notices } } : undefined;
    }, (args, result) => {
      // Taken, or refused (older than the kiosk's, or over its cache): either way this version is settled there.
      this.#noticesTaken.set(dev, { version: args.version as number, code: result.code, ...(result.reason ? { reason: result.reason } : {}) });
      this.#p.emit({ kind: 'notices', version: args.version as number, dev });
    });
  }

  /**
   * One command at a time per (kiosk, thing): `next` says what to send now (undefined: nothing left), `done` takes
   * the result, then `next` is asked again (a step made while one was in flight goes next). Resolves when nothing
   * is left or the kiosk did not answer (then it is left for its next birth). A second call while one runs joins it.
   */
  #deliver(dev: string, what: string, next: () => { name: string; args: Record<string, unknown> } | undefined,
    done: (args: Record<string, unknown>, result: ResultRecord) => void): Promise<void> {
    const key = `${dev}\n${what}`;
    const running = this.#sending.get(key);
    if (running) return running;
    let settle!: () => void;
    const chain = new Promise<void>((resolveChain) => { settle = resolveChain; });
    this.#sending.set(key, chain);
    void (async () => {
      try {
        for (let command = next(); command; command = next()) {
          const ttl = this.#ttlMs + Math.max(0, this.#ahead.get(dev) ?? 0);
          let result: ResultRecord;
          try {
            result = await this.#p.send(dev, command.name, command.args, ttl);
          } catch (error) {
            this.#p.log?.(`kiosk ${dev}: ${what} not delivered (${error instanceof Error ? error.message : String(error)}); again at its next birth`);
            return;
          }
          done(command.args, result);
        }
      } finally {
        // In the same turn as the last next(): a step made from here on starts a new chain, never joins a finished one.
        this.#sending.delete(key);
        settle();
      }
    })();
    return chain;
  }

  #noteClock(dev: string, ts: number): void {
    this.#ahead.set(dev, ts - this.#p.now());
  }

  #repairRow(dev: string, reportRef: string): RepairRow | undefined {
    return this.#p.q('SELECT * FROM kiosk_repairs WHERE dev = ? AND ref = ?').get(dev, reportRef) as RepairRow | undefined;
  }

  #passRow(dev: string, requestRef: string): PassRequestRow | undefined {
    return this.#p.q('SELECT * FROM kiosk_pass_requests WHERE dev = ? AND ref = ?').get(dev, requestRef) as PassRequestRow | undefined;
  }

  #emitRepair(dev: string, reportRef: string): void {
    this.#p.emit({ kind: 'repair', dev, repair: this.repair(dev, reportRef)! });
  }

  #emitPass(dev: string, requestRef: string): void {
    this.#p.emit({ kind: 'pass_request', dev, request: passRequestRecord(this.#passRow(dev, requestRef)!) });
  }
}

/** The register's key: a keyed hash cut to the 16 bytes kiosks send (bins send all 32). */
function residentKey(residentHash: string): string {
  if (!/^[0-9a-f]{32,64}$/.test(residentHash)) throw new Error('resident: expected a keyed hash, 32–64 lowercase hex digits');
  return residentHash.slice(0, 32);
}

function repairRecord(row: RepairRow): RepairRecord {
  return {
    dev: row.dev, ref: row.ref, category: row.category, location: row.location, phrase: row.phrase,
    stage: row.stage as RepairStage, ts: row.ts, seq: row.seq, filedAt: row.filed_at, steps: JSON.parse(row.steps) as RepairRecord['steps'],
    ...(row.unit !== null ? { unit: row.unit } : {}), ...(row.resident !== null ? { resident: row.resident } : {}),
    ...(row.staff !== null ? { staff: row.staff } : {}), ...(row.stars !== null ? { stars: row.stars } : {}),
    ...(row.shown !== null ? { shown: row.shown as RepairStage } : {}), ...(row.delivery_error !== null ? { deliveryError: row.delivery_error } : {}),
  };
}

function passRequestRecord(row: PassRequestRow): PassRequestRecord {
  return {
    dev: row.dev, ref: row.ref, resident: row.resident, visitors: row.visitors, hours: row.hours, ts: row.ts, requestedAt: row.requested_at,
    delivered: row.delivered === 1,
    ...(row.pass_id !== null ? { passId: row.pass_id } : {}), ...(row.payload !== null ? { payload: row.payload } : {}),
    ...(row.delivery_error !== null ? { deliveryError: row.delivery_error } : {}),
  };
}

const resultText = (result: ResultRecord): string => `${result.code}${result.reason ? `: ${result.reason}` : ''}`;
