// A register-level ST LIS3DH on a virtual I2C bus, written from the datasheet (DocID17530) and AN3308, not from
// our driver, so the driver's register use and scaling are tested against the chip's rules:
// - WHO_AM_I 0x33; CTRL_REG1..6; a sub-address with bit 7 set auto-increments, otherwise it repeats.
// - Output: 16-bit two's complement, left-justified: 12-bit in high-resolution mode (1/2/4/12 mg per digit at
//   ±2/4/8/16 g), 10-bit normal (4/8/16/48), 8-bit low-power (16/32/64/192); saturating; little-endian unless BLE.
// - A new sample every 1/ODR of the virtual clock. FIFO, 32 deep, storing the 10 most significant bits (§5.1):
//   bypass (empty; writing it resets the FIFO), FIFO (fills, and once full stops collecting until reset through
//   bypass, reads or not), stream (the oldest overwritten), stream-to-FIFO (stream while the INT1 pin value is 0,
//   FIFO while it is 1, switching dynamically: with a latched inertial interrupt the FIFO freezes on the samples up
//   to the trigger). FIFO_SRC_REG count (FSS 31 + OVRN when 32 are stored); in FIFO modes the output registers
//   show the oldest sample, reading OUT_Z_H pops it and the pointer wraps from 0x2D to 0x28.
// - Interrupt generator 1 on INT1: OR (AOI 0) or AND (AOI 1) of the enabled axis high/low events (|a| against
//   INT1_THS, 16/32/62/186 mg per LSB at ±2/4/8/16 g), held more than INT1_DURATION samples (1/ODR each), latch
//   (LIR_INT1) released by reading INT1_SRC. High-pass filter (cut-off HPCF: ODR/50, /100, /250, /500) on its
//   input with HP_IA1; HPM normal (00: reset by reading REFERENCE; 10: not), autoreset on interrupt (11). Also
//   the FIFO watermark/overrun and data-ready routes of CTRL_REG3, and INT1 polarity.
// Not modelled, and refused loudly when configured (a test must not pass on a feature the model lacks): 6D/4D
// (INT1_CFG 6D), click and interrupt generator 2 routed to INT1 (I1_CLICK, I1_IA2), the HP reference mode
// (HPM 01), stream-to-FIFO triggered by INT2 (TR). Also absent: the auxiliary ADC and temperature sensor, BDU
// (time never moves inside a bus transaction here).
//
// Input: `play(samplesMg, hz)` feeds interleaved x, y, z milli-g, one sample per 1/hz of virtual time, held
// until the chip samples it (the chip resamples at its own rate); afterwards the chip holds the last sample.
// `setStill(xyz)` sets the acceleration when nothing plays (default 1 g on +z).
// The chip has its own power: it runs on while the MCU deep-sleeps or resets. `moveTo(io, clock)` wires it to the
// next boot's IO (its clock must go on from the same time base); in between, `int1Level` reads its INT1 line and
// `inputChangeInMs` says how soon that line may change by itself, so the owner can look at it while nothing runs.
import type { MonotonicClock, TimerId, Timers } from '../../hal/contract/time.js';
import type { HostHal, I2cRegisterChip, VirtualIo, VirtualPin } from '../../hal/host/index.js';

export interface Xyz {
  x: number;
  y: number;
  z: number;
}

export interface Lis3dhChipOptions {
  /** I2C port (default 0) and 7-bit address (default 0x18: SA0 low). */
  port?: number;
  address?: number;
  /** Pin the chip's INT1 output drives, if wired. */
  int1?: number;
  /** The device's virtual clock; taken from the HostHal when one is given. */
  clock?: ChipClock;
}

/** The chip's time (continuous across the boots it outlives) and the timers of the boot it is wired to. */
export type ChipClock = MonotonicClock & { readonly timers: Timers };

