// Entry point of manifests/kiosk.json: the self-service kiosk on the ESP32-S3 kiosk board, its screens drawn by
// the Piu renderer (hal/moddable/kiosk/) on the display the SDK's drivers set up (the manifest's esp32 section),
// touches handed to the app's input. The Piu application is made before the device starts, so the app's first
// view has somewhere to go. No audio part yet: a speech clip is logged.
import config from 'mc/config';
import otaSlots from 'ota-slots';
import type { KioskInput } from '../../../firmware/apps/kiosk/app.js';
import { kioskDevice } from '../../../firmware/apps/kiosk/index.js';
import { esp32s3Kiosk } from '../../boards/esp32s3-kiosk.js';
import { startDevice } from '../boot.js';
import { kioskScreen } from '../kiosk/display.js';
import { deliver } from '../kiosk/input.js';
import { manifestFonts } from '../kiosk/manifest-fonts.js';
import { createKioskApplication, PiuKioskRenderer } from '../kiosk/piu-renderer.js';
import { ESP32S3_UART0 } from '../setup-boot.js';
import { traceLog } from '../system.js';

const settings = config as unknown as Readonly<Record<string, unknown>>;

try {
  const application = createKioskApplication();
  const { screen, warning } = kioskScreen(esp32s3Kiosk.screen, application, settings);
  if (warning) traceLog('warn', warning);
  let input: KioskInput | undefined; // the app's, once the runtime has made it
  const renderer = new PiuKioskRenderer(application, {
    dpi: screen.dpi,
    fonts: manifestFonts(settings),
    onTouch: (id) => input && deliver(input, id),
  });
  const kiosk = kioskDevice({
    render: (view) => renderer.show(view),
    speak: (clip) => traceLog('info', `kiosk: speech clip ${clip} (no audio part)`),
  });
  // The model lays out from the board's screen: the display as Piu has it.
  const board = { ...esp32s3Kiosk, screen };
  startDevice({
    device: { ...kiosk, createApp: () => { const app = kiosk.createApp(); input = app.input; return app; } },
    board,
    otaSlots,
    consolePins: ESP32S3_UART0,
  });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
