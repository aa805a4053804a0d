// The simulated SOS pendant: the ESP32 pendant's pin map on virtual IO (hal/host). The simulator attaches a
// simulated LIS3DH to I2C port 0 (INT1 on accelInterrupt) and a battery to the ADC pin.
import type { Board } from '../contract/board.js';
import { esp32Pendant } from './esp32-pendant.js';

export const simSosButtonBoard: Board = {
  ...esp32Pendant,
  name: 'sim-sos-button',
};

export default simSosButtonBoard;
