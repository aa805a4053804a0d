// The platform's side of firmware updates (docs/protocol.md §18): one device updated with every step's result
// awaited (begin, the chunks from where the device says it is, apply) and then the outcome the device reports once it
// restarted (`ota.applied`, or `ota.rolled_back` from the old image); and jobs over a set of devices, in two stages (a
// percentage first, then the rest), paused when more devices failed than the job allows, with a result per device.
// Jobs are kept in the platform's database (ota-jobs.ts): after a platform restart a running job goes on (the device
// it was updating is asked where it stands first), a paused one waits for its operator, a done one stays readable.
import type Database from 'better-sqlite3';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { OTA_APPLIED, OTA_APPLY, OTA_BEGIN, OTA_CHUNK, OTA_ROLLED_BACK, OTA_STATUS } from '../../firmware/lifecycle/ota-manifest.js';
import type { OtaImage } from '../../scripts/platform/ota-image.js';
import { OtaJobStore, type StoredOtaJob } from './ota-jobs.js';
import type { ResultRecord } from './types.js';

export type OtaResult = 'applied' | 'rolled_back' | 'refused' | 'failed';

export interface OtaDeviceOutcome {
  dev: string;
  version: string;
  result: OtaResult;
  /** Why it did not apply: the device's refusal, its rollback's why, or what the platform saw. */
  reason?: string;
}

export interface OtaOptions {
  /** Per command. Default 60 s. */
  ttlMs?: number;
  /** From ota.apply's result to the device's report of how the new image did. Default 10 min (the self-test is 2). */
  outcomeMs?: number;
}

export type OtaJobState = 'running' | 'paused' | 'done';

export interface OtaJobRequest {
  devices: readonly string[];
  /** Devices updated in the first stage, in percent of `devices` (at least one device). */
  percent: number;
  image: OtaImage;
  /** More failed devices than this pause the job (before the next device starts). */
  maxFailures: number;
  options?: OtaOptions;
}

export interface OtaJobRecord {
  id: string;
  version: string;
  state: OtaJobState;
  /** The devices of the first stage; the rest follow when it went well. */
  firstStage: string[];
  /** Per device: its outcome, or `pending` while it has none. */
  results: Record<string, OtaDeviceOutcome | { result: 'pending' }>;
  failures: number;
}

interface DeskHooks {
  send(dev: string, name: string, args: Record<string, unknown>, ttlMs: number): Promise<ResultRecord>;
  /** The platform's database (a prepared statement per SQL text). */
  q(sql: string): Database.Statement;
  now(): number;
}

interface Job extends StoredOtaJob {
  run: Promise<void>;
}

interface Waiter {
  dev: string;
  version: string;
  /** undefined: given up (timed out, or apply refused). */
  resolve(event: EventMessage | undefined): void;
}

export class OtaDesk {
  #hooks: DeskHooks;
  #waiters = new Set<Waiter>();
  /** The last ota.* event each device reported, so an outcome that came before anyone waited is not missed. */
  #last = new Map<string, EventMessage>();
  #jobs = new Map<string, Job>();
  #store: OtaJobStore;
  #nextJob: number;
  #stopped = false;

