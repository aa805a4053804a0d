// Entry point of manifests/generic.json: the runtime with no app and no parts (status, commands, config, health
// only) on the ESP32-DevKitC. Each device manifest names its own entry here (door-reader.ts, sos-button.ts) that
// calls startDevice with its device and board.
import config from 'mc/config';
import otaSlots from 'ota-slots';
import { esp32DevkitC } from '../../boards/esp32-devkitc.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  const model = typeof config.model === 'string' ? config.model : 'generic';
  startDevice({ device: { model, parts: {}, createApp: () => undefined }, board: esp32DevkitC, otaSlots });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
