// The simulated kiosk: the ESP32-S3 kiosk board's pins on virtual IO (hal/host). The simulator attaches the door
// reader's MFRC522 to the SPI bus and a simulated ESC/POS printer to the `printer` UART; the screen is the
// browser's (the dashboard renders the view), sized as the real panel.
import type { Board } from '../contract/board.js';
import { esp32s3Kiosk } from './esp32s3-kiosk.js';

export const simKiosk = Object.freeze({
  ...esp32s3Kiosk,
  name: 'sim-kiosk',
}) satisfies Board;

export default simKiosk;
