// The smart garbage sorting station: an ESP32-DevKitC (ESP32-WROOM-32E) behind the front panel, with two
// compartments (one category each) and the station's shared parts. See esp32-devkitc.ts for the pins every ESP32
// board avoids. This board uses every free GPIO, so some choices are forced:
// - Compartment 0's level sensor is a UART ultrasonic module (A02YYUW) in streaming mode on UART2 (RX 16 only);
//   compartment 1's is a VL53L1X time-of-flight sensor on the I2C bus, beside the LIS3DH (tilt).
// - The QR scanner sends on UART1 (RX 17 only: the module's trigger is its own).
// - The HX711s' data outputs are push-pull: the input-only 34/35 suit them. Their clocks are 14 and 27; 14
//   toggles during boot, which only makes the HX711 power down and start again.
// - Lid switches to ground on 12 and 15 with internal pull-ups only: an external pull-up on 12 selects 1.8 V flash.
// - Select buttons on 32 and 0 (the DevKitC's BOOT button serves compartment 1 on the bench; it is only read as
//   a strapping pin at reset, when nobody holds it). Obstacle sensors (IR, push-pull, low on obstacle) on 33, 2.
// - Lid servos on 25 and 26 (quiet through reset: the lids do not twitch at boot), powered from their own 5 V.
// - The thermistor (fire, speed of sound) and the battery divider on ADC1 (36, 39): ADC2 is unusable with Wi-Fi.
// No pin is left for a separate solar sense: the battery's voltage trend shows the charging.
import type { Board } from '../contract/board.js';
import { esp32DevkitC } from './esp32-devkitc.js';

const base = esp32DevkitC.pin;

export const esp32SmartBin = Object.freeze({
  name: 'esp32-smart-bin',
  compartments: 2,
  pin: Object.freeze({
    nfcSelect: 4,
    spiOut: base.spiOut,
    spiIn: base.spiIn,
    spiClock: base.spiClock,
    i2cData: base.i2cData,
    i2cClock: base.i2cClock,
    qrReceive: 17,
    level0Receive: 16,
    led: 5,
    buzzer: 13,
    temperature: 36,
    battery: 39,
    lid0: 25,
    lidSwitch0: 12,
    obstacle0: 33,
    select0: 32,
    scale0Data: 34,
    scale0Clock: 14,
    lid1: 26,
    lidSwitch1: 15,
    obstacle1: 2,
    select1: 0,
    scale1Data: 35,
    scale1Clock: 27,
  }),
  spi: esp32DevkitC.spi,
  i2c: esp32DevkitC.i2c,
  serial: Object.freeze({
    /** QR scanner on UART1: 9600 8N1, CR after each code. */
    qr: Object.freeze({ receive: 17, baud: 9600, port: 1 }),
    /** A02YYUW on UART2: 9600 8N1, a 4-byte frame every 100 ms. */
    level0: Object.freeze({ receive: 16, baud: 9600, port: 2 }),
  }),
  /** The thermistor's divider is the sensor itself (ntc.ts); the battery is behind 100 kΩ/100 kΩ. */
  dividers: Object.freeze({ battery: 2 }),
  /** For installers and the wiring drawing (npm run wiring): the module, and what a wire needs beyond its part. */
  wiring: Object.freeze({
    module: 'ESP32-DevKitC-32E (ESP32-WROOM-32E)',
    chip: 'esp32' as const,
    notes: Object.freeze({
      lidSwitch0: 'no external pull-up on 12: it would select 1.8 V flash and stop the boot',
      select1: 'GPIO 0 is the DevKitC BOOT button: do not hold it while powering on',
      scale0Clock: 'toggles during boot: the HX711 only powers down and starts again',
      lid0: 'servo on its own 5 V supply, grounds joined',
      lid1: 'servo on its own 5 V supply, grounds joined',
      obstacle0: 'IR obstacle sensor, push-pull output, low on an obstacle',
      obstacle1: 'IR obstacle sensor, push-pull output, low on an obstacle',
      level0Receive: 'the A02YYUW sends only: its RX left open selects streaming',
    }),
  }),
}) satisfies Board & { readonly compartments: number };

export default esp32SmartBin;
