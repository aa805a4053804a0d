// An LED, buzzer or vibration motor (firmware/io/indicator.ts) on `pin`, playing on/off patterns; active-low when
// the board says so.
import { Indicator } from '../io/indicator.js';
import { singlePinKind } from './part.js';

export const indicator = singlePinKind<Indicator, unknown, object>('indicator', (context) =>
  new Indicator({ io: context.device.io.Digital, pin: context.pin('pin'), timers: context.timers, activeLow: context.activeLow('pin') }));
