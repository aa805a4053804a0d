// Entry point of manifests/smart-bin.json: the sorting station on the ESP32 station board. The manifest maps
// "hx711" to our ESP32 native (hal/moddable/esp32/hx711.*: the load cells' clock timing) or, on Linux, to a stand-in
// without it (the load-cell parts then report themselves missing).
import hx711 from 'hx711';
import otaSlots from 'ota-slots';
import { SMART_BIN } from '../../../firmware/apps/smart-bin/index.js';
import { esp32SmartBin } from '../../boards/esp32-smart-bin.js';
import { startDevice } from '../boot.js';
import { nativeHX711 } from '../hx711.js';
import { traceLog } from '../system.js';

try {
  startDevice({ device: SMART_BIN, board: esp32SmartBin, natives: { HX711: nativeHX711(hx711) }, otaSlots });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
