// A board is data: which pin does what and how its buses are wired. Drivers never hard-code pins.
import type { I2COptions, PinSpecifier, SPIOptions, SerialOptions } from './io.js';

export interface Board {
  /** e.g. "esp32-devkitc", "sim". */
  readonly name: string;
  /** Named pins (ECMA-419 `device.pin`): "relay", "doorContact", "button", "led", ... */
  readonly pin: Readonly<Record<string, PinSpecifier>>;
  /** Default bus options (ECMA-419 `device.I2C.default` and kin), without per-device fields such as address. */
  readonly i2c?: Readonly<Omit<I2COptions, 'address'>>;
  readonly spi?: Readonly<Omit<SPIOptions, 'select'>>;
  readonly serial?: Readonly<Record<string, Omit<SerialOptions, 'onReadable' | 'onWritable'>>>;
  /** GPIOs that can end a deep sleep (ESP32: the RTC GPIOs); absent means the binding does not restrict them. */
  readonly wakePins?: readonly number[];
  /** Logic level that turns each active-low output on; absent means active-high. */
  readonly activeLow?: readonly string[];
}

/** The ECMA-419 host provider as apps receive it: IO classes plus the board's data. */
export interface Device {
  readonly io: import('./io.js').IoClasses;
  readonly board: Board;
}
