// What crosses the dashboard's WebSocket, both ways: shared by the server (Node) and the client (browser), so it
// imports nothing but the kiosk view's type (engine-neutral firmware).
import type { KioskView } from '../../firmware/apps/kiosk/screen/machine.js';

/** One device in the fleet view (short keys: 5,000 of them cross the socket). */
export interface FleetRow {
  /** Device number (the terminal's N). */
  i: number;
  id: string;
  kind: string;
  /** Inside the device: runtime state, "rebooting", "deep-sleep"... */
  state: string;
  /** What the platform sees: online/offline/... from the newest status. */
  status: string;
  net: boolean;
  /** Last event, "type #seq". */
  last: string;
  /** Health in a few words: outbox depth, reconnects, bad messages. */
  health: string;
  /** The kind's live world state ("locked · door shut"). */
  world: string;
  /** A sorting station: each compartment's reported fill ("#0 42% · #1 87% FULL"). */
  fill?: string;
}

/** Where fleet rows come from: the simulator, or a synthetic feed in tests. */
export interface FleetSource {
  rows(): FleetRow[];
}

export interface StreamEvent {
  dev: string;
  seq: number;
  boot: number;
  type: string;
  /** Device uptime (ms) when made. */
  up?: number;
  data: Record<string, unknown>;
  /** Host time it arrived (ms). */
  at: number;
  /** Missing seqs just before this one (a drop-oldest gap or a loss), as [first, last]. */
  gap?: [number, number];
  /** A retransmission of a (dev, seq) already seen. */
  dup?: boolean;
}

/** An acceleration trace the SOS button was given, and the alert it raised, for the device page's plot. */
export interface MotionPlot {
  id: string;
  fall: boolean;
  hz: number;
  /** Interleaved x, y, z, milli-g. */
  samples: number[];
  /** Device uptime (ms) when the trace started, on boot `boot`. */
  startUp: number;
  boot: number;
  /** Seconds after the trace started when the detector saw a fall (its cancel window opened), if it did. */
  detectS?: number;
  /** Seconds after the trace started when the alarm was raised (alarm.raised), if it was. */
  alertS?: number;
  alertType?: string;
}

export interface DeviceDetail {
  i: number;
  id: string;
  kind: string;
  state: string;
  status: string;
  net: boolean;
  queued?: number;
  boots: number;
  world: string;
  /** The kind's own commands: verb → [args, help]. */
  commands: Record<string, [string, string]>;
  door?: { number: number; open: boolean; unlocked: boolean; mode: string; awaitingPin: boolean; alarms: string[]; cards: string[]; lastDecision?: string };
  sos?: { alarm?: Record<string, unknown>; window?: Record<string, unknown>; batteryMv: number; batteryPct?: number; showing?: string; buttonDown: boolean };
  bin?: BinDetail;
  kiosk?: KioskDetail;
  events: StreamEvent[];
  plot?: MotionPlot;
  /** What the reference platform holds for this device (absent: no platform). */
  platform?: DevicePlatform;
}

/** A kiosk's page: its screen as the app last rendered it (null before the first), printer and speech. */
export interface KioskDetail {
  view: KioskView | null;
  cards: string[];
  /** Receipts cut since the simulator started; the newest few as lines of text. */
  printed: number;
  receipts: string[][];
  /** What the kiosk said, newest last. */
  spoken: string[];
  paperOut: boolean;
  coverOpen: boolean;
}

/** A sorting station's page: each compartment as the world has it beside what the station reports. */
export interface BinDetail {
  compartments: BinCompartmentDetail[];
  /** The station's thresholds, %: full from highPct, empty below lowPct, the overflow alarm from overflowPct. */
  highPct: number;
  lowPct: number;
  overflowPct?: number;
  /** The world's air temperature (°C), tilt (° from upright) and battery (mV). */
  celsius: number;
  tiltDeg: number;
  batteryMv: number;
  /** What the station's watch last read. */
  stationC?: number;
  stationTiltDeg?: number;
  alarms: { key: string; cause: string; state: string; c?: number; cleared?: boolean }[];
  /** The LED/buzzer indication playing, and the speaker's last clips (newest last). */
  showing: string;
  prompts: string[];
  /** Residents: the demo cards (NFC) and QR codes. */
  cards: string[];
  qr: string[];
  /** Deposits credited and refused since boot. */
  credited: number;
  refused: number;
  history: FillHistory;
}

export interface BinCompartmentDetail {
  c: number;
  category: string;
  /** The world: fill % (the heap's peak over the visible depth) and the mass on the load cell, g. */
  truePct: number;
  grams: number;
  /** The station: its last accepted fill % (none yet: absent) and its flags. */
  reportedPct?: number;
  full: boolean;
  empty: boolean;
  sensor: string;
  lid: string;
  lidDeg: number;
  obstacle: boolean;
  sensorDead: boolean;
}

