// The reference platform's public shapes (simulator/platform/platform.ts): what its queries return and its
// listeners receive. Stable: the dashboard, the load test's consumer and the platform CLI build on them.
import type { AlarmState, DeviceState, ResultCode } from '../../firmware/protocol/messages.js';
import type { ReportStage } from '../../firmware/apps/kiosk/screen/catalogue.js';

/** Site keys the platform signs and hashes with (docs/protocol.md §11, §14.4; docs/door-reader.md §3, §6). */
export interface PlatformKeys {
  /** Credential hash key (keyed hashes of card UIDs, PINs, QR texts). */
  hashKey: Uint8Array;
  /** Credential sync key (manifest MACs). */
  syncKey: Uint8Array;
  /** Visitor pass key and its id. */
  passKey?: Uint8Array;
  passKeyId?: number;
  /** Command key (door.* and smart-bin.open signatures). */
  commandKey?: Uint8Array;
}

export interface DeviceRecord {
  dev: string;
  site: string;
  /** From the newest status that is not stale (§5.2); 'overdue' = a sleeper past wakeIn + grace. */
  state: DeviceState | 'overdue' | 'unknown';
  boot?: number;
  conn?: number;
  model?: string;
  fw?: string;
  cfgVer?: number;
  reset?: string;
  hw?: string;
  cmds?: string[];
  insecure?: boolean;
  /** Its last birth said safe mode, and why (firmware/lifecycle/boot-guard.ts), with the abnormal resets it remembers. */
  safe?: string;
  resets?: string[];
  /** When it said `device.erasing` (a factory reset): it comes back unprovisioned. */
  erasedAt?: number;
  wakeIn?: number;
  /** The birth's `seq`: the last event the device had assigned when it came online. */
  birthSeq?: number;
  /** Highest event seq received in the current epoch. */
  lastSeq?: number;
  /** Events the birth announced that have not arrived yet (birthSeq − lastSeq, ≥ 0). */
  pending: number;
  /** Event epoch (§5.2, §6.2): starts at 1, a new one when the device's storage was erased. */
  epoch: number;
  lastEventType?: string;
  /** Host ms of the newest message, of the status change. */
  lastSeen?: number;
  statusAt?: number;
  events: number;
  duplicates: number;
  invalid: number;
  /** Last health telemetry's data. */
  health?: Record<string, unknown>;
}

export interface EventRecord {
  /** Arrival order (database row id). */
  id: number;
  dev: string;
  epoch: number;
  seq: number;
  boot: number;
  type: string;
  data: Record<string, unknown>;
  /** Device time block; `tsCorrected` per §4 when `tv` was false and a later trusted message of the boot placed it. */
  ts: number;
  tv: boolean;
  up: number;
  tsCorrected?: number;
  /** Host ms when the first copy arrived. */
  receivedAt: number;
  /** The payload as received (the chain's links are over these bytes). */
  payload: string;
}

export interface EventQuery {
  dev?: string;
  /** Events with id (arrival order) greater than this. */
  since?: number;
  /** Only this type, or types starting with `prefix.` when it ends with '.'. */
  type?: string;
  /** Newest first when set, else oldest first. Default 500 newest, returned oldest first. */
  limit?: number;
}

export interface GapRecord {
  dev: string;
  epoch: number;
  /** The seqs that never arrived: from … to inclusive. */
  from: number;
  to: number;
  count: number;
  /** The boot of the event after the gap. */
  boot: number;
}

export interface ChainReport {
  dev: string;
  epoch: number;
  /** Chained events that linked to the previous one. */
  linked: number;
  /** break / gap / restart / conflict, as scripts/platform/event-chain.ts defines them. */
  findings: { kind: 'break' | 'gap' | 'restart' | 'conflict'; seq: number; missing?: number[] }[];
  ok: boolean;
}

export interface ResultRecord {
  dev: string;
  reqId: string;
  code: ResultCode;
  reason?: string;
  data?: Record<string, unknown>;
  receivedAt: number;
}

export interface CommandRecord {
  dev: string;
  reqId: string;
  name: string;
  args?: Record<string, unknown>;
  exp: number;
  sentAt: number;
  result?: ResultRecord;
}

/** Platform-side incident states: the device's alarm states, then `closed` (checked and closed, platform only). */
export type IncidentState = AlarmState | 'closed';

export interface IncidentStep {
  state: IncidentState;
  at: number;
  by?: string;
  note?: string;
}

export interface AlarmRecord {
  /** Incident id (database row id). */
  id: number;
  dev: string;
  alarmId: string;
  /** From the alarm.raised event: `button`, `fall`, … ('platform' for one the platform raised). */
  cause: string;
  state: IncidentState;
  raisedAt: number;
  /** The seq of the alarm.raised event (absent for a platform-raised alarm). */
  seq?: number;
  acceptedBy?: string;
  staff?: string;
  etaMin?: number;
  resolution?: string;
  closedBy?: string;
  reminders: number;
  /** The `ts` of the last update published on the device's `alarm` topic. */
  lastTs?: number;
  steps: IncidentStep[];
  /** The part it concerns (a bin's compartment), from alarm.raised's `c`. */
  c?: number;
  /** Device wall time its condition ended (alarm.cleared's `at`, or bin.emptied's for an overflow). */
  clearedAt?: number;
}

