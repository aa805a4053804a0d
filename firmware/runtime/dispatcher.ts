// Command dispatcher: validated commands in (the protocol validator has already refused malformed and retained
// ones), exactly one result out per reqId. Order of checks (docs/protocol.md §7.3): retained → rejected, before
// the memory is consulted (refuse()); seen reqId → the first result again (never re-executed); malformed →
// invalid (refuse()); clock not set → rejected; past `exp` → expired; unknown name → unsupported; bad args →
// invalid; then run.
// Results of commands that ran survive a restart (one small key-value record, written once per executed command),
// so a command redelivered after a reboot is not executed twice. Refusals are remembered in RAM only: a flood of
// bad commands must not wear the flash.
import type { KeyValueStore, WallClock } from '../../hal/contract/index.js';
import { utf8Encode } from '../lib/utf8.js';
import type { CommandMessage, ResultCode } from '../protocol/messages.js';

export interface CommandOutcome {
  code: ResultCode;
  reason?: string;
  data?: Record<string, unknown>;
}

export interface CommandSpec {
  /**
   * Returns an error text for bad arguments, undefined when they are fine. A refusal here is remembered in RAM
   * only, so checks an attacker can trigger at will (a signature over the command) belong here, not in run().
   */
  validate?(args: Record<string, unknown>, command: CommandMessage): string | undefined;
  run(args: Record<string, unknown>, command: CommandMessage): CommandOutcome;
  /**
   * false: remember this command's result in RAM only. For frequent commands that are idempotent by their own
   * state (a chunk of a credential sync), where a flash write per command would wear the key-value store.
   */
  persist?: boolean;
}

export type ResultSink = (reqId: string, outcome: CommandOutcome) => void;

export interface DispatcherOptions {
  wallClock: WallClock;
  kv: KeyValueStore;
  send: ResultSink;
  /** How many recent results to remember. */
  remember?: number;
  /**
   * Commands whose `exp` lies further ahead are refused: a result is only remembered for so long, so a long-lived
   * command could otherwise be replayed after it was forgotten.
   */
  maxExpiryAheadMs?: number;
}

interface RememberedResult extends CommandOutcome {
  reqId: string;
  /** The command's expiry. */
  exp?: number;
}

const KV_DOMAIN = 'cmd';
const KV_KEY = 'recent';
const KV_BUDGET = 3800;

export class Dispatcher {
  #commands = new Map<string, CommandSpec>();
  /** Results of commands that ran (persisted). */
  #executedResults: RememberedResult[];
  /** Refusals and results of persist:false commands (RAM only), so neither pushes persisted results out. */
  #volatileResults: RememberedResult[] = [];
  #wallClock: WallClock;
  #kv: KeyValueStore;
  #send: ResultSink;
  #remember: number;
  #maxExpiryAheadMs: number;
  #executed = 0;

  constructor(options: DispatcherOptions) {
    this.#wallClock = options.wallClock;
    this.#kv = options.kv;
    this.#send = options.send;
    this.#remember = options.remember ?? 16;
    this.#maxExpiryAheadMs = options.maxExpiryAheadMs ?? 3_600_000;
    this.#executedResults = loadRecent(this.#kv);
  }

  /** How many commands actually ran since boot. */
  get executed(): number {
    return this.#executed;
  }

