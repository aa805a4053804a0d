// Target `wiegand-frames`: Wiegand 26/34 card frames and 4/8-bit keypad bursts as pulses on DATA0/DATA1 (input
// format in cores/wiegand.ts). On Node each input is played twice on the host's virtual pins: into a bare Wiegand
// driver, whose reads and error counts must equal the reference decoder's, and into a running door reader, which
// must log no error and may energize its relay only with an access.granted event for a card or keypad read of
// this very input. Seeds: the door's listed cards (26 and 34 bits), a card that needs its PIN followed by the PIN
// on an 8-bit keypad, a PIN-only code on a 4-bit keypad, an unknown card, a parity error, noise.
import { createHostHal, SteppedClock } from '../../../hal/host/index.js';
import { createHostStorage } from '../../../hal/host/storage/index.js';
import { simDoorReader } from '../../../hal/boards/sim-door-reader.js';
import { Wiegand } from '../../../firmware/drivers/wiegand/wiegand.js';
import { wiegandCardBits, wiegandKeyBits } from '../../../simulator/chips/wiegand.js';
import { check } from '../cores/invariant.js';
import { compareWiegand, frameText, type Pulse, pulsesOf, referenceWiegand } from '../cores/wiegand.js';
import { FuzzDevice, WIEGAND_CARDS } from '../device-harness.js';
import type { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';

const DATA0 = simDoorReader.pin.wiegandData0!;
const DATA1 = simDoorReader.pin.wiegandData1!;
const BIT_MS = 2;
const FRAME_GAP_MS = 100;

/** Frames as input bytes: (pause before the pulse << 1) | line. */
function encode(frames: readonly (readonly number[])[]): Uint8Array {
  const bytes: number[] = [];
  for (const frame of frames) frame.forEach((bit, i) => bytes.push(((i === 0 ? FRAME_GAP_MS : BIT_MS) << 1) | bit));
  return Uint8Array.from(bytes);
}

const keys = (text: string, format: 4 | 8) => [...text].map((key) => wiegandKeyBits(key, format));

export function wiegandSeeds(): Uint8Array[] {
  const broken = wiegandCardBits(26, WIEGAND_CARDS.w26);
  broken[5] = 1 - broken[5]!;
  return [
    encode([wiegandCardBits(26, WIEGAND_CARDS.w26)]),
    encode([wiegandCardBits(34, WIEGAND_CARDS.w34)]),
    encode([wiegandCardBits(26, WIEGAND_CARDS.w26pin), ...keys('4321#', 8)]),
    encode(keys('246810#', 4)),
    encode(keys('246810#', 8)),
    encode([wiegandCardBits(26, [0xde, 0xad, 0xbe])]),
    encode([wiegandCardBits(34, [0, 0, 0, 0]), wiegandCardBits(26, [0xff, 0xff, 0xff])]),
    encode([broken, wiegandCardBits(26, WIEGAND_CARDS.w26)]),
    encode([Array.from({ length: 70 }, (_, i) => i % 2)]),
    encode([[1, 0, 1], [0, 1, 0, 1, 0], keys('*', 8)[0]!]),
  ];
}

/** Pauses at the frame timeout's edges and bit flips are what the generic havoc rarely finds. */
function mutateWiegand(input: Uint8Array, rng: Prng, generic: (input: Uint8Array) => Uint8Array): Uint8Array {
  if (input.length === 0 || rng.chance(0.5)) return generic(input);
  const out = input.slice();
  const i = rng.below(out.length);
  if (rng.chance(0.5)) out[i] = (rng.pick([0, 1, 2, 23, 24, 26, 27, 60, 127]) << 1) | (out[i]! & 1);
  else out[i]! ^= 1;
  return out;
}

/** Plays pulses on two virtual pins of `hal`'s IO, stepping its clock (a pulse: low then high at one instant). */
function play(pulses: readonly Pulse[], pins: { setInput(level: 0 | 1 | undefined): void }[], advance: (ms: number) => void): void {
  for (const pulse of pulses) {
    advance(pulse.gapMs);
    const pin = pins[pulse.line]!;
    pin.setInput(0);
    pin.setInput(1);
  }
}

export function wiegandTarget(): FuzzTarget {
  let bare: ReturnType<typeof createHostHal> | undefined;
  let door: FuzzDevice | undefined;
  return {
    name: 'wiegand-frames',
    format: 'bytes',
    weight: 1,
    seeds: wiegandSeeds,
    mutate: (input, rng, context) => mutateWiegand(input, rng, context.generic),
    run(input) {
      const pulses = pulsesOf(input);
      const reference = referenceWiegand(pulses);

      // The driver alone, on the host's pins.
      bare ??= createHostHal({ storage: createHostStorage(), clock: new SteppedClock() });
      const hal = bare;
      const clock = hal.clock as SteppedClock;
      const pins = [hal.io.pin(DATA0), hal.io.pin(DATA1)];
      for (const pin of pins) pin.setInput(1);
      const reads: string[] = [];
      const driver = new Wiegand({ data0: DATA0, data1: DATA1, io: hal.device.io.Digital, timers: hal.timers, onRead: (frame) => reads.push(frameText(frame)) });
      try {
        play(pulses, pins, (ms) => clock.advance(ms));
        clock.advance(200);
        compareWiegand({ reads, parity: driver.parityErrors, framing: driver.framingErrors }, reference);
      } finally {
        driver.close();
      }

      // At a running door reader.
      door ??= new FuzzDevice('door-reader');
      door.prepare();
      const doorPins = [door.hal.io.pin(DATA0), door.hal.io.pin(DATA1)];
      play(pulses, doorPins, (ms) => door!.clock.advance(ms));
      door.clock.advance(200);
      const seen = door.observe();
      check(seen.errors.length === 0, () => `the door logged an error: ${seen.errors[0]}`);
      if (seen.relayEnergized) {
        const granted = seen.published.filter((p) => p.topic.endsWith('/event') && p.payload.includes('"access.granted"'));
        check(granted.length > 0 && reference.reads.length > 0, () => `the relay moved without a grant for reads ${JSON.stringify(reference.reads)}`);
      }
    },
    close() {
      bare?.dispose();
      door?.dispose();
      bare = undefined;
      door = undefined;
    },
    xsCore: 'wiegand',
    xsBudget: 20_000_000,
  };
}