/** A deposit credited by the platform: one per (dev, id), whatever the copies. */
export interface DepositRecord {
  dev: string;
  /** `<dev>.<n>`, stable across the device's retries and power cuts. */
  id: string;
  c: number;
  category: string;
  grams: number;
  credits: number;
  /** The resident's keyed hash (64 hex), never a card number. */
  resident: string;
  via: 'card' | 'qr';
  /** Device wall time of the deposit, when it knew the time. */
  at?: number;
  /** The seq of the event that credited it. */
  seq: number;
  receivedAt: number;
}

/** The ledger: one row per resident and category. */
export interface CreditBalance {
  resident: string;
  category: string;
  credits: number;
  grams: number;
  deposits: number;
}

/** One bin.level report of a compartment (the whole event data in `data`). */
export interface BinLevel {
  dev: string;
  c: number;
  category?: string;
  fillPct?: number;
  status: 'ok' | 'blind' | 'fault';
  full?: boolean;
  why?: string;
  /** Device time of the event, host time it arrived. */
  ts: number;
  receivedAt: number;
  data: Record<string, unknown>;
}

export interface BinEmptying {
  dev: string;
  c: number;
  category?: string;
  at: number;
  fromPct: number;
  toPct: number;
  receivedAt: number;
}

export interface TelemetryPoint {
  at: number;
  ts: number;
  data: Record<string, unknown>;
}

export interface TelemetryReport {
  dev: string;
  latest?: TelemetryPoint;
  /** Oldest first; bounded per device (PlatformOptions.telemetryHistory). */
  history: TelemetryPoint[];
}

export interface ConfigReport {
  dev: string;
  desired?: { version: number; config: Record<string, unknown> };
  reported?: { version: number; config: Record<string, unknown>; last?: { version: number; status: string; reason?: string }; at: number };
}

export interface PassRecord {
  passId: number;
  text: string;
  doors: number[];
  validFrom: number;
  validTo: number;
  maxUses: number;
  issuedAt: number;
  note?: string;
}

/** A kiosk repair report's progress (docs/protocol.md §16.2). */
export type RepairStage = ReportStage;

export interface RepairRecord {
  dev: string;
  /** The kiosk's ref: unique per kiosk. */
  ref: string;
  category: string;
  /** As filed: `loc.*`, `loc.home` or `unit:<unit>`. */
  location: string;
  /** The unit: from `unit:<unit>`, or for `loc.home` from the resident register; absent when not known. */
  unit?: string;
  phrase: string;
  /** Absent when filed without a card (nobody can follow it on a kiosk). */
  resident?: string;
  stage: RepairStage;
  staff?: string;
  /** 1–5, once, after it was resolved. */
  stars?: number;
  /** The last stage the kiosk took; when it differs from `stage`, the kiosk gets it at its next birth. */
  shown?: RepairStage;
  /** The kiosk refused a stage (it no longer holds the report): not sent again. */
  deliveryError?: string;
  /** Device time filed, and the platform's. */
  ts: number;
  seq: number;
  filedAt: number;
  steps: { stage: RepairStage; at: number; by?: string; note?: string }[];
}

export interface PassRequestRecord {
  dev: string;
  ref: string;
  resident: string;
  visitors: number;
  hours: number;
  ts: number;
  requestedAt: number;
  /** The pass minted for it (PassRecord.passId) and its QR text. */
  passId?: number;
  payload?: string;
  /** The kiosk took the pass. */
  delivered: boolean;
  /** Why no pass reached the kiosk (no pass key, or the kiosk refused it). */
  deliveryError?: string;
}

export interface TicketRecord {
  dev: string;
  number: number;
  printed: boolean;
  ts: number;
  receivedAt: number;
}

export interface CredentialSyncOutcome {
  dev: string;
  sync: string;
  kind: 'snapshot' | 'delta';
  version: number;
  /** `ok` when the device switched to the list (or already had it). */
  ok: boolean;
  /** The last result (the summary on success, the refusal otherwise). */
  result: ResultRecord | undefined;
  chunks: number;
}

export type PlatformChange =
  | { kind: 'device'; dev: string }
  | { kind: 'event'; dev: string; event: EventRecord }
  | { kind: 'duplicate'; dev: string; seq: number }
  | { kind: 'gap'; gap: GapRecord }
  | { kind: 'chain'; dev: string; finding: ChainReport['findings'][number] }
  | { kind: 'epoch'; dev: string; epoch: number; why: string }
  | { kind: 'result'; dev: string; result: ResultRecord }
  | { kind: 'telemetry'; dev: string; point: TelemetryPoint }
  | { kind: 'config'; dev: string }
  | { kind: 'alarm'; alarm: AlarmRecord }
  | { kind: 'deposit'; dev: string; deposit: DepositRecord; credited: boolean }
  | { kind: 'level'; dev: string; level: BinLevel }
  | { kind: 'emptied'; dev: string; emptying: BinEmptying }
  | { kind: 'invalid'; dev: string; channel: string; error: string }
  | { kind: 'repair'; dev: string; repair: RepairRecord }
  | { kind: 'pass_request'; dev: string; request: PassRequestRecord }
  | { kind: 'ticket'; dev: string; ticket: TicketRecord }
  /** New notices published (no `dev`), or a kiosk settled a version (`dev`). */
  | { kind: 'notices'; version: number; dev?: string };

export type PlatformListener = (change: PlatformChange) => void;
