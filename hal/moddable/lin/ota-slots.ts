// Stand-in for the ESP32-only "ota-slots" native on the Linux simulator build: no firmware slots, so the HAL has no
// `firmware` and the device takes no update (`no_firmware`).
import type { OtaSlotsNative } from '../firmware.js';

const none: OtaSlotsNative | undefined = undefined;
export default none;
