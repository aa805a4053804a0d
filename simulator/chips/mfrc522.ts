// A register-level NXP MFRC522 behind the virtual SPI bus, on its select pin. It models what a reader driver
// touches: the SPI address byte protocol, CommandReg (Idle, CalcCRC, Transceive, SoftReset), the 64-byte FIFO,
// the interrupt request registers with their Set1 semantics, ErrorReg, BitFramingReg (TxLastBits, StartSend),
// ControlReg (RxLastBits), the CRC coprocessor (preset from ModeReg), the antenna switch in TxControlReg and
// the timer's TAuto flag (silence raises TimerIRq only when the timer would have started). Radio timing is not
// modelled: a card answers at once. Anything else reads back what was written.
import type { SpiChip, VirtualIo } from '../../hal/host/io/index.js';
import { Iso14443aCard, crcA } from './iso14443a-card.js';

const REG = {
  Command: 0x01, ComIrq: 0x04, DivIrq: 0x05, Error: 0x06, FIFOData: 0x09, FIFOLevel: 0x0a, Control: 0x0c,
  BitFraming: 0x0d, Mode: 0x11, TxControl: 0x14, CRCResultH: 0x21, CRCResultL: 0x22, TMode: 0x2a, Version: 0x37,
} as const;
const CMD = { Idle: 0x00, CalcCRC: 0x03, Transceive: 0x0c, SoftReset: 0x0f } as const;
const IRQ = { Tx: 0x40, Rx: 0x20, Idle: 0x10, Timer: 0x01, Crc: 0x04 } as const;
const ERR_BUFFER_OVERFLOW = 0x10;
const FIFO_SIZE = 64;
const CRC_PRESETS = [0x0000, 0x6363, 0xa671, 0xffff];
/** Frames kept in `sent`: enough for a whole UID read (at most 8 frames), bounded for a device that polls for days. */
const SENT_KEPT = 32;

export interface Mfrc522ChipOptions {
  select: number;
  port?: number;
  /** VersionReg. Default 0x92 (MFRC522 v2.0). */
  version?: number;
}

export class Mfrc522Chip implements SpiChip {
  /** The last SENT_KEPT frames the reader sent to a card, oldest first (for tests). */
  readonly sent: { bytes: Uint8Array; lastBits: number }[] = [];
  #version: number;
  #regs = new Uint8Array(64);
  #fifo: number[] = [];
  #card: Iso14443aCard | undefined;
  // One SPI transaction: 'read' answers each address with the register's value one byte later.
  #mode: 'read' | 'write' | undefined;
  #register = 0;
  #reply = 0;

  constructor(version = 0x92) {
    this.#version = version;
    this.#reset();
  }

  /** Places a card in the field (replacing any other). `sak` defaults by UID size (0x08 for 4 bytes, else 0x00). */
  present(uid: Uint8Array | readonly number[], sak?: number): void {
    this.#card = new Iso14443aCard(Uint8Array.from(uid), sak);
  }

  remove(): void {
    this.#card = undefined;
  }

  get card(): Iso14443aCard | undefined {
    return this.#card;
  }

  get antennaOn(): boolean {
    return (this.#regs[REG.TxControl]! & 0x03) !== 0;
  }

  // ---- SpiChip ----

  select(): void {
    this.#mode = undefined;
  }

  deselect(): void {
    this.#mode = undefined;
  }

  transfer(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) bytes[i] = this.#clock(bytes[i]!);
  }

  #clock(byte: number): number {
    const register = (byte >> 1) & 0x3f;
    if (this.#mode === undefined) {
      this.#mode = byte & 0x80 ? 'read' : 'write';
      this.#register = register;
      if (this.#mode === 'read') this.#reply = this.#read(register);
      return 0;
    }
    if (this.#mode === 'write') {
      this.#write(this.#register, byte);
      return 0;
    }
    const reply = this.#reply;
    // The last byte of a read burst is 0x00 (register 0, reserved): it must not pop the FIFO.
    this.#reply = byte & 0x80 ? this.#read(register) : 0;
    return reply;
  }

