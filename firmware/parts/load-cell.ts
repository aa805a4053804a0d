// A load cell behind an HX711 (firmware/drivers/hx711) on the pins `data` (DOUT) and `clock` (PD_SCK). The HX711's
// clock timing needs a native on ESP32, so the HAL offers it as an optional io class (`io.HX711`): a build or
// host without it cannot open this part, and openParts reports that.
import { LoadCell } from '../drivers/hx711/load-cell.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface LoadCellSpec extends PartSpec<unknown> {
  readonly data: string;
  readonly clock: string;
  /** Channel A at 128 (default) or 64, channel B at 32. */
  readonly gain?: 128 | 64 | 32;
}

type LoadCellPart<S extends LoadCellSpec> = FittedPart<LoadCell, S['data'] | S['clock'], unknown, S>;

export function loadCell<const S extends LoadCellSpec>(spec: S & NoOthers<S, LoadCellSpec>): LoadCellPart<S> {
  const { data, clock, on, required, ...options } = spec;
  return fitPart(spec, {
    kind: 'load-cell',
    pins: { data, clock },
    options,
    open(context) {
      const io = context.device.io.HX711;
      if (!io) throw new Error('no HX711 io class in this build');
      return new LoadCell({ adc: { data: context.pin('data'), clock: context.pin('clock'), ...options, io }, timers: context.timers });
    },
  }) as LoadCellPart<S>;
}
