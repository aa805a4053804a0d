// A contact (door reed switch, tamper, lid switch) with debounce: `active` is the settled state and
// onChange reports each settled change. Its state at construction is read, not reported.
import type { DigitalConstructor, PinSpecifier } from '../../hal/contract/io.js';
import type { Timers } from '../../hal/contract/time.js';
import { DebouncedInput } from './debounced-input.js';

export interface ContactOptions {
  io: DigitalConstructor;
  pin: PinSpecifier;
  timers: Timers;
  /** Active when the line is low (contact to ground, internal pull-up). Default true. */
  activeLow?: boolean;
  /** Default 50. */
  debounceMs?: number;
  onChange?(active: boolean): void;
}

export class Contact {
  #input: DebouncedInput;

  constructor(options: ContactOptions) {
    const onChange = options.onChange;
    this.#input = new DebouncedInput({
      io: options.io,
      pin: options.pin,
      timers: options.timers,
      activeLow: options.activeLow ?? true,
      debounceMs: options.debounceMs ?? 50,
      onSettled: (active) => onChange?.(active),
    });
  }

  get active(): boolean {
    return this.#input.active;
  }

  close(): void {
    this.#input.close();
  }
}
