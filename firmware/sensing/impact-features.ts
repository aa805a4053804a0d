// Streaming impact finder and event features for fall detection. Engine-neutral (XS and Node).
//
// Every sample costs a square root, a few ring-buffer stores and comparisons. Only when the acceleration
// magnitude crosses the impact threshold does the finder mark a candidate (the largest magnitude within a
// short search window); once enough samples after that peak have arrived it computes the candidate's
// features in one pass over the ring buffer. All features are rotation-invariant: magnitudes, and the
// angle between the mean acceleration (gravity) vectors before and after the event.

export interface ImpactOptions {
  /** Magnitude (milli-g) at which a candidate impact starts. */
  impactMg: number;
  /** Samples after the first crossing in which the candidate's peak is sought. */
  peakWindow: number;
  /** Samples kept before the peak (posture and activity before the event). */
  preSamples: number;
  /** Samples waited after the peak before the event is judged (posture and stillness after it). */
  postSamples: number;
  /** Samples at the end of the post window averaged for the posture and stillness after the event. */
  restSamples: number;
  /** Samples at the start of the pre window averaged for the posture before the event. */
  uprightSamples: number;
  /** Window before the peak searched for free fall (samples). */
  fallSamples: number;
  /** Magnitude (milli-g) below which a sample counts as free fall. */
  freeFallMg: number;
  /** Samples either side of the peak that make up the impact. */
  impactSpan: number;
  /** Time constant, as a power of two in samples (at least 2^3), of the slow average that tracks long-term posture. */
  postureShift: number;
  /**
   * The first sample pushed stands for the time before it: the ring starts filled with it. For a detector started
   * by a wake on impact, which gets only the FIFO's second or so before the impact, so the windows before the peak
   * compare with the earliest posture there is rather than with nothing.
   */
  primeRing: boolean;
}

export const impactDefaults: Readonly<ImpactOptions> = Object.freeze({
  impactMg: 1600,
  peakWindow: 25,
  preSamples: 125,
  postSamples: 125,
  restSamples: 50,
  uprightSamples: 50,
  fallSamples: 50,
  freeFallMg: 600,
  impactSpan: 10,
  postureShift: 8,
  primeRing: false,
});

/** Features of one candidate impact. Magnitudes in milli-g, durations in samples, angle in degrees. */
export interface ImpactFeatures {
  /** Sample number of the candidate's peak (counts pushes from 0, wrapping at 2^30). */
  peakSample: number;
  peakMg: number;
  /** Lowest magnitude in the fall window before the peak. */
  preMinMg: number;
  /** Samples below freeFallMg in the fall window before the peak. */
  freeFall: number;
  /** Sum of (1000 - magnitude) where the magnitude is below 1 g in the fall window: lost support, in mg·samples. */
  sinkMgSamples: number;
  /** Mean absolute deviation of the magnitude in the upright window (activity before the event). */
  preActivityMg: number;
  /** Mean absolute deviation of the magnitude in the rest window (stillness after the event). */
  postActivityMg: number;
  /** Mean magnitude in the rest window. */
  postMeanMg: number;
  /** Angle between mean acceleration before and after the event (change of posture). */
  angleDeg: number;
  /** Samples above impactMg from the fall window's start to the rest window's start, the peak excluded. */
  highSamples: number;
  /** Largest change of magnitude between consecutive samples around the peak (milli-g per sample). */
  jerkMg: number;
  /** Samples around the peak above half-way between 1 g and the peak (width of the impact). */
  impactWidth: number;
  /** Mean absolute deviation of the magnitude from the end of the impact to the rest window. */
  settleActivityMg: number;
  /** Angle between the slow average of acceleration (long-term posture) at the trigger and the rest window. */
  postureChangeDeg: number;
  /** Largest loss of speed along the upright gravity direction in the fall window, in mg·samples. */
  dropMgSamples: number;
  /** Sum of the magnitude above 1 g around the peak (±impactSpan): the momentum the impact took, mg·samples. */
  impulseMgSamples: number;
  /** Angle between the upright posture and the mean acceleration just after the impact (impactSpan..+0.5 s). */
  tiltDeg: number;
  /** RMS distance of the acceleration vector from its mean in the rest window: turning or swinging, not only shaking. */
  postMotionMg: number;
}

export function emptyImpactFeatures(): ImpactFeatures {
  return {
    peakSample: 0, peakMg: 0, preMinMg: 0, freeFall: 0, sinkMgSamples: 0, preActivityMg: 0,
    postActivityMg: 0, postMeanMg: 0, angleDeg: 0, highSamples: 0, jerkMg: 0, impactWidth: 0,
    settleActivityMg: 0, postureChangeDeg: 0, dropMgSamples: 0, impulseMgSamples: 0, tiltDeg: 0, postMotionMg: 0,
  };
}

