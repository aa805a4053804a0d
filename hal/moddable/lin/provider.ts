// Stand-in for "embedded:provider/builtin" on the Linux simulator build, which has no GPIO: a Digital class with
// the ECMA-419 shape whose outputs are traced and whose inputs read 1 (an idle pulled-up switch).
import { DIGITAL_EDGES, DIGITAL_MODES } from '../../contract/io.js';
class Digital {
  static readonly Input = DIGITAL_MODES.Input;
  static readonly InputPullUp = DIGITAL_MODES.InputPullUp;
  static readonly InputPullDown = DIGITAL_MODES.InputPullDown;
  static readonly InputPullUpDown = DIGITAL_MODES.InputPullUpDown;
  static readonly Output = DIGITAL_MODES.Output;
  static readonly OutputOpenDrain = DIGITAL_MODES.OutputOpenDrain;
  static readonly Rising = DIGITAL_EDGES.Rising;
  static readonly Falling = DIGITAL_EDGES.Falling;

  #pin: number;
  #value: 0 | 1 = 1;

  constructor(options: { pin: number; mode: number }) {
    this.#pin = options.pin;
  }

  read(): 0 | 1 {
    return this.#value;
  }

  write(value: 0 | 1): void {
    this.#value = value ? 1 : 0;
    trace(`[sim] GPIO ${this.#pin} = ${this.#value}\n`);
  }

  close(): void {}
}

const device = { io: { Digital }, pin: {} as Record<string, number> };

export default device;