  /** Command names this device supports (announced in the birth message). */
  get names(): string[] {
    return [...this.#commands.keys()];
  }

  register(name: string, spec: CommandSpec): void {
    if (this.#commands.has(name)) throw new Error(`dispatcher: command "${name}" registered twice`);
    this.#commands.set(name, spec);
  }

  /** Takes a command back (an app that failed to start: safe mode answers its commands `unsupported`). */
  unregister(name: string): void {
    this.#commands.delete(name);
  }

  /** A validated command. */
  dispatch(command: CommandMessage): void {
    const seen = this.#remembered(command.reqId);
    if (seen) {
      this.#send(command.reqId, outcomeOf(seen));
      return;
    }
    const executedBefore = this.#executed;
    const outcome = this.#decide(command);
    const ran = this.#executed > executedBefore;
    this.#finish(command.reqId, outcome, ran && this.#commands.get(command.name)?.persist !== false, command.exp);
  }

  /**
   * A command the validator refused but whose reqId could be read: `rejected` for a retained one, `invalid` for a
   * malformed one. A retained copy is answered `rejected` even when its reqId already ran (the platform must
   * learn that a retained command sits on the topic, not get the old `ok` again), and the refusal is not
   * remembered: copies of it can't push real results out of the memory, nor stand in for them later.
   */
  refuse(reqId: string, code: 'invalid' | 'rejected', reason: string): void {
    if (code === 'rejected') {
      this.#send(reqId, { code, reason });
      return;
    }
    const seen = this.#remembered(reqId);
    if (seen) {
      this.#send(reqId, outcomeOf(seen));
      return;
    }
    this.#finish(reqId, { code, reason }, false);
  }

  #decide(command: CommandMessage): CommandOutcome {
    if (!this.#wallClock.valid) return { code: 'rejected', reason: 'device clock not set: cannot check expiry' };
    const now = this.#wallClock.now();
    if (now > command.exp) return { code: 'expired', reason: `expired at ${command.exp}` };
    if (command.exp - now > this.#maxExpiryAheadMs)
      return { code: 'rejected', reason: `exp is more than ${this.#maxExpiryAheadMs / 1000} s ahead` };
    const spec = this.#commands.get(command.name);
    if (!spec) return { code: 'unsupported', reason: `unknown command "${command.name}"` };
    const args = command.args ?? {};
    const problem = spec.validate?.(args, command);
    if (problem !== undefined) return { code: 'invalid', reason: problem };
    this.#executed++;
    try {
      return spec.run(args, command);
    } catch (error) {
      return { code: 'failed', reason: errorText(error) };
    }
  }

  #remembered(reqId: string): RememberedResult | undefined {
    return this.#executedResults.find((entry) => entry.reqId === reqId) ?? this.#volatileResults.find((entry) => entry.reqId === reqId);
  }

  #finish(reqId: string, outcome: CommandOutcome, persist: boolean, exp?: number): void {
    const list = persist ? this.#executedResults : this.#volatileResults;
    list.push(exp === undefined ? { reqId, ...outcome } : { reqId, exp, ...outcome });
    // Forget expired commands first: a redelivered copy of those is refused as expired anyway.
    while (list.length > this.#remember) {
      const now = this.#wallClock.now();
      const expired = list.findIndex((entry) => entry.exp !== undefined && entry.exp < now);
      list.splice(expired >= 0 ? expired : 0, 1);
    }
    if (persist) saveRecent(this.#kv, list);
    this.#send(reqId, outcome);
  }
}

function outcomeOf(entry: RememberedResult): CommandOutcome {
  const outcome: CommandOutcome = { code: entry.code };
  if (entry.reason !== undefined) outcome.reason = entry.reason;
  if (entry.data !== undefined) outcome.data = entry.data;
  return outcome;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function loadRecent(kv: KeyValueStore): RememberedResult[] {
  const stored = kv.get(KV_DOMAIN, KV_KEY);
  if (typeof stored !== 'string') return [];
  try {
    const parsed: unknown = JSON.parse(stored);
    if (!Array.isArray(parsed)) return [];
    return parsed.filter(
      (entry): entry is RememberedResult =>
        typeof entry === 'object' && entry !== null && typeof entry.reqId === 'string' && typeof entry.code === 'string',
    );
  } catch {
    return [];
  }
}

/** Keeps the newest results that fit one key-value record; large `data` is dropped first. */
function saveRecent(kv: KeyValueStore, recent: RememberedResult[]): void {
  let entries = recent.map((entry) => ({ ...entry }));
  const size = () => utf8Encode(JSON.stringify(entries)).length;
  for (const entry of entries) {
    if (size() <= KV_BUDGET) break;
    delete entry.data;
  }
  while (size() > KV_BUDGET && entries.length > 1) entries = entries.slice(1);
  const text = JSON.stringify(entries);
  kv.set(KV_DOMAIN, KV_KEY, text);
}
