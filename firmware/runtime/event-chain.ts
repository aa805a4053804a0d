// Tamper-evident event chains. An event emitted with `{ chain: name }` carries `data.prev`: the hex of the first
// 16 bytes of the SHA-256 of the previous event of that chain, exactly as its payload text was stored (and is
// therefore retransmitted). The platform recomputes the hashes from what it received: an altered, removed or
// reordered event breaks the chain, and the `seq` numbers tell a break from events lost to a gap.
//
// The head of each chain is kept in the key-value store (domain `chain`, key = chain name), written once per
// chained event BEFORE the event reaches the outbox, as "<seq> <hash> <previous hash>". If power fails between
// that write and the outbox append, the outbox hands the same seq out again, and the head's seq tells us that
// the recorded event never landed: its predecessor's hash is used instead.
import type { Crypto, KeyValueStore } from '../../hal/contract/index.js';
import { toHex } from '../lib/hex.js';

/** `prev` of the first event of a chain (and after the device's storage was erased). */
export const CHAIN_GENESIS = '00000000000000000000000000000000';
/** Chain names are key-value keys. */
export const CHAIN_NAME = /^[a-z][a-z0-9_]{0,14}$/;

const KV_DOMAIN = 'chain';
const HASH = /^[0-9a-f]{32}$/;

interface ChainHead {
  seq: number;
  hash: string;
  prev: string;
}

export class EventChains {
  #kv: KeyValueStore;
  #crypto: Crypto;
  #heads = new Map<string, ChainHead | undefined>();

  constructor(kv: KeyValueStore, crypto: Crypto) {
    this.#kv = kv;
    this.#crypto = crypto;
    for (const name of kv.keys(KV_DOMAIN)) this.#head(name);
  }

  /**
   * The event stored under `seq` belongs to `chain` (or to none). A head written for `seq` by another chain is
   * an append that never landed (refused or cut): that chain falls back to its previous link, so its next
   * event does not point at an event the platform will never see.
   */
  landed(seq: number, chain: string | undefined): void {
    for (const [name, head] of this.#heads) {
      if (name === chain || !head || head.seq !== seq) continue;
      if (head.prev === CHAIN_GENESIS || seq <= 1) {
        this.#kv.delete(KV_DOMAIN, name);
        this.#heads.set(name, undefined);
      } else {
        const back = { seq: seq - 1, hash: head.prev, prev: CHAIN_GENESIS };
        this.#kv.set(KV_DOMAIN, name, `${back.seq} ${back.hash} ${back.prev}`);
        this.#heads.set(name, back);
      }
    }
  }

  /** The `prev` for the chained event that is about to be stored under `seq`. */
  prev(name: string, seq: number): string {
    const head = this.#head(name);
    if (!head || head.seq > seq) return CHAIN_GENESIS; // never used, or the outbox was erased under us
    return head.seq === seq ? head.prev : head.hash;
  }

  /** Makes `payload` (stored under `seq`) the chain's head; durable when it returns. */
  record(name: string, seq: number, prev: string, payload: string): void {
    const head = { seq, hash: chainHash(this.#crypto, payload), prev };
    this.#kv.set(KV_DOMAIN, name, `${head.seq} ${head.hash} ${head.prev}`);
    this.#heads.set(name, head);
  }

  #head(name: string): ChainHead | undefined {
    if (!this.#heads.has(name)) this.#heads.set(name, parseHead(this.#kv.get(KV_DOMAIN, name)));
    return this.#heads.get(name);
  }
}

/** The chain link of one payload: hex of the first 16 bytes of its SHA-256. */
function chainHash(crypto: Crypto, payload: string): string {
  return toHex(crypto.sha256(payload).subarray(0, 16));
}

function parseHead(stored: unknown): ChainHead | undefined {
  if (typeof stored !== 'string') return undefined;
  const [seqText = '', hash = '', prev = ''] = stored.split(' ');
  const seq = Number(seqText);
  if (!Number.isSafeInteger(seq) || seq < 1 || !HASH.test(hash) || !HASH.test(prev)) return undefined;
  return { seq, hash, prev };
}
