// Signed firmware updates with rollback (docs/protocol.md §18), on the HAL's firmware slots:
//   ota.begin (a signed manifest) → ota.chunk × chunks (each verified by the hash chain, written into the inactive
//   slot and read back) → ota.apply (the bootloader boots it next, once, as pending) → restart.
// The new image then proves itself: connected to the broker with the app running (not in safe mode) within
// SELF_TEST_MS → markValid() and a durable `ota.applied`; otherwise it restarts without confirming, the bootloader
// goes back to the previous image, and that one reports `ota.rolled_back` with why.
//
// Anti-rollback: a manifest's version must be above the running image's and above `ota/floor`, the highest version
// this device ever confirmed (so an image put back over serial does not reopen the door to older ones). The `ota`
// domain is not erased by a factory reset (firmware/lifecycle/factory-reset.ts erases RUNTIME_DOMAINS and the app's):
// a reset device still refuses an older image. A version that was rolled back may be tried again (a power cut during
// its trial rolls it back too); the ESP32's eFuse secure version is for security fixes only (docs/protocol.md §18).
//
// Flash: one small key-value write per chunk (the session's progress: next chunk and expected hash), so a download
// cut by a restart or a power cut resumes where it stopped; the slot itself is written once per chunk. Forgeries are refused
// in validate(), from RAM, before anything is written.
import type { Firmware, Hal, KeyValueStore, TimerId } from '../../hal/contract/index.js';
import { decodeBase64 } from '../lib/base64.js';
import { sameBytes } from '../lib/bytes.js';
import { fromHex, toHex } from '../lib/hex.js';
import { utf8Encode } from '../lib/utf8.js';
import { shape } from '../protocol/fields.js';
import type { CommandOutcome, CommandSpec } from '../runtime/dispatcher.js';
import {
  checkOtaChunkArgs, checkOtaManifest, chunkLength, linkBytes, OTA_APPLIED, OTA_APPLY, OTA_BEGIN, OTA_CHUNK, OTA_ROLLED_BACK, OTA_STATUS,
  otaSigningText, readOtaManifest, versionRank, type OtaManifest, type SignedOtaManifest,
} from './ota-manifest.js';

/** The update's records, and the floor: kept by a factory reset (anti-rollback). */
export const OTA_DOMAIN = 'ota';
const DOMAIN = OTA_DOMAIN;
const SESSION_KEY = 'session';
/** The session's progress, `<head's first 16 hex> <next> <expected hash>`: the one write per chunk, kept small. */
const PROGRESS_KEY = 'at';
const FLOOR_KEY = 'floor';
const TRIAL_KEY = 'trial';
const WHY_KEY = 'why';
/** A pending image must be online with its app running within this, or it is rolled back. */
export const SELF_TEST_MS = 120_000;
/** From ota.apply's result (or a failed self-test's log) to the restart. */
const RESTART_DELAY_MS = 1_000;
const UNCONFIRMED = 'the new image was reset before it confirmed itself (a crash, a watchdog or a power cut)';

export type OtaRefusal = 'no_firmware' | 'no_key' | 'forged' | 'wrong_model' | 'downgrade' | 'too_large' | 'pending';

export interface OtaOptions {
  hal: Hal;
  model: string;
  /** The firmware signing key (build data, 65-byte P-256 point), undefined when the build has none. */
  key: Uint8Array | undefined;
  /** Queues a durable event (the runtime's emit). */
  emit(type: string, data: Record<string, unknown>): void;
}

interface Session extends OtaManifest {
  /** The next chunk expected. */
  next: number;
  /** Hex link hash chunk `next` must have; empty once every chunk is in. */
  expect: string;
}

interface Trial {
  from: string;
  to: string;
}

export class OtaAgent {
  #hal: Hal;
  #model: string;
  #key: Uint8Array | undefined;
  #emit: OtaOptions['emit'];
  #selfTest: TimerId | undefined;
  #restart: TimerId | undefined;
  #confirmed = false;

  constructor(options: OtaOptions) {
    this.#hal = options.hal;
    this.#model = options.model;
    this.#key = options.key;
    this.#emit = options.emit;
  }

