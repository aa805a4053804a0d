// Entry point of manifests/door-reader.json: the door reader on the ESP32 door reader board.
import { DOOR_READER } from '../../../firmware/apps/door-reader/index.js';
import otaSlots from 'ota-slots';
import { esp32DoorReader } from '../../boards/esp32-door-reader.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  startDevice({ device: DOOR_READER, board: esp32DoorReader, otaSlots });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
