// A relay (firmware/io/relay.ts) on `pin`, active-low when the board says so. It writes OFF once when opened.
import { Relay } from '../io/relay.js';
import { singlePinKind } from './part.js';

export const relay = singlePinKind<Relay, unknown, object>('relay', (context) =>
  new Relay({ io: context.device.io.Digital, pin: context.pin('pin'), activeLow: context.activeLow('pin') }));
