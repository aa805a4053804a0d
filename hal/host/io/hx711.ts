// The HX711 io class on the host: the bits are clocked through virtual Digital pins, one edge at a time, so a
// simulated chip watching those pins (simulator/chips/hx711.ts) answers bit by bit as the real one does. A read
// takes no device time here, so it never holds the clock high long enough to power the chip down.
import { hx711Class, type Hx711Wire } from '../../contract/hx711.js';
import type { Digital, DigitalConstructor, HX711Constructor } from '../../contract/io.js';

export function createHX711Class(Digital: DigitalConstructor): HX711Constructor {
  return hx711Class((data, clock) => new DigitalWire(Digital, data, clock));
}

class DigitalWire implements Hx711Wire {
  #data: Digital;
  #clock: Digital;

  constructor(Digital: DigitalConstructor, data: number, clock: number) {
    this.#data = new Digital({ pin: data, mode: Digital.Input });
    try {
      this.#clock = new Digital({ pin: clock, mode: Digital.Output });
    } catch (error) {
      this.#data.close();
      throw error;
    }
    this.#clock.write(0); // a low clock keeps the chip converting
  }

  ready(): boolean {
    return this.#data.read() === 0;
  }

  shift(pulses: number): number {
    let bits = 0;
    for (let pulse = 0; pulse < pulses; pulse++) {
      this.#clock.write(1);
      if (pulse < 24) bits = bits * 2 + this.#data.read(); // the chip puts each bit out on the rising edge
      this.#clock.write(0);
    }
    return bits;
  }

  close(): void {
    this.#clock.close();
    this.#data.close();
  }
}
