// The self-service kiosk: an ESP32-S3-DevKitC-1 N16R8 (16 MB flash for the CJK fonts, 8 MB octal PSRAM for Piu)
// behind a 4.0" 480 × 320 IPS SPI module with an ST7796S controller and an FT6336U capacitive touch controller.
// Why this panel: the Moddable SDK drives it with its own drivers, configured in manifests/kiosk.json: the ili9341
// driver speaks the same MIPI-DCS commands (CASET/RASET/RAMWR, 16-bit RGB565) given the ST7796S's init registers,
// and the ft6206 driver accepts the FT6336U (vendor 0x11, chip id 0x64). The SDK has no driver for the RGB-parallel
// panels of larger ESP32-S3 boards (docs/moddable.md, "The kiosk's display and touch").
// Wiring, chosen around the module's octal PSRAM (GPIO 35–37) and flash (26–32):
// - One SPI bus (SPI2, MOSI 11, SCK 12, MISO 13) for the display (CS 10, DC 9, RST 8, backlight 7) and the MFRC522
//   card reader (select 21): the SDK's ESP32 SPI layer initialises a single bus, so every SPI device shares it.
//   The display's SDO stays unconnected: the driver never reads, and the reader needs MISO to itself.
// - Touch on I2C (SDA 4, SCL 5, address 0x38); its INT unconnected (the SDK's driver polls every 16 ms), RST to 3V3.
// - The ESC/POS printer on UART1 (TX 17, RX 18), 9600 8N1, XON/XOFF set on the printer.
// No audio part yet: speech clips are logged (hal/moddable/entries/kiosk.ts).
// 480 × 320 on a 4.0" diagonal: √(480² + 320²) / 4 ≈ 144 px per inch, so 533 × 355 dp.
import type { Board } from '../contract/board.js';

export const esp32s3Kiosk = Object.freeze({
  name: 'esp32s3-kiosk',
  pin: Object.freeze({
    nfcSelect: 21,
    spiOut: 11,
    spiClock: 12,
    spiIn: 13,
    displaySelect: 10,
    displayCommand: 9,
    displayReset: 8,
    backlight: 7,
    printerTransmit: 17,
    printerReceive: 18,
    touchData: 4,
    touchClock: 5,
    /** The DevKitC's BOOT button, inside the cabinet: held 10 s while running, a factory reset. */
    service: 0,
  }),
  /** SPI2 (ESP-IDF SPI2_HOST = 1): the display's bus, shared by the card reader. */
  spi: Object.freeze({ out: 11, in: 13, clock: 12, hz: 4_000_000, mode: 0, port: 1 } as const),
  i2c: Object.freeze({ data: 4, clock: 5, hz: 400_000, port: 0 }),
  serial: Object.freeze({
    printer: Object.freeze({ transmit: 17, receive: 18, baud: 9600, port: 1 }),
  }),
  /** The display as the screen model lays it out (firmware/apps/kiosk/screen/modes.ts ScreenSpec), landscape. */
  screen: Object.freeze({ widthPx: 480, heightPx: 320, dpi: 144 }),
  /** The panel and touch controller the SDK's drivers run (manifests/kiosk.json), not parts of the app. */
  display: Object.freeze({ panel: 'ST7796S 320x480 RGB565, SPI, rotated 90', touch: 'FT6336U' }),
  /**
   * For installers and the wiring drawing (npm run wiring): the module, and what a wire needs beyond its part. The
   * display and touch are no parts, so `fixtures` says which pins and bus lines reach them (module pin: board pin).
   */
  wiring: Object.freeze({
    module: 'ESP32-S3-DevKitC-1 N16R8',
    chip: 'esp32s3' as const,
    fixtures: Object.freeze({
      display: Object.freeze({
        module: '4.0" 480 × 320 SPI display, ST7796S',
        bus: 'spi' as const,
        busLines: Object.freeze(['out', 'clock'] as const),
        pins: Object.freeze({ CS: 'displaySelect', DC: 'displayCommand', RST: 'displayReset', LED: 'backlight' }),
        note: 'SDO (MISO) left unconnected: the card reader needs MISO to itself',
      }),
      touch: Object.freeze({
        module: 'FT6336U capacitive touch (on the display module), I2C 0x38',
        bus: 'i2c' as const,
        note: 'CTP_INT unconnected (the driver polls), CTP_RST to 3V3',
      }),
      service: Object.freeze({
        module: 'BOOT button on the module board (GPIO 0), inside the cabinet',
        pins: Object.freeze({ SW: 'service' }),
        supply: 'none' as const,
        note: 'held 10 s while the device runs: factory reset (never hold it while powering on: that starts the flasher)',
      }),
    }),
  }),
}) satisfies Board;
