// A deposit: a resident identifies (card or QR: only the keyed hash is kept) → chooses a compartment (its select
// button; a one-compartment station skips this) → the compartment is weighed, the deposit is written down as
// pending (key-value store, one record) and the lid opens → the lid closes by itself → after settling, the weight
// difference is credited by category in a durable `bin.deposit` event. Everything is local: no network needed.
//
// Power cuts: the pending record holds the deposit's id and the weight before, so a reboot finishes the deposit
// once its lid is shut again. Before the event is queued the record is marked with the outbox's next seq; on boot
// an outbox that has moved past it means the event was queued already, so it is not queued twice. The id is
// stable either way and the platform credits each id once (docs/protocol.md), so nothing is credited twice.
import type { KeyValueStore, MonotonicClock, TimerId, Timers, WallClock } from '../../../hal/contract/index.js';
import type { Lid } from './lid.js';
import type { Scale, Weighing } from './scale.js';

export type DepositIndication = 'identified' | 'choose' | 'opening' | 'credited' | 'refused' | 'identifyFirst' | 'blocked' | 'busy';
export type RefusalReason = 'implausible' | 'unstable' | 'nothing' | 'noScale';

export interface DepositCompartment {
  readonly lid: Lid;
  readonly scale: Scale | undefined;
  readonly category: string;
  /** Why this compartment takes no deposit now (full, jammed, tilted station...), or undefined. */
  blocked(): string | undefined;
}

export interface DepositSettings {
  chooseS: number;
  lidOpenS: number;
  minDepositG: number;
  maxDepositG: number;
}

export interface DepositsOptions {
  kv: KeyValueStore;
  domain: string;
  timers: Timers;
  clock: MonotonicClock;
  wallClock: WallClock;
  settings(): DepositSettings;
  compartments: readonly (DepositCompartment | undefined)[];
  creditsPerKg(category: string): number;
  deviceId(): string;
  emit(type: string, data: Record<string, unknown>): number;
  nextSeq(): number;
  show(indication: DepositIndication, c?: number): void;
  log(level: 'info' | 'warn', message: string): void;
}

/** What the key-value store keeps while a lid is open for a deposit. */
interface PendingDeposit {
  id: string;
  c: number;
  resident: string;
  via: 'card' | 'qr';
  /** Raw counts before the lid opened (undefined without a scale). */
  before?: number;
  /** Wall ms the lid opened, when the clock was set. */
  at?: number;
  /** The outbox's next seq just before the event was queued. */
  seq?: number;
}

const PENDING_KEY = 'dep';
const COUNTER_KEY = 'depN';
/** After the lid shuts: let the waste and the platform settle before weighing; tries while unsettled. */
export const SETTLE_MS = 2000;
export const WEIGH_TRIES = 3;

export class Deposits {
  #o: DepositsOptions;
  #session: { resident: string; via: 'card' | 'qr'; timer: TimerId } | undefined;
  #pending: PendingDeposit | undefined;
  #weighing = false;
  #timer: TimerId | undefined;
  #counts = { credited: 0, refused: 0, resumed: 0 };

  constructor(options: DepositsOptions) {
    this.#o = options;
  }

  get counts(): Readonly<{ credited: number; refused: number; resumed: number }> {
    return this.#counts;
  }

  /** The compartment a deposit is open on, if any. */
  get active(): number | undefined {
    return this.#pending?.c;
  }

