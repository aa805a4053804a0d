// The platform's update jobs in its database (SQLite, beside the events: simulator/platform/store.ts), so that a
// platform restart finds them: each job's request, where it stands (state, results, failures) and the device it was
// updating when the platform went down. An image is kept once, however many jobs send it.
import type Database from 'better-sqlite3';
import type { OtaImage } from '../../scripts/platform/ota-image.js';
import type { OtaJobRecord, OtaJobRequest } from './ota.js';

export interface StoredOtaJob {
  record: OtaJobRecord;
  request: OtaJobRequest;
  /** The device the job was updating, and since when (platform ms): its outcome may have come while no one listened. */
  current?: { dev: string; since: number };
}

interface JobRow {
  id: string;
  image: string;
  request: string;
  record: string;
  current: string | null;
}

export class OtaJobStore {
  #q: (sql: string) => Database.Statement;

  constructor(q: (sql: string) => Database.Statement) {
    this.#q = q;
    q('CREATE TABLE IF NOT EXISTS ota_images (id TEXT PRIMARY KEY, image TEXT NOT NULL)').run();
    q(`CREATE TABLE IF NOT EXISTS ota_jobs (id TEXT PRIMARY KEY, n INTEGER NOT NULL UNIQUE, image TEXT NOT NULL,
      request TEXT NOT NULL, record TEXT NOT NULL, current TEXT)`).run();
  }

  /** The number after the highest job number ever stored (`ota-<n>`), so ids are never reused. */
  nextNumber(): number {
    const row = this.#q('SELECT MAX(n) AS n FROM ota_jobs').get() as { n: number | null };
    return (row.n ?? 0) + 1;
  }

  /** A new job (its image stored unless it already is). */
  add(n: number, job: StoredOtaJob): void {
    const { image, ...request } = job.request;
    const { manifest } = image;
    const imageId = `${manifest.model} ${manifest.version} ${manifest.head}`;
    this.#q('INSERT OR IGNORE INTO ota_images (id, image) VALUES (?, ?)').run(imageId, JSON.stringify(image));
    this.#q('INSERT INTO ota_jobs (id, n, image, request, record, current) VALUES (?, ?, ?, ?, ?, ?)')
      .run(job.record.id, n, imageId, JSON.stringify(request), JSON.stringify(job.record), currentText(job));
  }

  /** Where a job stands now (one row, one write). */
  save(job: StoredOtaJob): void {
    this.#q('UPDATE ota_jobs SET record = ?, current = ? WHERE id = ?').run(JSON.stringify(job.record), currentText(job), job.record.id);
  }

  /** Every stored job, oldest first. */
  all(): StoredOtaJob[] {
    const rows = this.#q('SELECT j.id, i.image, j.request, j.record, j.current FROM ota_jobs j JOIN ota_images i ON i.id = j.image ORDER BY j.n').all() as JobRow[];
    return rows.map((row) => ({
      record: JSON.parse(row.record) as OtaJobRecord,
      request: { ...(JSON.parse(row.request) as Omit<OtaJobRequest, 'image'>), image: JSON.parse(row.image) as OtaImage },
      ...(row.current ? { current: JSON.parse(row.current) as { dev: string; since: number } } : {}),
    }));
  }
}

function currentText(job: StoredOtaJob): string | null {
  return job.current ? JSON.stringify(job.current) : null;
}
