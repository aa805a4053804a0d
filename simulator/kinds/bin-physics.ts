// One bin compartment as the world sees it, and what its level sensors report. Host only; deterministic for a
// given random source (pass `random(seed)` from scripts/falls/synthetic.ts).
//
// The waste surface is a grid of cells (heights above the floor). A deposit lands on one cell
// under the opening and slides down to its angle of repose; with time the heap slumps flatter (settle). A bag's
// top echoes weakly. truePct is the top of the heap under the opening (whether a deposit still fits) over the
// depth the sensor can see (floor to the blind zone): 100 % is level with the blind zone, an overflowing bin
// goes past 100. volumePct is the mean surface instead (lower by the heap's relief).
//
// The sensors, as their datasheets and field reports describe them:
// - ultrasonic (A02YYUW / JSN-SR04T): converts time with a fixed 58 µs/cm, so cold air reads long; a wide beam
//   whose first strong echo wins (the highest pile in its cone, at its slant range; a bag is often too soft to
//   answer); the walls answer shorter when the surface is deep, multipath answers longer, echoes drop out;
//   inside the blind zone the transducer still rings: it gives the blind limit, a second echo (twice the
//   distance) or nothing; with the lid open it points anywhere.
// - tof (VL53L1X): a narrow cone (27°) that sees the nearest target in it; sunlight shortens its range (about 4 m in the
//   dark, 1.3 m in daylight) and blinds it.
export type Rng = () => number;

export interface CompartmentOptions {
  /** Sensor face to the floor. */
  heightMm: number;
  /** The sensor's blind zone. */
  blindMm: number;
  /** The compartment's side (square). */
  widthMm: number;
  /** The deposit opening's side (square, over the middle, where the sensor looks). */
  openingMm: number;
  /** Grid cells per side. */
  cells: number;
  /** Steepest slope of fresh waste, and of waste that has slumped. */
  reposeDeg: number;
  settledDeg: number;
  /** Hours for a heap to slump most of the way. */
  slumpHours: number;
  /** A seam or lip on the wall, from the sensor face, and how readily it echoes when the surface is deep (0–1). */
  wallMm: number;
  wallEcho: number;
  /** Chances per reading of a multipath echo and of a lost one. */
  multipath: number;
  dropout: number;
  /** Ultrasonic beam, full angle. */
  beamDeg: number;
  rng: Rng;
}

export type UltrasonicReading = number | 'noEcho';
export type TofReading = { mm: number } | 'noEcho' | { ambient: number };

/** Fixed speed of sound the ultrasonic modules assume (58 µs/cm), and the real one. */
const MODULE_SPEED = 2 / 58e-4;
const speedAt = (celsius: number) => 331.3 * Math.sqrt(1 + celsius / 273.15);
const ULTRASONIC_MAX_MM = 4500;
const TOF_HALF_ANGLE = (13.5 * Math.PI) / 180;
const BAG_ECHO = 0.6;

export class BinCompartment {
  readonly options: Readonly<CompartmentOptions>;
  #heights: Float64Array;
  #bag: Uint8Array;
  #slope: number;
  #cellMm: number;
  #radiusMm: Float64Array;
  #echoes: { mm: number; strength: number }[] | undefined;

