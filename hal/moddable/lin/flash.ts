// Stand-in for the SDK's "flash" module (ESP32 only) on the Linux simulator build: the same class shape over RAM,
// with NOR semantics (erase to 0xFF, writes clear bits). Contents last as long as the process.
const PARTITIONS: Readonly<Record<string, number>> = { outbox: 256 * 1024 };
const BLOCK_SIZE = 4096;
// A plain object, not a Map: this module is preloaded, and XS leaves preloaded Map instances read-only.
const memory: Record<string, Uint8Array> = {};

export default class Flash {
  #bytes: Uint8Array;

  constructor(name: string) {
    const size = PARTITIONS[name];
    if (size === undefined) throw new Error("can't find partition");
    this.#bytes = memory[name] ??= new Uint8Array(size).fill(0xff);
  }

  get byteLength(): number {
    return this.#bytes.length;
  }

  get blockSize(): number {
    return BLOCK_SIZE;
  }

  erase(sector: number): void {
    this.#range(sector * BLOCK_SIZE, BLOCK_SIZE);
    this.#bytes.fill(0xff, sector * BLOCK_SIZE, (sector + 1) * BLOCK_SIZE);
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.#range(offset, byteLength);
    return this.#bytes.slice(offset, offset + byteLength).buffer;
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    if (byteLength <= 0 || buffer.byteLength < byteLength) throw new Error('invalid');
    this.#range(offset, byteLength);
    const source = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    for (let i = 0; i < byteLength; i++) this.#bytes[offset + i]! &= source[i]!;
  }

  #range(offset: number, byteLength: number): void {
    if (offset < 0 || byteLength < 0 || offset + byteLength > this.#bytes.length) throw new Error('write failed');
  }
}
