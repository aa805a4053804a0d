// An NTC thermistor (firmware/drivers/ntc) on the analog pin `pin`: the app calls sample() for °C (undefined: an
// open or shorted sensor).
import { Thermistor } from '../drivers/ntc/ntc.js';
import { singlePinKind } from './part.js';

export interface ThermistorOptions {
  /** The thermistor's beta (K) and resistance at 25 °C, and the divider's fixed resistor (Ω); driver defaults 3950, 10 k, 10 k. */
  readonly beta?: number;
  readonly r25?: number;
  readonly seriesR?: number;
}

export const thermistor = singlePinKind<Thermistor, unknown, ThermistorOptions>('thermistor', (context, options) => {
  const { Analog } = context.device.io;
  if (!Analog) throw new Error('no Analog input');
  return new Thermistor({ sensor: { pin: context.pin('pin'), io: Analog }, ...options });
});
