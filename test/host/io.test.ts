import { describe, expect, test } from '@jest/globals';
import type { Digital, IoClasses, SMBus } from '../../hal/contract/io.js';
import { SteppedClock } from '../../hal/host/clock.js';
import { VirtualIo, type I2cRegisterChip, type SpiChip } from '../../hal/host/io/index.js';

/** Virtual IO whose callbacks go through a stepped clock, as createHostHal wires it. */
function setup() {
  const clock = new SteppedClock();
  const io = new VirtualIo({ clock, defer: (callback) => clock.timers.set(callback, 0) });
  return { clock, io, classes: io.classes as Required<IoClasses> };
}

/**
 * A tiny simulated chip: WHO_AM_I at 0x0F (0x5A), a control register at 0x20, and a 16-bit little-endian
 * sample at 0x28/0x29 that only reads non-zero once the control register enables it. Reading the sample
 * high byte clears the data-ready flag in the status register 0x27, as many sensors do.
 */
class TinySensor implements I2cRegisterChip {
  control = 0;
  sample = 0;
  #ready = false;

  setSample(value: number): void {
    this.sample = value;
    this.#ready = true;
  }

  readRegister(register: number): number {
    switch (register) {
      case 0x0f: return 0x5a;
      case 0x20: return this.control;
      case 0x27: return this.#ready ? 0x08 : 0x00;
      case 0x28: return this.control & 1 ? this.sample & 0xff : 0;
      case 0x29:
        this.#ready = false;
        return this.control & 1 ? this.sample >> 8 : 0;
      default: return 0;
    }
  }

  writeRegister(register: number, value: number): void {
    if (register === 0x20) this.control = value;
  }
}

/** A driver written the Moddable way: it is handed its bus class and options, and talks registers. */
class TinySensorDriver {
  #io: SMBus;

