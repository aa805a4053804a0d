// The simulator's default board: what a device with no parts (the generic kind) runs on, and the bench the
// driver tests wire their simulated chips to. Pins and buses are virtual (hal/host/io); numbers follow ESP32
// conventions (ADC1 pins for analog, 21/22 for I2C, the VSPI pins for SPI, UART2 on 16/17).
import type { Board } from '../contract/board.js';

export const simBoard = Object.freeze({
  name: 'sim',
  pin: Object.freeze({
    /** A push button to ground (InputPullUp). */
    button: 0,
    /** LIS3DH INT1. */
    accelInterrupt: 32,
    /** Two analog inputs: a battery divider and a second one. */
    battery: 35,
    fillLevel: 34,
    /** MFRC522 chip select on the SPI bus. */
    nfcSelect: 5,
  }),
  i2c: Object.freeze({ data: 21, clock: 22, hz: 400_000, port: 0 }),
  spi: Object.freeze({ out: 23, in: 19, clock: 18, hz: 5_000_000, mode: 0, port: 0 } as const),
  serial: Object.freeze({
    reader: Object.freeze({ transmit: 17, receive: 16, baud: 9600, port: 2 }),
  }),
}) satisfies Board;
