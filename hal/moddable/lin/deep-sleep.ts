// Stand-in for the SOS button's ESP32-only "deep-sleep" native on the Linux simulator build: no deep sleep, so the
// HAL's System leaves the capability out.
import type { DeepSleepNative } from '../system.js';

const none: DeepSleepNative | undefined = undefined;
export default none;