  constructor(options: { io: new (o: { address: number; hz: number; data: number; clock: number }) => SMBus; address: number }) {
    this.#io = new options.io({ address: options.address, hz: 400_000, data: 21, clock: 22 });
    if (this.#io.readUint8(0x0f) !== 0x5a) throw new Error('TinySensor not found');
    this.#io.writeUint8(0x20, 0x01);
  }

  sample(): number | undefined {
    if (!(this.#io.readUint8(0x27) & 0x08)) return undefined;
    return this.#io.readUint16(0x28);
  }

  close(): void {
    this.#io.close();
  }
}

describe('I2C and SMBus against register-level chips', () => {
  test('an unchanged register driver runs against a simulated chip', () => {
    const { io, classes } = setup();
    const chip = new TinySensor();
    io.i2c().attach(0x19, chip);
    const driver = new TinySensorDriver({ io: classes.SMBus, address: 0x19 });
    expect(chip.control).toBe(0x01);
    expect(driver.sample()).toBeUndefined();
    chip.setSample(0x1234);
    expect(driver.sample()).toBe(0x1234);
    expect(driver.sample()).toBeUndefined(); // reading the high byte cleared data-ready
    driver.close();
  });

  test('multi-byte transactions auto-increment the register pointer', () => {
    const { io, classes } = setup();
    const chip = new TinySensor();
    chip.control = 1;
    chip.setSample(0xbeef);
    io.i2c().attach(0x19, chip);
    const i2c = new classes.I2C({ address: 0x19, hz: 100_000, data: 21, clock: 22 });
    i2c.write(Uint8Array.of(0x28), false);
    expect([...new Uint8Array(i2c.read(2))]).toEqual([0xef, 0xbe]);
    const smbus = new classes.SMBus({ address: 0x19, hz: 100_000, data: 21, clock: 22 });
    smbus.writeBuffer(0x20, Uint8Array.of(0x03));
    expect(chip.control).toBe(0x03);
    expect([...new Uint8Array(smbus.readBuffer(0x27, 3))]).toEqual([0x00, 0xef, 0xbe]);
    expect(smbus.readUint16(0x28, true)).toBe(0xefbe);
  });

  test('a chip can choose how its pointer advances', () => {
    const { io, classes } = setup();
    const registers = new Uint8Array(0x80).map((_, i) => i);
    // LIS3DH style: bit 7 of the sub-address turns auto-increment on.
    io.i2c().attach(0x18, {
      readRegister: (register) => registers[register & 0x7f]!,
      writeRegister: (register, value) => { registers[register & 0x7f] = value; },
      nextRegister: (register) => (register & 0x80 ? ((register + 1) & 0x7f) | 0x80 : register),
    });
    const smbus = new classes.SMBus({ address: 0x18, hz: 400_000, data: 21, clock: 22 });
    expect([...new Uint8Array(smbus.readBuffer(0x28, 3))]).toEqual([0x28, 0x28, 0x28]);
    expect([...new Uint8Array(smbus.readBuffer(0x80 | 0x28, 3))]).toEqual([0x28, 0x29, 0x2a]);
  });

  test('transaction-level chips see the raw bytes and stop flags', () => {
    const { io, classes } = setup();
    const seen: string[] = [];
    io.i2c(1).attach(0x50, {
      write: (bytes, stop) => { seen.push(`w ${[...bytes].join(',')} ${stop}`); },
      read: (count, stop) => { seen.push(`r ${count} ${stop}`); return new Uint8Array(count).fill(7); },
    });
    const eeprom = new classes.I2C({ address: 0x50, hz: 400_000, data: 21, clock: 22, port: 1 });
    eeprom.write(Uint8Array.of(0x01, 0x00), false);
    expect([...new Uint8Array(eeprom.read(2))]).toEqual([7, 7]);
    expect(seen).toEqual(['w 1,0 false', 'r 2 true']);
  });

  test('no chip at the address is a NACK: the call throws', () => {
    const { classes } = setup();
    const i2c = new classes.I2C({ address: 0x40, hz: 100_000, data: 21, clock: 22 });
    expect(() => i2c.write(Uint8Array.of(0))).toThrow(/no device at 0x40/);
    expect(() => new classes.I2C({ address: 0x80, hz: 100_000, data: 21, clock: 22 })).toThrow(RangeError);
    i2c.close();
    expect(() => i2c.read(1)).toThrow(/closed/);
  });
});

describe('Digital', () => {
  test('outputs record their level history with time stamps', () => {
    const { clock, io, classes } = setup();
    const relay = new classes.Digital({ pin: 26, mode: classes.Digital.Output });
    relay.write(1);
    clock.advance(3000);
    relay.write(0);
    expect(io.pin(26).history).toEqual([{ at: 0, level: 1 }, { at: 3000, level: 0 }]);
    expect(io.pin(26).level).toBe(0);
    expect(relay.read()).toBe(0);
  });

  test('inputs read their pull until driven, and edges call onReadable later, not inside the change', () => {
    const { clock, io, classes } = setup();
    const edges: (0 | 1)[] = [];
    const button = new classes.Digital({
      pin: 0,
      mode: classes.Digital.InputPullUp,
      edge: classes.Digital.Falling,
      onReadable(this: Digital) { edges.push(this.read()); },
    });
    expect(button.read()).toBe(1);
    io.pin(0).setInput(0);
    expect(edges).toEqual([]); // deferred to the device's event loop
    clock.advance(0);
    expect(edges).toEqual([0]);
    io.pin(0).setInput(1); // rising edge: not asked for
    io.pin(0).setInput(undefined); // floats back to the pull-up: no change
    clock.advance(0);
    expect(edges).toEqual([0]);
    expect(() => button.write(0)).toThrow(/input/);
  });

  test('a pin has one owner at a time; close releases it', () => {
    const { classes } = setup();
    const led = new classes.Digital({ pin: 2, mode: classes.Digital.Output });
    expect(() => new classes.PWM({ pin: 2 })).toThrow(/in use/);
    led.close();
    const pwm = new classes.PWM({ pin: 2 });
    pwm.close();
    expect(() => new classes.Digital({ pin: 2, mode: 'sideways' })).toThrow(RangeError);
    expect(() => new classes.Digital({ pin: 99, mode: classes.Digital.Input })).toThrow(RangeError);
  });
});

describe('SPI, Serial, PWM, Analog', () => {
  test('SPI transfers full duplex with the chip on its select pin', () => {
    const { io, classes } = setup();
    const events: string[] = [];
    const chip: SpiChip = {
      select: () => events.push('select'),
      transfer: (bytes) => {
        events.push(`transfer ${bytes.length}`);
        for (let i = 0; i < bytes.length; i++) bytes[i] = bytes[i]! ^ 0xff;
      },
      deselect: () => events.push('deselect'),
    };
    io.spi().attach(5, chip);
    const spi = new classes.SPI({ out: 23, in: 19, clock: 18, select: 5, hz: 1_000_000 });
    const buffer = Uint8Array.of(0x00, 0x0f);
    spi.transfer(buffer);
    expect([...buffer]).toEqual([0xff, 0xf0]);
    spi.write(Uint8Array.of(1));
    spi.flush(true);
    expect(events).toEqual(['select', 'transfer 2', 'transfer 1', 'deselect']);
    const nobody = new classes.SPI({ out: 23, in: 19, clock: 18, select: 4, hz: 1_000_000 });
    expect([...new Uint8Array(nobody.read(2))]).toEqual([0xff, 0xff]);
  });

  test('Serial: the peer injects bytes, the device reads them on onReadable; device writes are captured', () => {
    const { clock, io, classes } = setup();
    const received: string[] = [];
    const serial = new classes.Serial({
      baud: 9600,
      port: 2,
      onReadable(count) {
        const bytes = this.read(count);
        received.push(new TextDecoder().decode(bytes));
      },
    });
    io.serial(2).inject('CARD:1234\n');
    clock.advance(0);
    expect(received).toEqual(['CARD:1234\n']);
    expect(serial.read()).toBeUndefined();
    serial.write(Uint8Array.of(0x06));
    expect([...io.serial(2).takeWritten()]).toEqual([0x06]);
    expect(() => new classes.Serial({ baud: 9600, port: 2 })).toThrow(/in use/);
  });

  test('PWM duty lands on the pin; analog reads what the simulator set', () => {
    const { io, classes } = setup();
    const buzzer = new classes.PWM({ pin: 25, hz: 2000 });
    buzzer.write(512);
    expect(io.pin(25).pwm).toEqual({ value: 512, hz: 2000, resolution: 10 });
    expect(() => buzzer.write(1024)).toThrow(RangeError);
    const level = new classes.Analog({ pin: 34 });
    io.pin(34).setAnalog(3000);
    expect(level.read()).toBe(3000);
    expect(level.resolution).toBe(12);
    expect(() => io.pin(34).setAnalog(5000)).toThrow(RangeError);
  });
});
