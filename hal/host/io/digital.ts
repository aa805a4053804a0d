// ECMA-419 Digital over virtual pins. Edge callbacks are deferred, as on a device where the interrupt is
// delivered by the event loop, never inside the call that caused the edge.
import { DIGITAL_EDGES, DIGITAL_MODES, type Digital, type DigitalConstructor, type DigitalOptions } from '../../contract/io.js';
import { Closable, type Defer } from './common.js';
import type { Level, PinSet, VirtualPin } from './pins.js';

const MODES = DIGITAL_MODES;
const RISING = DIGITAL_EDGES.Rising;
const FALLING = DIGITAL_EDGES.Falling;

function pullOf(mode: number): Level | undefined {
  if (mode === MODES.InputPullUp) return 1;
  if (mode === MODES.InputPullDown) return 0;
  return undefined;
}

export function createDigitalClass(pins: PinSet, defer: Defer): DigitalConstructor {
  return class VirtualDigital implements Digital {
    static readonly Input = MODES.Input;
    static readonly InputPullUp = MODES.InputPullUp;
    static readonly InputPullDown = MODES.InputPullDown;
    static readonly InputPullUpDown = MODES.InputPullUpDown;
    static readonly Output = MODES.Output;
    static readonly OutputOpenDrain = MODES.OutputOpenDrain;
    static readonly Rising = RISING;
    static readonly Falling = FALLING;

    #pin: VirtualPin;
    #output: boolean;
    #state = new Closable('Digital');
    #unwatch: (() => void) | undefined;

    constructor(options: DigitalOptions) {
      const mode = options?.mode;
      if (typeof mode !== 'number' || !Object.values(MODES).includes(mode)) {
        throw new RangeError(`Digital: invalid mode ${String(mode)}`);
      }
      this.#pin = pins.get(options.pin);
      this.#output = mode === MODES.Output || mode === MODES.OutputOpenDrain;
      const edge = options.edge ?? 0;
      const onReadable = options.onReadable;
      if (onReadable !== undefined && typeof onReadable !== 'function') throw new TypeError('Digital: onReadable must be a function');
      if (this.#output && onReadable) throw new Error('Digital: an output has no onReadable');
      this.#pin.claim('Digital');
      this.#pin.configureDigital(this.#output, pullOf(mode));
      if (onReadable && edge & (RISING | FALLING)) this.#watchEdges(edge, onReadable);
    }

    read(): Level {
      this.#state.check();
      return this.#pin.level;
    }

    write(value: Level): void {
      this.#state.check();
      if (!this.#output) throw new Error(`Digital: pin ${this.#pin.number} is an input`);
      if (value !== 0 && value !== 1) throw new RangeError('Digital: value must be 0 or 1');
      this.#pin.drive(value);
    }

    close(): void {
      if (!this.#state.close()) return;
      this.#unwatch?.();
      this.#pin.release();
    }

    #watchEdges(edge: number, onReadable: (this: Digital) => void): void {
      let last = this.#pin.level;
      this.#unwatch = this.#pin.watch((pin) => {
        const level = pin.level;
        if (level === last) return;
        last = level;
        if (!(edge & (level ? RISING : FALLING))) return;
        defer(() => {
          if (!this.#state.closed) onReadable.call(this);
        });
      });
    }
  };
}