const R = {
  STATUS_REG_AUX: 0x07, WHO_AM_I: 0x0f, CTRL_REG0: 0x1e, TEMP_CFG_REG: 0x1f,
  CTRL_REG1: 0x20, CTRL_REG2: 0x21, CTRL_REG3: 0x22, CTRL_REG4: 0x23, CTRL_REG5: 0x24, CTRL_REG6: 0x25,
  REFERENCE: 0x26, STATUS_REG: 0x27, OUT_X_L: 0x28, OUT_Z_H: 0x2d, FIFO_CTRL_REG: 0x2e, FIFO_SRC_REG: 0x2f,
  INT1_CFG: 0x30, INT1_SRC: 0x31, INT1_THS: 0x32, INT1_DURATION: 0x33,
} as const;

/** Registers a write reaches (the rest are read-only or reserved; writes there are ignored). */
const WRITABLE = new Set([0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x2e, 0x30, 0x32, 0x33, 0x34, 0x36,
  0x37, 0x38, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f]);

const ODR_HZ = [0, 1, 10, 25, 50, 100, 200, 400];
const THS_LSB_MG = [16, 32, 62, 186];
const MG_PER_DIGIT = { hr: [1, 2, 4, 12], normal: [4, 8, 16, 48], lp: [16, 32, 64, 192] };
const DIGITS = { hr: 12, normal: 10, lp: 8 };
/** High-pass cut-off as a fraction of ODR, by HPCF (AN3308 table: 50 Hz → 1, 0.5, 0.2, 0.1 Hz). */
const HP_CUTOFF_RATIO = [1 / 50, 1 / 100, 1 / 250, 1 / 500];

const FIFO_DEPTH = 32;
const FIFO_MODE = { bypass: 0, fifo: 1, stream: 2, streamToFifo: 3 } as const;
const I1 = { CLICK: 0x80, IA1: 0x40, IA2: 0x20, ZYXDA: 0x10, WTM: 0x04, OVERRUN: 0x02 } as const;
const INT1_CFG_6D = 0x40;
const FIFO_CTRL_TR = 0x20;
const HPM_REFERENCE = 1;
const INT1_SRC_IA = 0x40;
/** Below this (mg) the high-pass output counts as settled: under any threshold INT1_THS can express. */
const SETTLED_MG = 0.5;

interface Playback {
  readonly samples: Int32Array;
  readonly hz: number;
  /** Start, monotonic ms. */
  readonly t0: number;
}

export class Lis3dhChip implements I2cRegisterChip {
  readonly address: number;
  #clock: ChipClock;
  #port: number;
  #int1Pin: number | undefined;
  #regs = new Uint8Array(0x40);
  #int1: VirtualPin | undefined;
  #detach: () => void = () => {};
  #timer: TimerId | undefined;
  // Sampling: ODR started at #epoch (ms); #index samples produced since.
  #epoch = 0;
  #index = 0;
  #produced = 0;
  #still = Float64Array.of(0, 0, 1000);
  #playback: Playback | undefined;
  // The last measured acceleration (mg) and its encoded register value per axis.
  #measured = new Float64Array(3);
  #latest = new Int16Array(3);
  #dataReady = false;
  #dataOverrun = false;
  // FIFO of encoded samples, oldest at #head.
  #fifo = new Int16Array(FIFO_DEPTH * 3);
  #head = 0;
  #count = 0;
  #lost = 0;
  /** FIFO mode found the FIFO full: it collects nothing more until a reset (or stream-to-FIFO streams again). */
  #stopped = false;
  // High-pass filter of interrupt generator 1: previous input and output per axis.
  #hpIn = new Float64Array(3);
  #hpOut = new Float64Array(3);
  // Interrupt generator 1.
  #active = false;
  #held = 0;
  #ia = false;
  #source = 0;
  #interrupts = 0;

  constructor(io: VirtualIo, clock: ChipClock, options: Omit<Lis3dhChipOptions, 'clock'> = {}) {
    this.#port = options.port ?? 0;
    this.#int1Pin = options.int1;
    this.address = options.address ?? 0x18;
    this.#clock = clock;
    this.#regs[R.WHO_AM_I] = 0x33;
    this.#regs[R.CTRL_REG0] = 0x10;
    this.#regs[R.CTRL_REG1] = 0x07;
    this.#wire(io);
  }

