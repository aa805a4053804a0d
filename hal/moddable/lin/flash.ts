// Stand-in for the SDK's "flash" module (ESP32 only) on the Linux simulator build: the same class shape, with NOR
// semantics (erase to 0xFF, writes clear bits), over a host file per partition (mc/config file.root +
// "modflash-<name>.bin", beside modpreferences.json). A file, not RAM: the partition stays out of the JS heap, so
// an instrumented Linux run shows the app's own memory as on the chip, and events survive a restart of mcsim.
import { File } from 'file';
import config from 'mc/config';

const PARTITIONS: Readonly<Record<string, number>> = { outbox: 256 * 1024 };
const BLOCK_SIZE = 4096;

export default class Flash {
  readonly #file: File;
  readonly #size: number;

  constructor(name: string) {
    const size = PARTITIONS[name];
    if (size === undefined) throw new Error("can't find partition");
    const path = `${(config.file as { root: string }).root}modflash-${name}.bin`;
    const fresh = !File.exists(path) || new File(path).length !== size;
    if (fresh && File.exists(path)) File.delete(path);
    this.#file = new File(path, true);
    this.#size = size;
    if (fresh) for (let sector = 0; sector < size / BLOCK_SIZE; sector++) this.erase(sector);
  }

  get byteLength(): number {
    return this.#size;
  }

  get blockSize(): number {
    return BLOCK_SIZE;
  }

  erase(sector: number): void {
    this.#range(sector * BLOCK_SIZE, BLOCK_SIZE);
    this.#file.position = sector * BLOCK_SIZE;
    this.#file.write(new Uint8Array(BLOCK_SIZE).fill(0xff).buffer);
  }

  read(offset: number, byteLength: number): ArrayBuffer {
    this.#range(offset, byteLength);
    this.#file.position = offset;
    return this.#file.read(ArrayBuffer, byteLength);
  }

  write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    if (byteLength <= 0 || buffer.byteLength < byteLength) throw new Error('invalid');
    const source = buffer instanceof Uint8Array ? buffer : new Uint8Array(buffer);
    const bytes = new Uint8Array(this.read(offset, byteLength));
    for (let i = 0; i < byteLength; i++) bytes[i]! &= source[i]!;
    this.#file.position = offset;
    this.#file.write(bytes.buffer);
  }

  #range(offset: number, byteLength: number): void {
    if (offset < 0 || byteLength < 0 || offset + byteLength > this.#size) throw new Error('write failed');
  }
}
