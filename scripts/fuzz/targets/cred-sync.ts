// Target `cred-sync`: credential-sync manifests and chunks through the door's sync handlers and store (see
// cores/cred-sync.ts for the program format and what is asserted). Seeds are whole syncs made by the platform's
// encoder (scripts/platform/credential-encoder.ts): snapshots, a delta on top of a snapshot, a superseded sync, a
// resent chunk, an empty list, and the protocol's examples. The structure-aware mutation works on the program:
// it mutates a chunk's records (flags, REMOVE bit, validity days, tag order, lengths, stream byte, profile
// windows) or a manifest's fields, drops, repeats, reorders or splices steps, and then usually signs again (chunk
// hashes, and for a snapshot the list digest and counts too) with the site sync key, so that the mutated content
// gets past the MAC and the hash checks into the session, the slot writer and the switch.
import { createHash, createHmac } from 'node:crypto';
import { createHostCrypto } from '../../../hal/host/crypto.js';
import { createHostStorage } from '../../../hal/host/storage/index.js';
import { PROFILE_BYTES, RECORD_BYTES, STREAM_MAIN, STREAM_PINS, STREAM_PROFILES } from '../../../firmware/apps/door-reader/credentials/format.js';
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS, manifestSigningText, type CredSyncBeginArgs } from '../../../firmware/protocol/cred-sync.js';
import { type CredentialInput, deltaSync, encodeList, listDigest, snapshotSync, type SyncPackage } from '../../platform/credential-encoder.js';
import { CRED_SLOT_BYTES, FUZZ_SITE_KEYS, nestedDeeperThan, runCredSync } from '../cores/cred-sync.js';
import { mutateBytesOnce } from '../mutate.js';
import type { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { DOOR_PROFILES } from '../device-harness.js';
import { bytesOf, examples, objectOf } from './messages.js';

type Step = [string, Record<string, unknown>?];

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}

function cards(n: number, from = 0, profiles = DOOR_PROFILES.length): CredentialInput[] {
  return Array.from({ length: n }, (_, k): CredentialInput => {
    const i = from + k;
    return {
      kind: i % 7 === 3 ? 'pin' : i % 11 === 5 ? 'qr' : 'card',
      secret: i % 7 === 3 ? String(100000 + i) : i % 11 === 5 ? `QR-${i}` : sha256(Uint8Array.of(i >> 8, i & 0xff)).subarray(0, 7),
      validFrom: 2000 + (i % 5), validTo: 2400 + (i % 50), profile: i % profiles,
      ...(i % 4 === 0 ? { pin: String(1000 + i) } : {}), ...(i % 13 === 2 ? { revoked: true } : {}),
    };
  });
}

function steps(sync: SyncPackage, options: { resend?: number } = {}): Step[] {
  const out: Step[] = [[CRED_SYNC_BEGIN, { ...sync.begin }]];
  for (const chunk of sync.chunks) {
    out.push([CRED_SYNC_CHUNK, { ...chunk }]);
    if (options.resend === chunk.i) out.push([CRED_SYNC_CHUNK, { ...chunk }], [CRED_SYNC_BEGIN, { ...sync.begin }]);
  }
  return out;
}

export function credSyncSeeds(): Uint8Array[] {
  const keys = FUZZ_SITE_KEYS;
  const v1 = encodeList(keys, 1, cards(40), DOOR_PROFILES);
  const v2 = encodeList(keys, 2, [...cards(30), ...cards(25, 100)], [...DOOR_PROFILES, { doors: 8, schedule: [] }]);
  const small = { recordsPerChunk: 8 };
  const snap1 = snapshotSync(keys, v1, small);
  const programs: Step[][] = [
    steps(snap1),
    [...steps(snap1), [CRED_SYNC_STATUS], ...steps(deltaSync(keys, v1, v2, small))],
    [...steps(snap1), ...steps(snapshotSync(keys, v2, { recordsPerChunk: 16, sync: 'again' }))],
    [...steps(snap1).slice(0, 3), ...steps(snapshotSync(keys, v2, { sync: 'other' }))],
    steps(snapshotSync(keys, v1, { recordsPerChunk: 4 }), { resend: 2 }),
    steps(snapshotSync(keys, encodeList(keys, 9, [], []))),
    [...steps(snapshotSync(keys, encodeList(keys, 3, cards(5), DOOR_PROFILES))), ...steps(deltaSync(keys, encodeList(keys, 3, cards(5), DOOR_PROFILES), encodeList(keys, 4, [], DOOR_PROFILES)))],
    [[CRED_SYNC_STATUS], [CRED_SYNC_STATUS, {}]],
  ];
  const docs = examples('command-cred-sync-').map((bytes) => {
    const command = objectOf(bytes)!;
    return [[command.name, command.args]] as Step[];
  });
  return [...programs, ...docs].map(bytesOf);
}

// ---- signing again after a mutation ----

