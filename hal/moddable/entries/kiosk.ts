// Entry point of manifests/kiosk.json: the self-service kiosk on the ESP32-S3 kiosk board. The screen is drawn by
// the Piu renderer (hal/moddable/kiosk/, another module): this entry is the seam. Until it is wired, `render` does
// nothing and the kiosk runs headless (cards, commands, events, printing, the help call all work).
// Seam: replace `render` with the Piu renderer's draw(view), and hand its taps, keys and back gesture to
// `app.input` (the app is the one createApp returns; capture it there).
import { kioskDevice } from '../../../firmware/apps/kiosk/index.js';
import type { KioskView } from '../../../firmware/apps/kiosk/screen/machine.js';
import { esp32s3Kiosk } from '../../boards/esp32s3-kiosk.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

function render(_view: KioskView): void {
  // The Piu renderer goes here.
}

try {
  startDevice({ device: kioskDevice({ render }), board: esp32s3Kiosk });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
