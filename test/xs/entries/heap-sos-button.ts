// Heap bench (scripts/bench/heap.ts): the SOS button app with fall detection running, on the device's own MQTT
// client (heap-common.ts). As in test/sos-button/xs-entry.ts, the button, LED and buzzer parts run over the
// host-backed HAL's Digital pins and the accelerometer is a stand-in inside XS (the proxy has no I2C): its FIFO
// fills at 50 Hz of the host's stepped clock, 32 samples deep, with a wearer at rest (gravity plus a few milli-g
// of noise) or, after fall(), the synthetic fall the SOS button tests use. The traces are made while the bundle
// loads, so they are part of the baseline, not of the app.
import { SosButtonApp } from '../../../firmware/apps/sos-button/app.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { fall as fallTrace, random } from '../../../scripts/falls/synthetic.js';
import { sosButtonStandInParts } from '../../support/xs/stand-in-part.js';
import { benchHal } from './heap-common.js';

export { deliver } from './heap-common.js';

const HZ = 50;
const FIFO_DEPTH = 32;
const FALL = Int16Array.from(fallTrace(1, 8), (value) => Math.max(-32768, Math.min(32767, Math.round(value))));
const noise = random(7);

let runtime: DeviceRuntime | undefined;
let app: SosButtonApp | undefined;
/** Samples the accelerometer has produced (read or lost to a full FIFO). */
let produced = 0;
/** Next sample of FALL to play; -1: the wearer rests. */
let playing = -1;
/** Gravity while resting: upright, or lying after the fall. */
let posture: [number, number, number] = [0, 1000, 0];

function sample(into: Int16Array, at: number): void {
  if (playing >= 0) {
    into[at] = FALL[playing]!;
    into[at + 1] = FALL[playing + 1]!;
    into[at + 2] = FALL[playing + 2]!;
    playing += 3;
    if (playing >= FALL.length) {
      playing = -1;
      posture = [0, 0, 1000];
    }
    return;
  }
  for (let axis = 0; axis < 3; axis++) into[at + axis] = posture[axis]! + Math.round((noise() - 0.5) * 16);
}

const parts = sosButtonStandInParts({
  configure(clock) {
    produced = Math.floor((clock.now() * HZ) / 1000);
  },
  readFifo(into, clock) {
    const due = Math.floor((clock.now() * HZ) / 1000) - produced;
    const count = Math.min(due, FIFO_DEPTH, Math.floor(into.length / 3));
    // A FIFO left unread too long keeps its newest samples (stream mode); the older ones are lost.
    for (let lost = due - count; lost > 0; lost--) sample(SCRATCH, 0);
    for (let i = 0; i < count; i++) sample(into, i * 3);
    produced += due;
    return count;
  },
  battery: () => ({ mv: 3900, percent: 40 }),
});

const SCRATCH = new Int16Array(3);

export function start(): void {
  app = new SosButtonApp({ parts });
  runtime = new DeviceRuntime({ hal: benchHal(), model: 'sos-button', app });
  runtime.start();
}

/** The wearer falls: the accelerometer plays the synthetic fall from its next sample on. */
export function fall(): void {
  playing = 0;
}

export function state(): string {
  return runtime!.state;
}

export function status(): Record<string, unknown> {
  return { state: runtime!.state, ...app!.status(), health: runtime!.health() };
}