  /**
   * The MCU booted again (after a deep sleep or a reset; the chip kept its power, registers and FIFO): the chip
   * answers on this boot's bus and drives this boot's INT1 pin. `clock` must read the same time base as before.
   */
  moveTo(io: VirtualIo, clock: ChipClock): void {
    this.#catchUp();
    this.#timer = undefined; // the last boot's timers are gone with it
    this.#detach();
    this.#clock = clock;
    this.#wire(io);
    this.#rearm();
  }

  /** The INT1 line's level now (after polarity): what a wake pin sees while the MCU sleeps. */
  get int1Level(): 0 | 1 {
    this.#catchUp();
    return this.#int1Value();
  }

  /**
   * Milliseconds until INT1 may change by itself (a sample while motion plays, the filter settles or a duration
   * counts); Infinity while only a new input (play, setStill) or a bus access can change it.
   */
  get inputChangeInMs(): number {
    this.#catchUp();
    const odr = this.#odr();
    return this.#ticking() ? Math.max(1, Math.floor(1000 / odr)) : Infinity;
  }

  #wire(io: VirtualIo): void {
    this.#int1 = this.#int1Pin === undefined ? undefined : io.pin(this.#int1Pin);
    const bus = io.i2c(this.#port);
    bus.attach(this.address, this);
    this.#detach = () => bus.detach(this.address);
    this.#driveInt1();
  }

  // ---- the physical side (simulator, tests) ----

  /**
   * Plays interleaved x, y, z milli-g samples at `hz`, starting now; replaces any playback in progress.
   * Returns how long it lasts, ms.
   */
  play(samplesMg: Int16Array | readonly number[], hz = 50): number {
    if (!(typeof hz === 'number' && hz > 0 && Number.isFinite(hz))) throw new RangeError(`LIS3DH chip: hz must be a positive number, got ${String(hz)}`);
    if (samplesMg.length % 3 !== 0) throw new RangeError('LIS3DH chip: samples must be x, y, z triples');
    const samples = new Int32Array(samplesMg.length);
    for (let i = 0; i < samplesMg.length; i++) {
      const value = samplesMg[i]!;
      if (!Number.isFinite(value)) throw new RangeError(`LIS3DH chip: sample ${i} is not a number`);
      samples[i] = Math.round(value);
    }
    this.#catchUp();
    this.#playback = samples.length > 0 ? { samples, hz, t0: this.#clock.now() } : undefined;
    this.#rearm();
    return Math.ceil((samples.length / 3) * (1000 / hz));
  }

  /** The acceleration when nothing plays (a playback in progress ends). */
  setStill(xyz: Xyz): void {
    for (const value of [xyz.x, xyz.y, xyz.z]) {
      if (!Number.isFinite(value)) throw new RangeError('LIS3DH chip: still x, y, z must be numbers');
    }
    this.#catchUp();
    this.#playback = undefined;
    this.#still.set([xyz.x, xyz.y, xyz.z]);
    this.#rearm();
  }

