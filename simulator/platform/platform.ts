// The reference platform: the other side of protocol v1 (docs/protocol.md), for one site. It subscribes to the
// site's devices over MQTT (mqtt.js), validates every message with the protocol's own validators
// (firmware/protocol/validate.ts: parseOutbound for what devices send, validateMessage for what it sends), and
// keeps its state in SQLite (simulator/platform/store.ts), so a restart keeps the history:
//   - status: birth / will / sleeping with the stale-will rule, overdue sleepers, erased storage → new epoch (§5.2);
//   - events: dedupe by (dev, seq) within the device's epoch, gaps, §4 time correction, the access-event chain
//     (scripts/platform/event-chain.ts), a differing second copy → new epoch (§6.2);
//   - results deduped by (dev, reqId); commands retried with the same reqId until a result or exp (§7.5);
//   - telemetry (latest + a bounded history), config desired (retained) / reported (§8);
//   - incidents: alarm.raised → raised → accepted → dispatched → onsite → resolved → closed, each device-visible
//     step published retained on the device's `alarm` topic (§9);
//   - door operations: credential syncs (§14.7), visitor passes, signed door commands;
//   - smart bins (bin.ts): deposits credited once per id, a credits ledger, levels with history, emptyings; a
//     bin alarm whose condition ended (alarm.cleared, or bin.emptied for an overflow) is resolved with the time;
//   - kiosks (kiosk.ts): repair reports moved by staff and shown on the kiosk, ratings, visitor passes signed for
//     pass requests, queue tickets, notices (versioned, sent on change and at each kiosk birth), the resident
//     register behind "my home".
// Query methods are synchronous (they read the database); operator methods are async (they publish).
import { createHmac, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { connect, type IClientOptions, type MqttClient } from 'mqtt';
import {
  PROTOCOL_VERSION, type AlarmUpdateMessage, type CommandMessage, type DesiredConfigMessage, type EventMessage,
  type OutboundMessage, type ReportedConfigMessage, type ResultMessage, type StatusMessage, type TelemetryMessage,
} from '../../firmware/protocol/messages.js';
import { CRED_SYNC_STATUS } from '../../firmware/protocol/cred-sync.js';
import { isOutboundChannel, parseTopic, topicFor, type Channel } from '../../firmware/protocol/topics.js';
import { parseOutbound, validateMessage } from '../../firmware/protocol/validate.js';
import type { Profile } from '../../firmware/apps/door-reader/credentials/format.js';
import { ChainVerifier } from '../../scripts/platform/event-chain.js';
import {
  deltaSync, encodeList, snapshotSync, syncCommands, type CredentialInput, type SyncPackage,
} from '../../scripts/platform/credential-encoder.js';
import { doorMask, mintPass as mintPassText, signCommand } from '../../scripts/door/visitor-pass.js';
import { BinLedger } from './bin.js';
import { KioskDesk } from './kiosk.js';
import { OtaDesk, type OtaDeviceOutcome, type OtaJobRecord, type OtaJobRequest, type OtaOptions } from './ota.js';
import type { OtaImage } from '../../scripts/platform/ota-image.js';
import { toCsv } from './csv.js';
import { refuseTransition, TransitionError } from './incidents.js';
import type Database from 'better-sqlite3';
import { openDatabase, type Db } from './store.js';
import { waitForChange } from '../wait-for.js';
import type {
  AlarmRecord, BinEmptying, BinLevel, ChainReport, CommandRecord, ConfigReport, CreditBalance, DepositRecord, CredentialSyncOutcome, DeviceRecord, EventQuery, EventRecord,
  GapRecord, IncidentState, IncidentStep, PassRecord, PassRequestRecord, PlatformChange, PlatformKeys, PlatformListener,
  RepairRecord, RepairStage, ResultRecord, TelemetryPoint, TelemetryReport, TicketRecord,
} from './types.js';
import type { Notice } from '../../firmware/apps/kiosk/screen/inbound.js';
import { keyedHash } from '../../scripts/platform/credential-encoder.js';
import { SETTINGS_COMMAND, settingsDigest, type SettingsChange } from '../../firmware/lifecycle/settings-trial.js';
import { PROVISIONED_EVENT } from '../../firmware/lifecycle/provisioning-code.js';
import { ProvisioningLedger, type AppliedCode } from './provisioning.js';

export type * from './types.js';
export { TransitionError } from './incidents.js';
export { RepairTransitionError, checkKioskEvent } from './kiosk.js';
export type { CredentialInput } from '../../scripts/platform/credential-encoder.js';
export type { Profile } from '../../firmware/apps/door-reader/credentials/format.js';

export interface PlatformOptions {
  /** mqtt://host:port or mqtts://… */
  url: string;
  site: string;
  /** PEM CA (mqtts) and the name the broker's certificate carries when not the URL's host. */
  tls?: { ca: string; serverName?: string };
  /** MQTT user name / password (a broker from `npm run broker:config`: `site.platform`). */
  username?: string;
  password?: string;
  /**
   * Directory for `platform.db` (and `keys.json`); ':memory:' or absent: an in-memory database (tests). A file
   * database keeps every event, incident and result across restarts.
   */
  dataDir?: string;
  /** Site keys; default: `keys.json` in the data dir (hex strings: hashKey, syncKey, passKey, commandKey; passKeyId). */
  keys?: PlatformKeys;
  /**
   * MQTT client id. With a data dir the default is `<site>.platform` (the platform user `npm run broker:config`
   * writes) with a persistent session (cleanSession false), so the broker queues device events while the platform
   * is down and a restart loses none; one such platform per site and broker (a second takes the session over).
   * Without a data dir nothing outlives the process anyway: a unique id and a clean session.
   */
  clientId?: string;
  /** Telemetry points kept per device (default 500). */
  telemetryHistory?: number;
  /** bin.level reports kept per device and compartment (default 2000: weeks of reports). */
  levelHistory?: number;
  /** Doors the visitor passes that kiosks ask for open (default [0]: door 0 of every reader). */
  kioskPassDoors?: readonly number[];
  /** Command TTL (default 30 s) and the retry period with the same reqId (default 3 s), §7.5. */
  commandTtlMs?: number;
  commandRetryMs?: number;
  /** Wall clock (default Date.now). */
  now?: () => number;
}

interface DeviceRow {
  dev: string; site: string; state: string; boot: number | null; conn: number | null; max_boot: number | null;
  epoch: number; model: string | null; fw: string | null; cfg_ver: number | null; reset: string | null;
  hw: string | null; cmds: string | null; insecure: number | null; wake_in: number | null; birth_seq: number | null;
  safe: string | null; resets: string | null; erased_at: number | null;
  status_at: number | null; last_seen: number | null; events: number; duplicates: number; invalid: number;
  health: string | null; cred_version: number | null; last_type: string | null; seq_base: number | null; last_seq?: number | null;
}

interface EventRow {
  id: number; dev: string; epoch: number; seq: number; boot: number; type: string; ts: number; tv: number; up: number;
  ts_corrected: number | null; received_at: number; data: string; payload: string;
}

interface IncidentRow {
  id: number; dev: string; alarm_id: string; cause: string; state: string; raised_at: number; seq: number | null;
  accepted_by: string | null; staff: string | null; eta_min: number | null; resolution: string | null;
  closed_by: string | null; reminders: number; last_ts: number | null; part: number | null; cleared_at: number | null;
}

const OVERDUE_GRACE_MS = 60_000;
/**
 * Commands signed with the site command key (firmware/protocol/signed-command.ts): the argument naming what they
 * act on, and the optional amount that is signed too.
 */
export const SIGNED_COMMANDS: Readonly<Record<string, { target: string; amount?: string }>> = Object.freeze({
  'door.unlock': { target: 'door', amount: 'ms' },
  'door.hold_open': { target: 'door', amount: 'ms' },
  'door.lockdown': { target: 'door', amount: 'ms' },
  'door.normal': { target: 'door', amount: 'ms' },
  'smart-bin.open': { target: 'c', amount: 's' },
  'lifecycle.factory_reset': { target: 'target' },
  'lifecycle.settings': { target: 'target', amount: 'digest' }, // digest: settingsDigest() of the settings
});
const FINAL_INCIDENT_STATES = ['resolved', 'cancelled', 'closed'];

export class ReferencePlatform {
  readonly site: string;
  readonly keys: PlatformKeys | undefined;
  readonly dataDir: string | undefined;
  #options: PlatformOptions;
  #db: Db;
  #statements = new Map<string, Database.Statement>();
  #client: MqttClient | undefined;
  #listeners = new Set<PlatformListener>();
  #chains = new Map<string, { epoch: number; verifier: ChainVerifier }>();
  /** (dev, boot) pairs with tv:false events still waiting for a trusted time of the same boot. */
  #untimed = new Set<string>();
  #waiters = new Map<string, (result: ResultRecord) => void>();
  #steps: Promise<unknown> = Promise.resolve();
  #now: () => number;
  #closed = false;
  #bins: BinLedger;
  #kiosks: KioskDesk;
  #ota: OtaDesk;
  #codes: ProvisioningLedger;

  constructor(options: PlatformOptions) {
    this.#options = options;
    this.site = options.site;
    this.#now = options.now ?? Date.now;
    const memory = options.dataDir === undefined || options.dataDir === ':memory:';
    this.dataDir = memory ? undefined : resolve(options.dataDir!);
    if (this.dataDir) mkdirSync(this.dataDir, { recursive: true });
    this.keys = options.keys ?? (this.dataDir ? readKeysFile(join(this.dataDir, 'keys.json')) : undefined);
    this.#db = openDatabase(this.dataDir ? join(this.dataDir, 'platform.db') : ':memory:');
    this.#bins = new BinLedger((sql) => this.#q(sql), options.levelHistory ?? 2000);
    this.#kiosks = new KioskDesk({
      q: (sql) => this.#q(sql),
      now: () => this.#now(),
      send: (dev, name, args, ttlMs) => this.sendCommand(dev, name, args, { ttlMs }),
      mintPass: (pass) => this.mintPass(pass),
      emit: (change) => this.#emit(change),
      kiosks: () => (this.#q(`SELECT dev FROM devices WHERE cmds LIKE '%"kiosk.notices"%' ORDER BY dev`).all() as { dev: string }[]).map((row) => row.dev),
    }, {
      ...(options.kioskPassDoors ? { passDoors: options.kioskPassDoors } : {}),
      ...(options.commandTtlMs !== undefined ? { commandTtlMs: options.commandTtlMs } : {}),
    });
    this.#ota = new OtaDesk({ send: (dev, name, args, ttlMs) => this.sendCommand(dev, name, args, { ttlMs }), q: (sql) => this.#q(sql), now: () => this.#now() });
    this.#codes = new ProvisioningLedger((sql) => this.#q(sql));
    this.#rebuildChains();
  }

  /** Constructs and starts. */
  static async start(options: PlatformOptions): Promise<ReferencePlatform> {
    const platform = new ReferencePlatform(options);
    try {
      await platform.start();
    } catch (error) {
      platform.#db.close();
      throw error;
    }
    return platform;
  }

  /** Connects and subscribes to the site's device channels; resolves once the subscriptions are in place. */
  async start(): Promise<void> {
    if (this.#client) return;
    const options = this.#options;
    const persistent = this.dataDir !== undefined || options.clientId !== undefined;
    const clientId = options.clientId ?? (persistent ? `${this.site}.platform` : `${this.site}.platform-${randomBytes(4).toString('hex')}`);
    const mqttOptions: IClientOptions = {
      protocolVersion: 4, clientId, clean: !persistent, reconnectPeriod: 1000, connectTimeout: 10_000,
      ...(options.username !== undefined ? { username: options.username } : {}),
      ...(options.password !== undefined ? { password: options.password } : {}),
      ...(options.tls ? { ca: options.tls.ca, rejectUnauthorized: true, ...(options.tls.serverName ? { servername: options.tls.serverName } : {}) } : {}),
    };
    const client = connect(options.url, mqttOptions);
    this.#client = client;
    client.on('message', (topic, payload, packet) => this.#receive(topic, payload, packet.retain));
    const channels: Channel[] = ['status', 'event', 'telemetry', 'result', 'config/reported', 'config/desired'];
    const subscriptions = Object.fromEntries(channels.map((channel) => [`ct/v1/${this.site}/+/${channel}`, { qos: 1 as const }]));
    await new Promise<void>((resolveStart, reject) => {
      const fail = (error: Error) => {
        client.end(true);
        this.#client = undefined;
        reject(new Error(`platform: cannot reach the broker at ${options.url}: ${error.message}`));
      };
      client.once('error', fail);
      client.once('connect', () => {
        client.subscribe(subscriptions, (error) => {
          client.removeListener('error', fail);
          if (error) fail(error);
          else resolveStart();
        });
      });
    });
    client.on('error', () => {}); // mqtt.js reconnects on its own
    this.#ota.resumeInterrupted(); // update jobs a platform stop cut short
  }

  async stop(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#ota.stop();
    const client = this.#client;
    this.#client = undefined;
    if (client) await client.endAsync();
    this.#db.close();
  }

  onChange(listener: PlatformListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves when `predicate` holds (checked now and after every change). */
  waitFor(predicate: (platform: this) => boolean, timeoutMs = 10_000, what = 'condition'): Promise<void> {
    return waitForChange((listener) => this.onChange(listener), () => predicate(this), timeoutMs, `platform: ${what} not met within ${timeoutMs} ms`);
  }

  // ---- queries ----

  devices(): DeviceRecord[] {
    const rows = this.#q(`SELECT d.*, (SELECT MAX(seq) FROM events e WHERE e.dev = d.dev AND e.epoch = d.epoch) AS last_seq
      FROM devices d ORDER BY d.dev`).all() as DeviceRow[];
    return rows.map((row) => this.#deviceRecord(row));
  }

  device(dev: string): DeviceRecord | undefined {
    const row = this.#q(`SELECT d.*, (SELECT MAX(seq) FROM events e WHERE e.dev = d.dev AND e.epoch = d.epoch) AS last_seq
      FROM devices d WHERE d.dev = ?`).get(dev) as DeviceRow | undefined;
    return row ? this.#deviceRecord(row) : undefined;
  }

  events(query: EventQuery = {}): EventRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (query.dev !== undefined) { where.push('dev = ?'); params.push(query.dev); }
    if (query.since !== undefined) { where.push('id > ?'); params.push(query.since); }
    if (query.type !== undefined) {
      if (query.type.endsWith('.')) { where.push('substr(type, 1, ?) = ?'); params.push(query.type.length, query.type); }
      else { where.push('type = ?'); params.push(query.type); }
    }
    const limit = query.limit ?? 500;
    const sql = `SELECT * FROM (SELECT * FROM events ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY id ${query.since !== undefined ? 'ASC' : 'DESC'} LIMIT ?) ORDER BY id`;
    return (this.#q(sql).all(...params, limit) as EventRow[]).map(eventRecord);
  }

  /** Seqs that never arrived, per device and epoch (a jump from n to n + k: n+1 … n+k−1; §6.2). */
  gaps(dev?: string): GapRecord[] {
    // Each event against the one before it in seq order; the first of an epoch against the birth that opened it.
    const rows = this.#q(`SELECT e.dev, e.epoch, COALESCE(e.prev, d.seq_base) + 1 AS first, e.seq - 1 AS last, e.boot FROM (
        SELECT dev, epoch, seq, boot, LAG(seq) OVER (PARTITION BY dev, epoch ORDER BY seq) AS prev FROM events
        ${dev !== undefined ? 'WHERE dev = ?' : ''}
      ) e JOIN devices d ON d.dev = e.dev
      WHERE (e.prev IS NOT NULL OR (d.seq_base IS NOT NULL AND e.epoch = d.epoch)) AND e.seq > COALESCE(e.prev, d.seq_base) + 1
      ORDER BY e.dev, e.epoch, first`).all(...(dev !== undefined ? [dev] : [])) as
      { dev: string; epoch: number; first: number; last: number; boot: number }[];
    return rows.map((row) => ({ dev: row.dev, epoch: row.epoch, from: row.first, to: row.last, count: row.last - row.first + 1, boot: row.boot }));
  }

  /**
   * The access-event chain of the device's current epoch, as received. A new epoch (erased storage, §5.2) starts a
   * new chain, so any finding, a `restart` included, is worth an operator's look: `ok` is false.
   */
  chain(dev: string): ChainReport {
    const chain = this.#chains.get(dev);
    const epoch = chain?.epoch ?? this.#deviceRow(dev)?.epoch ?? 1;
    const findings = chain ? chain.verifier.findings.map((finding) => ({ ...finding })) : [];
    return { dev, epoch, linked: chain?.verifier.linked ?? 0, findings, ok: findings.length === 0 };
  }

  results(dev?: string, limit = 200): ResultRecord[] {
    const rows = this.#q(`SELECT * FROM (SELECT * FROM results ${dev !== undefined ? 'WHERE dev = ?' : ''}
      ORDER BY received_at DESC LIMIT ?) ORDER BY received_at`).all(...(dev !== undefined ? [dev] : []), limit) as ResultDbRow[];
    return rows.map(resultRecord);
  }

  result(dev: string, reqId: string): ResultRecord | undefined {
    const row = this.#q('SELECT * FROM results WHERE dev = ? AND req_id = ?').get(dev, reqId) as ResultDbRow | undefined;
    return row ? resultRecord(row) : undefined;
  }

  commands(dev?: string, limit = 200): CommandRecord[] {
    const rows = this.#q(`SELECT * FROM (SELECT * FROM commands ${dev !== undefined ? 'WHERE dev = ?' : ''}
      ORDER BY sent_at DESC LIMIT ?) ORDER BY sent_at`).all(...(dev !== undefined ? [dev] : []), limit) as
      { dev: string; req_id: string; name: string; args: string | null; exp: number; sent_at: number }[];
    return rows.map((row) => {
      const result = this.result(row.dev, row.req_id);
      return {
        dev: row.dev, reqId: row.req_id, name: row.name, exp: row.exp, sentAt: row.sent_at,
        ...(row.args ? { args: JSON.parse(row.args) as Record<string, unknown> } : {}), ...(result ? { result } : {}),
      };
    });
  }

  /** Incidents, newest first; `open`: only those not closed. */
  alarms(filter: { open?: boolean; dev?: string } = {}): AlarmRecord[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.open) where.push(`state != 'closed'`);
    if (filter.dev !== undefined) { where.push('dev = ?'); params.push(filter.dev); }
    const rows = this.#q(`SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC`).all(...params) as IncidentRow[];
    return rows.map((row) => this.#alarmRecord(row));
  }

  alarm(id: number): AlarmRecord | undefined {
    const row = this.#incidentRow(id);
    return row ? this.#alarmRecord(row) : undefined;
  }

  /** The incident of a device's alarm id. */
  alarmOf(dev: string, alarmId: string): AlarmRecord | undefined {
    const row = this.#q('SELECT * FROM incidents WHERE dev = ? AND alarm_id = ?').get(dev, alarmId) as IncidentRow | undefined;
    return row ? this.#alarmRecord(row) : undefined;
  }

  telemetry(dev: string, limit?: number): TelemetryReport {
    const rows = this.#q(`SELECT * FROM (SELECT at, ts, data, id FROM telemetry WHERE dev = ? ORDER BY id DESC LIMIT ?) ORDER BY id`)
      .all(dev, limit ?? this.#historySize()) as { at: number; ts: number; data: string }[];
    const history = rows.map((row): TelemetryPoint => ({ at: row.at, ts: row.ts, data: JSON.parse(row.data) as Record<string, unknown> }));
    const latest = history.at(-1);
    return { dev, history, ...(latest ? { latest } : {}) };
  }

  config(dev: string): ConfigReport {
    const row = this.#q('SELECT * FROM config WHERE dev = ?').get(dev) as {
      desired_version: number | null; desired: string | null; reported_version: number | null; reported: string | null;
      reported_last: string | null; reported_at: number | null;
    } | undefined;
    const report: ConfigReport = { dev };
    if (row?.desired_version != null && row.desired) report.desired = { version: row.desired_version, config: JSON.parse(row.desired) as Record<string, unknown> };
    if (row?.reported_version != null && row.reported) {
      report.reported = {
        version: row.reported_version, config: JSON.parse(row.reported) as Record<string, unknown>, at: row.reported_at ?? 0,
        ...(row.reported_last ? { last: JSON.parse(row.reported_last) as { version: number; status: string; reason?: string } } : {}),
      };
    }
    return report;
  }

  passes(): PassRecord[] {
    const rows = this.#q('SELECT * FROM passes ORDER BY pass_id').all() as {
      pass_id: number; text: string; doors: string; valid_from: number; valid_to: number; max_uses: number; issued_at: number; note: string | null;
    }[];
    return rows.map((row) => ({
      passId: row.pass_id, text: row.text, doors: JSON.parse(row.doors) as number[], validFrom: row.valid_from, validTo: row.valid_to,
      maxUses: row.max_uses, issuedAt: row.issued_at, ...(row.note ? { note: row.note } : {}),
    }));
  }

  // ---- smart bins ----

  /** Deposits credited, oldest first (one per deposit id, however often it arrived). */
  deposits(filter: { dev?: string; resident?: string } = {}): DepositRecord[] {
    return this.#bins.deposits(filter);
  }

  /** The credits ledger: per resident hash and category, credits, grams and deposits. */
  credits(filter: { resident?: string } = {}): CreditBalance[] {
    return this.#bins.credits(filter);
  }

  /** A bin's level reports, oldest first: one compartment's, or all of them (the fill plot). */
  binLevels(dev: string, c?: number, limit?: number): BinLevel[] {
    return this.#bins.levels(dev, c, limit);
  }

  /** The newest level report of each compartment. */
  latestBinLevels(dev: string): BinLevel[] {
    return this.#bins.latestLevels(dev);
  }

  emptyings(dev: string, c?: number): BinEmptying[] {
    return this.#bins.emptyings(dev, c);
  }

  // ---- CSV ----

  /** Kiosk repair reports, newest first (`open`: not resolved yet). */
  repairs(filter: { dev?: string; open?: boolean; limit?: number } = {}): RepairRecord[] {
    return this.#kiosks.repairs(filter);
  }

  repair(dev: string, ref: string): RepairRecord | undefined {
    return this.#kiosks.repair(dev, ref);
  }

  /** Visitor pass requests from kiosks, oldest first, with the pass minted for each. */
  passRequests(filter: { dev?: string } = {}): PassRequestRecord[] {
    return this.#kiosks.passRequests(filter);
  }

  tickets(filter: { dev?: string } = {}): TicketRecord[] {
    return this.#kiosks.tickets(filter);
  }

  /** The provisioning codes devices said they applied (lifecycle.provisioned), with any reported by a second device. */
  provisioningCodes(): AppliedCode[] {
    return this.#codes.list();
  }

  /**
   * Updates one device's firmware (§18): begin, the chunks (resumed where the device says), apply, each result
   * awaited, then the device's own report once it restarted: applied, or rolled back and why.
   */
  updateFirmware(dev: string, image: OtaImage, options?: OtaOptions): Promise<OtaDeviceOutcome> {
    return this.#ota.update(dev, image, options);
  }

  /** A firmware update job over `devices`: a first stage of `percent`, then the rest; paused past `maxFailures`. */
  startOtaJob(request: OtaJobRequest): string {
    return this.#ota.startJob(request);
  }

  otaJob(id: string): OtaJobRecord | undefined {
    return this.#ota.job(id);
  }

  /** The job once it is paused or done. */
  otaJobSettled(id: string): Promise<OtaJobRecord | undefined> {
    return this.#ota.settled(id);
  }

  /** Continues a paused job with the devices it has not updated yet. */
  resumeOtaJob(id: string): void {
    this.#ota.resumeJob(id);
  }

  /** The notices in force (what every kiosk gets at its birth). */
  notices(): { version: number; notices: Notice[]; publishedAt: number } | undefined {
    return this.#kiosks.notices();
  }

  /** The notice version a kiosk settled since its last birth, and how (`ok`, or `rejected` with the reason). */
  noticesTaken(dev: string): { version: number; code: string; reason?: string } | undefined {
    return this.#kiosks.noticesTaken(dev);
  }

  /** A resident's unit, for repairs filed at "my home": by their card's UID (hashed with the site key) or keyed hash. */
  setResidentUnit(resident: { card: Uint8Array } | { hash: string }, unit: string | null): void {
    this.#kiosks.setResidentUnit('hash' in resident ? resident.hash : this.residentHash(resident.card), unit);
  }

  residentUnit(resident: { card: Uint8Array } | { hash: string }): string | undefined {
    return this.#kiosks.residentUnit('hash' in resident ? resident.hash : this.residentHash(resident.card));
  }

  /** A card's keyed hash (hex), as kiosks (its first 32 digits) and bins (all 64) name the resident. */
  residentHash(card: Uint8Array): string {
    if (!this.keys) throw new Error('resident hashes need the site hash key (keys.hashKey)');
    return Buffer.from(keyedHash(this.keys, 'card', card)).toString('hex');
  }

  depositsCsv(filter: { dev?: string; resident?: string } = {}): string {
    return this.#bins.depositsCsv(filter);
  }

  eventsCsv(query: Omit<EventQuery, 'limit'> & { limit?: number } = {}): string {
    const events = this.events({ limit: Number.MAX_SAFE_INTEGER, ...query });
    return toCsv(['id', 'dev', 'epoch', 'seq', 'boot', 'type', 'ts', 'tv', 'up', 'ts_corrected', 'received_at', 'data'],
      events.map((event) => [event.id, event.dev, event.epoch, event.seq, event.boot, event.type, event.ts, event.tv, event.up,
        event.tsCorrected, event.receivedAt, JSON.stringify(event.data)]));
  }

  alarmsCsv(): string {
    const alarms = this.alarms().reverse();
    const at = (alarm: AlarmRecord, state: IncidentState) => alarm.steps.find((step) => step.state === state)?.at;
    return toCsv(['id', 'dev', 'alarm_id', 'cause', 'state', 'raised_at', 'accepted_at', 'accepted_by', 'dispatched_at', 'staff',
      'eta_min', 'onsite_at', 'resolved_at', 'resolution', 'cancelled_at', 'closed_at', 'closed_by', 'reminders'],
    alarms.map((alarm) => [alarm.id, alarm.dev, alarm.alarmId, alarm.cause, alarm.state, alarm.raisedAt, at(alarm, 'accepted'),
      alarm.acceptedBy, at(alarm, 'dispatched'), alarm.staff, alarm.etaMin, at(alarm, 'onsite'), at(alarm, 'resolved'),
      alarm.resolution, at(alarm, 'cancelled'), at(alarm, 'closed'), alarm.closedBy, alarm.reminders]));
  }

  // ---- operator: alarms ----

  acceptAlarm(id: number, by: string): Promise<AlarmRecord> {
    return this.#step(id, 'accepted', { by, note: `accepted by ${by}` });
  }

  /** Someone is on the way; for a bin's overflow this is the collection (a crew to empty it). */
  dispatch(id: number, staff: string, etaMin?: number): Promise<AlarmRecord> {
    const collection = this.#incidentRow(id)?.cause === 'overflow';
    const note = collection ? `collection: ${staff} on the way` : `${staff} is on the way`;
    return this.#step(id, 'dispatched', { by: staff, note, ...(etaMin !== undefined ? { etaMin } : {}) });
  }

  arrive(id: number, note?: string): Promise<AlarmRecord> {
    const staff = this.#incidentRow(id)?.staff ?? undefined;
    return this.#step(id, 'onsite', { note: note ?? (staff ? `${staff} is here` : 'help is here'), ...(staff ? { by: staff } : {}) });
  }

  resolve(id: number, resolution?: string): Promise<AlarmRecord> {
    return this.#step(id, 'resolved', { note: resolution ?? 'resolved', ...(resolution ? { resolution } : {}) });
  }

  cancel(id: number, reason: string): Promise<AlarmRecord> {
    return this.#step(id, 'cancelled', { note: reason, resolution: reason });
  }

  /** Checked and closed: the platform's last step (nothing new for the device, which shows the final state). */
  close(id: number, by?: string): Promise<AlarmRecord> {
    return this.#step(id, 'closed', { ...(by ? { by } : {}) });
  }

  /** A platform-raised alarm on a device (§9: e.g. an evacuation), with an alarmId the platform chooses. */
  /**
   * Moves a kiosk's repair report one step (accepted → dispatched (to `staff`) → onsite → resolved; resolved also
   * from accepted or dispatched) and shows it on the kiosk: sent now, and at the kiosk's next birth until taken.
   * Throws RepairTransitionError for a step out of order.
   */
  moveRepair(dev: string, ref: string, stage: Exclude<RepairStage, 'submitted'>, details: { by?: string; staff?: string; note?: string } = {}): RepairRecord {
    return this.#kiosks.move(dev, ref, stage, details);
  }

  /**
   * New broker and/or Wi-Fi settings for a device (`lifecycle.settings`, §7.6): signed, with the settings bound by
   * their digest; the device tries them and goes back to its last good ones if they get no CONNACK within 180 s.
   */
  changeSettings(dev: string, change: SettingsChange, options: { ttlMs?: number } = {}): Promise<ResultRecord> {
    const key = this.keys?.commandKey;
    if (!key) throw new Error('lifecycle.settings must be signed: the platform has no command key (keys.commandKey)');
    const digest = settingsDigest((k, data) => new Uint8Array(createHmac('sha256', k).update(data).digest()), key, change);
    return this.sendCommand(dev, SETTINGS_COMMAND, { target: 0, digest, ...change }, options);
  }

  /** Publishes the site's notices to every kiosk (a new version); resolves with what each kiosk answered. */
  publishNotices(notices: readonly Notice[]): Promise<{ version: number; results: { dev: string; code: string; reason?: string }[] }> {
    return this.#kiosks.publishNotices(notices);
  }

  async raiseAlarm(dev: string, note: string, alarmId = `p-${this.#now().toString(36)}-${randomBytes(2).toString('hex')}`): Promise<AlarmRecord> {
    this.#ensureDevice(dev);
    const info = this.#q(`INSERT INTO incidents (dev, alarm_id, cause, state, raised_at) VALUES (?, ?, 'platform', 'raised', ?)`)
      .run(dev, alarmId, this.#now());
    const id = Number(info.lastInsertRowid);
    this.#addStep(id, 'raised', { note });
    await this.#publishAlarm(id, 'raised', { note });
    return this.#emitAlarm(id);
  }

  // ---- operator: config, commands, doors ----

  /**
   * Publishes a new desired configuration (retained, version above any seen), `values` merged over the current
   * desired document unless `replace` (the document is always sent whole, §8).
   */
  async setDesiredConfig(dev: string, values: Record<string, unknown>, options: { replace?: boolean } = {}): Promise<number> {
    this.#ensureDevice(dev);
    const current = this.config(dev);
    const version = Math.max(current.desired?.version ?? 0, current.reported?.version ?? 0) + 1;
    const config = options.replace ? { ...values } : { ...(current.desired?.config ?? current.reported?.config ?? {}), ...values };
    const message: DesiredConfigMessage = { v: PROTOCOL_VERSION, msg: 'config.desired', version, config };
    await this.#publish(dev, 'config/desired', message, true);
    this.#q(`INSERT INTO config (dev, desired_version, desired) VALUES (?, ?, ?)
      ON CONFLICT (dev) DO UPDATE SET desired_version = excluded.desired_version, desired = excluded.desired`).run(dev, version, JSON.stringify(config));
    this.#emit({ kind: 'config', dev });
    return version;
  }

  /**
   * Sends a command and waits for its result, retrying with the same reqId until one arrives or `exp` passes
   * (§7.5). door.unlock / hold_open / lockdown / normal are signed with the site command key (`args.door`
   * required). Throws when no result came before `exp`.
   */
  async sendCommand(dev: string, name: string, args?: Record<string, unknown>, options: { ttlMs?: number; reqId?: string } = {}): Promise<ResultRecord> {
    this.#ensureDevice(dev);
    const reqId = options.reqId ?? `p-${this.#now().toString(36)}-${randomBytes(4).toString('hex')}`;
    const exp = this.#now() + (options.ttlMs ?? this.#options.commandTtlMs ?? 30_000);
    let finalArgs = args;
    const signed = Object.hasOwn(SIGNED_COMMANDS, name) ? SIGNED_COMMANDS[name] : undefined;
    if (signed) {
      const key = this.keys?.commandKey;
      if (!key) throw new Error(`${name} must be signed: the platform has no command key (keys.commandKey)`);
      const target = args?.[signed.target];
      if (typeof target !== 'number' || !Number.isInteger(target)) throw new Error(`${name}: args.${signed.target} (an integer) is required`);
      const amount = signed.amount !== undefined && typeof args?.[signed.amount] === 'number' ? args[signed.amount] as number : undefined;
      finalArgs = { ...args, sig: signCommand(key, name, reqId, exp, target, amount) };
    }
    const command: CommandMessage = { v: PROTOCOL_VERSION, msg: 'command', reqId, name, exp, ...(finalArgs ? { args: finalArgs } : {}) };
    return this.#command(dev, command);
  }

  /**
   * Syncs a credential list to a door (§14.7): asks the door which version it holds, sends a delta from the list
   * the platform last synced to it when that is the version, else a snapshot, chunk by chunk, each after the
   * previous one's result; resumes from `data.next` on "expected chunk k", begins again once on "no sync session".
   */
  async syncCredentials(dev: string, credentials: readonly CredentialInput[], profiles: readonly Profile[],
    options: { recordsPerChunk?: number; ttlMs?: number } = {}): Promise<CredentialSyncOutcome> {
    const keys = this.keys;
    if (!keys) throw new Error('credential sync needs the site keys (hashKey, syncKey)');
    const status = await this.sendCommand(dev, CRED_SYNC_STATUS, {}, options.ttlMs !== undefined ? { ttlMs: options.ttlMs } : {});
    if (status.code !== 'ok') throw new Error(`${dev}: cred.sync.status: ${status.code} ${status.reason ?? ''}`.trim());
    const held = typeof status.data?.version === 'number' ? status.data.version : 0;
    const stored = this.#q('SELECT version, list FROM credential_lists WHERE dev = ?').get(dev) as { version: number; list: string } | undefined;
    const version = Math.max(held, stored?.version ?? 0) + 1;
    const target = encodeList(keys, version, credentials, profiles);
    const sync = `p${version}-${randomBytes(3).toString('hex')}`;
    const chunking = options.recordsPerChunk !== undefined ? { recordsPerChunk: options.recordsPerChunk } : {};
    let pkg: SyncPackage;
    if (stored && stored.version === held && held > 0) {
      const previous = decodeStoredList(stored.list);
      pkg = deltaSync(keys, encodeList(keys, held, previous.credentials, previous.profiles), target, { sync, ...chunking });
    } else {
      pkg = snapshotSync(keys, target, { sync, ...chunking });
    }
    const outcome = await this.#runSync(dev, pkg, options.ttlMs);
    if (outcome.ok) {
      this.#q(`INSERT INTO credential_lists (dev, version, list, synced_at) VALUES (?, ?, ?, ?)
        ON CONFLICT (dev) DO UPDATE SET version = excluded.version, list = excluded.list, synced_at = excluded.synced_at`)
        .run(dev, version, encodeStoredList(credentials, profiles), this.#now());
      this.#q('UPDATE devices SET cred_version = ? WHERE dev = ?').run(version, dev);
      this.#emit({ kind: 'device', dev });
    }
    return outcome;
  }

  /** The credential list last synced to a door by this platform. */
  credentialList(dev: string): { version: number; credentials: CredentialInput[]; profiles: Profile[] } | undefined {
    const stored = this.#q('SELECT version, list FROM credential_lists WHERE dev = ?').get(dev) as { version: number; list: string } | undefined;
    return stored ? { version: stored.version, ...decodeStoredList(stored.list) } : undefined;
  }

  /** Mints a signed visitor pass (the QR text) with the site pass key and records it. Times in seconds. */
  mintPass(options: { doors: readonly number[]; validFrom?: number; validTo?: number; hours?: number; maxUses?: number; passId?: number; note?: string }): PassRecord {
    const key = this.keys?.passKey;
    if (!key) throw new Error('visitor passes need the site pass key (keys.passKey)');
    const validFrom = options.validFrom ?? Math.floor(this.#now() / 1000);
    const validTo = options.validTo ?? validFrom + Math.round((options.hours ?? 4) * 3600);
    const maxUses = options.maxUses ?? 1;
    const last = (this.#q('SELECT MAX(pass_id) AS id FROM passes').get() as { id: number | null }).id ?? 0;
    const passId = options.passId ?? last + 1;
    const text = mintPassText(key, { keyId: this.keys?.passKeyId ?? 0, passId, doors: doorMask(options.doors), validFrom, validTo, maxUses });
    const record: PassRecord = { passId, text, doors: [...options.doors], validFrom, validTo, maxUses, issuedAt: this.#now(), ...(options.note ? { note: options.note } : {}) };
    this.#q('INSERT INTO passes (pass_id, text, doors, valid_from, valid_to, max_uses, issued_at, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
      .run(passId, text, JSON.stringify(record.doors), validFrom, validTo, maxUses, record.issuedAt, options.note ?? null);
    return record;
  }

  /**
   * Decommissioning (§5.2): clears the device's retained topics with empty payloads — status, config/reported,
   * config/desired, alarm — so nobody subscribing later learns a removed device's last state. Its history stays.
   * (A broker from `npm run broker:config` gives the platform user only the platform-to-device topics; there the
   * device-side ones need the broker's administrator.)
   */
  async clearRetained(dev: string): Promise<void> {
    const client = this.#client;
    if (!client) throw new Error('platform: not started');
    for (const channel of ['status', 'config/reported', 'config/desired', 'alarm'] as const) {
      await client.publishAsync(topicFor({ site: this.site, device: dev }, channel), '', { qos: 1, retain: true });
    }
  }

  // ---- receiving ----

  /** One message, handled in one transaction (dedupe, store, gap check and counters together). */
  #receive(topic: string, bytes: Buffer, retained: boolean): void {
    if (this.#closed) return;
    this.#db.transaction(() => this.#handle(topic, bytes, retained))();
  }

  #handle(topic: string, bytes: Buffer, _retained: boolean): void {
    const parsed = parseTopic(topic);
    if (!parsed || parsed.site !== this.site || bytes.length === 0) return;
    if (parsed.channel === 'config/desired') {
      this.#noteDesired(parsed.device, bytes);
      return;
    }
    if (!isOutboundChannel(parsed.channel)) return;
    const dev = parsed.device;
    const row = this.#ensureDevice(dev);
    const payload = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const result = parseOutbound(parsed.channel, payload, dev, row.hw ?? undefined);
    const now = this.#now();
    if (!result.ok) {
      this.#q('UPDATE devices SET invalid = invalid + 1, last_seen = ? WHERE dev = ?').run(now, dev);
      this.#emit({ kind: 'invalid', dev, channel: parsed.channel, error: result.error });
      return;
    }
    this.#q('UPDATE devices SET last_seen = ? WHERE dev = ?').run(now, dev);
    const message = result.message;
    const text = bytes.toString('utf8');
    switch (message.msg) {
      case 'status': this.#onStatus(dev, message); break;
      case 'event': this.#onEvent(dev, message, text); break;
      case 'telemetry': this.#onTelemetry(dev, message); break;
      case 'result': this.#onResult(dev, message); break;
      case 'config.reported': this.#onReported(dev, message); break;
      default: break;
    }
    this.#correctTime(dev, message);
  }

  #onStatus(dev: string, status: StatusMessage): void {
    const row = this.#deviceRow(dev)!;
    const now = this.#now();
    // Stale will / stale status (§5.2): an older (boot, conn) than the last birth changes nothing.
    if (row.boot !== null && status.state !== 'online') {
      const older = status.boot < row.boot || (status.boot === row.boot && (status.conn ?? 0) < (row.conn ?? 0));
      if (older) return;
    }
    if (status.state === 'online') {
      if (row.max_boot !== null && status.boot < row.max_boot) {
        // Storage erased (§5.2): a new event epoch.
        this.#newEpoch(dev, row.epoch + 1, `birth boot ${status.boot} is below ${row.max_boot}: storage erased`);
        this.#q('UPDATE devices SET max_boot = ? WHERE dev = ?').run(status.boot, dev);
      }
      // The first birth of an epoch, before any event of it: its seq is where the stream starts (events after it
      // that never come are a gap too).
      const current = this.#deviceRow(dev)!;
      const none = (this.#q('SELECT 1 FROM events WHERE dev = ? AND epoch = ? LIMIT 1').get(dev, current.epoch)) === undefined;
      if (none && current.seq_base === null && status.seq !== undefined) this.#q('UPDATE devices SET seq_base = ? WHERE dev = ?').run(status.seq, dev);
      this.#q(`UPDATE devices SET state = 'online', boot = ?, conn = ?, max_boot = MAX(COALESCE(max_boot, 0), ?), model = ?, fw = ?,
          cfg_ver = ?, reset = ?, hw = ?, cmds = ?, insecure = ?, birth_seq = ?, safe = ?, resets = ?, wake_in = NULL, status_at = ? WHERE dev = ?`)
        .run(status.boot, status.conn ?? null, status.boot, status.model ?? null, status.fw ?? null, status.cfgVer ?? null,
          status.reset ?? null, status.hw ?? null, status.cmds ? JSON.stringify(status.cmds) : null, status.insecure ? 1 : null,
          status.seq ?? null, status.safe ?? null, status.resets ? JSON.stringify(status.resets) : null, now, dev);
      // A kiosk's birth: the notices and whatever it missed while away (§16.3).
      if (status.cmds?.includes('kiosk.notices')) this.#kiosks.onBirth(dev, status.ts, status.tv);
    } else {
      this.#q(`UPDATE devices SET state = ?, boot = ?, conn = COALESCE(?, conn), max_boot = MAX(COALESCE(max_boot, 0), ?),
          wake_in = ?, status_at = ? WHERE dev = ?`)
        .run(status.state, status.boot, status.conn ?? null, status.boot, status.wakeIn ?? null, now, dev);
    }
    this.#emit({ kind: 'device', dev });
  }

  #onEvent(dev: string, event: EventMessage, payload: string): void {
    let row = this.#deviceRow(dev)!;
    const first = this.#q('SELECT payload FROM events WHERE dev = ? AND epoch = ? AND seq = ?').get(dev, row.epoch, event.seq) as { payload: string } | undefined;
    if (first !== undefined) {
      if (first.payload === payload) {
        this.#q('UPDATE devices SET duplicates = duplicates + 1 WHERE dev = ?').run(dev);
        this.#emit({ kind: 'duplicate', dev, seq: event.seq });
        return;
      }
      // A copy that differs: the device's storage was erased (§6.2).
      this.#newEpoch(dev, row.epoch + 1, `seq ${event.seq} arrived again with different content: storage erased`);
      row = this.#deviceRow(dev)!;
    }
    const epoch = row.epoch;
    const previous = (this.#q('SELECT MAX(seq) AS seq FROM events WHERE dev = ? AND epoch = ?').get(dev, epoch) as { seq: number | null }).seq ?? row.seq_base;
    const now = this.#now();
    const info = this.#q(`INSERT INTO events (dev, epoch, seq, boot, type, ts, tv, up, received_at, data, payload)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(dev, epoch, event.seq, event.boot, event.type, event.ts, event.tv ? 1 : 0,
      event.up, now, JSON.stringify(event.data), payload);
    this.#q('UPDATE devices SET events = events + 1, last_type = ? WHERE dev = ?').run(event.type, dev);
    if (!event.tv) this.#untimed.add(`${dev}\n${event.boot}`);
    const record: EventRecord = {
      id: Number(info.lastInsertRowid), dev, epoch, seq: event.seq, boot: event.boot, type: event.type, data: event.data,
      ts: event.ts, tv: event.tv, up: event.up, receivedAt: now, payload,
    };
    if (previous !== null && event.seq > previous + 1) {
      this.#emit({ kind: 'gap', gap: { dev, epoch, from: previous + 1, to: event.seq - 1, count: event.seq - previous - 1, boot: event.boot } });
    }
    const chain = this.#chainOf(dev, epoch);
    for (const finding of chain.add(payload)) this.#emit({ kind: 'chain', dev, finding });
    this.#emit({ kind: 'event', dev, event: record });
    this.#emit({ kind: 'device', dev });
    this.#onDeviceEvent(dev, event);
  }

  /** What events mean to the platform beyond storing them: incidents, credential versions. */
  #onDeviceEvent(dev: string, event: EventMessage): void {
    const data = event.data;
    if (event.type === 'alarm.raised' || event.type === 'alarm.reminder') {
      const alarmId = data.alarmId;
      if (typeof alarmId !== 'string') return;
      const existing = this.#q('SELECT * FROM incidents WHERE dev = ? AND alarm_id = ?').get(dev, alarmId) as IncidentRow | undefined;
      if (existing) {
        if (event.type === 'alarm.reminder') {
          this.#q('UPDATE incidents SET reminders = reminders + 1 WHERE id = ?').run(existing.id);
          this.#emitAlarm(existing.id);
        }
        return;
      }
      // A new incident (a reminder stands in for a raised event lost in a gap).
      const cause = typeof data.cause === 'string' ? data.cause : 'unknown';
      const part = Number.isInteger(data.c) && (data.c as number) >= 0 && (data.c as number) <= 255 ? data.c as number : null;
      const info = this.#q(`INSERT INTO incidents (dev, alarm_id, cause, state, raised_at, seq, reminders, part) VALUES (?, ?, ?, 'raised', ?, ?, ?, ?)`)
        .run(dev, alarmId, cause, this.#now(), event.type === 'alarm.raised' ? event.seq : null, event.type === 'alarm.reminder' ? 1 : 0, part);
      const id = Number(info.lastInsertRowid);
      this.#addStep(id, 'raised', { note: `${cause} alarm` });
      this.#emitAlarm(id);
      // `raised` acknowledges that the alarm arrived (§9).
      this.#publishAlarm(id, 'raised', {}).catch(() => {});
    } else if (event.type === 'alarm.cleared') {
      const row = typeof data.alarmId === 'string'
        ? this.#q('SELECT * FROM incidents WHERE dev = ? AND alarm_id = ?').get(dev, data.alarmId) as IncidentRow | undefined : undefined;
      if (!row) return; // its alarm.raised never arrived (a gap): nothing to resolve
      const at = Number.isSafeInteger(data.at) && (data.at as number) >= 0 ? data.at as number : event.ts;
      const emptiedAt = Number.isSafeInteger(data.emptiedAt) && (data.emptiedAt as number) >= 0 ? data.emptiedAt as number : undefined;
      this.#clearIncident(row, emptiedAt ?? at, emptiedAt !== undefined ? `emptied ${clock(emptiedAt)}` : `cleared on the device ${clock(at)}`);
    } else if (event.type === 'device.erasing') {
      // Factory reset: the device is about to erase everything and come back unprovisioned (decommissioned).
      this.#q('UPDATE devices SET erased_at = ? WHERE dev = ?').run(this.#now(), dev);
    } else if (event.type === 'credentials.synced' && typeof data.version === 'number') {
      this.#q('UPDATE devices SET cred_version = ? WHERE dev = ?').run(data.version, dev);
    } else if (event.type.startsWith('ota.')) {
      this.#ota.onEvent(dev, event);
    } else if (event.type === PROVISIONED_EVENT) {
      const outcome = this.#codes.onEvent(dev, event, this.#now());
      // A single-use code applied by a second device: leaked or copied (§17). Flagged where operators look.
      if (outcome.kind === 'reused') this.#emit({ kind: 'invalid', dev, channel: 'event', error: `provisioning code ${String(event.data.codeId)} already applied by ${outcome.owner}` });
      else if (outcome.kind === 'invalid') this.#emit({ kind: 'invalid', dev, channel: 'event', error: outcome.error });
      else this.#emit({ kind: 'device', dev }); // the ledger changed: waiters look again
    } else if (event.type.startsWith('kiosk.')) {
      const outcome = this.#kiosks.onEvent(dev, event);
      if (outcome?.kind === 'invalid') this.#emit({ kind: 'invalid', dev, channel: 'event', error: outcome.error });
    } else {
      this.#onBinEvent(dev, event);
    }
  }

  #onBinEvent(dev: string, event: EventMessage): void {
    const outcome = this.#bins.onEvent(dev, event, this.#now());
    if (!outcome) return;
    switch (outcome.kind) {
      case 'invalid':
        // Stored as the event it is; nothing credited or plotted from it.
        this.#emit({ kind: 'invalid', dev, channel: 'event', error: outcome.error });
        break;
      case 'deposit': this.#emit({ kind: 'deposit', dev, deposit: outcome.deposit, credited: outcome.credited }); break;
      case 'level': this.#emit({ kind: 'level', dev, level: outcome.level }); break;
      case 'emptied': {
        const { c, at, fromPct, toPct } = outcome.emptying;
        this.#emit({ kind: 'emptied', dev, emptying: outcome.emptying });
        // Emptied is what an overflow waits for: the collection is done.
        const open = this.#q(`SELECT * FROM incidents WHERE dev = ? AND cause = 'overflow' AND part = ? AND state NOT IN (${FINAL_INCIDENT_STATES.map(() => '?').join(', ')})`)
          .all(dev, c, ...FINAL_INCIDENT_STATES) as IncidentRow[];
        for (const row of open) this.#clearIncident(row, at, `emptied ${clock(at)} (${Math.round(fromPct)} % → ${Math.round(toPct)} %)`);
        break;
      }
    }
  }

  /**
   * A device says the condition behind an incident ended: the time is kept, and an incident not yet final is
   * resolved (whatever step it had reached: an overflow emptied before anyone was dispatched needs no collection),
   * published on the alarm channel so the device stops showing it. The operator still checks and closes it.
   */
  #clearIncident(row: IncidentRow, at: number, note: string): void {
    this.#q('UPDATE incidents SET cleared_at = COALESCE(cleared_at, ?) WHERE id = ?').run(at, row.id);
    this.#emitAlarm(row.id);
    if (FINAL_INCIDENT_STATES.includes(row.state)) return;
    this.#step(row.id, 'resolved', { by: 'device', note, resolution: note, auto: true }).catch(() => {});
  }

  #onTelemetry(dev: string, telemetry: TelemetryMessage): void {
    const now = this.#now();
    this.#q('INSERT INTO telemetry (dev, at, ts, data) VALUES (?, ?, ?, ?)').run(dev, now, telemetry.ts, JSON.stringify(telemetry.data));
    this.#q(`DELETE FROM telemetry WHERE dev = ? AND id <= (SELECT id FROM telemetry WHERE dev = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`)
      .run(dev, dev, this.#historySize());
    const health = this.#deviceRow(dev)?.health;
    const merged = { ...(health ? JSON.parse(health) as Record<string, unknown> : {}), ...telemetry.data };
    this.#q('UPDATE devices SET health = ? WHERE dev = ?').run(JSON.stringify(merged), dev);
    this.#emit({ kind: 'telemetry', dev, point: { at: now, ts: telemetry.ts, data: telemetry.data } });
  }

  #onResult(dev: string, result: ResultMessage): void {
    const now = this.#now();
    const info = this.#q('INSERT OR IGNORE INTO results (dev, req_id, code, reason, data, received_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(dev, result.reqId, result.code, result.reason ?? null, result.data ? JSON.stringify(result.data) : null, now);
    if (info.changes === 0) return; // a duplicate (§7.5: dedupe by (dev, reqId))
    const record: ResultRecord = {
      dev, reqId: result.reqId, code: result.code, receivedAt: now,
      ...(result.reason !== undefined ? { reason: result.reason } : {}), ...(result.data ? { data: result.data } : {}),
    };
    this.#waiters.get(`${dev}\n${result.reqId}`)?.(record);
    this.#emit({ kind: 'result', dev, result: record });
  }

  #onReported(dev: string, reported: ReportedConfigMessage): void {
    this.#q(`INSERT INTO config (dev, reported_version, reported, reported_last, reported_at) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (dev) DO UPDATE SET reported_version = excluded.reported_version, reported = excluded.reported,
      reported_last = excluded.reported_last, reported_at = excluded.reported_at`)
      .run(dev, reported.version, JSON.stringify(reported.config), reported.last ? JSON.stringify(reported.last) : null, this.#now());
    this.#emit({ kind: 'config', dev });
  }

  /** Someone else's (the simulator's) retained desired document: its version is the floor for ours. */
  #noteDesired(dev: string, bytes: Buffer): void {
    const checked = validateMessage(safeJson(bytes.toString('utf8')));
    if (!checked.ok || checked.message.msg !== 'config.desired') return;
    const message = checked.message;
    const current = this.config(dev).desired?.version ?? 0;
    if (message.version <= current) return;
    this.#ensureDevice(dev);
    this.#q(`INSERT INTO config (dev, desired_version, desired) VALUES (?, ?, ?)
      ON CONFLICT (dev) DO UPDATE SET desired_version = excluded.desired_version, desired = excluded.desired`)
      .run(dev, message.version, JSON.stringify(message.config));
    this.#emit({ kind: 'config', dev });
  }

  /** §4: events of a boot stamped without trusted time are placed from the first trusted message of that boot. */
  #correctTime(dev: string, message: OutboundMessage): void {
    if (this.#untimed.size === 0 || !('tv' in message) || message.tv !== true || typeof message.up !== 'number' || typeof message.ts !== 'number') return;
    const boot = message.msg === 'event' || message.msg === 'status' ? message.boot : this.#deviceRow(dev)?.boot;
    if (boot == null) return;
    const key = `${dev}\n${boot}`;
    if (!this.#untimed.has(key)) return;
    this.#untimed.delete(key);
    this.#q('UPDATE events SET ts_corrected = ? - (? - up) WHERE dev = ? AND boot = ? AND tv = 0 AND ts_corrected IS NULL AND up <= ?')
      .run(message.ts, message.up, dev, boot, message.up);
  }

  // ---- sending ----

  async #publish(dev: string, channel: 'command' | 'config/desired' | 'alarm', message: CommandMessage | DesiredConfigMessage | AlarmUpdateMessage, retain: boolean): Promise<void> {
    const checked = validateMessage(message);
    if (!checked.ok) throw new Error(`refusing to send an invalid ${message.msg}: ${checked.error}`);
    const client = this.#client;
    if (!client) throw new Error('platform: not started');
    await client.publishAsync(topicFor({ site: this.site, device: dev }, channel), JSON.stringify(message), { qos: 1, retain });
  }

  async #command(dev: string, command: CommandMessage): Promise<ResultRecord> {
    const known = this.result(dev, command.reqId);
    if (known) return known;
    this.#q('INSERT OR IGNORE INTO commands (dev, req_id, name, args, exp, sent_at) VALUES (?, ?, ?, ?, ?, ?)')
      .run(dev, command.reqId, command.name, command.args ? JSON.stringify(command.args) : null, command.exp, this.#now());
    const key = `${dev}\n${command.reqId}`;
    const retryMs = this.#options.commandRetryMs ?? 3000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await new Promise<ResultRecord>((resolveResult, reject) => {
        this.#waiters.set(key, resolveResult);
        const send = () => {
          if (this.#closed) { reject(new Error('platform stopped')); return; }
          const left = command.exp - this.#now();
          if (left <= 0) { reject(new Error(`${dev}: no result for ${command.name} (${command.reqId}) before it expired`)); return; }
          this.#publish(dev, 'command', command, false).catch(() => {});
          timer = setTimeout(send, Math.min(retryMs, left + 1));
        };
        send();
      });
    } finally {
      clearTimeout(timer);
      this.#waiters.delete(key);
    }
  }

  async #runSync(dev: string, pkg: SyncPackage, ttlMs?: number): Promise<CredentialSyncOutcome> {
    const ttl = ttlMs ?? 60_000;
    const outcome = (ok: boolean, result: ResultRecord | undefined): CredentialSyncOutcome =>
      ({ dev, sync: pkg.begin.sync, kind: pkg.begin.kind, version: pkg.begin.version, ok, result, chunks: pkg.chunks.length });
    let attempt = 0;
    for (let begins = 0; begins < 2; begins++) {
      const commands = syncCommands(pkg, { exp: this.#now() + ttl, reqIdPrefix: `${pkg.begin.sync}.${attempt++}` });
      const begin = await this.#command(dev, commands[0]!);
      if (begin.code !== 'ok') return outcome(false, begin);
      if (begin.data?.current === true) return outcome(true, begin);
      let next = typeof begin.data?.next === 'number' ? begin.data.next : 0;
      let last: ResultRecord = begin;
      let restart = false;
      while (next < pkg.chunks.length) {
        const chunk = commands[next + 1]!;
        last = await this.#command(dev, { ...chunk, exp: this.#now() + ttl });
        if (last.code === 'ok') {
          if (last.data?.done === true) return outcome(true, last);
          next = typeof last.data?.next === 'number' ? last.data.next : next + 1;
        } else if (last.code === 'rejected' && typeof last.data?.next === 'number' && last.data.next < pkg.chunks.length) {
          next = last.data.next; // "expected chunk k": send from k
          // The same reqId would only repeat this answer; resend under new reqIds from here.
          for (let i = next; i < pkg.chunks.length; i++) commands[i + 1] = { ...commands[i + 1]!, reqId: `${commands[i + 1]!.reqId}.r${attempt}` };
          attempt++;
        } else if (last.code === 'rejected' && /no sync session/i.test(last.reason ?? '')) {
          restart = true;
          break;
        } else {
          return outcome(false, last);
        }
      }
      if (!restart) return outcome(last.code === 'ok', last);
    }
    return outcome(false, undefined);
  }

  /**
   * Operator steps run one after another (a double click, or accept and dispatch fired together, are checked
   * against the state the step before left, not against the state both started from).
   */
  #step(id: number, state: IncidentState, details: StepDetails): Promise<AlarmRecord> {
    const run = this.#steps.then(() => this.#stepNow(id, state, details));
    this.#steps = run.catch(() => {});
    return run;
  }

  async #stepNow(id: number, state: IncidentState, details: StepDetails): Promise<AlarmRecord> {
    if (this.#closed) throw new Error('platform stopped');
    const row = this.#incidentRow(id);
    if (!row) throw new TransitionError(id, 'no such alarm');
    const refusal = details.auto && state === 'resolved'
      ? (FINAL_INCIDENT_STATES.includes(row.state) ? `the alarm is already ${row.state}` : undefined)
      : refuseTransition(row.state as IncidentState, state);
    if (refusal) throw new TransitionError(id, refusal);
    if (state !== 'closed') {
      await this.#publishAlarm(id, state, {
        ...(details.note ? { note: details.note } : {}), ...(details.etaMin !== undefined ? { etaMin: details.etaMin } : {}),
      });
    }
    const sets: string[] = ['state = ?'];
    const params: unknown[] = [state];
    if (state === 'accepted') { sets.push('accepted_by = ?'); params.push(details.by ?? null); }
    if (state === 'dispatched') { sets.push('staff = ?', 'eta_min = ?'); params.push(details.by ?? null, details.etaMin ?? null); }
    if (state === 'resolved' || state === 'cancelled') { sets.push('resolution = ?'); params.push(details.resolution ?? null); }
    if (state === 'closed') { sets.push('closed_by = ?'); params.push(details.by ?? null); }
    this.#q(`UPDATE incidents SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    this.#addStep(id, state, details);
    return this.#emitAlarm(id);
  }

  /** Publishes `state` on the device's alarm topic (retained, QoS 1), with a ts newer than the last one sent. */
  async #publishAlarm(id: number, state: AlarmUpdateMessage['state'], extra: { note?: string; etaMin?: number }): Promise<void> {
    const row = this.#incidentRow(id)!;
    const ts = Math.max(this.#now(), (row.last_ts ?? 0) + 1);
    this.#q('UPDATE incidents SET last_ts = ? WHERE id = ?').run(ts, id);
    const message: AlarmUpdateMessage = {
      v: PROTOCOL_VERSION, msg: 'alarm', alarmId: row.alarm_id, state, ts,
      ...(extra.note ? { note: [...extra.note].slice(0, 140).join('') } : {}),
      ...(extra.etaMin !== undefined && state === 'dispatched' ? { etaMin: extra.etaMin } : {}),
    };
    await this.#publish(row.dev, 'alarm', message, true);
  }

  // ---- helpers ----

  #emit(change: PlatformChange): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(change);
      } catch {
        // a listener's failure is its own
      }
    }
  }

  #emitAlarm(id: number): AlarmRecord {
    const alarm = this.alarm(id)!;
    this.#emit({ kind: 'alarm', alarm });
    return alarm;
  }

  #addStep(id: number, state: IncidentState, details: { by?: string; note?: string }): void {
    this.#q('INSERT INTO incident_steps (incident, state, at, by, note) VALUES (?, ?, ?, ?, ?)')
      .run(id, state, this.#now(), details.by ?? null, details.note ?? null);
  }

  #incidentRow(id: number): IncidentRow | undefined {
    return this.#q('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined;
  }

  #alarmRecord(row: IncidentRow): AlarmRecord {
    const steps = (this.#q('SELECT state, at, by, note FROM incident_steps WHERE incident = ? ORDER BY rowid').all(row.id) as
      { state: string; at: number; by: string | null; note: string | null }[]).map((step): IncidentStep => ({
      state: step.state as IncidentState, at: step.at, ...(step.by ? { by: step.by } : {}), ...(step.note ? { note: step.note } : {}),
    }));
    return {
      id: row.id, dev: row.dev, alarmId: row.alarm_id, cause: row.cause, state: row.state as IncidentState, raisedAt: row.raised_at,
      reminders: row.reminders, steps,
      ...(row.seq !== null ? { seq: row.seq } : {}), ...(row.accepted_by ? { acceptedBy: row.accepted_by } : {}),
      ...(row.staff ? { staff: row.staff } : {}), ...(row.eta_min !== null ? { etaMin: row.eta_min } : {}),
      ...(row.resolution ? { resolution: row.resolution } : {}), ...(row.closed_by ? { closedBy: row.closed_by } : {}),
      ...(row.last_ts !== null ? { lastTs: row.last_ts } : {}),
      ...(row.part !== null ? { c: row.part } : {}), ...(row.cleared_at !== null ? { clearedAt: row.cleared_at } : {}),
    };
  }

  #deviceRow(dev: string): DeviceRow | undefined {
    return this.#q('SELECT * FROM devices WHERE dev = ?').get(dev) as DeviceRow | undefined;
  }

  #ensureDevice(dev: string): DeviceRow {
    const row = this.#deviceRow(dev);
    if (row) return row;
    this.#q('INSERT INTO devices (dev, site) VALUES (?, ?)').run(dev, this.site);
    return this.#deviceRow(dev)!;
  }

  #deviceRecord(row: DeviceRow): DeviceRecord {
    let state = row.state as DeviceRecord['state'];
    if (state === 'sleeping' && row.wake_in !== null && row.status_at !== null) {
      const grace = Math.max(OVERDUE_GRACE_MS, row.wake_in * 100);
      if (this.#now() > row.status_at + row.wake_in * 1000 + grace) state = 'overdue';
    }
    const lastSeq = row.last_seq ?? undefined;
    return {
      dev: row.dev, site: row.site, state, epoch: row.epoch, events: row.events, duplicates: row.duplicates, invalid: row.invalid,
      pending: row.birth_seq !== null ? Math.max(0, row.birth_seq - (lastSeq ?? 0)) : 0,
      ...(row.boot !== null ? { boot: row.boot } : {}), ...(row.conn !== null ? { conn: row.conn } : {}),
      ...(row.model !== null ? { model: row.model } : {}), ...(row.fw !== null ? { fw: row.fw } : {}),
      ...(row.cfg_ver !== null ? { cfgVer: row.cfg_ver } : {}), ...(row.reset !== null ? { reset: row.reset } : {}),
      ...(row.hw !== null ? { hw: row.hw } : {}), ...(row.cmds !== null ? { cmds: JSON.parse(row.cmds) as string[] } : {}),
      ...(row.insecure ? { insecure: true } : {}), ...(row.wake_in !== null ? { wakeIn: row.wake_in } : {}),
      ...(row.safe !== null ? { safe: row.safe, resets: row.resets ? JSON.parse(row.resets) as string[] : [] } : {}),
      ...(row.erased_at !== null ? { erasedAt: row.erased_at } : {}),
      ...(row.birth_seq !== null ? { birthSeq: row.birth_seq } : {}), ...(lastSeq !== undefined ? { lastSeq } : {}),
      ...(row.last_type !== null ? { lastEventType: row.last_type } : {}), ...(row.last_seen !== null ? { lastSeen: row.last_seen } : {}),
      ...(row.status_at !== null ? { statusAt: row.status_at } : {}),
      ...(row.health !== null ? { health: JSON.parse(row.health) as Record<string, unknown> } : {}),
    };
  }

  #newEpoch(dev: string, epoch: number, why: string): void {
    this.#q('UPDATE devices SET epoch = ?, birth_seq = NULL, seq_base = NULL WHERE dev = ?').run(epoch, dev);
    this.#chains.set(dev, { epoch, verifier: new ChainVerifier() });
    this.#emit({ kind: 'epoch', dev, epoch, why });
  }

  #chainOf(dev: string, epoch: number): ChainVerifier {
    let chain = this.#chains.get(dev);
    if (!chain || chain.epoch !== epoch) {
      chain = { epoch, verifier: new ChainVerifier() };
      this.#chains.set(dev, chain);
    }
    return chain.verifier;
  }

  /** After a restart: the chain of each device's current epoch, fed again in arrival order. */
  #rebuildChains(): void {
    const devices = this.#q('SELECT dev, epoch FROM devices').all() as { dev: string; epoch: number }[];
    const select = this.#q('SELECT payload FROM events WHERE dev = ? AND epoch = ? ORDER BY id');
    for (const { dev, epoch } of devices) {
      const verifier = this.#chainOf(dev, epoch);
      for (const row of select.iterate(dev, epoch) as Iterable<{ payload: string }>) verifier.add(row.payload);
    }
  }

  /** A prepared statement, compiled once per SQL text. */
  #q(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #historySize(): number {
    return this.#options.telemetryHistory ?? 500;
  }
}

