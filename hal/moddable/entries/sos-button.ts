// Entry point of manifests/sos-button.json: the SOS pendant app on the ESP32 pendant board. The manifest maps
// "deep-sleep" to our ESP32 native (hal/moddable/esp32/) or, on Linux, to a stand-in without deep sleep.
import deepSleep from 'deep-sleep';
import { SOS_BUTTON_MODEL, createSosButtonApp } from '../../../firmware/apps/sos-button/index.js';
import { PENDANT_BATTERY_DIVIDER, esp32Pendant } from '../../boards/esp32-pendant.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  startDevice({
    model: SOS_BUTTON_MODEL, board: esp32Pendant, deepSleep, app: createSosButtonApp({ batteryDivider: PENDANT_BATTERY_DIVIDER }),
  });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
