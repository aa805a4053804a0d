// Stand-in for the ESP32-only "hx711" native on the Linux simulator build: no load cell there, so the HAL offers
// no io.HX711 and a load-cell part reports itself missing.
import type { Hx711WireNative } from '../hx711.js';

const none: Hx711WireNative | undefined = undefined;
export default none;
