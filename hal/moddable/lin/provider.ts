// Stand-in for "embedded:provider/builtin" on the Linux simulator build, which has no GPIO: a Digital class with
// the ECMA-419 shape whose outputs are traced and whose inputs read 1 (an idle pulled-up switch).
class Digital {
  static readonly Input = 0;
  static readonly InputPullUp = 1;
  static readonly InputPullDown = 2;
  static readonly InputPullUpDown = 3;
  static readonly Output = 8;
  static readonly OutputOpenDrain = 9;
  static readonly Rising = 1;
  static readonly Falling = 2;

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