  get still(): Xyz {
    this.#catchUp();
    return { x: this.#still[0]!, y: this.#still[1]!, z: this.#still[2]! };
  }

  get playing(): boolean {
    this.#catchUp();
    return this.#playback !== undefined;
  }

  /** Samples the chip has measured since it was attached. */
  get produced(): number {
    this.#catchUp();
    return this.#produced;
  }

  /** Samples the FIFO overwrote before anyone read them. */
  get lost(): number {
    this.#catchUp();
    return this.#lost;
  }

  /** Times interrupt generator 1 fired. */
  get interrupts(): number {
    this.#catchUp();
    return this.#interrupts;
  }

  /** Removes the chip from the bus and stops its timer; the INT1 line floats. */
  detach(): void {
    this.#clock.timers.clear(this.#timer);
    this.#timer = undefined;
    this.#detach();
    this.#int1?.setInput(undefined);
  }

  // ---- the bus side ----

  readRegister(register: number): number {
    this.#catchUp();
    const value = this.#read(register & 0x7f);
    this.#rearm();
    return value;
  }

  writeRegister(register: number, value: number): void {
    this.#catchUp();
    this.#write(register & 0x7f, value & 0xff);
    this.#rearm();
  }

  nextRegister(register: number): number {
    if (!(register & 0x80)) return register; // no auto-increment without the sub-address MSB
    const address = register & 0x7f;
    if (address === R.OUT_Z_H && this.#fifoMode() !== FIFO_MODE.bypass) return 0x80 | R.OUT_X_L;
    return 0x80 | ((address + 1) & 0x7f);
  }

  #read(address: number): number {
    if (address >= R.OUT_X_L && address <= R.OUT_Z_H) return this.#readOutput(address);
    switch (address) {
      case R.STATUS_REG:
        return (this.#dataOverrun ? 0xf0 : 0) | (this.#dataReady ? 0x0f : 0);
      case R.REFERENCE:
        if (((this.#regs[R.CTRL_REG2]! >> 6) & 3) === 0) this.#resetHighPass();
        return this.#regs[R.REFERENCE]!;
      case R.FIFO_SRC_REG:
        return this.#fifoSource();
      case R.INT1_SRC: {
        const value = this.#source | (this.#ia ? INT1_SRC_IA : 0);
        if (this.#latched()) {
          this.#ia = false;
          this.#driveInt1();
        }
        return value;
      }
      default:
        return this.#regs[address] ?? 0;
    }
  }

  #write(address: number, value: number): void {
    if (!WRITABLE.has(address)) return;
    refuseUnmodelled(address, value);
    const before = this.#regs[address]!;
    this.#regs[address] = address === R.CTRL_REG5 ? value & 0x7f : value; // BOOT clears itself
    if (address === R.CTRL_REG1 && (before >> 4) !== (value >> 4)) {
      this.#epoch = this.#clock.now(); // a new data rate restarts the sample clock
      this.#index = 0;
    }
    if (address === R.FIFO_CTRL_REG || address === R.CTRL_REG5) {
      if (this.#fifoMode() === FIFO_MODE.bypass) this.#resetFifo();
    }
    this.#driveInt1();
  }

  #readOutput(address: number): number {
    const axis = (address - R.OUT_X_L) >> 1;
    const fromFifo = this.#fifoMode() !== FIFO_MODE.bypass && this.#count > 0;
    const value = fromFifo ? this.#fifo[this.#head * 3 + axis]! : this.#latest[axis]!;
    const high = (address & 1) === 1;
    const bigEndian = (this.#regs[R.CTRL_REG4]! & 0x40) !== 0;
    const byte = high !== bigEndian ? (value >> 8) & 0xff : value & 0xff;
    if (address === R.OUT_Z_H) {
      this.#dataReady = false;
      this.#dataOverrun = false;
      if (fromFifo) this.#pop();
      this.#driveInt1();
    }
    return byte;
  }

  // ---- sampling ----

  #odr(): number {
    return ODR_HZ[this.#regs[R.CTRL_REG1]! >> 4] ?? 0; // codes 8 and 9 (1.6/5 kHz) are not modelled: powered down
  }

  /** Produces every sample whose time has come. */
  #catchUp(): void {
    const odr = this.#odr();
    if (odr === 0) return;
    const due = Math.floor(((this.#clock.now() - this.#epoch) * odr) / 1000);
    while (this.#index < due) {
      const left = due - this.#index;
      // A long quiet stretch (a sleeping device) costs at most one FIFO's worth of work.
      if (left > FIFO_DEPTH + 1 && this.#settled()) this.#skipQuiet(left - FIFO_DEPTH - 1);
      this.#produce(odr);
      this.#index += 1;
    }
  }

  #produce(odr: number): void {
    this.#input(odr, this.#measured);
    this.#record();
    this.#highPass();
    this.#interrupt(1);
    this.#driveInt1();
  }

  /** The acceleration at the time of sample #index, with disabled axes reading 0. */
  #input(odr: number, into: Float64Array): void {
    const playback = this.#playback;
    let source: ArrayLike<number> = this.#still;
    let offset = 0;
    if (playback !== undefined) {
      // Sample i of the recording holds on (t0 + i/hz, t0 + (i+1)/hz]; integers keep it exact.
      const timeTimesOdr = this.#epoch * odr + (this.#index + 1) * 1000;
      const numerator = (timeTimesOdr - playback.t0 * odr) * playback.hz;
      const denominator = odr * 1000;
      const i = Math.floor((numerator + denominator - 1) / denominator) - 1;
      if (i * 3 < playback.samples.length) {
        source = playback.samples;
        offset = Math.max(0, i) * 3;
      } else {
        this.#still.set(playback.samples.subarray(playback.samples.length - 3));
        this.#playback = undefined;
      }
    }
    const enabled = this.#regs[R.CTRL_REG1]! & 7;
    for (let axis = 0; axis < 3; axis++) into[axis] = enabled & (1 << axis) ? source[offset + axis]! : 0;
  }

  #record(): void {
    const ctrl4 = this.#regs[R.CTRL_REG4]!;
    const scale = (ctrl4 >> 4) & 3;
    const resolution = this.#regs[R.CTRL_REG1]! & 0x08 ? 'lp' : ctrl4 & 0x08 ? 'hr' : 'normal';
    const digits = DIGITS[resolution];
    const limit = 2 ** (digits - 1);
    for (let axis = 0; axis < 3; axis++) {
      const code = Math.min(limit - 1, Math.max(-limit, Math.round(this.#measured[axis]! / MG_PER_DIGIT[resolution][scale]!)));
      this.#latest[axis] = code * 2 ** (16 - digits);
    }
    this.#dataOverrun = this.#dataReady;
    this.#dataReady = true;
    this.#produced += 1;
    const mode = this.#fifoMode();
    if (mode === FIFO_MODE.bypass) return;
    if (mode === FIFO_MODE.stream) this.#stopped = false;
    if (this.#stopped) return;
    if (this.#count === FIFO_DEPTH) {
      if (mode === FIFO_MODE.fifo) {
        this.#stopped = true; // §5.1.2: when full, FIFO mode stops collecting
        return;
      }
      this.#head = (this.#head + 1) % FIFO_DEPTH; // stream: the oldest is overwritten
      this.#count -= 1;
      this.#lost += 1;
    }
    const slot = ((this.#head + this.#count) % FIFO_DEPTH) * 3;
    for (let axis = 0; axis < 3; axis++) this.#fifo[slot + axis] = this.#latest[axis]! & ~0x3f; // 10 bits kept
    this.#count += 1;
  }

  /** Effective FIFO mode: bypass unless FIFO_EN; stream-to-FIFO follows the INT1 pin value (TR 0). */
  #fifoMode(): number {
    if (!(this.#regs[R.CTRL_REG5]! & 0x40)) return FIFO_MODE.bypass;
    const mode = this.#regs[R.FIFO_CTRL_REG]! >> 6;
    if (mode === FIFO_MODE.streamToFifo) return this.#int1Asserted() ? FIFO_MODE.fifo : FIFO_MODE.stream;
    return mode;
  }

  #fifoSource(): number {
    const threshold = this.#regs[R.FIFO_CTRL_REG]! & 0x1f;
    const watermark = this.#count > 0 && this.#count >= threshold ? 0x80 : 0;
    const full = this.#count === FIFO_DEPTH ? 0x40 : 0;
    const empty = this.#count === 0 ? 0x20 : 0;
    return watermark | full | empty | Math.min(this.#count, 31);
  }

  #pop(): void {
    this.#head = (this.#head + 1) % FIFO_DEPTH;
    this.#count -= 1;
  }

  #resetFifo(): void {
    this.#head = 0;
    this.#count = 0;
    this.#stopped = false;
  }

  // ---- interrupt generator 1 ----

  #highPass(): void {
    const cutoff = HP_CUTOFF_RATIO[(this.#regs[R.CTRL_REG2]! >> 4) & 3]!;
    const alpha = 1 / (1 + 2 * Math.PI * cutoff);
    for (let axis = 0; axis < 3; axis++) {
      const input = this.#measured[axis]!;
      this.#hpOut[axis] = alpha * (this.#hpOut[axis]! + input - this.#hpIn[axis]!);
      this.#hpIn[axis] = input;
    }
  }

  #resetHighPass(): void {
    this.#hpIn.set(this.#measured);
    this.#hpOut.fill(0);
  }

  /** Evaluates the generator on the current sample, as if it were seen `samples` times in a row. */
  #interrupt(samples: number): void {
    const config = this.#regs[R.INT1_CFG]!;
    const enabled = config & 0x3f;
    const filtered = (this.#regs[R.CTRL_REG2]! & 0x01) !== 0;
    const threshold = (this.#regs[R.INT1_THS]! & 0x7f) * THS_LSB_MG[(this.#regs[R.CTRL_REG4]! >> 4) & 3]!;
    let events = 0;
    for (let axis = 0; axis < 3; axis++) {
      const magnitude = Math.abs(filtered ? this.#hpOut[axis]! : this.#measured[axis]!);
      if (magnitude > threshold) events |= 2 << (axis * 2); // XH, YH, ZH
      else if (magnitude < threshold) events |= 1 << (axis * 2); // XL, YL, ZL
    }
    const matched = events & enabled;
    this.#active = enabled !== 0 && (config & 0x80 ? matched === enabled : matched !== 0);
    this.#held = this.#active ? Math.min(this.#held + samples, 1 << 20) : 0;
    const recognised = this.#active && this.#held > (this.#regs[R.INT1_DURATION]! & 0x7f);
    if (this.#latched()) {
      if (recognised && !this.#ia) {
        this.#ia = true;
        this.#source = events;
        this.#interrupts += 1;
      } else if (!this.#ia) {
        this.#source = events;
      }
    } else {
      if (recognised && !this.#ia) this.#interrupts += 1;
      this.#ia = recognised;
      this.#source = events;
    }
    if (recognised && ((this.#regs[R.CTRL_REG2]! >> 6) & 3) === 3) this.#resetHighPass(); // autoreset mode
  }

  #latched(): boolean {
    return (this.#regs[R.CTRL_REG5]! & 0x08) !== 0;
  }

  /** The INT1 pin value before polarity: what CTRL_REG3 routes to it (stream-to-FIFO follows this too). */
  #int1Asserted(): boolean {
    const route = this.#regs[R.CTRL_REG3]!;
    const threshold = this.#regs[R.FIFO_CTRL_REG]! & 0x1f;
    return Boolean((route & I1.IA1 && this.#ia)
      || (route & I1.ZYXDA && this.#dataReady)
      || (route & I1.WTM && this.#count > 0 && this.#count >= threshold)
      || (route & I1.OVERRUN && this.#count === FIFO_DEPTH));
  }

  #driveInt1(): void {
    this.#int1?.setInput(this.#int1Value());
  }

  #int1Value(): 0 | 1 {
    const asserted = this.#int1Asserted();
    const activeLow = (this.#regs[R.CTRL_REG6]! & 0x02) !== 0;
    return asserted ? (activeLow ? 0 : 1) : activeLow ? 1 : 0;
  }

  // ---- keeping INT1 live while nobody reads the chip ----

  /** Nothing will change until the input does: no playback, the filter has settled, no duration count running. */
  #settled(): boolean {
    if (this.#playback !== undefined) return false;
    const enabled = this.#regs[R.CTRL_REG1]! & 7;
    for (let axis = 0; axis < 3; axis++) {
      const input = enabled & (1 << axis) ? this.#still[axis]! : 0;
      if (this.#measured[axis] !== input || Math.abs(this.#hpOut[axis]!) >= SETTLED_MG) return false;
    }
    return !this.#active || this.#ia;
  }

  /** Accounts for `count` identical quiet samples in O(FIFO depth): enough records to fill the FIFO, then counts. */
  #skipQuiet(count: number): void {
    const records = Math.min(count, FIFO_DEPTH + 1);
    for (let i = 0; i < records; i++) this.#record();
    this.#produced += count - records;
    if (this.#fifoMode() === FIFO_MODE.stream) this.#lost += count - records; // the FIFO is full by now
    const cutoff = HP_CUTOFF_RATIO[(this.#regs[R.CTRL_REG2]! >> 4) & 3]!;
    const decay = (1 / (1 + 2 * Math.PI * cutoff)) ** count;
    for (let axis = 0; axis < 3; axis++) this.#hpOut[axis] = this.#hpOut[axis]! * decay;
    this.#interrupt(count);
    this.#driveInt1();
    this.#index += count;
  }

  /** INT1 could change on its own: a sample may move it. */
  #ticking(): boolean {
    const route = this.#regs[R.CTRL_REG3]! & (I1.IA1 | I1.ZYXDA | I1.WTM | I1.OVERRUN);
    // With the FIFO routed, INT1 follows its fill level, which stops changing once it is full (or off).
    const fifoStill = !(route & (I1.WTM | I1.OVERRUN)) || this.#fifoMode() === FIFO_MODE.bypass || this.#count === FIFO_DEPTH || this.#stopped;
    const quiet = this.#settled() && fifoStill && !(route & I1.ZYXDA);
    return this.#odr() > 0 && route !== 0 && !quiet;
  }

  /** Runs a timer at the data rate while INT1 could change on its own; none while the chip is quiet. */
  #rearm(): void {
    const odr = this.#odr();
    const wanted = this.#int1 !== undefined && this.#ticking();
    if (wanted && this.#timer === undefined) {
      this.#timer = this.#clock.timers.repeat(() => {
        this.#catchUp();
        this.#rearm();
      }, Math.max(1, Math.floor(1000 / odr)));
    } else if (!wanted && this.#timer !== undefined) {
      this.#clock.timers.clear(this.#timer);
      this.#timer = undefined;
    }
  }
}

/** Throws on a register write that turns on a feature this model does not have (see the header). */
function refuseUnmodelled(address: number, value: number): void {
  const refuse = (what: string) => {
    throw new Error(`LIS3DH chip: ${what} is not modelled (register 0x${address.toString(16)} = 0x${value.toString(16)})`);
  };
  if (address === R.INT1_CFG && value & INT1_CFG_6D) refuse('6D/4D detection');
  if (address === R.CTRL_REG3 && value & (I1.CLICK | I1.IA2)) refuse('click or interrupt generator 2 on INT1');
  if (address === R.CTRL_REG2 && ((value >> 6) & 3) === HPM_REFERENCE) refuse('the high-pass reference mode');
  if (address === R.FIFO_CTRL_REG && (value >> 6) === FIFO_MODE.streamToFifo && value & FIFO_CTRL_TR) refuse('stream-to-FIFO triggered by INT2');
}

/** Attaches a simulated LIS3DH to a device's virtual IO (the HostHal of one boot, or its `io` and clock). */
export function attachLis3dh(hal: HostHal, options?: Lis3dhChipOptions): Lis3dhChip;
export function attachLis3dh(io: VirtualIo, options: Lis3dhChipOptions & { clock: ChipClock }): Lis3dhChip;
export function attachLis3dh(target: HostHal | VirtualIo, options: Lis3dhChipOptions = {}): Lis3dhChip {
  const isHal = 'io' in target && 'clock' in target;
  const io = isHal ? target.io : (target as VirtualIo);
  const clock = options.clock ?? (isHal ? target.clock : undefined);
  if (clock === undefined) throw new TypeError('attachLis3dh: pass the HostHal, or options.clock with its io');
  return new Lis3dhChip(io, clock, options);
}
