// Fuzz core for credential sync (firmware/protocol/cred-sync.ts, firmware/apps/door-reader/credentials/*):
// manifests (`cred.sync.begin` args) and chunks (`cred.sync.chunk` args) through the sync command handlers the
// door app registers, exactly as the dispatcher calls them (validate, then run), on a store whose storage is
// healthy. Engine-neutral: runs on Node (host flash) and inside XS (RAM flash, HAL crypto).
//
// One input is a program: UTF-8 JSON, an array of [command name, args] steps, played on a fresh store holding the
// site keys and no list. Asserted: validate and run never throw; a step never fails for "storage" (with healthy
// flash that is an exception inside the store, caught by the handlers); the list in force changes only when a
// step reports the sync done, and then to the manifest's version and counts; a store reopened from the same
// storage sees the same list; lookups on whatever list is in force do not throw.
import type { Crypto } from '../../../hal/contract/crypto.js';
import type { Storage } from '../../../hal/contract/storage.js';
import { CredentialStore, credentialSyncHandlers, writeCredentialKeys } from '../../../firmware/apps/door-reader/credentials/index.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { utf8DecodeStrict } from '../../../firmware/lib/utf8.js';
import { CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS } from '../../../firmware/protocol/cred-sync.js';
import { PROTOCOL_VERSION, type CommandMessage } from '../../../firmware/protocol/messages.js';
import type { CommandOutcome } from '../../../firmware/runtime/dispatcher.js';
import { MAX_SCAN_DEPTH } from '../../../firmware/protocol/limits.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';

/** The site keys of the fuzzed store; the Node side signs manifests with the same ones. */
export const FUZZ_SITE_KEYS = {
  hashKey: fromHex('5ac0bdf1a1c2d3e4f5061728394a5b6c7d8e9fa0b1c2d3e4f5061728394a5b6c'),
  syncKey: fromHex('9e3779b97f4a7c15f39cc0605cedc8341082276bf3a27251f86c6a11d0c18e95'),
};

/** The credA/credB partitions the core's stores get. */
export const CRED_SLOT_BYTES = 48 * 1024;

const SYNC_COMMANDS: readonly string[] = [CRED_SYNC_BEGIN, CRED_SYNC_CHUNK, CRED_SYNC_STATUS];
const MAX_STEPS = 400;

export interface CredSyncEnv {
  /** Storage with credA and credB, erased, with an empty key-value store. */
  storage: Storage;
  crypto: Crypto;
}

interface Expected {
  version: number;
  count: number;
  pins: number;
  profiles: number;
}

function describeList(store: CredentialStore): string {
  const status = store.status();
  return `v${status.version} ${status.count}/${status.pins}/${status.profiles}${status.problem ? ` (${status.problem})` : ''}`;
}

/** Bracket nesting outside strings, as validate.ts scans it. */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return true;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return false;
}

/** Plays one program; throws on a broken property. */
export function runCredSync(input: Uint8Array, runSeed: number, env: CredSyncEnv): void {
  const text = utf8DecodeStrict(input);
  // Args reach a device only through parseInbound, which refuses nesting deeper than MAX_SCAN_DEPTH before
  // JSON.parse (XS's JSON.parse overflows the native stack, uncatchably, a few thousand levels down): so here too.
  if (text === undefined || nestedDeeperThan(text, MAX_SCAN_DEPTH + 1)) return; // + 1: [[name, args]] vs {args}
  let program: unknown;
  try {
    program = JSON.parse(text);
  } catch {
    return;
  }
  if (!Array.isArray(program)) return;

  const { storage, crypto } = env;
  writeCredentialKeys(storage.kv, FUZZ_SITE_KEYS);
  const store = new CredentialStore({ storage, crypto });
  const events: { type: string; data: Record<string, unknown> }[] = [];
  const handlers = credentialSyncHandlers(store, { emit: (type, data = {}) => events.push({ type, data }) });
  /** What the last begin that opened a session promised. */
  let promised: Expected | undefined;

  for (const [n, step] of program.slice(0, MAX_STEPS).entries()) {
    if (!Array.isArray(step)) continue;
    const [name, args] = step as [unknown, unknown];
    if (typeof name !== 'string' || !SYNC_COMMANDS.includes(name)) continue;
    const spec = handlers[name]!;
    const command = { v: PROTOCOL_VERSION, msg: 'command', reqId: `f${n}`, name, exp: 1, ...(args === undefined ? {} : { args }) } as CommandMessage;
    const commandArgs = (args ?? {}) as Record<string, unknown>;
    const before = store.version;
    const eventsBefore = events.length;
    const problem = spec.validate?.(commandArgs, command);
    check(problem === undefined || (typeof problem === 'string' && problem.length > 0), `step ${n}: validate returned ${String(problem)}`);
    if (problem !== undefined) {
      check(events.length === eventsBefore, () => `step ${n}: a refused ${name} emitted ${events[eventsBefore]!.type}`);
      check(store.version === before, () => `step ${n}: a refused ${name} changed the list to ${describeList(store)}`);
      continue;
    }
    const outcome: CommandOutcome = spec.run(commandArgs, command);
    check(outcome.code === 'ok' || outcome.code === 'rejected',
      () => `step ${n}: ${name} ended "${outcome.code}": ${String(outcome.reason)}`);
    for (const event of events.slice(eventsBefore)) {
      check(event.type === 'credentials.synced' || event.type === 'credentials.sync_failed', () => `step ${n}: event ${event.type}`);
      check(event.data.reason !== 'storage', () => `step ${n}: ${name} failed for storage with healthy flash: ${String(event.data.detail)}`);
    }
    const done = outcome.code === 'ok' && outcome.data?.done === true;
    if (name === CRED_SYNC_BEGIN && outcome.code === 'ok' && outcome.data?.current !== true) {
      const begin = commandArgs as { version: number; count: number; pins: number; profiles: number };
      promised = { version: begin.version, count: begin.count, pins: begin.pins, profiles: begin.profiles };
    }
    if (done) {
      check(promised !== undefined, () => `step ${n}: a sync finished without a begin`);
      const status = store.status();
      check(status.version === promised.version && status.count === promised.count && status.pins === promised.pins && status.profiles === promised.profiles,
        () => `step ${n}: sync done, list ${describeList(store)}, manifest promised v${promised!.version} ${promised!.count}/${promised!.pins}/${promised!.profiles}`);
      check(events.some((event, k) => k >= eventsBefore && event.type === 'credentials.synced'), () => `step ${n}: done without credentials.synced`);
    } else {
      check(store.version === before, () => `step ${n}: ${name} (${outcome.code}) changed the list from v${before} to ${describeList(store)}`);
    }
  }

  // The switch is durable: a store opened afresh on the same storage serves the same list.
  const reopened = new CredentialStore({ storage, crypto });
  check(describeList(reopened) === describeList(store), () => `reopened store holds ${describeList(reopened)}, live one ${describeList(store)}`);
  const rng = new Prng(runSeed);
  for (let i = 0; i < 3; i++) {
    const secret = rng.bytes(rng.between(0, 10));
    const record = store.lookup(rng.pick(['card', 'pin', 'qr'] as const), secret);
    if (record) store.profile(record.profile);
    store.checkPin('card', secret, '1234');
  }
}
