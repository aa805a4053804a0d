import { FallDetector, fallDetectorDefaults, type FallAlert } from '../../firmware/sensing/fall-detector.js';
import { ImpactFinder, type ImpactFeatures } from '../../firmware/sensing/impact-features.js';
import { fall, random, randomRotation, rotate, sittingDown, walking, type Trace } from '../../scripts/falls/synthetic.js';

function run(trace: Trace, detector = new FallDetector()): FallAlert[] {
  const alerts: FallAlert[] = [];
  for (let i = 0; i < trace.length; i += 3) {
    const alert = detector.push(trace[i], trace[i + 1], trace[i + 2]);
    if (alert) alerts.push(alert);
  }
  return alerts;
}

function features(trace: Trace): ImpactFeatures[] {
  const finder = new ImpactFinder();
  const out: ImpactFeatures[] = [];
  for (let i = 0; i < trace.length; i += 3) {
    const f = finder.push(trace[i], trace[i + 1], trace[i + 2]);
    if (f) out.push({ ...f });
  }
  return out;
}

describe('FallDetector on synthetic signals', () => {
  test('a fall (walk, free fall, impact, lying still) raises exactly one alert, after the wait', () => {
    const trace = fall();
    const alerts = run(trace);
    expect(alerts).toHaveLength(1);
    const impact = 100 + 200 + 20 + 1; // still, walking, falling, then the impact's peak
    expect(Math.abs(alerts[0].impactSample - impact)).toBeLessThanOrEqual(2);
    expect(alerts[0].delaySamples).toBe(fallDetectorDefaults.postSamples);
    expect(alerts[0].angleDeg).toBeGreaterThan(70);
    expect(alerts[0].peakMg).toBeGreaterThan(3000);
  });

  test('walking with hard heel strikes gives candidates but no alert', () => {
    const detector = new FallDetector();
    expect(run(walking(), detector)).toEqual([]);
    expect(detector.candidates).toBeGreaterThan(10);
  });

  test('sitting down with a thump raises no alert', () => {
    expect(run(sittingDown())).toEqual([]);
  });

  test('two falls within the refractory period give one alert; after it, a second alert', () => {
    const twice = [...fall(4, 4), ...fall(5, 4)];
    expect(run(twice)).toHaveLength(1);
    const short = new FallDetector({ refractorySamples: 100 });
    expect(run(twice, short)).toHaveLength(2);
  });

  test('the verdict and the features do not depend on how the sensor is mounted', () => {
    const rnd = random(42);
    const base = { fall: features(fall(7)), walk: features(walking(8, 20)), sit: features(sittingDown(9)) };
    for (let k = 0; k < 12; k++) {
      const r = randomRotation(rnd);
      expect(run(rotate(fall(7), r))).toHaveLength(1);
      expect(run(rotate(walking(8, 20), r))).toHaveLength(0);
      expect(run(rotate(sittingDown(9), r))).toHaveLength(0);
      const turned = features(rotate(fall(7), r));
      expect(turned).toHaveLength(base.fall.length);
      turned.forEach((f, i) => {
        const b = base.fall[i];
        // Rounding the rotated samples to whole milli-g moves magnitudes by a few milli-g at most.
        expect(Math.abs(f.peakMg - b.peakMg)).toBeLessThanOrEqual(3);
        expect(Math.abs(f.angleDeg - b.angleDeg)).toBeLessThan(1);
        expect(Math.abs(f.postActivityMg - b.postActivityMg)).toBeLessThan(2);
      });
      expect(features(rotate(sittingDown(9), r)).length).toBe(base.sit.length);
    }
  });

  test('bad options are refused with a reason', () => {
    expect(() => new FallDetector({ impactMg: -1 })).toThrow(/impactMg/);
    expect(() => new FallDetector({ restSamples: 500 })).toThrow(/restSamples/);
    expect(() => new FallDetector({ postSamples: 20, restSamples: 10 })).toThrow(/postSamples/);
    expect(() => new FallDetector({ postureShift: 2 })).toThrow(/postureShift/);
    expect(() => new FallDetector({ refractorySamples: Number.NaN })).toThrow(/refractorySamples/);
    expect(() => new FallDetector({ model: { stumps: [{ feature: 'nope' as never, threshold: 1, below: 0, above: 1 }], threshold: 0 } }))
      .toThrow(/unknown feature/);
  });

  test('the placement option selects the model threshold for where the device is worn', () => {
    const model = { stumps: [{ feature: 'angleDeg' as const, threshold: 45, below: 0, above: 1 }], threshold: 0.5, thresholds: { neck: 0.25, waist: 2 } };
    expect(new FallDetector({ model }).threshold).toBe(0.25); // the SOS button is worn at the neck: neck by default
    expect(new FallDetector({ model, placement: 'waist' }).threshold).toBe(2);
    expect(run(fall(), new FallDetector({ model }))).toHaveLength(1);
    expect(run(fall(), new FallDetector({ model, placement: 'waist' }))).toHaveLength(0); // a score of 1 < 2
    expect(new FallDetector({ model: { ...model, thresholds: undefined }, placement: 'waist' }).threshold).toBe(0.5);
    expect(() => new FallDetector({ placement: 'wrist' as never })).toThrow(/placement/);
  });

  test('a gate vetoes a candidate whatever its score', () => {
    const stumps = [{ feature: 'angleDeg' as const, threshold: 45, below: 0, above: 5 }];
    expect(run(fall(), new FallDetector({ model: { stumps, threshold: 1 } }))).toHaveLength(1);
    const gated = new FallDetector({ model: { stumps, threshold: 1, gates: [{ feature: 'postActivityMg', min: 0, max: 1 }] } });
    expect(run(fall(), gated)).toHaveLength(0);
    expect(gated.lastScore).toBe(Number.NEGATIVE_INFINITY);
    expect(() => new FallDetector({ model: { stumps, threshold: 1, gates: [{ feature: 'angleDeg', min: 5, max: 1 }] } })).toThrow(/gate/);
    expect(() => new FallDetector({ model: { stumps, threshold: 1, thresholds: { wrist: 1 } as never } })).toThrow(/placement/);
  });

  test('placement stumps add to the shared score only where the device is worn', () => {
    const stumps = [{ feature: 'angleDeg' as const, threshold: 45, below: 0, above: 5 }];
    const veto = [{ feature: 'angleDeg' as const, threshold: 0, below: 0, above: -10 }];
    const model = { stumps, threshold: 1, placementStumps: { neck: veto } };
    expect(run(fall(), new FallDetector({ model, placement: 'neck' }))).toHaveLength(0);
    expect(run(fall(), new FallDetector({ model, placement: 'waist' }))).toHaveLength(1);
    expect(() => new FallDetector({ model: { ...model, placementStumps: { wrist: veto } as never } })).toThrow(/placement/);
    expect(() => new FallDetector({ model: { ...model, placementStumps: { neck: [{ ...veto[0]!, feature: 'nope' as never }] } } })).toThrow();
  });

  test('non-finite or out-of-range samples do not break it', () => {
    const detector = new FallDetector();
    for (let i = 0; i < 500; i++) detector.push(i % 7 === 0 ? Number.NaN : 1e9, -1e9, Number.POSITIVE_INFINITY);
    expect(run(fall(), detector)).toHaveLength(1);
  });
});