interface StepDetails {
  by?: string;
  note?: string;
  etaMin?: number;
  resolution?: string;
  /** Resolved because the device said its condition ended: allowed from any state that is not final. */
  auto?: boolean;
}

/** A device time for an operator's note: `2026-12-06 14:05 UTC`. */
function clock(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

interface ResultDbRow { dev: string; req_id: string; code: string; reason: string | null; data: string | null; received_at: number }

function resultRecord(row: ResultDbRow): ResultRecord {
  return {
    dev: row.dev, reqId: row.req_id, code: row.code as ResultRecord['code'], receivedAt: row.received_at,
    ...(row.reason !== null ? { reason: row.reason } : {}), ...(row.data !== null ? { data: JSON.parse(row.data) as Record<string, unknown> } : {}),
  };
}

function eventRecord(row: EventRow): EventRecord {
  return {
    id: row.id, dev: row.dev, epoch: row.epoch, seq: row.seq, boot: row.boot, type: row.type,
    data: JSON.parse(row.data) as Record<string, unknown>, ts: row.ts, tv: row.tv === 1, up: row.up,
    receivedAt: row.received_at, payload: row.payload, ...(row.ts_corrected !== null ? { tsCorrected: row.ts_corrected } : {}),
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** Credential lists as stored: secrets that are bytes become `{ hex }`. */
function encodeStoredList(credentials: readonly CredentialInput[], profiles: readonly Profile[]): string {
  return JSON.stringify({ credentials, profiles }, (_key, value: unknown) => (value instanceof Uint8Array ? { hex: Buffer.from(value).toString('hex') } : value));
}

function decodeStoredList(text: string): { credentials: CredentialInput[]; profiles: Profile[] } {
  return JSON.parse(text, (_key, value: unknown) => {
    if (value !== null && typeof value === 'object' && Object.keys(value).length === 1 && typeof (value as { hex?: unknown }).hex === 'string') {
      return new Uint8Array(Buffer.from((value as { hex: string }).hex, 'hex'));
    }
    return value;
  }) as { credentials: CredentialInput[]; profiles: Profile[] };
}

/** keys.json: `{ "hashKey": hex, "syncKey": hex, "passKey": hex, "passKeyId": n, "commandKey": hex }`. */
export function readKeysFile(file: string): PlatformKeys | undefined {
  if (!existsSync(file)) return undefined;
  const raw = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  const hex = (name: string, required: boolean): Uint8Array | undefined => {
    const value = raw[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || !/^[0-9a-fA-F]{64}$/.test(value)) throw new Error(`${file}: ${name}: expected 64 hex digits (32 bytes)`);
    return new Uint8Array(Buffer.from(value, 'hex'));
  };
  const passKey = hex('passKey', false);
  const commandKey = hex('commandKey', false);
  return {
    hashKey: hex('hashKey', true)!, syncKey: hex('syncKey', true)!,
    ...(passKey ? { passKey } : {}), ...(commandKey ? { commandKey } : {}),
    ...(typeof raw.passKeyId === 'number' ? { passKeyId: raw.passKeyId } : {}),
  };
}

/** keys.json text for `keys` (what readKeysFile reads). */
export function keysFileText(keys: PlatformKeys): string {
  const hex = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('hex') : undefined);
  return `${JSON.stringify({
    hashKey: hex(keys.hashKey), syncKey: hex(keys.syncKey), passKey: hex(keys.passKey), passKeyId: keys.passKeyId, commandKey: hex(keys.commandKey),
  }, null, 2)}\n`;
}

