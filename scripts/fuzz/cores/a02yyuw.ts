// Fuzz core for the A02YYUW / JSN-SR04T serial frames (firmware/drivers/a02yyuw): bytes as the driver receives
// them, in chunks of random sizes, into the driver in streaming mode with a measurement always pending, checked
// against a reference parser written here from the datasheet (0xFF, high, low, checksum = (0xFF + high + low) &
// 0xFF): left to right, a 0xFF followed by a valid frame is a frame, a 0xFF that is not is a bad checksum and is
// dropped, any other byte is dropped; bytes of a frame still open at the end are neither. Readings are the frames'
// distances, 0 and beyond 4500 mm as no echo. Engine-neutral: inside XS on the fake UART and timers of the other
// cores; the Node target plays the same bytes into the host's virtual UART.
import { A02yyuw, type A02yyuwMode } from '../../../firmware/drivers/a02yyuw/a02yyuw.js';
import type { LevelReading } from '../../../firmware/drivers/level-reading.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';
import { chunking, fakeSerial } from './qr-serial.js';
import { FakeTimers } from './wiegand.js';

const MAX_MM = 4500;

export interface A02yyuwOutcome {
  readings: string[];
  dropped: number;
  badChecksums: number;
}

export function readingText(reading: LevelReading): string {
  return 'mm' in reading ? `${reading.mm}` : reading.fault;
}

export function referenceA02yyuw(bytes: Uint8Array): A02yyuwOutcome {
  const outcome: A02yyuwOutcome = { readings: [], dropped: 0, badChecksums: 0 };
  let i = 0;
  while (i < bytes.length) {
    if (bytes[i] !== 0xff) {
      outcome.dropped++;
      i++;
    } else if (i + 4 > bytes.length) {
      break;
    } else if (((0xff + bytes[i + 1]! + bytes[i + 2]!) & 0xff) === bytes[i + 3]) {
      const mm = bytes[i + 1]! * 256 + bytes[i + 2]!;
      outcome.readings.push(mm === 0 || mm > MAX_MM ? 'noEcho' : `${mm}`);
      i += 4;
    } else {
      outcome.badChecksums++;
      outcome.dropped++;
      i++;
    }
  }
  return outcome;
}

export function compareA02yyuw(got: A02yyuwOutcome, want: A02yyuwOutcome): void {
  check(got.readings.length === want.readings.length && got.readings.every((reading, i) => reading === want.readings[i]),
    () => `A02YYUW readings ${JSON.stringify(got.readings).slice(0, 200)}, reference ${JSON.stringify(want.readings).slice(0, 200)}`);
  check(got.dropped === want.dropped && got.badChecksums === want.badChecksums,
    () => `A02YYUW dropped ${got.dropped} (bad checksums ${got.badChecksums}), reference ${want.dropped} (${want.badChecksums})`);
}

/** The driver's readings, each followed at once by the next measure(), as an app reading a burst does. */
export function measuringForever(readings: string[]): { onReading(reading: LevelReading): void; attach(sensor: A02yyuw): void } {
  let sensor: A02yyuw | undefined;
  return {
    onReading(reading) {
      // A timeout between chunks (Node target's time steps) is no frame: left out of the comparison.
      if (!('fault' in reading && reading.fault === 'silent')) readings.push(readingText(reading));
      sensor?.measure();
    },
    attach(opened) {
      sensor = opened;
      opened.measure();
    },
  };
}

export function fuzzMode(rng: Prng): A02yyuwMode {
  return rng.chance(0.5) ? 'streaming' : 'triggered';
}

export function runA02yyuwSerial(input: Uint8Array, runSeed: number): void {
  const rng = new Prng(runSeed);
  const { io, receive } = fakeSerial();
  const readings: string[] = [];
  const loop = measuringForever(readings);
  const sensor = new A02yyuw({ serial: { baud: 9600, port: 2, io }, timers: new FakeTimers(), mode: fuzzMode(rng), onReading: loop.onReading });
  loop.attach(sensor);
  let at = 0;
  for (const size of chunking(input.length, rng)) {
    receive(input.subarray(at, at + size));
    at += size;
  }
  compareA02yyuw({ readings, dropped: sensor.dropped, badChecksums: sensor.badChecksums }, referenceA02yyuw(input));
  sensor.close();
}
