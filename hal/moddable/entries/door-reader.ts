// Entry point of manifests/door-reader.json: the door reader app on the ESP32 door reader board.
import { DOOR_READER_MODEL, createDoorReaderApp } from '../../../firmware/apps/door-reader/index.js';
import { esp32DoorReader } from '../../boards/esp32-door-reader.js';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  startDevice({ model: DOOR_READER_MODEL, board: esp32DoorReader, app: createDoorReaderApp() });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
