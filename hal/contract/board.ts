// A board is data: which pin does what and how its buses are wired. Drivers never hard-code pins.
//
// `P` and `S` are the board's pin and serial port names. A board keeps its own names in its type (declare it with
// `satisfies Board`, not `: Board`), so a device whose parts name a pin the board lacks fails to type-check where
// the two meet (firmware/parts/device.ts).
import type { I2COptions, PinSpecifier, SPIOptions, SerialOptions } from './io.js';

/** A UART as the board wires it; the driver adds its callbacks. */
export type SerialPort = Omit<SerialOptions, 'onReadable' | 'onWritable'>;

export interface Board<P extends string = string, S extends string = string> {
  /** e.g. "esp32-devkitc", "sim". */
  readonly name: string;
  /** Named pins (ECMA-419 `device.pin`): "relay", "doorContact", "button", "led", ... */
  readonly pin: Readonly<Record<P, PinSpecifier>>;
  /** Default bus options (ECMA-419 `device.I2C.default` and kin), without per-device fields such as address. */
  readonly i2c?: Readonly<Omit<I2COptions, 'address'>>;
  readonly spi?: Readonly<Omit<SPIOptions, 'select'>>;
  readonly serial?: Readonly<Record<S, Readonly<SerialPort>>>;
  /** GPIOs that can end a deep sleep (ESP32: the RTC GPIOs); absent means the binding does not restrict them. */
  readonly wakePins?: readonly number[];
  /** Outputs an active-low level turns on; absent means active-high. */
  readonly activeLow?: readonly P[];
  /** Voltage dividers in front of analog pins: source voltage / pin voltage (a battery's cell behind two resistors). */
  readonly dividers?: Readonly<Partial<Record<P, number>>>;
}

/**
 * The pin name of the service button, when a board has one (a button to ground inside the enclosure, e.g. the
 * module's BOOT button): held SERVICE_HOLD_MS while the device runs, it asks for a factory reset
 * (firmware/lifecycle/service-button.ts).
 */
export const SERVICE_PIN = 'service';

/** The ECMA-419 host provider as apps receive it: IO classes plus the board's data. */
export interface Device {
  readonly io: import('./io.js').IoClasses;
  readonly board: Board;
}
