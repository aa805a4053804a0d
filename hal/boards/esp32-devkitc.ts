// Espressif ESP32-DevKitC with an ESP32-WROOM-32 module (4 MB flash, no PSRAM), as wired on our terminals.
//
// Pins avoided on purpose:
// - 6–11: the module's SPI flash.
// - 0, 2, 5, 12, 15: strapping pins, sampled at reset (a pulled-up 12 selects 1.8 V flash and bricks the boot).
// - 1, 3: UART0, the console and the flashing port.
// - 14, 15: drive a PWM signal during boot, so nothing that must stay quiet (relay, buzzer) sits on them.
// - 34–39: input-only and without internal pull-ups; left free for analog inputs or externally pulled switches.
// Inputs that need an internal pull-up therefore use 27, 32 and 33. Outputs use 25, 26 (quiet through reset)
// and 13. UART2 on 16/17 is free on WROOM-32; a WROVER module would need other pins (PSRAM sits there).
import type { Board } from '../contract/board.js';

// Frozen all the way down: boards are data, and XS keeps frozen preloaded objects in flash without a RAM alias.
export const esp32DevkitC = Object.freeze({
  name: 'esp32-devkitc',
  pin: Object.freeze({
    /** Door strike / lock relay driver (transistor stage, active high). */
    relay: 25,
    /** Status LED. */
    led: 26,
    /** Piezo buzzer (PWM). */
    buzzer: 13,
    /** Reed switch to ground: reads 0 when the door is closed (use InputPullUp). */
    doorContact: 32,
    /** Request-to-exit button to ground (use InputPullUp). */
    exitButton: 33,
    /** Front-panel / SOS button to ground (use InputPullUp). */
    button: 27,
    i2cData: 21,
    i2cClock: 22,
    spiOut: 23,
    spiIn: 19,
    spiClock: 18,
    uartTransmit: 17,
    uartReceive: 16,
  }),
  i2c: Object.freeze({ data: 21, clock: 22, hz: 100_000, port: 0 }),
  spi: Object.freeze({ out: 23, in: 19, clock: 18, hz: 1_000_000, mode: 0, port: 2 } as const),
  serial: Object.freeze({
    /** UART2 for a peripheral such as a card or QR reader. */
    aux: Object.freeze({ transmit: 17, receive: 16, baud: 9600, port: 2 }),
  }),
}) satisfies Board;

export default esp32DevkitC;
