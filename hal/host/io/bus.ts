// The virtual IO of one simulated device: its pins, I2C and SPI buses and UARTs, plus the ECMA-419 classes
// (`device.io`) bound to them. Device code gets `classes`; the simulator and tests use the rest.
import type { IoClasses } from '../../contract/io.js';
import type { MonotonicClock } from '../../contract/time.js';
import type { Defer } from './common.js';
import { createDigitalClass } from './digital.js';
import { createHX711Class } from './hx711.js';
import { createI2CClasses, VirtualI2cBus } from './i2c.js';
import { PinSet, type VirtualPin } from './pins.js';
import { createAnalogClass, createPWMClass } from './pwm.js';
import { SerialPeer, createSerialClass } from './serial.js';
import { VirtualSpiBus, createSPIClass } from './spi.js';

export interface VirtualIoOptions {
  /** Time stamps for output history. */
  clock: MonotonicClock;
  /** How device callbacks (edges, serial) are delivered later. Default: a microtask. */
  defer?: Defer;
  /** Highest pin number. Default 63. */
  maxPin?: number;
  /** Output level changes kept per pin. Default 1000. */
  historyLimit?: number;
}

export class VirtualIo {
  readonly classes: IoClasses;
  #pins: PinSet;
  #i2c = new Map<number, VirtualI2cBus>();
  #spi = new Map<number, VirtualSpiBus>();
  #serial = new Map<number, SerialPeer>();

  constructor(options: VirtualIoOptions) {
    this.#pins = new PinSet(options);
    const defer = options.defer ?? queueMicrotask;
    const { I2C, SMBus } = createI2CClasses((port) => this.i2c(port));
    const Digital = createDigitalClass(this.#pins, defer);
    this.classes = {
      Digital,
      I2C,
      SMBus,
      SPI: createSPIClass((port) => this.spi(port)),
      Serial: createSerialClass((port) => this.serial(port), defer),
      PWM: createPWMClass(this.#pins),
      Analog: createAnalogClass(this.#pins),
      HX711: createHX711Class(Digital),
    };
  }

  pin(number: number): VirtualPin {
    return this.#pins.get(number);
  }

  i2c(port = 0): VirtualI2cBus {
    return lookup(this.#i2c, port, () => new VirtualI2cBus(port));
  }

  spi(port = 0): VirtualSpiBus {
    return lookup(this.#spi, port, () => new VirtualSpiBus(port));
  }

  serial(port = 0): SerialPeer {
    return lookup(this.#serial, port, () => new SerialPeer(port));
  }
}

function lookup<T>(map: Map<number, T>, port: number, make: () => T): T {
  if (!Number.isInteger(port) || port < 0) throw new RangeError(`invalid port ${port}`);
  let value = map.get(port);
  if (value === undefined) {
    value = make();
    map.set(port, value);
  }
  return value;
}
