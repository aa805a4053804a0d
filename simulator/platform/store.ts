// The reference platform's database: SQLite through better-sqlite3, one file in the data dir (`:memory:` for
// tests). Why better-sqlite3 (12.x, for Node 20; 13.x needs Node 22) rather than PGlite: it is synchronous, so a
// message is deduplicated, stored and gap-checked in one transaction before the next message is looked at (no
// interleaving between awaits, which is exactly where a `(dev, seq)` dedupe goes wrong); it is the most used SQLite
// binding on Node with prebuilt binaries, and an embedded site platform needs SQL, not a Postgres server in WASM
// (PGlite: ~3 MB WASM, async, one connection).
import Database from 'better-sqlite3';

export type Db = Database.Database;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  dev TEXT PRIMARY KEY, site TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'unknown',
  boot INTEGER, conn INTEGER, max_boot INTEGER, epoch INTEGER NOT NULL DEFAULT 1,
  model TEXT, fw TEXT, cfg_ver INTEGER, reset TEXT, hw TEXT, cmds TEXT, insecure INTEGER, wake_in INTEGER,
  birth_seq INTEGER, status_at INTEGER, last_seen INTEGER,
  events INTEGER NOT NULL DEFAULT 0, duplicates INTEGER NOT NULL DEFAULT 0, invalid INTEGER NOT NULL DEFAULT 0,
  health TEXT, cred_version INTEGER, last_type TEXT,
  seq_base INTEGER, safe TEXT, resets TEXT, erased_at INTEGER
);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dev TEXT NOT NULL, epoch INTEGER NOT NULL, seq INTEGER NOT NULL,
  boot INTEGER NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL, tv INTEGER NOT NULL, up INTEGER NOT NULL,
  ts_corrected INTEGER, received_at INTEGER NOT NULL, data TEXT NOT NULL, payload TEXT NOT NULL,
  UNIQUE (dev, epoch, seq)
);
CREATE INDEX IF NOT EXISTS events_dev ON events (dev, id);
CREATE TABLE IF NOT EXISTS commands (
  dev TEXT NOT NULL, req_id TEXT NOT NULL, name TEXT NOT NULL, args TEXT, exp INTEGER NOT NULL, sent_at INTEGER NOT NULL,
  PRIMARY KEY (dev, req_id)
);
CREATE TABLE IF NOT EXISTS results (
  dev TEXT NOT NULL, req_id TEXT NOT NULL, code TEXT NOT NULL, reason TEXT, data TEXT, received_at INTEGER NOT NULL,
  PRIMARY KEY (dev, req_id)
);
CREATE TABLE IF NOT EXISTS telemetry (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dev TEXT NOT NULL, at INTEGER NOT NULL, ts INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS telemetry_dev ON telemetry (dev, id);
CREATE TABLE IF NOT EXISTS config (
  dev TEXT PRIMARY KEY, desired_version INTEGER, desired TEXT,
  reported_version INTEGER, reported TEXT, reported_last TEXT, reported_at INTEGER
);
CREATE TABLE IF NOT EXISTS incidents (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dev TEXT NOT NULL, alarm_id TEXT NOT NULL, cause TEXT NOT NULL,
  state TEXT NOT NULL, raised_at INTEGER NOT NULL, seq INTEGER, accepted_by TEXT, staff TEXT, eta_min INTEGER,
  resolution TEXT, closed_by TEXT, reminders INTEGER NOT NULL DEFAULT 0, last_ts INTEGER, part INTEGER, cleared_at INTEGER,
  UNIQUE (dev, alarm_id)
);
CREATE TABLE IF NOT EXISTS incident_steps (
  incident INTEGER NOT NULL, state TEXT NOT NULL, at INTEGER NOT NULL, by TEXT, note TEXT
);
CREATE INDEX IF NOT EXISTS incident_steps_incident ON incident_steps (incident);
CREATE TABLE IF NOT EXISTS passes (
  pass_id INTEGER PRIMARY KEY, text TEXT NOT NULL, doors TEXT NOT NULL, valid_from INTEGER NOT NULL,
  valid_to INTEGER NOT NULL, max_uses INTEGER NOT NULL, issued_at INTEGER NOT NULL, note TEXT
);
CREATE TABLE IF NOT EXISTS bin_deposits (
  dev TEXT NOT NULL, deposit_id TEXT NOT NULL, c INTEGER NOT NULL, category TEXT NOT NULL, grams INTEGER NOT NULL,
  credits INTEGER NOT NULL, resident TEXT NOT NULL, via TEXT NOT NULL, at INTEGER, seq INTEGER NOT NULL, received_at INTEGER NOT NULL,
  PRIMARY KEY (dev, deposit_id)
);
CREATE INDEX IF NOT EXISTS bin_deposits_resident ON bin_deposits (resident, category);
CREATE TABLE IF NOT EXISTS bin_levels (
  id INTEGER PRIMARY KEY AUTOINCREMENT, dev TEXT NOT NULL, c INTEGER NOT NULL, category TEXT, fill_pct REAL, status TEXT NOT NULL,
  full INTEGER, why TEXT, ts INTEGER NOT NULL, received_at INTEGER NOT NULL, data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS bin_levels_dev ON bin_levels (dev, c, id);
CREATE TABLE IF NOT EXISTS bin_emptyings (
  dev TEXT NOT NULL, c INTEGER NOT NULL, category TEXT, at INTEGER NOT NULL, from_pct REAL NOT NULL, to_pct REAL NOT NULL,
  received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS kiosk_repairs (
  dev TEXT NOT NULL, ref TEXT NOT NULL, category TEXT NOT NULL, location TEXT NOT NULL, unit TEXT, phrase TEXT NOT NULL,
  resident TEXT, stage TEXT NOT NULL, staff TEXT, stars INTEGER, shown TEXT, delivery_error TEXT,
  ts INTEGER NOT NULL, seq INTEGER NOT NULL, filed_at INTEGER NOT NULL, steps TEXT NOT NULL,
  PRIMARY KEY (dev, ref)
);
CREATE TABLE IF NOT EXISTS kiosk_pass_requests (
  dev TEXT NOT NULL, ref TEXT NOT NULL, resident TEXT NOT NULL, visitors INTEGER NOT NULL, hours INTEGER NOT NULL,
  ts INTEGER NOT NULL, requested_at INTEGER NOT NULL, pass_id INTEGER, payload TEXT, delivered INTEGER NOT NULL,
  delivery_error TEXT, PRIMARY KEY (dev, ref)
);
CREATE TABLE IF NOT EXISTS kiosk_tickets (
  dev TEXT NOT NULL, number INTEGER NOT NULL, printed INTEGER NOT NULL, ts INTEGER NOT NULL, received_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS residents (resident TEXT PRIMARY KEY, unit TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS credential_lists (
  dev TEXT PRIMARY KEY, version INTEGER NOT NULL, list TEXT NOT NULL, synced_at INTEGER NOT NULL
);
`;

export function openDatabase(file: string): Db {
  const db = new Database(file);
  if (file !== ':memory:') db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(SCHEMA);
  // Databases from before bin alarms: their incidents table gains the compartment and the cleared time.
  const columns = (db.prepare('PRAGMA table_info(incidents)').all() as { name: string }[]).map((column) => column.name);
  for (const column of ['part', 'cleared_at']) if (!columns.includes(column)) db.exec(`ALTER TABLE incidents ADD COLUMN ${column} INTEGER`);
  // And before safe mode: devices gain what their birth says of it.
  const deviceColumns = (db.prepare('PRAGMA table_info(devices)').all() as { name: string }[]).map((column) => column.name);
  for (const column of ['safe', 'resets']) if (!deviceColumns.includes(column)) db.exec(`ALTER TABLE devices ADD COLUMN ${column} TEXT`);
  if (!deviceColumns.includes('erased_at')) db.exec('ALTER TABLE devices ADD COLUMN erased_at INTEGER');
  return db;
}
