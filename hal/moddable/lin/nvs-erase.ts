// Stand-in for the ESP32-only "nvs-erase" native on the Linux simulator build: none, so a factory reset deletes key by
// key there (the SDK's Linux preference keeps files, not NVS pages).
import type { NvsEraseNative } from '../storage.js';

const none: NvsEraseNative | undefined = undefined;
export default none;