  /**
   * At boot, once events can be queued: reports what the last update came to and, when this image is pending,
   * arms its self-test.
   */
  boot(): void {
    const firmware = this.#hal.firmware;
    if (!firmware) return;
    const kv = this.#hal.storage.kv;
    const running = firmware.running();
    const trial = readTrial(kv);
    const session = readSession(kv);
    // A session for what now runs (the switch happened, the clean-up was cut) is over.
    if (session && (versionRank(session.version) ?? 0) <= rankOf(running.version)) endSession(kv);
    const last = firmware.lastBoot();
    if (running.state === 'pending') {
      this.#selfTest = this.#hal.timers.set(() => this.#failSelfTest(`no broker connection with the app running within ${SELF_TEST_MS / 1000} s`), SELF_TEST_MS);
      this.#hal.system.log('warn', `firmware ${running.version} is on trial: it must reach the broker within ${SELF_TEST_MS / 1000} s`);
    } else if (last.rolledBack && trial && last.version === trial.to) {
      const why = kv.get(DOMAIN, WHY_KEY);
      const reason = typeof why === 'string' && why !== '' ? why : UNCONFIRMED;
      this.#hal.system.log('error', `firmware ${last.version} rolled back to ${running.version}: ${reason}`);
      this.#emit(OTA_ROLLED_BACK, { version: last.version, running: running.version, why: reason });
      kv.delete(DOMAIN, TRIAL_KEY);
      kv.delete(DOMAIN, WHY_KEY);
    } else if (trial && trial.to === running.version) {
      // Confirmed, and cut before it said so.
      this.#reportApplied(kv, trial);
    } else if (trial) {
      kv.delete(DOMAIN, TRIAL_KEY); // cut before the switch: the old image never left
    }
  }

