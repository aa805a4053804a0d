// Target `a02yyuw-serial`: ultrasonic level-sensor UART bytes (A02YYUW / JSN-SR04T frames) as the driver receives
// them, in chunks of random sizes with time passing between some, on the host's virtual UART; the driver runs in
// streaming or triggered mode with a measurement always pending, and its readings, dropped bytes and bad
// checksums must equal the reference parser's (cores/a02yyuw.ts). Seeds: the datasheet's frame, no echo (0) and
// beyond range, the blind zone, frames split and back to back, a bad checksum whose 0xFF hides the next header,
// garbage, a frame cut short at the end.
import { createHostHal, SteppedClock } from '../../../hal/host/index.js';
import { createHostStorage } from '../../../hal/host/storage/index.js';
import { simBoard } from '../../../hal/boards/sim.js';
import { A02yyuw } from '../../../firmware/drivers/a02yyuw/a02yyuw.js';
import { a02yyuwFrame } from '../../../simulator/chips/a02yyuw.js';
import { compareA02yyuw, fuzzMode, measuringForever, referenceA02yyuw } from '../cores/a02yyuw.js';
import { chunking } from '../cores/qr-serial.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';

const SERIAL = simBoard.serial.reader;

export function a02yyuwSeeds(): Uint8Array[] {
  const frames = (...mm: number[]) => Uint8Array.from(mm.flatMap((value) => [...a02yyuwFrame(value)]));
  const spoiled = a02yyuwFrame(812);
  spoiled[3] = spoiled[3]! ^ 0x40;
  return [
    Uint8Array.of(0xff, 0x07, 0xa1, 0xa7),
    frames(250, 0, 4500, 4501, 5500, 0xffff),
    frames(25, 30, 31),
    frames(1000, 1001, 1002, 1003, 1004, 1005, 1006, 1007),
    Uint8Array.of(0xff, 0x01, ...frames(300)),
    Uint8Array.of(...spoiled, ...frames(812)),
    Uint8Array.of(0x00, 0x55, 0xfe, 0xff, 0xff, 0xff, 0x12, ...frames(0x00ff, 0xff00)),
    frames(640).subarray(0, 3),
  ];
}

export function a02yyuwTarget(): FuzzTarget {
  let hal: ReturnType<typeof createHostHal> | undefined;
  return {
    name: 'a02yyuw-serial',
    format: 'bytes',
    weight: 1,
    seeds: a02yyuwSeeds,
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      const mode = fuzzMode(rng);
      hal ??= createHostHal({ storage: createHostStorage(), board: simBoard, clock: new SteppedClock() });
      const clock = hal.clock as SteppedClock;
      const peer = hal.io.serial(SERIAL.port);
      peer.take(peer.available);
      peer.takeWritten();
      const readings: string[] = [];
      const loop = measuringForever(readings);
      const sensor = new A02yyuw({ serial: { ...SERIAL, io: hal.device.io.Serial! }, timers: hal.timers, mode, onReading: loop.onReading });
      try {
        loop.attach(sensor);
        let at = 0;
        for (const size of chunking(input.length, rng)) {
          peer.inject(input.subarray(at, at + size));
          at += size;
          if (rng.chance(0.5)) clock.advance(rng.below(3));
        }
        clock.advance(1);
        compareA02yyuw({ readings, dropped: sensor.dropped, badChecksums: sensor.badChecksums }, referenceA02yyuw(input));
      } finally {
        sensor.close();
      }
    },
    close() {
      hal?.dispose();
      hal = undefined;
    },
    xsCore: 'a02yyuw-serial',
    xsBudget: 20_000_000,
  };
}
