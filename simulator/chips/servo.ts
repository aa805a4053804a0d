// A hobby servo on a virtual PWM pin. It reads the commanded pulse width from the pin's duty (width = duty ×
// frame), maps minUs…maxUs to 0…180°, and turns toward that angle at its slew rate over device time, one step
// per 20 ms frame. No pulses (duty 0) or a signal that is no servo frame (outside 30–400 Hz) leaves it where it
// is. `blocked` is an obstacle in the way (a hand under the lid): it stops where it is until cleared.
import type { TimerId, Timers } from '../../hal/contract/time.js';
import type { VirtualIo, VirtualPin } from '../../hal/host/io/index.js';

export interface ServoChipOptions {
  pin: number;
  timers: Timers;
  /** Degrees per second. Default 200 (a small servo at no load: 60° in 0.3 s). */
  slewDegPerS?: number;
  /** Pulse widths at 0° and at 180°, µs. Default 500 and 2500. */
  minUs?: number;
  maxUs?: number;
  /** Angle at attach time. Default 0. */
  degrees?: number;
  /** Called with the angle after each step of motion. */
  onMove?: (degrees: number) => void;
}

const FRAME_MS = 20;

export class ServoChip {
  onMove: ((degrees: number) => void) | undefined;
  #pin: VirtualPin;
  #timers: Timers;
  #stepDegrees: number;
  #minUs: number;
  #usPerDegree: number;
  #angle: number;
  #target: number | undefined;
  #blocked = false;
  #motion: TimerId | undefined;
  #unwatch: () => void;

  constructor(io: VirtualIo, options: ServoChipOptions) {
    const { slewDegPerS = 200, minUs = 500, maxUs = 2500, degrees = 0 } = options;
    if (!(slewDegPerS > 0 && Number.isFinite(slewDegPerS))) throw new RangeError(`servo: slewDegPerS must be > 0, got ${slewDegPerS}`);
    if (!(minUs > 0 && maxUs > minUs)) throw new RangeError(`servo: need 0 < minUs < maxUs, got ${minUs} and ${maxUs}`);
    if (!(degrees >= 0 && degrees <= 180)) throw new RangeError(`servo: degrees must be 0…180, got ${degrees}`);
    this.#pin = io.pin(options.pin);
    this.#timers = options.timers;
    this.#stepDegrees = (slewDegPerS * FRAME_MS) / 1000;
    this.#minUs = minUs;
    this.#usPerDegree = (maxUs - minUs) / 180;
    this.#angle = degrees;
    this.onMove = options.onMove;
    this.#unwatch = this.#pin.watch(() => this.#command());
    this.#command();
  }

  /** Where the horn is, degrees. */
  get angle(): number {
    return this.#angle;
  }

  /** The angle the pulses ask for, or undefined without servo pulses. */
  get target(): number | undefined {
    return this.#target;
  }

  /** The pulse width on the pin, µs, or undefined without servo pulses. */
  get pulseUs(): number | undefined {
    const pwm = this.#pin.pwm;
    if (pwm === undefined || pwm.value === 0 || pwm.hz < 30 || pwm.hz > 400) return undefined;
    return (pwm.value / (2 ** pwm.resolution - 1)) * (1_000_000 / pwm.hz);
  }

  get moving(): boolean {
    return this.#motion !== undefined;
  }

  get blocked(): boolean {
    return this.#blocked;
  }

  /** An obstacle in the way: true stops the horn where it is; false lets it go on toward the pulses' angle. */
  set blocked(blocked: boolean) {
    this.#blocked = blocked;
    if (blocked) this.#halt();
    else this.#go();
  }

  detach(): void {
    this.#unwatch();
    this.#halt();
  }

  #command(): void {
    const pulse = this.pulseUs;
    this.#target = pulse === undefined ? undefined : Math.min(180, Math.max(0, (pulse - this.#minUs) / this.#usPerDegree));
    if (this.#target === undefined) this.#halt();
    else this.#go();
  }

  #go(): void {
    if (this.#motion !== undefined || this.#blocked || this.#target === undefined || this.#target === this.#angle) return;
    this.#motion = this.#timers.repeat(() => this.#step(), FRAME_MS);
  }

  #step(): void {
    const target = this.#target!;
    const gap = target - this.#angle;
    this.#angle = Math.abs(gap) <= this.#stepDegrees ? target : this.#angle + Math.sign(gap) * this.#stepDegrees;
    if (this.#angle === target) this.#halt();
    this.onMove?.(this.#angle);
  }

  #halt(): void {
    this.#timers.clear(this.#motion);
    this.#motion = undefined;
  }
}

/** Wires a simulated servo to a PWM pin of a device's virtual IO. */
export function attachServo(io: VirtualIo, options: ServoChipOptions): ServoChip {
  return new ServoChip(io, options);
}