  /**
   * The connection came up. A pending image not in safe mode (its app started) has passed its self-test; one in safe
   * mode has failed it.
   */
  connected(safe: string | undefined): void {
    const firmware = this.#hal.firmware;
    if (!firmware || this.#confirmed || firmware.running().state !== 'pending') return;
    if (safe !== undefined) {
      this.#failSelfTest(`safe mode: ${safe}`);
      return;
    }
    this.#confirmed = true;
    this.#hal.timers.clear(this.#selfTest);
    this.#selfTest = undefined;
    // Valid first: an event saying "applied" must never precede a rollback.
    firmware.markValid();
    const kv = this.#hal.storage.kv;
    this.#reportApplied(kv, readTrial(kv) ?? { from: 'unknown', to: firmware.running().version });
  }

  stop(): void {
    this.#hal.timers.clear(this.#selfTest);
    this.#hal.timers.clear(this.#restart);
    this.#selfTest = undefined;
    this.#restart = undefined;
  }

  /** The update commands, taken in safe mode too (an update is how a looping device is fixed). */
  commands(): Readonly<Record<string, CommandSpec>> {
    const commands: Record<string, CommandSpec> = {
      [OTA_BEGIN]: {
        validate: (args) => {
          const manifest = checkOtaManifest(args);
          if (typeof manifest === 'string') return manifest;
          return this.#verify(manifest);
        },
        // Idempotent by the session it keeps: no flash write per result.
        persist: false,
        run: (args) => this.#begin(readOtaManifest(args) as OtaManifest),
      },
      [OTA_CHUNK]: {
        validate: (args) => {
          const chunk = checkOtaChunkArgs(args);
          return typeof chunk === 'string' ? chunk : undefined;
        },
        persist: false,
        run: (args) => this.#chunk(args),
      },
      [OTA_APPLY]: {
        validate: (args) => {
          for (const key of Object.keys(args)) if (key !== 'version') return `args.${key.slice(0, 32)}: not allowed`;
          return typeof args.version === 'string' && versionRank(args.version) !== undefined ? undefined : 'args.version: expected MAJOR.MINOR.PATCH';
        },
        run: (args) => this.#apply(args.version as string),
      },
      [OTA_STATUS]: { validate: (args) => shape(args, 'args', {}), persist: false, run: () => ({ code: 'ok', data: this.status() }) },
    };
    return Object.freeze(commands);
  }

  status(): Record<string, unknown> {
    const firmware = this.#hal.firmware;
    if (!firmware) return { firmware: false };
    const kv = this.#hal.storage.kv;
    const session = readSession(kv);
    const floor = kv.get(DOMAIN, FLOOR_KEY);
    return {
      running: { ...firmware.running() },
      ...(typeof floor === 'string' ? { floor } : {}),
      ...(session ? { session: { version: session.version, next: session.next, chunks: session.chunks } } : {}),
    };
  }

  /** Signature first (a forgery learns nothing else), then the checks that need no flash. */
  #verify(manifest: SignedOtaManifest): string | undefined {
    const verify = this.#hal.crypto.verifyP256;
    if (!this.#key || !verify) return 'no_key: this build has no firmware signing key';
    const ok = verify.call(this.#hal.crypto, this.#key, utf8Encode(otaSigningText(manifest)), fromHex(manifest.sig));
    return ok ? undefined : 'forged: the manifest signature does not verify';
  }

  #begin(manifest: OtaManifest): CommandOutcome {
    const firmware = this.#hal.firmware;
    if (!firmware) return refuse('no_firmware', 'this build has no firmware slots');
    const kv = this.#hal.storage.kv;
    const current = readSession(kv);
    if (current && sameManifest(current, manifest)) return progress(current);
    if (manifest.model !== this.#model) return refuse('wrong_model', `the image is for ${manifest.model}, this is ${this.#model}`);
    const running = firmware.running();
    const rank = versionRank(manifest.version)!;
    if (rank <= rankOf(running.version)) return refuse('downgrade', `version ${manifest.version} is not above the running ${running.version}`);
    const floor = kv.get(DOMAIN, FLOOR_KEY);
    if (typeof floor === 'string' && rank <= rankOf(floor)) return refuse('downgrade', `version ${manifest.version} is not above ${floor}, the highest ever confirmed`);
    if (manifest.size > firmware.capacity) return refuse('too_large', `${manifest.size} bytes do not fit the ${firmware.capacity}-byte slot`);
    if (running.state === 'pending') return refuse('pending', `the running image ${running.version} has not confirmed itself yet`);
    try {
      firmware.begin(manifest.size);
    } catch (error) {
      return { code: 'failed', reason: `storage: ${message(error)}` };
    }
    const session: Session = { ...manifest, next: 0, expect: manifest.head };
    kv.set(DOMAIN, SESSION_KEY, JSON.stringify({ ...manifest }));
    writeProgress(kv, session);
    return progress(session);
  }

  #chunk(args: Record<string, unknown>): CommandOutcome {
    const chunk = checkOtaChunkArgs(args);
    if (typeof chunk === 'string') return { code: 'invalid', reason: chunk };
    const firmware = this.#hal.firmware;
    const kv = this.#hal.storage.kv;
    const session = readSession(kv);
    if (!firmware || !session || session.version !== chunk.version) return { code: 'rejected', reason: `no update session for ${chunk.version}: begin it again` };
    if (chunk.n >= session.chunks) return { code: 'rejected', reason: `chunk ${chunk.n} is past the last (${session.chunks - 1})`, data: { next: session.next } };
    if (chunk.n < session.next) return progress(session);
    if (chunk.n > session.next) return { code: 'rejected', reason: `expected chunk ${session.next}`, data: { next: session.next } };
    const data = decodeBase64(chunk.data);
    const last = chunk.n === session.chunks - 1;
    if (!data || data.length !== chunkLength(session, chunk.n) || last !== (chunk.next === undefined)) {
      return this.#endWith(kv, 'bad_chunk', `chunk ${chunk.n}: ${!data ? 'not base64' : data.length !== chunkLength(session, chunk.n) ? `${data.length} bytes, expected ${chunkLength(session, chunk.n)}` : last ? 'the last chunk has a next' : 'no next'}`);
    }
    const next = chunk.next === undefined ? undefined : fromHex(chunk.next);
    if (!sameBytes(this.#hal.crypto.sha256(linkBytes(chunk.n, data, next)), fromHex(session.expect))) {
      return this.#endWith(kv, 'chunk_hash', `chunk ${chunk.n} does not match the hash chain`);
    }
    const offset = chunk.n * session.chunkBytes;
    try {
      firmware.write(offset, data);
      if (!sameBytes(firmware.read(offset, data.length), data)) return this.#endWith(kv, 'storage', `chunk ${chunk.n} did not read back as written`);
    } catch (error) {
      return { code: 'failed', reason: `storage: ${message(error)}` };
    }
    const advanced: Session = { ...session, next: chunk.n + 1, expect: next ? toHex(next) : '' };
    writeProgress(kv, advanced);
    return last ? { code: 'ok', data: { version: session.version, next: advanced.next, chunks: session.chunks, done: true } } : progress(advanced);
  }

  #apply(version: string): CommandOutcome {
    const firmware = this.#hal.firmware;
    if (!firmware) return refuse('no_firmware', 'this build has no firmware slots');
    const kv = this.#hal.storage.kv;
    const session = readSession(kv);
    if (!session || session.version !== version) return { code: 'rejected', reason: `no update session for ${version}` };
    if (session.next < session.chunks) return { code: 'rejected', reason: `incomplete: ${session.next} of ${session.chunks} chunks`, data: { next: session.next } };
    const from = firmware.running().version;
    // The trial before the switch: a cut between them leaves the old image, which drops the stale trial.
    kv.set(DOMAIN, TRIAL_KEY, JSON.stringify({ from, to: version } satisfies Trial));
    try {
      firmware.finish();
    } catch (error) {
      kv.delete(DOMAIN, TRIAL_KEY);
      return this.#endWith(kv, 'bad_image', message(error), 'failed');
    }
    endSession(kv);
    this.#hal.system.log('warn', `firmware ${version} installed; restarting into it (trial of ${SELF_TEST_MS / 1000} s)`);
    this.#restartSoon();
    return { code: 'ok', data: { from, to: version, restart: true, selfTestS: SELF_TEST_MS / 1000 } };
  }

  #endWith(kv: KeyValueStore, reason: string, detail: string, code: 'rejected' | 'failed' = 'rejected'): CommandOutcome {
    endSession(kv);
    return { code, reason: `${reason}: ${detail}; the session ended` };
  }