function checkOptions(o: ImpactOptions): void {
  if (typeof o.primeRing !== 'boolean') throw new RangeError('fall detector option primeRing must be true or false');
  for (const key of Object.keys(impactDefaults) as (keyof ImpactOptions)[]) {
    if (key === 'primeRing') continue;
    const value = o[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      throw new RangeError(`fall detector option ${key} must be a positive number`);
    }
  }
  if (o.restSamples > o.postSamples) throw new RangeError('restSamples must not exceed postSamples');
  if (o.postureShift < 3) throw new RangeError('postureShift must be at least 3');
  if (o.peakWindow > o.postSamples) throw new RangeError('peakWindow must not exceed postSamples');
  if (o.impactSpan + LANDING_SAMPLES > o.postSamples) {
    throw new RangeError(`postSamples must be at least impactSpan + ${LANDING_SAMPLES}`);
  }
  if (o.uprightSamples + o.fallSamples > o.preSamples) {
    throw new RangeError('uprightSamples + fallSamples must not exceed preSamples');
  }
}

/** Samples after the impact span averaged for the posture just after landing (tiltDeg). */
const LANDING_SAMPLES = 25;

/** Sample numbers wrap here; every comparison of sample numbers is made modulo this. */
const SAMPLE_WRAP = 0x3fffffff;

function angleDeg(ax: number, ay: number, az: number, bx: number, by: number, bz: number): number {
  const norms = Math.sqrt((ax * ax + ay * ay + az * az) * (bx * bx + by * by + bz * bz));
  const cos = norms > 0 ? (ax * bx + ay * by + az * bz) / norms : 1;
  return Math.acos(cos > 1 ? 1 : cos < -1 ? -1 : cos) * 57.29577951308232;
}

export class ImpactFinder {
  readonly options: Readonly<ImpactOptions>;
  // Options used on every sample, copied out of the frozen options object: fewer lookups on XS.
  #impactMg: number;
  #peakWindow: number;
  #postSamples: number;
  #slowGain: number;
  #mask: number;
  /** Ring buffer of samples, interleaved x, y, z. */
  #xyz: Int16Array;
  #mag: Uint16Array;
  #count = 0;
  /** Set once the sample counter has wrapped (or the ring was primed): from then on the whole ring holds valid samples. */
  #wrapped = false;
  #searching = false;
  #searchLeft = 0;
  #bestSample = 0;
  #bestMg = 0;
  // Peaks waiting for their post window, oldest first, in a fixed circular queue; #due is the sample
  // number at which the oldest is measured (-1: none waiting), so a sample costs one comparison.
  #pending: Float64Array;
  #pendingHead = 0;
  #pendingSize = 0;
  #due = -1;
  // Slow average of acceleration (long-term posture), and its value at each pending candidate's trigger.
  #gx = 0;
  #gy = 0;
  #gz = 0;
  #triggerG = new Float64Array(3);
  #pendingG: Float64Array;
  #features = emptyImpactFeatures();

  constructor(options: Partial<ImpactOptions> = {}) {
    const o = { ...impactDefaults, ...options };
    checkOptions(o);
    this.options = Object.freeze(o);
    this.#impactMg = o.impactMg;
    this.#peakWindow = o.peakWindow;
    this.#postSamples = o.postSamples;
    this.#slowGain = 4 / (1 << o.postureShift);
    let size = 1;
    while (size <= o.preSamples + o.postSamples + 1) size <<= 1;
    this.#mask = size - 1;
    this.#xyz = new Int16Array(size * 3);
    this.#mag = new Uint16Array(size);
    this.#pending = new Float64Array(Math.ceil((o.postSamples + o.peakWindow) / o.peakWindow) + 1);
    this.#pendingG = new Float64Array(this.#pending.length * 3);
  }

  /** Samples pushed so far, wrapping at 2^30 (about 250 days at 50 Hz). */
  get count(): number {
    return this.#count;
  }

  /** An impact has been seen whose features are not measured yet (its peak search or its post window runs). */
  get pending(): boolean {
    return this.#searching || this.#pendingSize > 0;
  }