  constructor(options: Partial<CompartmentOptions> = {}) {
    this.options = Object.freeze({
      heightMm: 1100, blindMm: 250, widthMm: 600, openingMm: 200, cells: 6, reposeDeg: 25, settledDeg: 5, slumpHours: 6,
      wallMm: 600, wallEcho: 0.2, multipath: 0.05, dropout: 0.03, beamDeg: 60, rng: Math.random, ...options,
    });
    const n = this.options.cells;
    this.#heights = new Float64Array(n * n);
    this.#bag = new Uint8Array(n * n);
    this.#cellMm = this.options.widthMm / n;
    this.#slope = Math.tan((this.options.settledDeg * Math.PI) / 180);
    this.#radiusMm = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) {
      this.#radiusMm[i] = Math.hypot(((i % n) + 0.5 - n / 2) * this.#cellMm, (Math.floor(i / n) + 0.5 - n / 2) * this.#cellMm);
    }
  }

  /** Depth the sensor can see: floor to the blind zone. */
  get usableMm(): number {
    return this.options.heightMm - this.options.blindMm;
  }

  get meanMm(): number {
    let sum = 0;
    for (const h of this.#heights) sum += h;
    return sum / this.#heights.length;
  }

  /** The top of the heap under the opening. */
  get peakMm(): number {
    const n = this.options.cells;
    const half = this.options.openingMm / 2;
    let peak = 0;
    for (let i = 0; i < this.#heights.length; i++) {
      const x = Math.abs(((i % n) + 0.5 - n / 2) * this.#cellMm);
      const y = Math.abs((Math.floor(i / n) + 0.5 - n / 2) * this.#cellMm);
      if (x <= half && y <= half) peak = Math.max(peak, this.#heights[i]!);
    }
    return peak;
  }

  /** The true fill: the top of the heap under the opening over the visible depth (whether a deposit still fits). */
  get truePct(): number {
    return (100 * this.peakMm) / this.usableMm;
  }

  /** The fill by volume: the mean surface height over the visible depth (below truePct by the heap's relief). */
  get volumePct(): number {
    return (100 * this.meanMm) / this.usableMm;
  }

  /** Drops waste (a volume, or a layer that thick over the whole opening) on a random spot. */
  add(amount: { litres: number } | { mm: number }, options: { bag?: boolean } = {}): void {
    const n = this.options.cells;
    const area = this.options.widthMm * this.options.widthMm;
    const mm3 = 'litres' in amount ? amount.litres * 1e6 : amount.mm * area;
    // Waste lands under the opening, over the middle of the compartment, where the sensor looks.
    const cells = Math.max(1, Math.round((this.options.openingMm / this.options.widthMm) * n));
    const axis = () => Math.min(n - 1, Math.floor((n - cells) / 2 + this.options.rng() * cells));
    const cell = axis() * n + axis();
    this.#heights[cell] += mm3 / (this.#cellMm * this.#cellMm);
    this.#bag[cell] = options.bag ? 1 : 0;
    this.#slope = Math.tan((this.options.reposeDeg * Math.PI) / 180);
    this.#relax();
  }

  empty(residueMm = 0): void {
    this.#heights.fill(residueMm);
    this.#bag.fill(0);
    this.#echoes = undefined;
  }

  /** Lets `hours` pass: the heap slumps toward its settled slope. */
  settle(hours: number): void {
    const settled = Math.tan((this.options.settledDeg * Math.PI) / 180);
    this.#slope = settled + (this.#slope - settled) * Math.exp(-hours / this.options.slumpHours);
    this.#relax();
  }

  /** One reading of an ultrasonic module in the lid, in air at `celsius`. */
  ultrasonic(at: { celsius: number; lidOpen: boolean; rng: Rng }): UltrasonicReading {
    const { rng } = at;
    const o = this.options;
    if (at.lidOpen) return rng() < 0.5 ? 'noEcho' : Math.round(300 + rng() * 3000);
    if (rng() < o.dropout) return 'noEcho';
    let mm = this.#firstEcho(rng);
    if (mm === undefined) return 'noEcho';
    const deep = Math.min(1, Math.max(0, (mm - o.wallMm) / 500));
    if (rng() < o.wallEcho * deep) mm = o.wallMm;
    else if (rng() < o.multipath) mm *= 1.3 + 0.6 * rng();
    const raw = (mm * MODULE_SPEED) / speedAt(at.celsius) + gaussian(rng) * (3 + 0.003 * mm);
    if (raw <= o.blindMm) {
      const pick = rng();
      if (pick < 0.25) return 'noEcho';
      if (pick < 0.6 && 2 * raw > o.blindMm) return Math.round(2 * raw);
      return Math.round(o.blindMm * (0.85 + 0.15 * rng()));
    }
    return raw > ULTRASONIC_MAX_MM ? 'noEcho' : Math.round(raw);
  }

  /** One VL53L1X reading; `ambient` 0 (dark) to 1 (sun through the opening). */
  tof(at: { ambient: number; rng: Rng }): TofReading {
    const { rng, ambient } = at;
    const o = this.options;
    if (rng() < o.dropout) return 'noEcho';
    if (ambient > 0.7 && rng() < (ambient - 0.7) * 2) return { ambient: Math.round(ambient * 100) };
    const cone: number[] = [];
    for (let i = 0; i < this.#heights.length; i++) {
      const d = o.heightMm - this.#heights[i]!;
      if (this.#radiusMm[i]! <= Math.max(this.#cellMm, d * Math.tan(TOF_HALF_ANGLE))) cone.push(d);
    }
    const mm = Math.min(...cone); // the nearest target in the cone returns first and strongest
    const rangeMm = 4000 - 2700 * ambient;
    if (mm > rangeMm) return 'noEcho';
    return { mm: Math.max(1, Math.round(mm + gaussian(rng) * (3 + 0.005 * mm) * (1 + 2 * ambient))) };
  }

  /** Slant range to the first cell in the beam that answers strongly enough. */
  #firstEcho(rng: Rng): number | undefined {
    // The beam's cells, nearest first, stay the same until the heap changes (a module reads 10 times a second).
    const candidates = (this.#echoes ??= this.#beam());
    for (const c of candidates) if (rng() < c.strength) return c.mm;
    return undefined;
  }

  /** Every cell the ultrasonic beam sees, with its slant range and echo strength, nearest first. */
  #beam(): { mm: number; strength: number }[] {
    const o = this.options;
    const half = ((o.beamDeg / 2) * Math.PI) / 180;
    const candidates: { mm: number; strength: number }[] = [];
    for (let i = 0; i < this.#heights.length; i++) {
      const d = o.heightMm - this.#heights[i]!;
      const off = Math.atan2(this.#radiusMm[i]!, Math.max(1, d));
      // The cone starts as wide as the transducer's face (about a cell), not at a point.
      if (off > half && this.#radiusMm[i]! > this.#cellMm) continue;
      const gain = 1 - 0.5 * Math.min(1, off / half); // weaker toward the beam's edge
      candidates.push({ mm: Math.hypot(d, this.#radiusMm[i]!), strength: gain * (this.#bag[i] ? BAG_ECHO : 0.97) });
    }
    candidates.sort((a, b) => a.mm - b.mm);
    return candidates;
  }

  /** Slides waste from each cell to any neighbour lower than the slope allows, until none is. */
  #relax(): void {
    this.#echoes = undefined;
    const n = this.options.cells;
    const h = this.#heights;
    const step = this.#slope * this.#cellMm;
    const ceiling = this.options.heightMm - 10;
    for (let round = 0; round < 500; round++) {
      let moved = false;
      for (let i = 0; i < h.length; i++) {
        const x = i % n;
        for (const j of [x + 1 < n ? i + 1 : -1, i + n < h.length ? i + n : -1]) {
          if (j < 0) continue;
          const diff = h[i]! - h[j]!;
          if (Math.abs(diff) <= step + 0.01) continue;
          const flow = (Math.abs(diff) - step) / 2;
          const [from, to] = diff > 0 ? [i, j] : [j, i];
          h[from] -= flow;
          h[to] += flow;
          moved = true;
        }
      }
      if (!moved) break;
    }
    for (let i = 0; i < h.length; i++) if (h[i]! > ceiling) h[i] = ceiling;
  }
}

/** A standard normal draw (Box–Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng());
}
