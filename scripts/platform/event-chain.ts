// Platform side of tamper-evident event chains (firmware/runtime/event-chain.ts): feed one device's events in
// the order they arrive; it recomputes each chained event's link from the previous chained payload it received
// and reports what does not fit.
//
// - `break`: the link does not match and no event is missing in between (every seq between the two chained
//   events arrived): a chained event was altered, removed or forged.
// - `gap`: the link does not match, but some seqs in between never arrived (outbox overflow, or events held
//   back): chained events may be among the missing ones.
// - `restart`: the chain starts again (prev = genesis): the device's storage was erased, or someone wants it to
//   look that way.
// - `conflict`: a second copy of a seq differs from the first (the protocol says retransmissions are identical).
import { createHash } from 'node:crypto';
import { CHAIN_GENESIS } from '../../firmware/runtime/event-chain.js';

export interface ChainFinding {
  kind: 'break' | 'gap' | 'restart' | 'conflict';
  /** The event where it was noticed. */
  seq: number;
  /** Seqs that never arrived between the previous chained event and this one (for `gap`). */
  missing?: number[];
}

export interface ChainVerifierOptions {
  /** Which events belong to the chain. Default: those whose data carries a `prev` string. */
  belongs?(event: { type: string; data: Record<string, unknown> }): boolean;
}

export function chainLink(payload: string): string {
  return createHash('sha256').update(payload, 'utf8').digest().subarray(0, 16).toString('hex');
}

export class ChainVerifier {
  readonly findings: ChainFinding[] = [];
  /** Events checked and found linked. */
  linked = 0;
  #belongs: NonNullable<ChainVerifierOptions['belongs']>;
  /** seq → link of the first copy (a hash is enough to recognise a differing second copy). */
  #copies = new Map<number, string>();
  #last: { seq: number; link: string } | undefined;

  constructor(options: ChainVerifierOptions = {}) {
    this.#belongs = options.belongs ?? ((event) => typeof event.data.prev === 'string');
  }

  /** One event payload as received. Returns the findings it caused. */
  add(payload: string): ChainFinding[] {
    const event = JSON.parse(payload) as { seq: number; type: string; data: Record<string, unknown> };
    const link = chainLink(payload);
    const first = this.#copies.get(event.seq);
    if (first !== undefined) return this.#note(first === link ? [] : [{ kind: 'conflict', seq: event.seq }]);
    this.#copies.set(event.seq, link);
    if (!this.#belongs(event)) return [];
    const prev = event.data.prev;
    const found: ChainFinding[] = [];
    const last = this.#last;
    if (prev === CHAIN_GENESIS) {
      if (last) found.push({ kind: 'restart', seq: event.seq });
    } else if (last && prev !== last.link) {
      const missing = this.#missingBetween(last.seq, event.seq);
      found.push(missing.length > 0 ? { kind: 'gap', seq: event.seq, missing } : { kind: 'break', seq: event.seq });
    } else if (last) this.linked++;
    // Without a previous link (we joined mid-chain) the first event is taken as the starting point.
    this.#last = { seq: event.seq, link };
    return this.#note(found);
  }

  #missingBetween(from: number, to: number): number[] {
    const missing: number[] = [];
    for (let seq = from + 1; seq < to; seq++) if (!this.#copies.has(seq)) missing.push(seq);
    return missing;
  }

  #note(found: ChainFinding[]): ChainFinding[] {
    this.findings.push(...found);
    return found;
  }
}
