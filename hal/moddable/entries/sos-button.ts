// Entry point of manifests/sos-button.json: the SOS button on the ESP32 SOS button board. The manifest maps
// "deep-sleep" to our ESP32 native (hal/moddable/esp32/) or, on Linux, to a stand-in without deep sleep.
import deepSleep from 'deep-sleep';
import otaSlots from 'ota-slots';
import { SOS_BUTTON } from '../../../firmware/apps/sos-button/index.js';
import { esp32SosButton } from '../../boards/esp32-sos-button.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  startDevice({ device: SOS_BUTTON, board: esp32SosButton, deepSleep, otaSlots });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
