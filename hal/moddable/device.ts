// device: the SDK's ECMA-419 host provider IO classes ("embedded:provider/builtin") with our board's pin map.
import builtin from 'embedded:provider/builtin';
import type { Board, Device, IoClasses } from '../contract/index.js';

export function createDevice(board: Board): Device {
  // The SDK classes are the ECMA-419 ones our contract describes; @moddable/typings 5.6 omits some members
  // (I2C.close, for one), so the types cannot be matched structurally.
  return Object.freeze({ io: builtin.io as unknown as IoClasses, board });
}
