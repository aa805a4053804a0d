// The simulated sorting station: the ESP32 station's pin map on virtual IO (hal/host). The simulator attaches a
// simulated A02YYUW to the `level0` port, a VL53L1X and a LIS3DH to the I2C bus, HX711s, servos, a thermistor
// and the battery to their pins, and the door reader's MFRC522 and QR scanner.
import type { Board } from '../contract/board.js';
import { esp32SmartBin } from './esp32-smart-bin.js';

export const simSmartBin = Object.freeze({
  ...esp32SmartBin,
  name: 'sim-smart-bin',
}) satisfies Board & { readonly compartments: number };

export default simSmartBin;
