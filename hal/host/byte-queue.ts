// Bytes that arrived in chunks, handed out by count as an ECMA-419 socket's read(count) does. Engine-neutral (no
// Node imports), so the host socket and the scripted sockets of the tests, on Node and inside XS, share it.
export class ByteQueue {
  #chunks: Uint8Array[] = [];
  #available = 0;

  get available(): number {
    return this.#available;
  }

  push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#available += bytes.length;
  }

  /** The next `count` bytes (all of them without a count); undefined when none wait; throws past what waits. */
  take(count?: number): ArrayBuffer | undefined {
    if (this.#available === 0) return undefined;
    const wanted = count ?? this.#available;
    if (!Number.isInteger(wanted) || wanted <= 0 || wanted > this.#available) throw new Error(`read(${wanted}) of ${this.#available}`);
    const out = new Uint8Array(wanted);
    let at = 0;
    while (at < wanted) {
      const head = this.#chunks[0]!;
      const take = Math.min(head.length, wanted - at);
      out.set(head.subarray(0, take), at);
      at += take;
      if (take === head.length) this.#chunks.shift();
      else this.#chunks[0] = head.subarray(take);
    }
    this.#available -= wanted;
    return out.buffer;
  }
}
