// A Wiegand card reader or keypad (firmware/drivers/wiegand) on `data0` and `data1`: each decoded frame, a card or
// a key, reaches the app's `read` event; parity and framing errors are counted by the driver.
import { Wiegand, type WiegandFrame } from '../drivers/wiegand/wiegand.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface WiegandCallbacks {
  read(frame: WiegandFrame): void;
}

export interface WiegandSpec extends PartSpec<WiegandCallbacks> {
  readonly data0: string;
  readonly data1: string;
  readonly timeoutMs?: number;
}

export function wiegand<const S extends WiegandSpec>(spec: S & NoOthers<S, WiegandSpec>): FittedPart<Wiegand, S['data0'] | S['data1'], WiegandCallbacks, S> {
  const { data0, data1, on, required, ...options } = spec;
  return fitPart(spec, {
    kind: 'wiegand',
    pins: { data0, data1 },
    options,
    open(context) {
      const read = context.callback<[frame: WiegandFrame]>('read');
      return new Wiegand({
        data0: context.pin('data0'), data1: context.pin('data1'), io: context.device.io.Digital, timers: context.timers, ...options,
        onRead: (frame) => read?.(frame),
      });
    },
  }) as FittedPart<Wiegand, S['data0'] | S['data1'], WiegandCallbacks, S>;
}
