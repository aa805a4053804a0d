// The smart bin's HX711 load cell, lid servo and NTC thermistor with the virtual IO, stepped clock and simulated
// chips in the same engine. Engine-neutral on purpose: hx711.test.ts runs it on Node and on XS and expects the
// same outcome (noise off: Math.log and Math.cos need not agree to the last bit across engines).
import { SteppedClock } from '../../../hal/host/clock.js';
import { VirtualIo } from '../../../hal/host/io/bus.js';
import { LoadCell } from '../../../firmware/drivers/hx711/load-cell.js';
import { calibrate, settle, toGrams } from '../../../firmware/drivers/hx711/scale.js';
import { Thermistor } from '../../../firmware/drivers/ntc/ntc.js';
import { Servo } from '../../../firmware/io/servo.js';
import { attachHx711 } from '../../../simulator/chips/hx711.js';
import { attachServo } from '../../../simulator/chips/servo.js';
import { attachThermistor } from '../../../simulator/chips/thermistor.js';

export function main(): Record<string, unknown> {
  const clock = new SteppedClock();
  const timers = clock.timers;
  const io = new VirtualIo({ clock, defer: (callback) => timers.set(callback, 0) });
  const { HX711, PWM, Analog } = io.classes;

  const chip = attachHx711(io, { data: 34, clock: 14, timers, grams: 0 });
  const cell = new LoadCell({ adc: { data: 34, clock: 14, gain: 64, io: HX711! }, timers });
  const bursts: (number[] | undefined)[] = [];
  const burst = () => {
    cell.sample(3, (raws) => bursts.push(raws));
    clock.advance(1000);
  };
  burst();
  chip.setGrams(2000);
  burst();
  chip.setGrams(750);
  burst();
  chip.stalled = true;
  burst();
  const [empty, known, weighed] = bursts.map((raws) => raws && settle(raws).raw);
  const scale = calibrate(known!, empty!, 2000)!;
  const grams = toGrams(weighed!, { offset: empty!, scale });

  const ntc = attachThermistor(io, 36, { celsius: 21.5 });
  const sensor = new Thermistor({ sensor: { pin: 36, io: Analog! } });
  const celsius = [Math.round(sensor.sample()! * 10) / 10];
  ntc.setCelsius(85);
  celsius.push(Math.round(sensor.sample()! * 10) / 10);
  ntc.open();
  const open = sensor.sample();

  const angles: number[] = [];
  const horn = attachServo(io, { pin: 25, timers, onMove: (degrees) => angles.push(Math.round(degrees)) });
  const lid = new Servo({ pwm: { pin: 25, io: PWM! } });
  lid.angle(30);
  clock.advance(60);
  horn.blocked = true;
  clock.advance(100);

  return {
    bursts: bursts.map((raws) => raws ?? 'fault'),
    scale, grams, gain: chip.gain, reads: chip.reads, timeouts: cell.timeouts,
    celsius, open: open ?? 'fault', faults: sensor.faults,
    pwm: io.pin(25).pwm?.value, angles, horn: Math.round(horn.angle),
  };
}
