// A contact (firmware/io/contact.ts: door reed switch, tamper, lid switch) on `pin`, debounced; `change` reports
// each settled change (true: active, by default the contact closed to ground).
import { Contact } from '../io/contact.js';
import { singlePinKind } from './part.js';

export interface ContactCallbacks {
  change(active: boolean): void;
}

export interface ContactOptions {
  /** Active when the line is low (default true). */
  readonly activeLow?: boolean;
  readonly debounceMs?: number;
}

export const contact = singlePinKind<Contact, ContactCallbacks, ContactOptions>('contact', (context, options) =>
  new Contact({ io: context.device.io.Digital, pin: context.pin('pin'), timers: context.timers, ...options, onChange: context.callback('change') }));
