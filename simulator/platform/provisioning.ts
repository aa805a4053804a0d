// The reference platform's provisioning ledger (docs/protocol.md §17): each device says once which code it applied
// (`lifecycle.provisioned { codeId }`, firmware/lifecycle/setup.ts). A code is single-use: the first device to
// report it owns it; the same device again is a repeat (a power cut between queuing the event and forgetting the
// code makes one); another device reporting it is flagged, since a code leaked and used twice is an incident.
import type Database from 'better-sqlite3';
import { CODE_ID_BYTES } from '../../firmware/lifecycle/code-layout.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';

export interface AppliedCode {
  readonly codeId: string;
  /** The device that applied it first. */
  readonly dev: string;
  readonly appliedAt: number;
  /** Other devices that reported the same code, in order. */
  readonly reusedBy: readonly string[];
}

export type AppliedOutcome =
  | { kind: 'recorded' }
  | { kind: 'repeat' }
  | { kind: 'reused'; by: string; owner: string }
  | { kind: 'invalid'; error: string };

const CODE_ID = new RegExp(`^[0-9a-f]{${2 * CODE_ID_BYTES}}$`);

interface Row {
  code_id: string;
  dev: string;
  applied_at: number;
  reused_by: string;
}

export class ProvisioningLedger {
  #q: (sql: string) => Database.Statement;

  constructor(q: (sql: string) => Database.Statement) {
    this.#q = q;
    q(`CREATE TABLE IF NOT EXISTS provisioning_codes (code_id TEXT PRIMARY KEY, dev TEXT NOT NULL, applied_at INTEGER NOT NULL,
      reused_by TEXT NOT NULL DEFAULT '[]')`).run();
  }

  /** A `lifecycle.provisioned` event from `dev`. */
  onEvent(dev: string, event: EventMessage, now: number): AppliedOutcome {
    const data = event.data;
    const codeId = data.codeId;
    const extra = Object.keys(data).find((key) => key !== 'codeId');
    if (extra !== undefined) return { kind: 'invalid', error: `lifecycle.provisioned: data.${extra.slice(0, 32)} not allowed` };
    if (typeof codeId !== 'string' || !CODE_ID.test(codeId)) return { kind: 'invalid', error: `lifecycle.provisioned: data.codeId must be ${2 * CODE_ID_BYTES} lowercase hex digits` };
    const row = this.#q('SELECT * FROM provisioning_codes WHERE code_id = ?').get(codeId) as Row | undefined;
    if (!row) {
      this.#q('INSERT INTO provisioning_codes (code_id, dev, applied_at) VALUES (?, ?, ?)').run(codeId, dev, now);
      return { kind: 'recorded' };
    }
    if (row.dev === dev) return { kind: 'repeat' };
    const reusedBy = JSON.parse(row.reused_by) as string[];
    if (!reusedBy.includes(dev)) this.#q('UPDATE provisioning_codes SET reused_by = ? WHERE code_id = ?').run(JSON.stringify([...reusedBy, dev]), codeId);
    return { kind: 'reused', by: dev, owner: row.dev };
  }

  /** Every code a device reported, oldest first. */
  list(): AppliedCode[] {
    return (this.#q('SELECT * FROM provisioning_codes ORDER BY applied_at, code_id').all() as Row[]).map((row) => ({
      codeId: row.code_id, dev: row.dev, appliedAt: row.applied_at, reusedBy: JSON.parse(row.reused_by) as string[],
    }));
  }
}