  #read(register: number): number {
    switch (register) {
      case REG.FIFOData: return this.#fifo.shift() ?? 0;
      case REG.FIFOLevel: return this.#fifo.length;
      case REG.Version: return this.#version;
      default: return this.#regs[register]!;
    }
  }

  #write(register: number, value: number): void {
    switch (register) {
      case REG.Command: return this.#command(value & 0x0f, value);
      case REG.ComIrq: case REG.DivIrq: {
        const bits = value & 0x7f;
        this.#regs[register] = value & 0x80 ? this.#regs[register]! | bits : this.#regs[register]! & ~bits;
        return;
      }
      case REG.FIFOData:
        if (this.#fifo.length < FIFO_SIZE) this.#fifo.push(value);
        else this.#regs[REG.Error]! |= ERR_BUFFER_OVERFLOW;
        return;
      case REG.FIFOLevel:
        if (value & 0x80) {
          this.#fifo = [];
          this.#regs[REG.Error]! &= ~ERR_BUFFER_OVERFLOW;
        }
        return;
      case REG.Error: case REG.Version: return; // read-only
      case REG.BitFraming:
        this.#regs[register] = value & 0x7f; // StartSend reads back 0: it only triggers
        if (value & 0x80 && (this.#regs[REG.Command]! & 0x0f) === CMD.Transceive) this.#transceive();
        return;
      case REG.TxControl:
        this.#regs[register] = value;
        if (!this.antennaOn) this.#card?.powerOff();
        return;
      default:
        this.#regs[register] = value;
    }
  }

  #command(command: number, value: number): void {
    if (command === CMD.SoftReset) return this.#reset();
    this.#regs[REG.Command] = (this.#regs[REG.Command]! & 0xf0) | (value & 0x30) | command;
    if (command === CMD.CalcCRC) {
      const crc = crcA(Uint8Array.from(this.#fifo.splice(0)), CRC_PRESETS[this.#regs[REG.Mode]! & 0x03]);
      this.#regs[REG.CRCResultL] = crc & 0xff;
      this.#regs[REG.CRCResultH] = crc >> 8;
      this.#regs[REG.DivIrq]! |= IRQ.Crc;
    } else if (command === CMD.Transceive) {
      this.#regs[REG.Error] = 0;
    } else if (command === CMD.Idle) {
      this.#regs[REG.ComIrq]! |= IRQ.Idle;
    }
  }

  #transceive(): void {
    const lastBits = this.#regs[REG.BitFraming]! & 0x07;
    const frame = Uint8Array.from(this.#fifo.splice(0));
    if (this.sent.length === SENT_KEPT) this.sent.shift();
    this.sent.push({ bytes: frame, lastBits });
    this.#regs[REG.ComIrq]! |= IRQ.Tx;
    const answer = this.antennaOn ? this.#card?.receive(frame, lastBits) : undefined;
    if (answer === undefined) {
      if (this.#regs[REG.TMode]! & 0x80) this.#regs[REG.ComIrq]! |= IRQ.Timer;
      return;
    }
    this.#fifo.push(...answer);
    this.#regs[REG.Control]! &= ~0x07; // RxLastBits 0: whole bytes received
    this.#regs[REG.ComIrq]! |= IRQ.Rx;
  }

  #reset(): void {
    this.#regs.fill(0);
    this.#regs[REG.Command] = 0x20; // RcvOff, Idle
    this.#regs[REG.ComIrq] = 0x14;
    this.#regs[REG.Control] = 0x10;
    this.#regs[REG.Mode] = 0x3f;
    this.#regs[REG.TxControl] = 0x80; // antenna off after reset
    this.#regs[REG.CRCResultH] = 0xff;
    this.#regs[REG.CRCResultL] = 0xff;
    this.#fifo = [];
    this.#card?.powerOff();
  }
}

/** Attaches a simulated MFRC522 to `io`'s SPI bus on `select`. */
export function attachMfrc522(io: VirtualIo, options: Mfrc522ChipOptions): Mfrc522Chip {
  const chip = new Mfrc522Chip(options.version);
  io.spi(options.port ?? 0).attach(options.select, chip);
  return chip;
}
