// Virtual I2C buses. A simulated chip attaches at an address either at register level (the usual
// "write register pointer, then read/write bytes with auto-increment" protocol) or with raw transaction hooks.
// ECMA-419 I2C and SMBus instances run real I2C transactions against it, so a driver runs unchanged.
import type { I2C, I2CConstructor, I2COptions, SMBus, SMBusConstructor, BufferSource } from '../../contract/io.js';
import { Closable, arrayBufferOf, bytesOf, checkByteCount } from './common.js';

/** A chip modelled as 8-bit registers behind a register pointer. */
export interface I2cRegisterChip {
  readRegister(register: number): number;
  writeRegister(register: number, value: number): void;
  /** Where the pointer goes after each byte of a multi-byte access. Default: the next register (wrapping at 0xFF). */
  nextRegister?(register: number): number;
}

/** A chip that sees each transaction's bytes as they are. */
export interface I2cTransactionChip {
  write(bytes: Uint8Array, stop: boolean): void;
  read(byteLength: number, stop: boolean): Uint8Array;
}

export type I2cChip = I2cRegisterChip | I2cTransactionChip;

/** One attached chip as the bus drives it: always transactions. */
interface I2cTarget {
  write(bytes: Uint8Array, stop: boolean): void;
  read(byteLength: number, stop: boolean): Uint8Array;
}

function registerTarget(chip: I2cRegisterChip): I2cTarget {
  let pointer = 0;
  const next = (register: number) => (chip.nextRegister ? chip.nextRegister(register) : (register + 1) & 0xff);
  return {
    write(bytes) {
      if (bytes.length === 0) return; // an address-only probe
      pointer = bytes[0]!;
      for (const value of bytes.subarray(1)) {
        chip.writeRegister(pointer, value);
        pointer = next(pointer);
      }
    },
    read(byteLength) {
      const out = new Uint8Array(byteLength);
      for (let i = 0; i < byteLength; i++) {
        out[i] = chip.readRegister(pointer) & 0xff;
        pointer = next(pointer);
      }
      return out;
    },
  };
}

function isRegisterChip(chip: I2cChip): chip is I2cRegisterChip {
  return typeof (chip as I2cRegisterChip).readRegister === 'function';
}

function hex(address: number): string {
  return `0x${address.toString(16).padStart(2, '0')}`;
}

export class VirtualI2cBus {
  readonly port: number;
  #targets = new Map<number, I2cTarget>();

  constructor(port: number) {
    this.port = port;
  }

  attach(address: number, chip: I2cChip): void {
    if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError(`I2C address ${address} is not 7-bit`);
    if (this.#targets.has(address)) throw new Error(`I2C port ${this.port}: ${hex(address)} already has a chip`);
    this.#targets.set(address, isRegisterChip(chip) ? registerTarget(chip) : chip);
  }

  detach(address: number): void {
    this.#targets.delete(address);
  }

  /** Runs one transaction; a missing chip NACKs, which the ECMA-419 classes report as an exception. */
  write(address: number, bytes: Uint8Array, stop: boolean): void {
    this.#target(address, 'write').write(bytes, stop);
  }

  read(address: number, byteLength: number, stop: boolean): Uint8Array {
    const bytes = this.#target(address, 'read').read(byteLength, stop);
    if (bytes.length !== byteLength) throw new Error(`I2C chip at ${hex(address)} returned ${bytes.length} of ${byteLength} bytes`);
    return bytes;
  }

  #target(address: number, what: string): I2cTarget {
    const target = this.#targets.get(address);
    if (target === undefined) throw new Error(`I2C ${what} failed: no device at ${hex(address)} on port ${this.port}`);
    return target;
  }
}

export function createI2CClasses(busOf: (port: number) => VirtualI2cBus): { I2C: I2CConstructor; SMBus: SMBusConstructor } {
  class VirtualI2C implements I2C {
    #bus: VirtualI2cBus;
    #address: number;
    #state = new Closable('I2C');

    constructor(options: I2COptions) {
      const { address, hz } = options ?? ({} as I2COptions);
      if (!Number.isInteger(address) || address < 0 || address > 0x7f) throw new RangeError(`I2C: invalid address ${String(address)}`);
      if (!(typeof hz === 'number' && hz > 0)) throw new RangeError(`I2C: invalid hz ${String(hz)}`);
      this.#bus = busOf(options.port ?? 0);
      this.#address = address;
    }

    read(byteLength: number, stop = true): ArrayBuffer {
      this.#state.check();
      return arrayBufferOf(this.#bus.read(this.#address, checkByteCount(byteLength, 'I2C read'), stop));
    }

    write(buffer: BufferSource, stop = true): void {
      this.#state.check();
      this.#bus.write(this.#address, bytesOf(buffer), stop);
    }

    close(): void {
      this.#state.close();
    }
  }

  // Register access as Moddable's SMBus does it: write the register number without a stop, then read or write.
  class VirtualSMBus extends VirtualI2C implements SMBus {
    readUint8(register: number): number {
      this.write(Uint8Array.of(register), false);
      return new Uint8Array(this.read(1))[0]!;
    }

    writeUint8(register: number, value: number): void {
      this.write(Uint8Array.of(register, value & 0xff));
    }

    readUint16(register: number, bigEndian = false): number {
      this.write(Uint8Array.of(register), false);
      return new DataView(this.read(2)).getUint16(0, !bigEndian);
    }

    writeUint16(register: number, value: number, bigEndian = false): void {
      const bytes = new Uint8Array(3);
      bytes[0] = register;
      new DataView(bytes.buffer).setUint16(1, value, !bigEndian);
      this.write(bytes);
    }

    readBuffer(register: number, byteLength: number): ArrayBuffer {
      this.write(Uint8Array.of(register), false);
      return this.read(byteLength);
    }

    writeBuffer(register: number, buffer: BufferSource): void {
      const data = bytesOf(buffer);
      const bytes = new Uint8Array(data.length + 1);
      bytes[0] = register;
      bytes.set(data, 1);
      this.write(bytes);
    }
  }

  return { I2C: VirtualI2C, SMBus: VirtualSMBus };
}