function decode(data: unknown): Uint8Array | undefined {
  if (typeof data !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(data) || data.length % 4 !== 0) return undefined;
  return new Uint8Array(Buffer.from(data, 'base64'));
}

function mac(args: Record<string, unknown>): string {
  return createHmac('sha256', FUZZ_SITE_KEYS.syncKey).update(manifestSigningText(args as unknown as Omit<CredSyncBeginArgs, 'mac'>), 'utf8').digest('hex');
}

/** The chunk bodies that follow begin step `b` for its sync, in index order (first copy of each index). */
function bodiesOf(program: Step[], b: number): Uint8Array[] | undefined {
  const sync = (program[b]![1] as Record<string, unknown>).sync;
  const found = new Map<number, Uint8Array>();
  for (const [name, args] of program.slice(b + 1)) {
    if (name === CRED_SYNC_BEGIN && args?.sync !== sync) break;
    if (name !== CRED_SYNC_CHUNK || !isObject(args) || args.sync !== sync || typeof args.i !== 'number' || found.has(args.i)) continue;
    const body = decode(args.data);
    if (body) found.set(args.i, body);
  }
  const bodies: Uint8Array[] = [];
  for (let i = 0; found.has(i); i++) bodies.push(found.get(i)!);
  return bodies.length > 0 ? bodies : undefined;
}

/** Splits snapshot bodies into the list they make (profiles, main, pins), if they parse as such. */
function listOf(bodies: Uint8Array[]): { profiles: Uint8Array[]; main: Uint8Array[]; pins: Uint8Array[] } | undefined {
  const list = { profiles: [] as Uint8Array[], main: [] as Uint8Array[], pins: [] as Uint8Array[] };
  for (const body of bodies) {
    const stream = body[0];
    const size = stream === STREAM_PROFILES ? PROFILE_BYTES : RECORD_BYTES;
    if (stream === undefined || stream > STREAM_PINS || (body.length - 1) % size !== 0) return undefined;
    const into = stream === STREAM_PROFILES ? list.profiles : stream === STREAM_MAIN ? list.main : list.pins;
    for (let at = 1; at < body.length; at += size) into.push(body.subarray(at, at + size));
  }
  return list;
}

/** Signs every begin again: hashes of the chunks that follow it, for a snapshot digest and counts, then the MAC. */
function resign(program: Step[], rng: Prng): void {
  program.forEach(([name, args], b) => {
    if (name !== CRED_SYNC_BEGIN || !isObject(args)) return;
    const bodies = bodiesOf(program, b);
    if (bodies && rng.chance(0.9)) {
      args.hashes = Buffer.concat(bodies.map((body) => sha256(body).subarray(0, 16))).toString('base64');
      const list = args.kind === 'snapshot' ? listOf(bodies) : undefined;
      if (list && rng.chance(0.7)) {
        args.digest = Buffer.from(listDigest(list)).toString('hex');
        args.count = list.main.length;
        args.pins = list.pins.length;
        args.profiles = list.profiles.length;
      }
    }
    args.mac = mac(args);
  });
}

// ---- record-aware chunk mutations ----

function mutateBody(body: Uint8Array, rng: Prng, seeds: readonly Uint8Array[]): Uint8Array {
  const out = body.slice();
  const size = out[0] === STREAM_PROFILES ? PROFILE_BYTES : RECORD_BYTES;
  const entries = Math.floor((out.length - 1) / size);
  const entry = 1 + rng.below(Math.max(1, entries)) * size;
  switch (rng.below(9)) {
    case 0: // flags byte of a record: REMOVE bit, reserved bits, PIN/revoked, profile high bits
      if (size === RECORD_BYTES && entry + 11 < out.length) out[entry + 11] = rng.pick([0x80, 0x70, 0x7f, 0x04, 0x08, 0x03, 0xff, 0x81, 0x00]);
      return out;
    case 1: // validity days: from after to, extremes
      if (size === RECORD_BYTES && entry + 9 < out.length) {
        out.set(rng.pick([[0xff, 0xff, 0, 0], [0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0x10, 0, 0x0f, 0xff]]), entry + 6);
      }
      return out;
    case 2: { // swap two entries (tag order), or duplicate one (a duplicate tag)
      if (entries < 2) return out;
      const other = 1 + rng.below(entries) * size;
      const a = out.slice(entry, entry + size);
      if (rng.chance(0.5)) out.set(out.subarray(other, other + size), entry);
      else out.set(a, other);
      if (rng.chance(0.5)) out.set(a, other);
      return out;
    }
    case 3: // the stream byte
      out[0] = rng.pick([0, 1, 2, 3, 0x80, 0xff]);
      return out;
    case 4: // a length that is not a whole number of entries, or empty
      return out.slice(0, rng.chance(0.3) ? 1 : Math.max(1, out.length - rng.between(1, size - 1)));
    case 5: // profile: window count, reserved bytes, a window's days / start / end
      if (size === PROFILE_BYTES && entry + 31 < out.length) {
        const field = rng.below(3);
        if (field === 0) out[entry + 4] = rng.pick([0, 1, 6, 7, 255]);
        else if (field === 1) out[entry + 5 + rng.below(3)] = 1;
        else out.set(rng.pick([[0, 0, 0, 0], [0xff, 0xff, 0xff, 0xff], [0x00, 0x40, 0x05, 0xa0], [0x1f, 0xc0, 0x05, 0xa1], [0x00, 0x7f, 0xff, 0xff]]), entry + 8 + 4 * rng.below(6));
      }
      return out;
    case 6: // many records: the chunk at its size limit
      while (out.length + size <= 5761 && rng.chance(0.98)) {
        const grown = new Uint8Array(out.length + size);
        grown.set(out);
        grown.set(out.subarray(entry, entry + size), out.length);
        return grown;
      }
      return out;
    default:
      return mutateBytesOnce(out, rng, seeds);
  }
}

