// Synthetic accelerometer traces (50 Hz, milli-g) for the fall detector's tests and the simulated wearer:
// plausible shapes of a fall and of daily activities, and random 3D rotations of them.

export type Trace = number[]; // interleaved x, y, z

/** Deterministic PRNG (mulberry32), so every run sees the same "noise". */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Builder {
  readonly samples: Trace = [];
  #rnd: () => number;
  constructor(seed: number) {
    this.#rnd = random(seed);
  }
  noise(mg: number): number {
    return (this.#rnd() - 0.5) * 2 * mg;
  }
  add(x: number, y: number, z: number, noiseMg: number): void {
    // `+ 0` turns -0 into 0, as JSON would.
    this.samples.push(Math.round(x + this.noise(noiseMg)) + 0, Math.round(y + this.noise(noiseMg)) + 0, Math.round(z + this.noise(noiseMg)) + 0);
  }
  /** Gravity along `up` (a unit vector) for n samples. */
  still(n: number, up: [number, number, number], noiseMg = 8): void {
    for (let i = 0; i < n; i++) this.add(up[0] * 1000, up[1] * 1000, up[2] * 1000, noiseMg);
  }
  /** Walking with gravity on y: 2 Hz vertical bounce, heel strikes reaching strikeMg. */
  walk(n: number, strikeMg: number): void {
    for (let i = 0; i < n; i++) {
      const phase = (i % 25) / 25;
      const strike = phase < 0.08 ? strikeMg - 1000 : 0;
      const bounce = 250 * Math.sin(2 * Math.PI * phase);
      this.add(120 * Math.sin(4 * Math.PI * phase), 1000 + bounce + strike, 60 * Math.cos(2 * Math.PI * phase), 40);
    }
  }
}

/** Walks, falls forward (free fall, hard impact), lies still on the floor. */
export function fall(seed = 1, lieSeconds = 6): Trace {
  const b = new Builder(seed);
  b.still(100, [0, 1, 0], 10);
  b.walk(200, 1400);
  // Loss of support: magnitude collapses while the trunk pitches forward (gravity turns from y to z).
  for (let i = 0; i < 20; i++) {
    const a = (Math.PI / 2) * (i / 20);
    const m = 1000 - 800 * Math.sin((Math.PI * i) / 20);
    b.add(0, m * Math.cos(a), m * Math.sin(a), 30);
  }
  for (const m of [1800, 4200, 3100, 1600, 500, 1400, 900, 1100]) b.add(150, 200, m, 40);
  b.still(lieSeconds * 50, [0, 0, 1], 6);
  return b.samples;
}

/** A minute of brisk walking whose heel strikes pass the impact threshold. */
export function walking(seed = 2, seconds = 60): Trace {
  const b = new Builder(seed);
  b.still(50, [0, 1, 0]);
  b.walk(seconds * 50, 1900);
  b.still(100, [0, 1, 0]);
  return b.samples;
}

/** Stands, sits down onto a chair with a thump, sits still leaning back a little. */
export function sittingDown(seed = 3): Trace {
  const b = new Builder(seed);
  b.still(150, [0, 1, 0]);
  b.walk(100, 1300);
  for (let i = 0; i < 40; i++) {
    const a = (Math.PI / 12) * (i / 40);
    const m = 1000 - 250 * Math.sin((Math.PI * i) / 40);
    b.add(0, m * Math.cos(a), -m * Math.sin(a), 20);
  }
  for (const m of [1300, 1750, 1400, 1100]) b.add(0, m * Math.cos(Math.PI / 12), -m * Math.sin(Math.PI / 12), 20);
  const lean = Math.PI / 12;
  b.still(400, [0, Math.cos(lean), -Math.sin(lean)], 10);
  return b.samples;
}

/** Random proper rotation (uniform quaternion) from a PRNG. */
export function randomRotation(rnd: () => number): number[] {
  const u1 = rnd(), u2 = rnd() * 2 * Math.PI, u3 = rnd() * 2 * Math.PI;
  const a = Math.sqrt(1 - u1), b = Math.sqrt(u1);
  const [w, x, y, z] = [a * Math.sin(u2), a * Math.cos(u2), b * Math.sin(u3), b * Math.cos(u3)];
  return [
    1 - 2 * (y * y + z * z), 2 * (x * y - z * w), 2 * (x * z + y * w),
    2 * (x * y + z * w), 1 - 2 * (x * x + z * z), 2 * (y * z - x * w),
    2 * (x * z - y * w), 2 * (y * z + x * w), 1 - 2 * (x * x + y * y),
  ];
}

/** The trace as a sensor mounted with rotation `r` would record it (rounded to whole milli-g). */
export function rotate(trace: Trace, r: number[]): Trace {
  const out: Trace = new Array(trace.length);
  for (let i = 0; i < trace.length; i += 3) {
    const [x, y, z] = [trace[i], trace[i + 1], trace[i + 2]];
    out[i] = Math.round(r[0] * x + r[1] * y + r[2] * z);
    out[i + 1] = Math.round(r[3] * x + r[4] * y + r[5] * z);
    out[i + 2] = Math.round(r[6] * x + r[7] * y + r[8] * z);
  }
  return out;
}
