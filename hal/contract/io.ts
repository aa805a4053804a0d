// ECMA-419 IO class shapes (the host provider's `device.io`). Only the members our drivers use are listed;
// bindings hand over the engine's own classes (Moddable) or virtual ones (host) that satisfy these shapes.

export type PinSpecifier = number;
export type PortSpecifier = number;
export type BufferSource = ArrayBuffer | Uint8Array;

export interface IoInstance {
  close(): void;
}

export type DigitalMode = 'Input' | 'InputPullUp' | 'InputPullDown' | 'InputPullUpDown' | 'Output' | 'OutputOpenDrain';

/** The mode and edge values of Moddable's embedded:io/digital, for bindings that implement Digital themselves. */
export const DIGITAL_MODES: Readonly<Record<DigitalMode, number>> = {
  Input: 0, InputPullUp: 1, InputPullDown: 2, InputPullUpDown: 3, Output: 8, OutputOpenDrain: 9,
};
export const DIGITAL_EDGES = { Rising: 1, Falling: 2 } as const;

export interface DigitalOptions {
  pin: PinSpecifier;
  mode: unknown; // one of the class's static mode values, e.g. io.Digital.InputPullUp
  edge?: number; // io.Digital.Rising | io.Digital.Falling (may be OR-ed)
  onReadable?: (this: Digital) => void;
}

export interface Digital extends IoInstance {
  read(): 0 | 1;
  write(value: 0 | 1): void;
}

export interface DigitalConstructor {
  new (options: DigitalOptions): Digital;
  readonly Input: unknown;
  readonly InputPullUp: unknown;
  readonly InputPullDown: unknown;
  readonly InputPullUpDown: unknown;
  readonly Output: unknown;
  readonly OutputOpenDrain: unknown;
  readonly Rising: number;
  readonly Falling: number;
}

export interface I2COptions {
  data: PinSpecifier;
  clock: PinSpecifier;
  hz: number;
  address: number;
  port?: PortSpecifier;
}

export interface I2C extends IoInstance {
  read(byteLength: number, stop?: boolean): ArrayBuffer;
  write(buffer: BufferSource, stop?: boolean): void;
}

export interface I2CConstructor {
  new (options: I2COptions): I2C;
}

/** SMBus: I2C with register access, as most sensor drivers use it. */
export interface SMBus extends I2C {
  readUint8(register: number): number;
  writeUint8(register: number, value: number): void;
  readUint16(register: number, bigEndian?: boolean): number;
  writeUint16(register: number, value: number, bigEndian?: boolean): void;
  readBuffer(register: number, byteLength: number): ArrayBuffer;
  writeBuffer(register: number, buffer: BufferSource): void;
}

export interface SMBusConstructor {
  new (options: I2COptions): SMBus;
}

export interface SPIOptions {
  out: PinSpecifier;
  in: PinSpecifier;
  clock: PinSpecifier;
  select?: PinSpecifier;
  hz: number;
  mode?: 0 | 1 | 2 | 3;
  /** Level of `select` while the device is selected (Moddable's ESP32 default is 1; most chips want 0). */
  active?: 0 | 1;
  port?: PortSpecifier;
}

export interface SPI extends IoInstance {
  read(byteLength: number): ArrayBuffer;
  write(buffer: BufferSource): void;
  /** Full duplex: the bytes clocked in replace the buffer's contents. */
  transfer(buffer: Uint8Array): void;
  flush(deselect?: boolean): void;
}

export interface SPIConstructor {
  new (options: SPIOptions): SPI;
}

export interface SerialOptions {
  transmit?: PinSpecifier;
  receive?: PinSpecifier;
  baud: number;
  port?: PortSpecifier;
  onReadable?: (this: Serial, count: number) => void;
  onWritable?: (this: Serial, count: number) => void;
}

export interface Serial extends IoInstance {
  read(count?: number): ArrayBuffer | undefined;
  write(buffer: BufferSource): void;
}

export interface SerialConstructor {
  new (options: SerialOptions): Serial;
}

export interface PWMOptions {
  pin: PinSpecifier;
  hz?: number;
}

export interface PWM extends IoInstance {
  readonly resolution: number;
  readonly hz: number;
  write(value: number): void;
}

export interface PWMConstructor {
  new (options: PWMOptions): PWM;
}

export interface AnalogOptions {
  pin: PinSpecifier;
}

export interface Analog extends IoInstance {
  readonly resolution: number;
  read(): number;
}

export interface AnalogConstructor {
  new (options: AnalogOptions): Analog;
}

/**
 * An HX711 load-cell ADC on two GPIOs (not an ECMA-419 class: its clock needs native timing on the ESP32, see
 * hal/contract/hx711.ts). `gain` 128 or 64 reads channel A, 32 channel B.
 */
export interface HX711Options {
  data: PinSpecifier;
  clock: PinSpecifier;
  gain?: 128 | 64 | 32;
}

export interface HX711 extends IoInstance {
  /** One signed 24-bit conversion, or undefined while none is ready (DOUT high). Never waits. */
  read(): number | undefined;
}

export interface HX711Constructor {
  new (options: HX711Options): HX711;
}

/** `device.io` of an ECMA-419 host provider. A board may lack a class (e.g. no PWM): then it is absent. */
export interface IoClasses {
  Digital: DigitalConstructor;
  I2C?: I2CConstructor;
  SMBus?: SMBusConstructor;
  SPI?: SPIConstructor;
  Serial?: SerialConstructor;
  PWM?: PWMConstructor;
  Analog?: AnalogConstructor;
  /** Only where the binding has it (host: bit-banged on virtual pins; ESP32: the build's native). */
  HX711?: HX711Constructor;
}
