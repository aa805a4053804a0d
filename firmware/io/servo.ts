// A hobby servo (lid) on a PWM output at 50 Hz: the pulse width sets the angle, minUs at 0° to maxUs at 180°
// (500–2500 µs fits most SG90/MG996R-class servos; narrower servos want 1000–2000). release() stops the pulses:
// the servo stops holding and can be pushed by hand, and draws almost nothing.
//
//   const lid = new Servo({ pwm: { pin: board.pin.lid0, io: device.io.PWM } });
//   lid.angle(90); ... lid.release();
import type { PWM, PWMConstructor, PinSpecifier } from '../../hal/contract/io.js';

export interface ServoOptions {
  pwm: { pin: PinSpecifier; io: PWMConstructor; hz?: number };
  /** Pulse width at 0°, µs. Default 500. */
  minUs?: number;
  /** Pulse width at 180°, µs. Default 2500. */
  maxUs?: number;
}

const US_PER_S = 1_000_000;

export class Servo {
  #pwm: PWM | undefined;
  #minUs: number;
  #usPerDegree: number;
  #fullScale: number;
  #periodUs: number;
  #degrees: number | undefined;

  constructor(options: ServoOptions) {
    const { minUs = 500, maxUs = 2500 } = options;
    const { hz = 50 } = options.pwm;
    if (!(minUs > 0 && maxUs > minUs)) throw new RangeError(`Servo: need 0 < minUs < maxUs, got ${String(minUs)} and ${String(maxUs)}`);
    if (!(hz > 0 && maxUs < US_PER_S / hz)) throw new RangeError(`Servo: a ${String(maxUs)} µs pulse does not fit a ${String(hz)} Hz frame`);
    const pwm = new options.pwm.io({ pin: options.pwm.pin, hz });
    this.#pwm = pwm;
    this.#minUs = minUs;
    this.#usPerDegree = (maxUs - minUs) / 180;
    this.#fullScale = 2 ** pwm.resolution - 1;
    this.#periodUs = US_PER_S / pwm.hz;
    pwm.write(0); // no pulses until asked: the lid does not move at boot
  }

  /** The angle last commanded, or undefined while released. */
  get degrees(): number | undefined {
    return this.#degrees;
  }

  /** Drives to `degrees` (0–180) and holds there. */
  angle(degrees: number): void {
    if (!(degrees >= 0 && degrees <= 180)) throw new RangeError(`Servo: angle must be 0…180°, got ${String(degrees)}`);
    const pulseUs = this.#minUs + degrees * this.#usPerDegree;
    this.#write(Math.round((pulseUs / this.#periodUs) * this.#fullScale));
    this.#degrees = degrees;
  }

  /** Stops the pulses: the servo no longer holds its position. */
  release(): void {
    this.#write(0);
    this.#degrees = undefined;
  }

  close(): void {
    if (this.#pwm === undefined) return;
    this.release();
    this.#pwm.close();
    this.#pwm = undefined;
  }

  #write(value: number): void {
    if (this.#pwm === undefined) throw new Error('Servo: closed');
    this.#pwm.write(value);
  }
}
