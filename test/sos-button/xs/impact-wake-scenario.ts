// Wake on impact through FallWatch (firmware/apps/sos-button/fall-watch.ts), the LIS3DH driver and the
// register-level chip with the virtual IO and stepped clock in the same engine: armed for deep sleep, an impact
// raises INT1; after the boot the watch feeds the captured history and what follows to the detector, decides,
// and is re-armed, all with the shipped profile (IMPACT_WAKE). Engine-neutral on purpose: impact-wake.test.ts runs it
// on Node and on XS and expects the same.
import { SteppedClock } from '../../../hal/host/clock.js';
import { VirtualIo } from '../../../hal/host/io/bus.js';
import { LIS3DH } from '../../../firmware/drivers/lis3dh/lis3dh.js';
import { FallWatch, IMPACT_DECISION_MS } from '../../../firmware/apps/sos-button/fall-watch.js';
import { IMPACT_WAKE } from '../../../firmware/sensing/impact-wake.js';
import { Register } from '../../../firmware/drivers/lis3dh/registers.js';
import { attachLis3dh } from '../../../simulator/chips/lis3dh.js';

const INT1 = 34;
const SETTING = { thresholdMg: IMPACT_WAKE.thresholdMg, durationMs: IMPACT_WAKE.durationMs };

/** Standing, a 3-sample impact of `peakMg` on x (its rising edge first), then still in `after` (lying on the side). */
function impact(peakMg: number, after = [1000, 0, 0]): number[] {
  const stand = Array.from({ length: 100 }, () => [0, 1000, 0]).flat();
  const hit = [[peakMg / 2, 1000, 0], [peakMg, 1000, 0], [peakMg / 2, 600, 0]].flat();
  const still = Array.from({ length: 300 }, () => after).flat();
  return [...stand, ...hit, ...still];
}

function wakeOn(trace: number[]): Record<string, unknown> {
  const clock = new SteppedClock();
  const io = new VirtualIo({ clock, defer: (callback) => clock.timers.set(callback, 0) });
  const chip = attachLis3dh(io, { clock, int1: INT1 });
  chip.setStill({ x: 0, y: 1000, z: 0 });
  const accel = new LIS3DH({ sensor: { data: 21, clock: 22, io: io.classes.SMBus! } });
  let fed: number[] = [];
  let alerts = 0;
  const detector = () => {
    fed = [];
    return {
      push(x: number, y: number, z: number) {
        fed.push(Math.round(Math.sqrt(x * x + y * y + z * z)));
        return undefined;
      },
    };
  };
  const watch = () => new FallWatch({
    accel, timers: clock.timers, detector, onFall: () => { alerts += 1; }, stillS: () => 0, wakeLine: true, log: () => {},
  });
  const before = watch();
  before.start();
  clock.advance(2000);
  before.armImpactWake(SETTING);
  chip.play(trace);
  let triggerMs = -1;
  for (let t = 0; t < 20_000 && triggerMs < 0; t += 20) {
    clock.advance(20);
    if (io.pin(INT1).level === 1) triggerMs = t;
  }
  if (triggerMs < 0) return { woke: false };
  clock.advance(IMPACT_WAKE.wakeMs);
  const after = watch();
  after.startAfterImpact();
  const history = fed.slice();
  const deciding = after.deciding;
  clock.advance(IMPACT_DECISION_MS);
  const fedAfter = fed.length - history.length;
  after.armImpactWake(SETTING);
  return {
    woke: true, triggerMs, history: history.length, largestAt: history.indexOf(Math.max(...history)), largestMg: Math.max(...history),
    deciding, decided: !after.deciding, fedAfter, line: io.pin(INT1).level, rearmed: chip.readRegister(Register.FIFO_CTRL_REG), alerts,
  };
}

export function main(): Record<string, unknown> {
  return { fall: wakeOn(impact(4000)), soft: wakeOn(impact(Math.round(IMPACT_WAKE.thresholdMg * 0.8), [0, 1000, 0])) };
}
