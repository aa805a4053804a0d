// The serial frame of the A02YYUW / JSN-SR04T ultrasonic modules: 0xFF, distance high byte, distance low byte,
// checksum = low 8 bits of the sum of the other three; distance in mm. A reader takes bytes as they come and
// resynchronises on the next 0xFF after garbage or a bad checksum (a 0xFF inside a bad frame may be the real
// header, so it is tried again), never throwing.

const FRAME_HEADER = 0xff;
const FRAME_BYTES = 4;

function frameChecksum(high: number, low: number): number {
  return (FRAME_HEADER + high + low) & 0xff;
}

export class FrameReader {
  #frame = new Uint8Array(FRAME_BYTES);
  #length = 0;
  #dropped = 0;
  #badChecksums = 0;
  #onFrame: (mm: number) => void;

  constructor(onFrame: (mm: number) => void) {
    this.#onFrame = onFrame;
  }

  /** Bytes thrown away: garbage between frames and the headers of frames with a bad checksum. */
  get dropped(): number {
    return this.#dropped;
  }

  /** Frames that began with a header but failed their checksum. */
  get badChecksums(): number {
    return this.#badChecksums;
  }

  take(bytes: Uint8Array): void {
    for (let i = 0; i < bytes.length; i++) this.#byte(bytes[i]!);
  }

  #byte(byte: number): void {
    const frame = this.#frame;
    if (this.#length === 0 && byte !== FRAME_HEADER) {
      this.#dropped++;
      return;
    }
    frame[this.#length++] = byte;
    if (this.#length < FRAME_BYTES) return;
    if (frame[3] === frameChecksum(frame[1]!, frame[2]!)) {
      this.#length = 0;
      this.#onFrame((frame[1]! << 8) | frame[2]!);
      return;
    }
    this.#badChecksums++;
    let next = 1;
    while (next < FRAME_BYTES && frame[next] !== FRAME_HEADER) next++;
    this.#dropped += next;
    frame.copyWithin(0, next, FRAME_BYTES);
    this.#length = FRAME_BYTES - next;
  }
}
