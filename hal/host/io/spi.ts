// Virtual SPI buses. A simulated chip attaches on its select pin and sees full-duplex transfers between
// select and deselect. With no chip selected, MISO floats high and reads 0xFF, as on real hardware.
import type { BufferSource, SPI, SPIConstructor, SPIOptions } from '../../contract/io.js';
import { Closable, arrayBufferOf, bytesOf, checkByteCount } from './common.js';

export interface SpiChip {
  /** Full duplex: receives the bytes clocked out (MOSI) and replaces them in place with its reply (MISO). */
  transfer(bytes: Uint8Array): void;
  /** Select went active: a new transaction begins. */
  select?(): void;
  /** Select went inactive: the transaction ends. */
  deselect?(): void;
}

export class VirtualSpiBus {
  readonly port: number;
  #chips = new Map<number, SpiChip>();

  constructor(port: number) {
    this.port = port;
  }

  attach(select: number, chip: SpiChip): void {
    if (this.#chips.has(select)) throw new Error(`SPI port ${this.port}: select pin ${select} already has a chip`);
    this.#chips.set(select, chip);
  }

  detach(select: number): void {
    this.#chips.delete(select);
  }

  chip(select: number | undefined): SpiChip | undefined {
    return select === undefined ? undefined : this.#chips.get(select);
  }
}

export function createSPIClass(busOf: (port: number) => VirtualSpiBus): SPIConstructor {
  return class VirtualSPI implements SPI {
    #bus: VirtualSpiBus;
    #select: number | undefined;
    #selected = false;
    #state = new Closable('SPI');

    constructor(options: SPIOptions) {
      if (!(typeof options?.hz === 'number' && options.hz > 0)) throw new RangeError(`SPI: invalid hz ${String(options?.hz)}`);
      this.#bus = busOf(options.port ?? 0);
      this.#select = options.select;
    }

    read(byteLength: number): ArrayBuffer {
      const bytes = new Uint8Array(checkByteCount(byteLength, 'SPI read')).fill(0xff);
      this.#exchange(bytes);
      return arrayBufferOf(bytes);
    }

    write(buffer: BufferSource): void {
      // The chip replies in place, so the caller's bytes are copied. A small Uint8Array copy stays on the JS
      // heap; bytesOf's ArrayBuffer.slice does not, and a poll loop writes registers millions of times.
      this.#exchange(buffer instanceof Uint8Array ? new Uint8Array(buffer) : bytesOf(buffer));
    }

    transfer(buffer: Uint8Array): void {
      if (!(buffer instanceof Uint8Array)) throw new TypeError('SPI transfer needs a Uint8Array');
      this.#exchange(buffer);
    }

    flush(deselect = false): void {
      this.#state.check();
      if (deselect) this.#deselect();
    }

    close(): void {
      if (this.#state.close()) this.#deselect();
    }

    #exchange(bytes: Uint8Array): void {
      this.#state.check();
      const chip = this.#bus.chip(this.#select);
      if (chip === undefined) {
        bytes.fill(0xff);
        return;
      }
      if (!this.#selected) {
        this.#selected = true;
        chip.select?.();
      }
      chip.transfer(bytes);
    }

    #deselect(): void {
      if (!this.#selected) return;
      this.#selected = false;
      this.#bus.chip(this.#select)?.deselect?.();
    }
  };
}