/**
 * Fill over world time (s since the device was made; it runs on across boots), recorded when a value changes, the
 * last point being now: per compartment the true and the reported fill %; deposits as markers.
 */
export interface FillHistory {
  t: number[];
  truePct: number[][];
  reportedPct: (number | null)[][];
  deposits: { t: number; c: number; grams: number; credits?: number }[];
}

/** The platform's side of a device page: its config (desired / reported), telemetry history, credential list. */
export interface DevicePlatform {
  desired?: { version: number; config: Record<string, unknown> };
  reported?: { version: number; config: Record<string, unknown>; last?: { version: number; status: string; reason?: string } };
  /** A few numeric health fields over time: `at` (host ms) and one series per field. */
  telemetry: { fields: string[]; at: number[]; series: (number | null)[][] };
  /** Door readers: the list the platform last synced (or the demo list), as CSV in the CLI's format. */
  credentialsCsv?: string;
  credentialsVersion?: number;
  /** Kiosks: the site's notices in force (every kiosk gets them) and what this kiosk took. */
  notices?: { version: number; titles: string[]; taken?: number };
}

/**
 * A platform action from a device page: desired config (JSON object), signed unlock, visitor pass, credential sync
 * (CSV), a notice for every kiosk (JSON `{ zh, en, body?, hours }`).
 */
export type PlatformOp = 'config' | 'unlock' | 'pass' | 'sync' | 'notice';
export const PLATFORM_OPS: readonly PlatformOp[] = ['config', 'unlock', 'pass', 'sync', 'notice'];

/** Server → browser. */
export type ServerMessage =
  | { t: 'hello'; site: string; kinds: string[]; platform: boolean }
  /** Changed rows (all of them with `full`), batched per tick. */
  | { t: 'rows'; full?: boolean; rows: FleetRow[]; total: number }
  | { t: 'events'; events: StreamEvent[] }
  | { t: 'device'; detail: DeviceDetail | null }
  | { t: 'console'; alarms: ConsoleAlarm[]; gaps: ConsoleGap[]; chains: ConsoleChain[]; repairs: ConsoleRepair[] }
  | { t: 'result'; req: number; ok: boolean; text: string };

/** Browser → server. */
export type ClientMessage =
  /** Which device page is open (null: none). */
  | { t: 'watch'; i: number | null }
  | { t: 'act'; req: number; i: number; action: string; args: string[] }
  /** An operator step on incident `id` (the platform's incident id). */
  | { t: 'alarm'; req: number; id: number; step: AlarmStep; staff?: string }
  /** A platform action on device `i`; `arg` is the JSON text (config) or CSV text (sync). */
  | { t: 'platform'; req: number; i: number; op: PlatformOp; arg?: string }
  /** A staff step on a kiosk's repair report. */
  | { t: 'repair'; req: number; dev: string; ref: string; step: RepairStep; staff?: string };

export type AlarmStep = 'accept' | 'dispatch' | 'arrive' | 'resolve' | 'close';
export type RepairStep = 'accept' | 'dispatch' | 'arrive' | 'resolve';
export const REPAIR_STEPS: readonly RepairStep[] = ['accept', 'dispatch', 'arrive', 'resolve'];

/** A kiosk's repair report as the console shows it. */
export interface ConsoleRepair {
  dev: string;
  ref: string;
  category: string;
  /** As filed, with the unit the register gave for "my home". */
  location: string;
  phrase: string;
  /** submitted, accepted, dispatched, onsite, resolved. */
  stage: string;
  /** The stage the kiosk has shown (behind `stage` while the kiosk is away). */
  shown?: string;
  staff?: string;
  stars?: number;
  /** Whether it was filed with a card (so the resident follows it on the kiosk). */
  resident: boolean;
  filedAt: number;
  problem?: string;
}

/** An alarm or incident as the operator console shows it. */
export interface ConsoleAlarm {
  /** The platform's incident id. */
  id: number;
  dev: string;
  /** The device's alarm id. */
  alarmId: string;
  cause: string;
  /** raised, accepted, dispatched, onsite, resolved, cancelled, closed. */
  state: string;
  staff?: string;
  raisedAt?: number;
  reminders?: number;
  /** The steps taken so far: [state, at ms]. */
  steps: [string, number][];
}

export interface ConsoleGap {
  dev: string;
  from: number;
  to: number;
}

export interface ConsoleChain {
  dev: string;
  ok: boolean;
  /** Chained events that linked to the one before. */
  linked: number;
  /** The findings (break, gap, restart, conflict) in words. */
  problem?: string;
}