  /** Reads the stored jobs back; running ones go on at resumeInterrupted(). */
  constructor(hooks: DeskHooks) {
    this.#hooks = hooks;
    this.#store = new OtaJobStore(hooks.q);
    this.#nextJob = this.#store.nextNumber();
    for (const job of this.#store.all()) this.#jobs.set(job.record.id, { ...job, run: Promise.resolve() });
  }

  /** Once the platform can send commands: the jobs a platform stop interrupted go on. */
  resumeInterrupted(): void {
    for (const job of this.#jobs.values()) if (job.record.state === 'running') job.run = this.#run(job);
  }

  /** The platform stops: no job goes further or writes again, and no update waits any longer. */
  stop(): void {
    this.#stopped = true;
    for (const waiter of [...this.#waiters]) waiter.resolve(undefined);
  }

  /** An `ota.*` event from a device (already stored by the platform). */
  onEvent(dev: string, event: EventMessage): void {
    if (event.type !== OTA_APPLIED && event.type !== OTA_ROLLED_BACK) return;
    this.#last.set(dev, event);
    for (const waiter of [...this.#waiters]) {
      if (waiter.dev === dev && outcomeVersion(event) === waiter.version) waiter.resolve(event);
    }
  }

  /** Updates one device: every step's result awaited, resumed where the device says, then its report awaited. */
  async update(dev: string, image: OtaImage, options: OtaOptions = {}): Promise<OtaDeviceOutcome> {
    const version = image.manifest.version;
    const ttl = options.ttlMs ?? 60_000;
    const outcome = (result: OtaResult, reason?: string): OtaDeviceOutcome => ({ dev, version, result, ...(reason ? { reason } : {}) });
    const fromResult = (step: string, r: ResultRecord) => outcome(r.code === 'failed' ? 'failed' : 'refused', `${step}: ${r.code}${r.reason ? ` ${r.reason}` : ''}`);
    try {
      for (let begins = 0; begins < 2; begins++) {
        const begin = await this.#hooks.send(dev, OTA_BEGIN, { ...image.manifest }, ttl);
        if (begin.code !== 'ok') return fromResult(OTA_BEGIN, begin);
        let next = numberOr(begin.data?.next, 0);
        let again = false;
        while (next < image.chunks.length) {
          const result = await this.#hooks.send(dev, OTA_CHUNK, { version, ...image.chunks[next]! }, ttl);
          if (result.code === 'ok') next = numberOr(result.data?.next, next + 1);
          else if (result.code === 'rejected' && typeof result.data?.next === 'number' && result.data.next !== next) next = result.data.next;
          else if (result.code === 'rejected' && /no update session/.test(result.reason ?? '')) {
            again = true;
            break;
          } else return fromResult(`${OTA_CHUNK} ${next}`, result);
        }
        if (again) continue;
        const reported = this.#outcome(dev, version, options.outcomeMs ?? 600_000);
        const apply = await this.#hooks.send(dev, OTA_APPLY, { version }, ttl);
        if (apply.code !== 'ok') {
          reported.cancel();
          return fromResult(OTA_APPLY, apply);
        }
        const event = await reported.promise;
        if (!event) return outcome('failed', 'no report from the device after its restart');
        return outcomeOf(dev, version, event);
      }
      return outcome('failed', 'the device lost its update session twice');
    } catch (error) {
      return outcome('failed', error instanceof Error ? error.message : String(error));
    }
  }

  /** Starts a job; its progress is otaJob(id). */
  startJob(request: OtaJobRequest): string {
    if (request.devices.length === 0) throw new RangeError('an update job needs devices');
    if (!(request.percent > 0 && request.percent <= 100)) throw new RangeError('percent: expected 0 < percent ≤ 100');
    if (!Number.isInteger(request.maxFailures) || request.maxFailures < 0) throw new RangeError('maxFailures: expected an integer ≥ 0');
    if (new Set(request.devices).size !== request.devices.length) throw new RangeError('devices: each device once');
    const n = this.#nextJob++;
    const id = `ota-${n}`;
    const first = Math.max(1, Math.ceil((request.devices.length * request.percent) / 100));
    const record: OtaJobRecord = {
      id, version: request.image.manifest.version, state: 'running', firstStage: request.devices.slice(0, first),
      results: Object.fromEntries(request.devices.map((dev) => [dev, { result: 'pending' as const }])), failures: 0,
    };
    const job: Job = { record, request, run: Promise.resolve() };
    this.#store.add(n, job);
    job.run = this.#run(job);
    this.#jobs.set(id, job);
    return id;
  }

  /** Continues a paused job (an operator looked at its failures): the devices still pending. */
  resumeJob(id: string): void {
    const job = this.#jobs.get(id);
    if (!job || job.record.state !== 'paused') throw new Error(`no paused update job ${id}`);
    job.record.state = 'running';
    job.record.failures = 0; // the limit counts anew from here
    this.#store.save(job);
    job.run = this.#run(job);
  }

  job(id: string): OtaJobRecord | undefined {
    const job = this.#jobs.get(id)?.record;
    return job && structuredClone(job);
  }

  /** Resolves once the job is paused or done. */
  async settled(id: string): Promise<OtaJobRecord | undefined> {
    await this.#jobs.get(id)?.run;
    return this.job(id);
  }

  async #run(job: Job): Promise<void> {
    const { record, request } = job;
    const stages = [record.firstStage, request.devices.filter((dev) => !record.firstStage.includes(dev))];
    for (const stage of stages) {
      for (const dev of stage) {
        if (this.#stopped) return;
        if (record.results[dev]!.result !== 'pending') continue;
        const interrupted = job.current?.dev === dev ? job.current.since : undefined;
        job.current = { dev, since: interrupted ?? this.#hooks.now() };
        this.#store.save(job);
        const outcome = (interrupted !== undefined ? await this.#whereItStands(dev, request, interrupted) : undefined)
          ?? await this.update(dev, request.image, request.options);
        // Stopped meanwhile: the outcome may be the stop's own doing; the next platform asks the device again.
        if (this.#stopped) return;
        record.results[dev] = outcome;
        delete job.current;
        if (outcome.result !== 'applied') record.failures++;
        if (record.failures > request.maxFailures) {
          record.state = 'paused';
          this.#store.save(job);
          return;
        }
        this.#store.save(job);
      }
    }
    record.state = 'done';
    this.#store.save(job);
  }

  /**
   * A device the job was updating when the platform stopped: its outcome if it came (stored, or told now), the wait
   * for it while its new image is on trial, or undefined when it must be updated (again: a download resumes).
   */
  async #whereItStands(dev: string, request: OtaJobRequest, since: number): Promise<OtaDeviceOutcome | undefined> {
    const version = request.image.manifest.version;
    const reported = this.#outcome(dev, version, request.options?.outcomeMs ?? 600_000);
    const stored = this.#storedOutcome(dev, version, since);
    if (stored) {
      reported.cancel();
      return outcomeOf(dev, version, stored);
    }
    let status: ResultRecord;
    try {
      status = await this.#hooks.send(dev, OTA_STATUS, {}, request.options?.ttlMs ?? 60_000);
    } catch {
      reported.cancel();
      return undefined;
    }
    const running = status.data?.running as { version?: unknown; state?: unknown } | undefined;
    if (status.code === 'ok' && running?.version === version && running.state === 'valid') {
      reported.cancel();
      return { dev, version, result: 'applied' };
    }
    if (status.code === 'ok' && running?.version === version && running.state === 'pending') {
      const event = await reported.promise;
      return event ? outcomeOf(dev, version, event) : { dev, version, result: 'failed', reason: 'no report from the device after its restart' };
    }
    reported.cancel();
    return undefined;
  }

  /** The device's ota.applied / ota.rolled_back for `version` the platform stored since `since`, newest first. */
  #storedOutcome(dev: string, version: string, since: number): EventMessage | undefined {
    const rows = this.#hooks.q(`SELECT type, data FROM events WHERE dev = ? AND type IN ('${OTA_APPLIED}', '${OTA_ROLLED_BACK}')
      AND received_at >= ? ORDER BY id DESC`).all(dev, since) as { type: string; data: string }[];
    for (const row of rows) {
      const event = { type: row.type, data: JSON.parse(row.data) as Record<string, unknown> } as EventMessage;
      if (outcomeVersion(event) === version) return event;
    }
    return undefined;
  }

  /** The device's next report for `version`; a report that already came (after this call) counts too. */
  #outcome(dev: string, version: string, ms: number): { promise: Promise<EventMessage | undefined>; cancel(): void } {
    const before = this.#last.get(dev);
    let waiter: Waiter | undefined;
    let timer: NodeJS.Timeout | undefined;
    const promise = new Promise<EventMessage | undefined>((resolve) => {
      const done = (event: EventMessage | undefined) => {
        clearTimeout(timer);
        if (waiter) this.#waiters.delete(waiter);
        resolve(event);
      };
      waiter = { dev, version, resolve: done };
      this.#waiters.add(waiter);
      timer = setTimeout(() => done(undefined), ms);
      const last = this.#last.get(dev);
      if (last && last !== before && outcomeVersion(last) === version) done(last);
    });
    return { promise, cancel: () => waiter?.resolve(undefined) };
  }
}

/** What a device's ota.applied or ota.rolled_back says of its update. */
function outcomeOf(dev: string, version: string, event: EventMessage): OtaDeviceOutcome {
  return event.type === OTA_APPLIED
    ? { dev, version, result: 'applied' }
    : { dev, version, result: 'rolled_back', reason: typeof event.data.why === 'string' ? event.data.why : 'rolled back' };
}

/** The version an outcome event is about: `to` of ota.applied, `version` of ota.rolled_back. */
function outcomeVersion(event: EventMessage): unknown {
  return event.type === OTA_APPLIED ? event.data.to : event.data.version;
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : fallback;
}
