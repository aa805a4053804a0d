// The HX711's read protocol, shared by the bindings so that both speak it alike: each binding supplies only the
// two lines as an Hx711Wire (host: virtual Digital pins, hal/host/io/hx711.ts; ESP32: a native that clocks a
// whole read inside a critical section, hal/moddable/esp32/hx711.c), and hx711Class() makes the io class.
import type { HX711, HX711Constructor, HX711Options } from './io.js';

/** Clock pulses per read: 24 data bits, then 1–3 more that choose the input and gain of the NEXT conversion. */
export const HX711_PULSES: Readonly<Record<128 | 64 | 32, number>> = Object.freeze({ 128: 25, 32: 26, 64: 27 });

/** The chip's two lines as a binding drives them. */
export interface Hx711Wire {
  /** DOUT is low: a conversion is waiting. */
  ready(): boolean;
  /**
   * Clocks `pulses` (25–27) pulses without a pause (the chip powers down when the clock stays high > 60 µs) and
   * returns the first 24 bits read, MSB first, as an unsigned number.
   */
  shift(pulses: number): number;
  /** Frees both pins. */
  close(): void;
}

const SIGN_BIT = 0x80_0000;
const SPAN = 0x100_0000;

/** The HX711 io class over a binding's wire: `openWire(data, clock)` claims the pins. */
export function hx711Class(openWire: (data: number, clock: number) => Hx711Wire): HX711Constructor {
  return class Hx711 implements HX711 {
    #wire: Hx711Wire | undefined;
    #pulses: number;
    // Whatever gain the chip had before this instance (power-up: 128; another owner's) made the waiting
    // conversion, so the first one read only sets this instance's gain and is dropped.
    #gainSet = false;

    constructor(options: HX711Options) {
      const { data, clock, gain = 128 } = options ?? ({} as HX711Options);
      for (const pin of [data, clock]) {
        if (!(Number.isInteger(pin) && pin >= 0)) throw new RangeError(`HX711: invalid pin ${String(pin)}`);
      }
      if (data === clock) throw new RangeError('HX711: data and clock must be two pins');
      if (gain !== 128 && gain !== 64 && gain !== 32) throw new RangeError(`HX711: gain must be 128, 64 or 32, got ${String(gain)}`);
      this.#pulses = HX711_PULSES[gain];
      this.#wire = openWire(data, clock);
    }

    read(): number | undefined {
      const wire = this.#wire;
      if (wire === undefined) throw new Error('HX711: closed');
      if (!wire.ready()) return undefined;
      const bits = wire.shift(this.#pulses);
      if (!this.#gainSet) {
        this.#gainSet = true;
        return undefined;
      }
      return bits & SIGN_BIT ? bits - SPAN : bits;
    }

    close(): void {
      this.#wire?.close();
      this.#wire = undefined;
    }
  };
}