  /** At boot: a deposit a power cut interrupted carries on once its lid is shut. */
  restore(outboxNextSeq: number): void {
    const pending = readPending(this.#o.kv.get(this.#o.domain, PENDING_KEY));
    if (!pending) return;
    if (pending.seq !== undefined && outboxNextSeq > pending.seq) {
      // The event was queued before the cut; only the record was left.
      this.#o.kv.delete(this.#o.domain, PENDING_KEY);
      return;
    }
    this.#pending = pending;
    this.#counts.resumed++;
    this.#o.log('info', `deposit ${pending.id} resumed after a restart`);
  }

  identified(resident: string, via: 'card' | 'qr'): void {
    if (this.#pending) return this.#o.show('busy');
    this.#endSession();
    const timer = this.#o.timers.set(() => this.#endSession(), this.#o.settings().chooseS * 1000);
    this.#session = { resident, via, timer };
    const open = this.#o.compartments.flatMap((c, i) => (c ? [i] : []));
    if (open.length === 1) return this.choose(open[0]!);
    this.#o.show('identified');
  }

  choose(c: number): void {
    const session = this.#session;
    if (!session) return this.#o.show('identifyFirst', c);
    if (this.#pending) return this.#o.show('busy', c);
    const compartment = this.#o.compartments[c];
    if (!compartment) return;
    const blocked = compartment.blocked();
    if (blocked) {
      this.#o.log('info', `compartment ${c} takes no deposit: ${blocked}`);
      return this.#o.show('blocked', c);
    }
    this.#endSession();
    const begin = (before: Weighing | undefined) => {
      const n = (this.#o.kv.get(this.#o.domain, COUNTER_KEY) as number | undefined ?? 0) + 1;
      this.#o.kv.set(this.#o.domain, COUNTER_KEY, n);
      const wall = this.#o.wallClock;
      const pending: PendingDeposit = {
        id: `${this.#o.deviceId()}.${n}`, c, resident: session.resident, via: session.via,
        ...(before ? { before: before.raw } : {}),
        ...(wall.valid ? { at: wall.now() } : {}),
      };
      this.#o.kv.set(this.#o.domain, PENDING_KEY, JSON.stringify(pending));
      this.#pending = pending;
      this.#o.show('opening', c);
      compartment.lid.open(this.#o.settings().lidOpenS * 1000);
    };
    if (compartment.scale) compartment.scale.weigh((w) => begin(w));
    else begin(undefined);
  }

  /** A lid reports shut: finish the deposit on it after the settle time. */
  lidClosed(c: number): void {
    if (this.#pending?.c !== c || this.#weighing) return;
    this.#o.timers.clear(this.#timer);
    this.#timer = this.#o.timers.set(() => this.#weigh(1), SETTLE_MS);
  }

  stop(): void {
    this.#endSession();
    this.#o.timers.clear(this.#timer);
    this.#timer = undefined;
  }

  #weigh(attempt: number): void {
    this.#timer = undefined;
    const pending = this.#pending;
    if (!pending) return;
    const compartment = this.#o.compartments[pending.c];
    const scale = compartment?.scale;
    if (!compartment || !scale || pending.before === undefined) return this.#finish(pending, undefined, 'noScale');
    if (!compartment.lid.shut) return; // opened again meanwhile: wait for the next close
    this.#weighing = true;
    scale.weigh((after) => {
      this.#weighing = false;
      if (!after || !after.settled) {
        if (attempt < WEIGH_TRIES) {
          this.#timer = this.#o.timers.set(() => this.#weigh(attempt + 1), SETTLE_MS);
          return;
        }
        return this.#finish(pending, undefined, 'unstable');
      }
      const grams = Math.round(scale.gramsBetween(pending.before!, after.raw));
      const { minDepositG, maxDepositG } = this.#o.settings();
      if (grams > maxDepositG || grams < -minDepositG) return this.#finish(pending, grams, 'implausible');
      if (grams < minDepositG) return this.#finish(pending, grams, 'nothing');
      this.#finish(pending, grams, undefined);
    });
  }

  #finish(pending: PendingDeposit, grams: number | undefined, refused: RefusalReason | undefined): void {
    const compartment = this.#o.compartments[pending.c];
    const category = compartment?.category ?? 'other';
    // Mark before queueing: a cut between the two must not queue the event twice (restore()).
    this.#o.kv.set(this.#o.domain, PENDING_KEY, JSON.stringify({ ...pending, seq: this.#o.nextSeq() }));
    if (refused) {
      this.#counts.refused++;
      this.#o.emit('bin.refused', { id: pending.id, c: pending.c, category, reason: refused, ...(grams === undefined ? {} : { grams }) });
      this.#o.show('refused', pending.c);
    } else {
      this.#counts.credited++;
      const credits = Math.floor((grams! * this.#o.creditsPerKg(category)) / 1000);
      this.#o.emit('bin.deposit', {
        id: pending.id, c: pending.c, category, grams: grams!, credits, resident: pending.resident, via: pending.via,
        ...(pending.at === undefined ? {} : { at: pending.at }),
      });
      this.#o.show('credited', pending.c);
    }
    this.#o.kv.delete(this.#o.domain, PENDING_KEY);
    this.#pending = undefined;
  }

  #endSession(): void {
    if (!this.#session) return;
    this.#o.timers.clear(this.#session.timer);
    this.#session = undefined;
  }
}

function readPending(stored: unknown): PendingDeposit | undefined {
  if (typeof stored !== 'string') return undefined;
  try {
    const p = JSON.parse(stored) as PendingDeposit;
    const ok = typeof p.id === 'string' && Number.isInteger(p.c) && typeof p.resident === 'string' && (p.via === 'card' || p.via === 'qr')
      && (p.before === undefined || Number.isFinite(p.before)) && (p.at === undefined || Number.isFinite(p.at))
      && (p.seq === undefined || Number.isInteger(p.seq));
    return ok ? p : undefined;
  } catch {
    return undefined;
  }
}
