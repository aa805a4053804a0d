// A device with a simulated LIS3DH on its I2C bus, the driver opened the way an app opens it.
import { LIS3DH, type Lis3dhOptions } from '../../firmware/drivers/lis3dh/lis3dh.js';
import { createHostHal, type HostHal, type SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachLis3dh, type Lis3dhChip } from '../../simulator/chips/lis3dh.js';

export interface Rig {
  hal: HostHal;
  clock: SteppedClock;
  chip: Lis3dhChip;
  /** The INT1 pin number when wired. */
  int1: number;
  open(extra?: Omit<Lis3dhOptions, 'sensor'>): LIS3DH;
}

export function lis3dhRig(options: { int1?: boolean } = {}): Rig {
  const hal = createHostHal({ storage: createHostStorage({}) });
  const int1 = hal.device.board.pin.accelInterrupt!;
  const chip = attachLis3dh(hal, options.int1 ? { int1 } : {});
  return {
    hal,
    clock: hal.clock as SteppedClock,
    chip,
    int1,
    open: (extra = {}) => new LIS3DH({ sensor: { ...hal.device.board.i2c!, io: hal.device.io.SMBus! }, ...extra }),
  };
}

/** Reads the FIFO until it is empty, in batches of at most `batch` samples, appending x, y, z to `out`. */
export function drain(accel: LIS3DH, out: number[], batch = LIS3DH.FIFO_DEPTH): void {
  const buffer = new Int16Array(batch * 3);
  for (;;) {
    const count = accel.readFifo(buffer);
    for (let i = 0; i < count * 3; i++) out.push(buffer[i]!);
    if (count < batch) return;
  }
}

/** Deterministic pseudo-random integers (a 32-bit LCG): the same sequence on every run. */
export function lcg(seed: number): (low: number, high: number) => number {
  let state = seed >>> 0;
  return (low, high) => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return low + (state % (high - low + 1));
  };
}
