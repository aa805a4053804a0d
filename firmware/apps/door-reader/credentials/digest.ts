// The list digest: what a sync manifest promises the finished list will be, checked before the switch. Over the
// byte stream profiles ‖ main records ‖ PIN records (as stored), in groups of GROUP_BYTES:
//   d = 32 zero bytes; for each group g: d = SHA-256(d ‖ g); digest = SHA-256(d ‖ u32 profiles ‖ u32 count ‖ u32 pins)
// One-shot SHA-256 calls only (the HAL has no streaming hash), and the platform computes the same.
import type { Crypto } from '../../../../hal/contract/crypto.js';
import { writeU32 } from './format.js';
import type { ListCounts } from './layout.js';

const GROUP_BYTES = 3072;

export class ListDigest {
  readonly #crypto: Crypto;
  #state = new Uint8Array(32 + GROUP_BYTES);
  #fill = 0;

  constructor(crypto: Crypto) {
    this.#crypto = crypto;
  }

  add(bytes: Uint8Array, at: number, length: number): void {
    let from = at;
    let left = length;
    while (left > 0) {
      const n = Math.min(left, GROUP_BYTES - this.#fill);
      this.#state.set(bytes.subarray(from, from + n), 32 + this.#fill);
      this.#fill += n;
      from += n;
      left -= n;
      if (this.#fill === GROUP_BYTES) this.#fold();
    }
  }

  finish(counts: ListCounts): Uint8Array {
    if (this.#fill > 0) this.#fold();
    const tail = new Uint8Array(44);
    tail.set(this.#state.subarray(0, 32));
    writeU32(tail, 32, counts.profiles);
    writeU32(tail, 36, counts.count);
    writeU32(tail, 40, counts.pins);
    return this.#crypto.sha256(tail);
  }

  #fold(): void {
    this.#state.set(this.#crypto.sha256(this.#state.subarray(0, 32 + this.#fill)).subarray(0, 32));
    this.#fill = 0;
  }
}
