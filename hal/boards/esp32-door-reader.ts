// The door reader on an ESP32-DevKitC-32E with an ESP32-WROOM-32E-N8 module (8 MB flash: the credential slots
// for 100,000 credentials need it; see manifests/door-reader/partitions-esp32-8mb.csv). The pins follow
// esp32-devkitc.ts, which explains the pins every ESP32 board avoids; the door adds:
// - MFRC522 on the VSPI pins (23/19/18) with its select on 4 (not a strapping pin);
// - Wiegand DATA0/DATA1 on 34/35: input-only pins without pull-ups, which is fine because the reader interface
//   (a 5 V → 3.3 V level shifter with its own pull-ups) holds the lines high;
// - the QR scanner on UART2 (16/17);
// - the relay on 25, an output that stays quiet through reset. Its transistor stage needs a 10 kΩ pull-down
//   on its input so the relay stays off while the pin floats during reset and boot (docs/door-reader.md).
import type { Board } from '../contract/board.js';
import { esp32DevkitC } from './esp32-devkitc.js';

const base = esp32DevkitC.pin;

export const esp32DoorReader = Object.freeze({
  name: 'esp32-door-reader',
  pin: Object.freeze({
    relay: base.relay,
    led: base.led,
    buzzer: base.buzzer,
    doorContact: base.doorContact,
    exitButton: base.exitButton,
    nfcSelect: 4,
    wiegandData0: 34,
    wiegandData1: 35,
    spiOut: base.spiOut,
    spiIn: base.spiIn,
    spiClock: base.spiClock,
    qrTransmit: base.uartTransmit,
    qrReceive: base.uartReceive,
    /** The DevKitC's BOOT button, inside the controller box: held 10 s while running, a factory reset. */
    service: 0,
  }),
  spi: esp32DevkitC.spi,
  serial: Object.freeze({
    /** QR scanner module on UART2: 9600 8N1, CR after each code. */
    qr: Object.freeze({ transmit: base.uartTransmit, receive: base.uartReceive, baud: 9600, port: 2 }),
  }),
  /** For installers and the wiring drawing (npm run wiring): the module, and what a wire needs beyond its part. */
  wiring: Object.freeze({
    module: 'ESP32-DevKitC-32E (ESP32-WROOM-32E-N8, 8 MB flash)',
    chip: 'esp32' as const,
    notes: Object.freeze({
      relay: '10 kΩ pull-down to GND on the transistor stage input: the relay stays off while the pin floats at boot',
      wiegandData0: 'through the reader interface: 5 V → 3.3 V level shifter with its own pull-ups',
      wiegandData1: 'through the reader interface: 5 V → 3.3 V level shifter with its own pull-ups',
    }),
    fixtures: Object.freeze({
      service: Object.freeze({
        module: 'BOOT button on the module board (GPIO 0), inside the enclosure',
        pins: Object.freeze({ SW: 'service' }),
        supply: 'none' as const,
        note: 'held 10 s while the device runs: factory reset (never hold it while powering on: that starts the flasher)',
      }),
    }),
  }),
}) satisfies Board;

export default esp32DoorReader;
