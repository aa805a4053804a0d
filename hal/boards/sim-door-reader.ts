// The simulated door reader: the simulator board's pins (sim.ts) for everything a door reader wires, plus the
// QR scanner's UART under the name the app looks for. Pins and buses are virtual (hal/host/io).
import type { Board } from '../contract/board.js';

export const simDoorReader = Object.freeze({
  name: 'sim-door-reader',
  pin: Object.freeze({
    /** Lock relay (active high). */
    relay: 26,
    led: 2,
    buzzer: 25,
    /** Reed switch to ground, closed while the door is shut (InputPullUp). */
    doorContact: 27,
    /** Request-to-exit button to ground (InputPullUp). */
    exitButton: 13,
    /** Wiegand reader/keypad lines (held high by the reader's interface). */
    wiegandData0: 36,
    wiegandData1: 39,
    /** MFRC522 chip select. */
    nfcSelect: 5,
    spiOut: 23,
    spiIn: 19,
    spiClock: 18,
    qrTransmit: 17,
    qrReceive: 16,
    /** Service button to ground (InputPullUp): held 10 s, a factory reset. */
    service: 0,
  }),
  spi: Object.freeze({ out: 23, in: 19, clock: 18, hz: 4_000_000, mode: 0, port: 0 } as const),
  serial: Object.freeze({
    /** QR scanner module (9600 8N1, CR after each code). */
    qr: Object.freeze({ transmit: 17, receive: 16, baud: 9600, port: 2 }),
  }),
}) satisfies Board;

export default simDoorReader;
