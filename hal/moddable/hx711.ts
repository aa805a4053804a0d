// io.HX711 on Moddable: the shared protocol (hal/contract/hx711.ts) over the build's native wire, manifest module
// "hx711" (hal/moddable/esp32/hx711.js + .c; on Linux a stand-in exporting undefined). An entry with a load cell:
//   import hx711 from 'hx711';
//   startDevice({ device, board, natives: { HX711: nativeHX711(hx711) } });
// Without the native (Linux) there is no io.HX711, and a load-cell part reports itself missing.
import { hx711Class, type Hx711Wire } from '../contract/hx711.js';
import type { HX711Constructor } from '../contract/io.js';

/** The native's class: `new (data, clock)` claims the pins. */
export type Hx711WireNative = new (data: number, clock: number) => Hx711Wire;

export function nativeHX711(Wire: Hx711WireNative | undefined): HX711Constructor | undefined {
  return Wire && hx711Class((data, clock) => new Wire(data, clock));
}