  /**
   * Adds one sample (milli-g). Returns the features of a candidate whose post window has just completed,
   * or undefined. The returned object is reused: read it before the next push.
   */
  push(x: number, y: number, z: number): ImpactFeatures | undefined {
    // The hot path: locals instead of repeated private-field reads (each one costs on XS).
    const n = this.#count;
    const i = n & this.#mask;
    // Clamp to the int16 range: beyond any real sensor (±16 g) and keeps the ring buffers small.
    x = x > 32767 ? 32767 : x < -32768 ? -32768 : x | 0;
    y = y > 32767 ? 32767 : y < -32768 ? -32768 : y | 0;
    z = z > 32767 ? 32767 : z < -32768 ? -32768 : z | 0;
    const xyz = this.#xyz;
    const j = i * 3;
    xyz[j] = x;
    xyz[j + 1] = y;
    xyz[j + 2] = z;
    const m = Math.sqrt(x * x + y * y + z * z) | 0;
    this.#mag[i] = m > 65535 ? 65535 : m;
    // The slow average moves so little per sample that updating it every 4th sample is enough (and 4× cheaper).
    if (n === 0) {
      this.#gx = x; this.#gy = y; this.#gz = z;
      if (this.options.primeRing && !this.#wrapped) this.#prime(x, y, z, this.#mag[i]!);
    } else if ((n & 3) === 0) {
      const k = this.#slowGain;
      const gx = this.#gx, gy = this.#gy, gz = this.#gz;
      this.#gx = gx + (x - gx) * k;
      this.#gy = gy + (y - gy) * k;
      this.#gz = gz + (z - gz) * k;
    }
    if (this.#searching) {
      if (m > this.#bestMg) {
        this.#bestMg = m;
        this.#bestSample = n;
      }
      if (--this.#searchLeft <= 0) {
        this.#searching = false;
        this.#enqueue(this.#bestSample);
      }
    } else if (m >= this.#impactMg) {
      this.#searching = true;
      this.#searchLeft = this.#peakWindow - 1;
      this.#bestMg = m;
      this.#bestSample = n;
      const t = this.#triggerG;
      t[0] = this.#gx; t[1] = this.#gy; t[2] = this.#gz;
    }
    const next = (n + 1) & SAMPLE_WRAP;
    this.#count = next;
    if (next === 0) this.#wrapped = true;
    if (n !== this.#due) return undefined;
    const slot = this.#pendingHead;
    const peak = this.#pending[slot];
    this.#pendingHead = (slot + 1) % this.#pending.length;
    this.#pendingSize -= 1;
    this.#due = this.#pendingSize > 0 ? (this.#pending[this.#pendingHead] + this.#postSamples) & SAMPLE_WRAP : -1;
    return this.#measure(peak, slot);
  }

  /** Fills the ring with the first sample; from then on the whole ring counts as seen. */
  #prime(x: number, y: number, z: number, m: number): void {
    const xyz = this.#xyz;
    for (let k = 0; k < xyz.length; k += 3) {
      xyz[k] = x; xyz[k + 1] = y; xyz[k + 2] = z;
    }
    this.#mag.fill(m);
    this.#wrapped = true;
  }

  #enqueue(sample: number): void {
    const capacity = this.#pending.length;
    if (this.#pendingSize === capacity) return; // cannot happen with the computed capacity; never grow
    const slot = (this.#pendingHead + this.#pendingSize) % capacity;
    this.#pending[slot] = sample;
    this.#pendingG[slot * 3] = this.#triggerG[0];
    this.#pendingG[slot * 3 + 1] = this.#triggerG[1];
    this.#pendingG[slot * 3 + 2] = this.#triggerG[2];
    if (this.#pendingSize === 0) this.#due = (sample + this.#postSamples) & SAMPLE_WRAP;
    this.#pendingSize += 1;
  }

  // A peak too early for a full pre window is judged with the samples there are (from `first` on).
  #measure(peak: number, slot: number): ImpactFeatures {
    const o = this.options;
    const mask = this.#mask;
    const mag = this.#mag;
    const xyz = this.#xyz;
    // Oldest sample still valid: the ring may not have filled yet after start-up.
    const size = mask + 1;
    const seen = this.#wrapped || this.#count >= size ? size : this.#count;
    const oldest = o.postSamples + 1 - seen;
    const first = peak + (oldest > -o.preSamples ? oldest : -o.preSamples);
    const f = this.#features;
    f.peakSample = peak;
    const peakMg = mag[peak & mask];
    f.peakMg = peakMg;

    // Upright window: the first part of the pre window.
    const uprightStart = peak - o.preSamples;
    const uprightEnd = uprightStart + o.uprightSamples;
    const uprightFrom = uprightStart < first ? first : uprightStart;
    let sx = 0, sy = 0, sz = 0, sm = 0, cnt = 0;
    for (let s = uprightFrom; s < uprightEnd; s++) {
      const j = s & mask, k = j * 3;
      sx += xyz[k]; sy += xyz[k + 1]; sz += xyz[k + 2]; sm += mag[j]; cnt++;
    }
    const upMean = cnt > 0 ? sm / cnt : 1000;
    let dev = 0;
    for (let s = uprightFrom; s < uprightEnd; s++) {
      const d = mag[s & mask] - upMean;
      dev += d < 0 ? -d : d;
    }
    f.preActivityMg = cnt > 0 ? dev / cnt : 0;
    const ux = sx, uy = sy, uz = sz;

    // Fall window: just before the peak. Also the speed lost along the upright direction: integrate
    // (a · up - 1 g) over the fall window.
    const freeFallMg = o.freeFallMg;
    const upNorm = Math.sqrt(ux * ux + uy * uy + uz * uz);
    const gx = upNorm > 0 ? ux / upNorm : 0, gy = upNorm > 0 ? uy / upNorm : 0, gz = upNorm > 0 ? uz / upNorm : 0;
    // highSamples (samples above impactMg from the fall window to the rest window, the peak excluded) is
    // counted in this loop, the impact loop and the settling loop, which together cover that span.
    const impactMg = o.impactMg;
    let preMin = 65535, freeFall = 0, sink = 0, speed = 0, drop = 0, high = 0;
    const fallStart = peak - o.fallSamples < first ? first : peak - o.fallSamples;
    for (let s = fallStart; s <= peak; s++) {
      const j = s & mask, k = j * 3;
      if (s < peak) {
        const v = mag[j];
        if (v < preMin) preMin = v;
        if (v < freeFallMg) freeFall++;
        if (v < 1000) sink += 1000 - v;
        if (v >= impactMg) high++;
      }
      speed += xyz[k] * gx + xyz[k + 1] * gy + xyz[k + 2] * gz - 1000;
      if (-speed > drop) drop = -speed;
    }
    f.preMinMg = preMin === 65535 ? peakMg : preMin;
    f.freeFall = freeFall;
    f.sinkMgSamples = sink;
    f.dropMgSamples = upNorm > 0 ? drop : 0;

    // Rest window: the end of the post window.
    const restSamples = o.restSamples;
    const restEnd = peak + o.postSamples + 1;
    const restStart = restEnd - restSamples;
    sx = 0; sy = 0; sz = 0; sm = 0;
    let sq = 0;
    for (let s = restStart; s < restEnd; s++) {
      const j = s & mask, k = j * 3;
      const ax = xyz[k], ay = xyz[k + 1], az = xyz[k + 2];
      sx += ax; sy += ay; sz += az; sm += mag[j];
      sq += ax * ax + ay * ay + az * az;
    }
    const restMean = sm / restSamples;
    dev = 0;
    for (let s = restStart; s < restEnd; s++) {
      const d = mag[s & mask] - restMean;
      dev += d < 0 ? -d : d;
    }
    f.postActivityMg = dev / restSamples;
    f.postMeanMg = restMean;
    // RMS distance of the vector from its mean: E|a|² - |E a|², no square root per sample.
    const spread = sq / restSamples - (sx * sx + sy * sy + sz * sz) / (restSamples * restSamples);
    f.postMotionMg = spread > 0 ? Math.sqrt(spread) : 0;


    // Impact shape: ±impactSpan samples around the peak.
    const span = o.impactSpan;
    const half = (peakMg + 1000) >> 1;
    let jerk = 0, width = 0, impulse = 0;
    const spanFrom = peak - span < first ? first : peak - span;
    let previous = spanFrom === first ? -1 : mag[(spanFrom - 1) & mask];
    for (let s = spanFrom; s <= peak + span; s++) {
      const v = mag[s & mask];
      if (v >= half) width++;
      if (v > 1000) impulse += v - 1000;
      if (s > peak && v >= impactMg) high++;
      if (previous >= 0) {
        const d = v > previous ? v - previous : previous - v;
        if (d > jerk) jerk = d;
      }
      previous = v;
    }
    f.jerkMg = jerk;
    f.impactWidth = width;
    f.impulseMgSamples = impulse;

    // Posture just after the impact (the body has landed; later it may move again).
    let tx = 0, ty = 0, tz = 0;
    for (let s = peak + span; s < peak + span + LANDING_SAMPLES; s++) {
      const k = (s & mask) * 3;
      tx += xyz[k]; ty += xyz[k + 1]; tz += xyz[k + 2];
    }
    f.tiltDeg = angleDeg(ux, uy, uz, tx, ty, tz);

    // Settling: from the end of the impact span to the start of the rest window.
    let settleSum = 0, settleCount = 0;
    for (let s = peak + span + 1; s < restStart; s++) {
      const v = mag[s & mask];
      settleSum += v;
      settleCount++;
      if (v >= impactMg) high++;
    }
    f.highSamples = high;
    const settleMean = settleCount > 0 ? settleSum / settleCount : restMean;
    dev = 0;
    for (let s = peak + span + 1; s < restStart; s++) {
      const d = mag[s & mask] - settleMean;
      dev += d < 0 ? -d : d;
    }
    f.settleActivityMg = settleCount > 0 ? dev / settleCount : 0;

    f.angleDeg = angleDeg(ux, uy, uz, sx, sy, sz);
    const g = this.#pendingG;
    f.postureChangeDeg = angleDeg(g[slot * 3], g[slot * 3 + 1], g[slot * 3 + 2], sx, sy, sz);
    return f;
  }
}
