// device: the SDK's ECMA-419 host provider IO classes ("embedded:provider/builtin") with our board's pin map.
import builtin from 'embedded:provider/builtin';
import type { Board, Device, IoClasses } from '../contract/index.js';

/** IO classes over our own natives, beside the SDK's; the build decides which (hal/moddable/hx711.ts). */
export type NativeIoClasses = { readonly [K in 'HX711']?: IoClasses[K] | undefined };

export function createDevice(board: Board, natives: NativeIoClasses = {}): Device {
  // The SDK classes are the ECMA-419 ones our contract describes; @moddable/typings 5.6 omits some members
  // (I2C.close, for one), so the types cannot be matched structurally.
  const io = builtin.io as unknown as IoClasses;
  return Object.freeze({ io: natives.HX711 ? Object.freeze({ ...io, ...natives }) : io, board });
}
