// The self-service kiosk: a Sunton ESP32-8048S050C, an ESP32-S3-WROOM-1 (N16R8: 16 MB flash, 8 MB octal PSRAM for
// the frame buffer and Piu) behind a 5" 800 × 480 IPS panel (ST7262 RGB-parallel controller, 16-bit RGB565) with
// a GT911 capacitive touch controller on I2C (SDA 19, SCL 20, address 0x5D). The panel's RGB bus takes GPIO 0–8,
// 14–16, 21, 39–48 and the backlight GPIO 2, so the kiosk's own parts go where the board leaves room:
// - The MFRC522 card reader on the microSD slot's SPI lines (MOSI 11, SCK 12, MISO 13) with the slot's select
//   (GPIO 10) as its own: the kiosk fits no card in the slot.
// - The ESC/POS printer on UART1 through the P1 header (TX 17, RX 18), 9600 8N1, XON/XOFF set on the printer.
// No pin is left for an LED or a buzzer: the screen and the speech clips (I2S amplifier on the speaker header)
// answer the resident. The display and the touch panel are not parts: the Piu renderer (hal/moddable/kiosk/)
// drives them through the SDK's display and GT911 touch drivers, sized by `screen` below.
// 800 × 480 on a 5" diagonal: √(800² + 480²) / 5 ≈ 187 px per inch.
import type { Board } from '../contract/board.js';

export const esp32s3Kiosk = Object.freeze({
  name: 'esp32s3-kiosk',
  pin: Object.freeze({
    nfcSelect: 10,
    spiOut: 11,
    spiClock: 12,
    spiIn: 13,
    printerTransmit: 17,
    printerReceive: 18,
    touchData: 19,
    touchClock: 20,
  }),
  spi: Object.freeze({ out: 11, in: 13, clock: 12, hz: 4_000_000, mode: 0, port: 2 } as const),
  i2c: Object.freeze({ data: 19, clock: 20, hz: 400_000, port: 0 }),
  serial: Object.freeze({
    printer: Object.freeze({ transmit: 17, receive: 18, baud: 9600, port: 1 }),
  }),
  /** The display as the screen model lays it out (firmware/apps/kiosk/screen/modes.ts ScreenSpec). */
  screen: Object.freeze({ widthPx: 800, heightPx: 480, dpi: 187 }),
  /** The panel and touch controller the renderer drives (not parts of the app). */
  display: Object.freeze({ panel: 'ST7262 800x480 RGB565', touch: 'GT911' }),
}) satisfies Board;