  #failSelfTest(why: string): void {
    if (this.#confirmed || this.#restart !== undefined) return;
    this.#hal.timers.clear(this.#selfTest);
    this.#selfTest = undefined;
    const firmware = this.#hal.firmware as Firmware;
    this.#hal.system.log('error', `firmware ${firmware.running().version} failed its self-test (${why}): restarting into the previous image`);
    this.#hal.storage.kv.set(DOMAIN, WHY_KEY, `self-test failed: ${why}`.slice(0, 160));
    this.#restartSoon();
  }

  #reportApplied(kv: KeyValueStore, trial: Trial): void {
    raiseFloor(kv, trial.to);
    this.#hal.system.log('info', `firmware ${trial.to} confirmed (was ${trial.from})`);
    this.#emit(OTA_APPLIED, { from: trial.from, to: trial.to });
    kv.delete(DOMAIN, TRIAL_KEY);
    kv.delete(DOMAIN, WHY_KEY);
  }

  #restartSoon(): void {
    this.#hal.timers.clear(this.#restart);
    this.#restart = this.#hal.timers.set(() => this.#hal.system.restart(), RESTART_DELAY_MS);
  }
}

function refuse(reason: OtaRefusal, detail: string): CommandOutcome {
  return { code: 'rejected', reason: `${reason}: ${detail}` };
}

function progress(session: Session): CommandOutcome {
  return { code: 'ok', data: { version: session.version, next: session.next, chunks: session.chunks } };
}

function sameManifest(a: OtaManifest, b: OtaManifest): boolean {
  return a.model === b.model && a.version === b.version && a.size === b.size && a.chunkBytes === b.chunkBytes && a.chunks === b.chunks && a.head === b.head;
}

/** An unreadable running version ranks lowest: any signed image may replace it. */
function rankOf(version: string): number {
  return versionRank(version, true) ?? 0;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The highest version ever confirmed: only ever raised. */
function raiseFloor(kv: KeyValueStore, version: string): void {
  const floor = kv.get(DOMAIN, FLOOR_KEY);
  if (typeof floor !== 'string' || rankOf(floor) < rankOf(version)) kv.set(DOMAIN, FLOOR_KEY, version);
}

function readSession(kv: KeyValueStore): Session | undefined {
  const parsed = parseObject(kv.get(DOMAIN, SESSION_KEY));
  const manifest = parsed && readOtaManifest(parsed);
  if (!manifest || typeof manifest === 'string') return undefined;
  const progress = kv.get(DOMAIN, PROGRESS_KEY);
  // Progress of another session (cut between the two writes of a begin) counts as none: that session starts over.
  const match = typeof progress === 'string' ? /^([0-9a-f]{16}) (\d{1,5}) ([0-9a-f]{64})?$/.exec(progress) : null;
  if (!match || match[1] !== manifest.head.slice(0, 16)) return { ...manifest, next: 0, expect: manifest.head };
  const next = Number(match[2]);
  const expect = match[3] ?? '';
  if (next > manifest.chunks || (expect === '') !== (next === manifest.chunks)) return undefined;
  return { ...manifest, next, expect };
}

function writeProgress(kv: KeyValueStore, session: Session): void {
  kv.set(DOMAIN, PROGRESS_KEY, `${session.head.slice(0, 16)} ${session.next} ${session.expect}`);
}

function endSession(kv: KeyValueStore): void {
  kv.delete(DOMAIN, SESSION_KEY);
  kv.delete(DOMAIN, PROGRESS_KEY);
}

function readTrial(kv: KeyValueStore): Trial | undefined {
  const parsed = parseObject(kv.get(DOMAIN, TRIAL_KEY));
  return parsed && typeof parsed.from === 'string' && typeof parsed.to === 'string' ? { from: parsed.from, to: parsed.to } : undefined;
}

function parseObject(value: unknown): Record<string, unknown> | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(value);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}
