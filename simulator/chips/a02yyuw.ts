// An A02YYUW / JSN-SR04T ultrasonic module on a UART peer, at frame level (0xFF, high, low, checksum; mm):
// - 'streaming': a frame every 100 ms of device time, as the A02YYUW's "UART auto output" does;
// - 'triggered': each 0x55 the device writes is answered by one frame 50 ms later (a measurement cycle; other
//   bytes are ignored), as in the A02YYUW's "controlled output" and the JSN-SR04T's mode 4.
// The world says what the module hears at each frame through `reading()`: a distance (mm), 'noEcho' (the module
// sends 0, as these modules do with nothing in front) or 'silent' (nothing is sent). Faults for tests:
// `badChecksum()` spoils the next frame's checksum, `raw()` sends any bytes (line noise, a wrong baud rate).
import type { TimerId, Timers } from '../../hal/contract/time.js';
import type { SerialPeer, VirtualIo } from '../../hal/host/io/index.js';

export type A02yyuwHears = number | 'noEcho' | 'silent';

export interface A02yyuwChipOptions {
  port?: number;
  /** The device's timers (HostHal.timers): frames follow its virtual clock. */
  timers: Timers;
  /** Default 'triggered'. */
  mode?: 'streaming' | 'triggered';
  reading(): A02yyuwHears;
}

export const STREAM_PERIOD_MS = 100;
export const TRIGGERED_RESPONSE_MS = 50;
const TRIGGER = 0x55;

/** The frame for `mm` (0–65535), from the module's datasheet rather than the driver, so that each checks the other. */
export function a02yyuwFrame(mm: number): Uint8Array {
  const high = (mm >> 8) & 0xff;
  const low = mm & 0xff;
  return Uint8Array.of(0xff, high, low, (0xff + high + low) & 0xff);
}

export class A02yyuwChip {
  #peer: SerialPeer;
  #timers: Timers;
  #reading: () => A02yyuwHears;
  #repeat: TimerId | undefined;
  #answers = new Set<TimerId>();
  #unsubscribe: (() => void) | undefined;
  #spoilNext = false;
  #sent = 0;
  #triggers = 0;

  constructor(peer: SerialPeer, options: A02yyuwChipOptions) {
    this.#peer = peer;
    this.#timers = options.timers;
    this.#reading = options.reading;
    if ((options.mode ?? 'triggered') === 'streaming') {
      this.#repeat = options.timers.repeat(() => this.#send(), STREAM_PERIOD_MS);
    } else {
      this.#unsubscribe = peer.onWrite((bytes) => {
        for (const byte of bytes) if (byte === TRIGGER) this.#trigger();
      });
    }
  }

  /** Frames sent since attached. */
  get sent(): number {
    return this.#sent;
  }

  /** 0x55 triggers received since attached. */
  get triggers(): number {
    return this.#triggers;
  }

  /** The next frame goes out with a wrong checksum. */
  badChecksum(): void {
    this.#spoilNext = true;
  }

  raw(bytes: Uint8Array | readonly number[]): void {
    this.#peer.inject(Uint8Array.from(bytes));
  }

  /** Stops sending (the module unplugged). */
  detach(): void {
    this.#timers.clear(this.#repeat);
    this.#repeat = undefined;
    for (const answer of this.#answers) this.#timers.clear(answer);
    this.#answers.clear();
    this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #trigger(): void {
    this.#triggers++;
    const answer = this.#timers.set(() => {
      this.#answers.delete(answer);
      this.#send();
    }, TRIGGERED_RESPONSE_MS);
    this.#answers.add(answer);
  }

  #send(): void {
    const heard = this.#reading();
    if (heard === 'silent') return;
    const frame = a02yyuwFrame(heard === 'noEcho' ? 0 : Math.max(0, Math.min(0xffff, Math.round(heard))));
    if (this.#spoilNext) {
      this.#spoilNext = false;
      frame[3] = (frame[3]! + 1) & 0xff;
    }
    this.#sent++;
    this.#peer.inject(frame);
  }
}

export function attachA02yyuw(io: VirtualIo, options: A02yyuwChipOptions): A02yyuwChip {
  return new A02yyuwChip(io.serial(options.port ?? 0), options);
}