describe('a detector started by a wake on impact (primeRing)', () => {
  /** 10 samples upright (1 g on y), a 3 g impact, then lying on the side (1 g on x) for 3 s. */
  const wakeTrace = (): Trace => {
    const t: Trace = [];
    for (let i = 0; i < 10; i++) t.push(0, 1000, 0);
    t.push(2200, 2200, 0);
    for (let i = 0; i < 150; i++) t.push(1000, 0, 0);
    return t;
  };
  const finderFeatures = (trace: Trace, primeRing: boolean): ImpactFeatures[] => {
    const finder = new ImpactFinder({ primeRing });
    const out: ImpactFeatures[] = [];
    for (let i = 0; i < trace.length; i += 3) {
      const f = finder.push(trace[i]!, trace[i + 1]!, trace[i + 2]!);
      if (f) out.push({ ...f });
    }
    return out;
  };

  test('the windows before the peak compare with the first sample instead of with nothing', () => {
    const [plain] = finderFeatures(wakeTrace(), false);
    const [primed] = finderFeatures(wakeTrace(), true);
    expect(plain!.angleDeg).toBe(0); // no upright window at all: no posture change seen
    expect(primed!.angleDeg).toBeCloseTo(90, 0);
    expect(primed!.tiltDeg).toBeCloseTo(90, 0);
    expect(primed!.preActivityMg).toBe(0); // the copies of one sample do not move
  });

  test('on a stream longer than the ring, priming changes nothing', () => {
    const stream = fall(3);
    expect(finderFeatures(stream, true)).toEqual(finderFeatures(stream, false));
  });

  test('pending says an impact waits for its aftermath, so a device about to sleep knows to stay up', () => {
    const detector = new FallDetector({ primeRing: true });
    const trace = wakeTrace();
    const pendingAt: boolean[] = [];
    for (let i = 0; i < trace.length; i += 3) {
      detector.push(trace[i]!, trace[i + 1]!, trace[i + 2]!);
      pendingAt.push(detector.pending);
    }
    expect(pendingAt.slice(0, 10).some(Boolean)).toBe(false);
    expect(pendingAt[10]).toBe(true); // the impact
    const judged = 10 + fallDetectorDefaults.postSamples; // its features are measured postSamples after the peak
    expect(pendingAt[judged - 1]).toBe(true);
    expect(pendingAt[judged]).toBe(false);
    expect(detector.candidates).toBe(1);
  });

  test('primeRing must be true or false', () => {
    expect(() => new FallDetector({ primeRing: 1 as never })).toThrow(/primeRing/);
  });
});
