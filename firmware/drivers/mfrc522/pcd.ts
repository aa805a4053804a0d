// The MFRC522's side of the radio (the "PCD"): register access over SPI, the FIFO, Transceive and the CRC
// coprocessor. Register and bit names follow the NXP datasheet (MFRC522 rev. 3.9, section 9).
import type { SPI } from '../../../hal/contract/io.js';

const CommandReg = 0x01;
const ComIrqReg = 0x04;
const DivIrqReg = 0x05;
const ErrorReg = 0x06;
const FIFODataReg = 0x09;
const FIFOLevelReg = 0x0a;
const ControlReg = 0x0c;
const BitFramingReg = 0x0d;
const ModeReg = 0x11;
const TxModeReg = 0x12;
const RxModeReg = 0x13;
const TxControlReg = 0x14;
const TxASKReg = 0x15;
const CRCResultRegH = 0x21;
const CRCResultRegL = 0x22;
const ModWidthReg = 0x24;
const TModeReg = 0x2a;
const TPrescalerReg = 0x2b;
const TReloadRegH = 0x2c;
const TReloadRegL = 0x2d;
const VersionReg = 0x37;

const Idle = 0x00;
const CalcCRC = 0x03;
const Transceive = 0x0c;
const SoftReset = 0x0f;

const PowerDown = 0x10; // CommandReg: set until a soft reset has finished
const RxIRq = 0x20;
const IdleIRq = 0x10;
const TimerIRq = 0x01;
const CRCIRq = 0x04;
const StartSend = 0x80;
const FlushBuffer = 0x80;
const CollErr = 0x08;
const FatalErrors = 0x13; // BufferOvfl | ParityErr | ProtocolErr
const FIFO_SIZE = 64;

/**
 * Register reads allowed while waiting for the chip. Its own timer (below) normally ends a wait first; this
 * bound only keeps a dead or unplugged chip from hanging the caller.
 */
const WAIT_READS = 2000;

export class Pcd {
  #spi: SPI;
  #pair = new Uint8Array(2);

  constructor(spi: SPI) {
    this.#spi = spi;
  }

  /** Resets and configures the chip, switches the antenna on; returns VersionReg (0x00/0xFF: no chip). */
  init(): number {
    this.write(CommandReg, SoftReset);
    for (let i = 0; i < WAIT_READS && this.read(CommandReg) & PowerDown; i++);
    const version = this.read(VersionReg);
    if (version === 0x00 || version === 0xff) return version;
    this.write(TxModeReg, 0x00); // 106 kBd, no CRC appended by hardware: we add it where ISO 14443-3 wants it
    this.write(RxModeReg, 0x00);
    this.write(ModWidthReg, 0x26);
    // Timer: starts when a transmission ends; 13.56 MHz / (2 * 0xA9 + 1) = 40 kHz, 400 ticks = 10 ms. Cards
    // answer within a few hundred µs, so a silent field is known after 10 ms.
    this.write(TModeReg, 0x80);
    this.write(TPrescalerReg, 0xa9);
    this.write(TReloadRegH, 0x01);
    this.write(TReloadRegL, 0x90);
    this.write(TxASKReg, 0x40); // 100 % ASK, as ISO 14443A needs
    this.write(ModeReg, 0x3d); // CRC preset 0x6363 (CRC_A)
    this.write(TxControlReg, this.read(TxControlReg) | 0x03); // antenna drivers TX1 and TX2 on
    return version;
  }

  /** Turns the RF field off: cards in it lose power. */
  antennaOff(): void {
    this.write(TxControlReg, this.read(TxControlReg) & ~0x03);
  }

  /**
   * Sends `data` (its last byte cut to `txLastBits` bits when not 0) and returns the card's answer in whole
   * bytes, or undefined for silence, a collision or a corrupted answer.
   */
  transceive(data: Uint8Array, txLastBits = 0): Uint8Array | undefined {
    this.write(CommandReg, Idle);
    this.write(ComIrqReg, 0x7f); // clear every interrupt request
    this.write(FIFOLevelReg, FlushBuffer);
    this.#writeFifo(data);
    this.write(BitFramingReg, txLastBits);
    this.write(CommandReg, Transceive);
    this.write(BitFramingReg, StartSend | txLastBits);
    const irq = this.#wait(ComIrqReg, RxIRq | IdleIRq | TimerIRq);
    this.write(BitFramingReg, txLastBits);
    if (!(irq & (RxIRq | IdleIRq))) return undefined;
    if (this.read(ErrorReg) & (FatalErrors | CollErr)) return undefined;
    const length = this.read(FIFOLevelReg) & 0x7f;
    if (length === 0 || this.read(ControlReg) & 0x07) return undefined; // only whole bytes are expected
    return this.#readFifo(length);
  }

  /** CRC_A of `data` from the coprocessor, low byte first as sent, or undefined when it did not finish. */
  crc(data: Uint8Array): number | undefined {
    this.write(CommandReg, Idle);
    this.write(DivIrqReg, CRCIRq); // Set1 = 0: clears CRCIRq
    this.write(FIFOLevelReg, FlushBuffer);
    this.#writeFifo(data);
    this.write(CommandReg, CalcCRC);
    const done = this.#wait(DivIrqReg, CRCIRq);
    this.write(CommandReg, Idle);
    if (!done) return undefined;
    return this.read(CRCResultRegL) | (this.read(CRCResultRegH) << 8);
  }

  read(register: number): number {
    const pair = this.#pair;
    pair[0] = 0x80 | (register << 1);
    pair[1] = 0;
    this.#spi.transfer(pair);
    this.#spi.flush(true);
    return pair[1]!;
  }

  write(register: number, value: number): void {
    const pair = this.#pair;
    pair[0] = register << 1;
    pair[1] = value;
    this.#spi.write(pair);
    this.#spi.flush(true);
  }

  /** Reads `register` until one of `bits` is set; returns those bits, 0 on giving up. */
  #wait(register: number, bits: number): number {
    for (let i = 0; i < WAIT_READS; i++) {
      const value = this.read(register) & bits;
      if (value) return value;
    }
    return 0;
  }

  // The chip writes every data byte of one SPI transaction to the addressed register: one burst fills the FIFO.
  #writeFifo(data: Uint8Array): void {
    if (data.length > FIFO_SIZE) throw new RangeError('MFRC522: frame longer than the FIFO');
    const burst = new Uint8Array(data.length + 1);
    burst[0] = FIFODataReg << 1;
    burst.set(data, 1);
    this.#spi.write(burst);
    this.#spi.flush(true);
  }

  // Reading: each byte clocked out names the next register to read; the answer to byte i arrives in byte i + 1.
  #readFifo(length: number): Uint8Array {
    const burst = new Uint8Array(length + 1).fill(0x80 | (FIFODataReg << 1), 0, length);
    this.#spi.transfer(burst);
    this.#spi.flush(true);
    return burst.subarray(1);
  }
}