function mutateProgram(program: Step[], rng: Prng, donors: readonly Step[][]): void {
  const chunkSteps = program.map((step, i) => [step, i] as const).filter(([step]) => step[0] === CRED_SYNC_CHUNK && isObject(step[1]));
  switch (rng.below(6)) {
    case 0:
    case 1: { // a chunk's content
      if (chunkSteps.length === 0) return;
      const [[, args]] = rng.pick(chunkSteps);
      const body = decode(args!.data);
      if (!body) return;
      let mutated = body;
      for (let k = rng.size(4); k > 0; k--) mutated = mutateBody(mutated, rng, []);
      args!.data = Buffer.from(mutated).toString('base64');
      return;
    }
    case 2: { // a manifest field
      const begins = program.filter((step) => step[0] === CRED_SYNC_BEGIN && isObject(step[1]));
      if (begins.length === 0) return;
      const args = rng.pick(begins)[1]!;
      const key = rng.pick(['version', 'base', 'count', 'pins', 'profiles', 'kind', 'sync', 'hashes', 'digest']);
      args[key] = rng.pick<unknown>([0, 1, 2, 3, 319, 320, 1023, 1024, 1_000_000, 1_000_001, 0xffff_ffff, 2 ** 32, -1, 1.5, 'delta', 'snapshot', '', 'x',
        undefined, null, 'AAAA', 'A'.repeat(6828), '0'.repeat(64), 'f'.repeat(64)]);
      if (args[key] === undefined) delete args[key];
      return;
    }
    case 3: { // lose, repeat or reorder steps
      if (program.length === 0) return;
      const i = rng.below(program.length);
      const j = rng.below(program.length);
      const op = rng.below(3);
      if (op === 0) program.splice(i, 1);
      else if (op === 1) program.splice(j, 0, structuredClone(program[i]!));
      else [program[i], program[j]] = [program[j]!, program[i]!];
      return;
    }
    case 4: { // splice in steps of another program
      const donor = rng.pick(donors);
      const from = rng.below(donor.length + 1);
      program.splice(rng.below(program.length + 1), 0, ...structuredClone(donor.slice(from, from + rng.size(8))));
      return;
    }
    default: // cut off
      program.length = rng.below(program.length + 1);
  }
}

/** The program in the bytes, unless they are not one or nest deeper than the core would read. */
function programOf(bytes: Uint8Array): Step[] | undefined {
  const text = (() => {
    try {
      const source = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
      return nestedDeeperThan(source, 64) ? undefined : (JSON.parse(source) as unknown);
    } catch {
      return undefined;
    }
  })();
  return Array.isArray(text) && text.every((step) => Array.isArray(step)) ? (text as Step[]) : undefined;
}

export function credSyncTarget(): FuzzTarget {
  const crypto = createHostCrypto();
  let donors: Step[][] = [];
  return {
    name: 'cred-sync',
    format: 'json',
    weight: 2,
    seeds() {
      const seeds = credSyncSeeds();
      donors = seeds.map(programOf).filter((program): program is Step[] => program !== undefined);
      return seeds;
    },
    mutate(input, rng, context) {
      const program = programOf(input);
      if (!program || rng.chance(0.2)) {
        const out = context.generic(input);
        const mutated = programOf(out);
        if (mutated && rng.chance(0.5)) {
          resign(mutated, rng);
          return bytesOf(mutated);
        }
        return out;
      }
      for (let k = rng.size(3); k > 0; k--) mutateProgram(program, rng, donors);
      if (rng.chance(0.85)) resign(program, rng);
      return bytesOf(program);
    },
    run(input, runSeed) {
      const storage = createHostStorage({ partitions: { credA: CRED_SLOT_BYTES, credB: CRED_SLOT_BYTES }, strict: true });
      runCredSync(input, runSeed, { storage, crypto });
    },
    xsCore: 'cred-sync',
    xsBudget: 100_000_000,
  };
}
