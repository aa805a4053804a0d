// The simulated SOS button: the ESP32 SOS button's pin map on virtual IO (hal/host). The simulator attaches a
// simulated LIS3DH to I2C port 0 (INT1 on accelInterrupt) and a battery to the ADC pin.
import type { Board } from '../contract/board.js';
import { esp32SosButton } from './esp32-sos-button.js';

export const simSosButton = Object.freeze({
  ...esp32SosButton,
  name: 'sim-sos-button',
}) satisfies Board;

export default simSosButton;
