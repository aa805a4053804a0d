// A hobby servo (firmware/io/servo.ts: a lid) on the PWM pin `pin`, at 50 Hz. It sends no pulses until the app
// asks for an angle.
import { Servo } from '../io/servo.js';
import { singlePinKind } from './part.js';

export interface ServoOptions {
  /** Pulse width at 0° and at 180°, µs (io default 500 and 2500). */
  readonly minUs?: number;
  readonly maxUs?: number;
}

export const servo = singlePinKind<Servo, unknown, ServoOptions>('servo', (context, options) => {
  const { PWM } = context.device.io;
  if (!PWM) throw new Error('no PWM output');
  return new Servo({ pwm: { pin: context.pin('pin'), io: PWM, hz: 50 }, ...options });
});
