// The LIS3DH watching by itself: wake on impact with the FIFO keeping the samples from before the trigger
// (stream-to-FIFO, latched INT1), the high-pass filter, the duration filter and the latch, through the driver and
// the register-level chip with the virtual IO and stepped clock in the same engine. Engine-neutral on purpose:
// lis3dh-capture.test.ts runs it on Node and on XS and expects the same outcome.
import { SteppedClock } from '../../../hal/host/clock.js';
import { VirtualIo } from '../../../hal/host/io/bus.js';
import { LIS3DH } from '../../../firmware/drivers/lis3dh/lis3dh.js';
import { attachLis3dh } from '../../../simulator/chips/lis3dh.js';

const INT1 = 34;
/** The FIFO keeps 10 bits (16 mg steps at ±8 g) and the driver adds back the dropped bits' mean, 6 mg. */
const BIAS = 6;

/** 60 samples of a slow ramp on x (16 mg a sample: distinct, exact through the FIFO), then `impact` on x, then rest. */
export function impactTrace(impact: readonly number[]): number[] {
  const ramp = Array.from({ length: 60 }, (_, i) => [16 * i, 0, 1008]).flat();
  return [...ramp, ...impact.flatMap((x) => [x, 0, 1008]), ...Array.from({ length: 100 }, () => [944, 0, 1008]).flat()];
}

function device() {
  const clock = new SteppedClock();
  const io = new VirtualIo({ clock, defer: (callback) => clock.timers.set(callback, 0) });
  const chip = attachLis3dh(io, { clock, int1: INT1 });
  let alerts = 0;
  const accel = new LIS3DH({
    sensor: { data: 21, clock: 22, io: io.classes.SMBus! },
    alert: { io: io.classes.Digital!, pin: INT1 },
    onAlert: () => { alerts += 1; },
  });
  accel.configure({ rate: 50, range: 8 });
  clock.advance(3000); // the chip has been measuring rest for a while
  const buffer = new Int16Array(3 * LIS3DH.FIFO_DEPTH);
  const readFifo = () => Array.from(buffer.subarray(0, 3 * accel.readFifo(buffer)), (v) => v - BIAS);
  return { clock, io, chip, accel, readFifo, alerts: () => alerts, line: () => io.pin(INT1).level };
}

/** An impact over threshold while nobody reads the chip: INT1 latched, the FIFO frozen on what came before. */
function capture(): Record<string, unknown> {
  const { clock, chip, accel, readFifo, alerts, line } = device();
  accel.enableWakeOnMotion({ thresholdMg: 1000, durationMs: 0, captureHistory: true });
  chip.play(impactTrace([3008, 3008, 3008]));
  clock.advance(5000); // the CPU sleeps on
  const frozen = { alerts: alerts(), line: line(), interrupts: chip.interrupts, fifo: readFifo() };
  clock.advance(1000);
  const afterRead = { line: line(), fifo: readFifo() }; // FIFO mode stopped collecting when it was full
  const released = accel.acknowledgeWake();
  const afterRelease = { line: line(), again: accel.acknowledgeWake() };
  clock.advance(200); // streaming again
  const streamed = readFifo().length / 3;
  return { frozen, afterRead, released, afterRelease, streamed, overruns: accel.overruns };
}

/** Turning over slowly: 90° in 10 s. High-passed it stays under 250 mg; unfiltered the same threshold fires. */
function tilt(): Record<string, unknown> {
  const turn = Array.from({ length: 500 }, (_, i) => {
    const angle = (Math.PI / 2) * (i / 499);
    return [Math.round(1000 * Math.sin(angle)), 0, Math.round(1000 * Math.cos(angle))];
  }).flat();
  const { clock, chip, accel, alerts, line, readFifo } = device();
  accel.enableWakeOnMotion({ thresholdMg: 250, durationMs: 0, captureHistory: true });
  chip.play(turn);
  clock.advance(12_000);
  const newest = readFifo().slice(-3); // still streaming: the newest sample is the last of the turn
  const filtered = { alerts: alerts(), line: line(), newest };
  // The same turn with the chip's high-pass filter off (HP_IA1 = 0), gravity included: the threshold is crossed.
  const raw = device();
  raw.accel.enableWakeOnMotion({ thresholdMg: 250, durationMs: 0, captureHistory: true });
  const bus = new raw.io.classes.SMBus!({ data: 21, clock: 22, address: 0x18, hz: 400_000 });
  bus.writeUint8(0x30, 0x02); // INT1_CFG: XH only (z starts at 1 g)
  bus.writeUint8(0x21, 0x00); // CTRL_REG2: no high-pass on the interrupt
  raw.chip.play(turn);
  raw.clock.advance(12_000);
  return { filtered, unfiltered: { alerts: raw.alerts(), line: raw.line() } };
}

/** INT1_DURATION: 60 ms at 50 Hz is 3 samples; the event must last longer. */
function duration(): Record<string, unknown> {
  const { clock, chip, accel, alerts, readFifo } = device();
  accel.enableWakeOnMotion({ thresholdMg: 1000, durationMs: 60, captureHistory: true });
  chip.play(impactTrace([3008, 3024, 3040]));
  clock.advance(4000);
  const short = alerts();
  chip.play(impactTrace([3008, 3024, 3040, 3056, 3072]));
  clock.advance(4000);
  const fifo = readFifo();
  return { short, long: alerts(), newest: fifo.slice(-3), oldest: fifo.slice(0, 3), samples: fifo.length / 3 };
}

/**
 * The MCU deep-slept through the impact and boots: a new driver opened with keepFifo (as the SOS button's parts
 * table does) reads the captured history and releases the latch; one opened without it resets the chip.
 */
function boot(): Record<string, unknown> {
  const outcome = (keepFifo: boolean) => {
    const { clock, io, chip, accel } = device();
    accel.enableWakeOnMotion({ thresholdMg: 1000, durationMs: 0, captureHistory: true });
    accel.close(); // the MCU powers down; the chip watches alone
    chip.play(impactTrace([3008, 3008, 3008]));
    clock.advance(5000);
    const next = new LIS3DH({ sensor: { data: 21, clock: 22, io: io.classes.SMBus! }, keepFifo });
    const buffer = new Int16Array(3 * LIS3DH.FIFO_DEPTH);
    const fifo = Array.from(buffer.subarray(0, 3 * next.readFifo(buffer)), (v) => v - BIAS);
    return { line: io.pin(INT1).level, samples: fifo.length / 3, newest: fifo.slice(-3), released: next.acknowledgeWake(), after: io.pin(INT1).level };
  };
  return { kept: outcome(true), reset: outcome(false) };
}

export function main(): Record<string, unknown> {
  return { capture: capture(), tilt: tilt(), duration: duration(), boot: boot() };
}
