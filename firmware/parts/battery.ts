// A battery gauge (firmware/drivers/battery): one cell behind the board's divider on the analog pin `pin`.
import { Battery } from '../drivers/battery/battery.js';
import { singlePinKind } from './part.js';

export interface BatteryOptions {
  /** Reads averaged (driver default 4). */
  readonly window?: number;
  readonly emptyMv?: number;
  readonly fullMv?: number;
}

export const battery = singlePinKind<Battery, unknown, BatteryOptions>('battery', (context, options) => {
  const { Analog } = context.device.io;
  if (!Analog) throw new Error('no Analog input');
  return new Battery({ analog: { io: Analog, pin: context.pin('pin') }, dividerRatio: context.divider('pin'), ...options });
});
