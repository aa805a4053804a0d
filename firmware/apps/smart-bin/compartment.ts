// One compartment: its lid, its scale, and its fill level. Level bursts run every measureS, a while after each
// deposit, and on request; each is BURST_READINGS readings of its level sensor, handed to the level pipeline
// (level/pipeline.ts), which decides whether the lid has been shut long enough, estimates, and says when to
// report. The pipeline's small state is written on crossings and emptyings only (flash wears).
import type { KeyValueStore, MonotonicClock, TimerId, Timers, WallClock } from '../../../hal/contract/index.js';
import type { LevelReading, LevelSensor } from '../../drivers/level-reading.js';
import { Lid, type LidOptions, type LidServo } from './lid.js';
import type { LevelEstimate, LevelSensor as SensorKind } from './level/estimate.js';
import { LevelPipeline, type LevelReport, type LevelSettings } from './level/pipeline.js';
import type { Scale } from './scale.js';

/** Readings per burst, and how long a burst may take before the missing readings count as silent. */
export const BURST_READINGS = 9;
export const BURST_GAP_MS = 120;
export const BURST_TIMEOUT_MS = 5000;

export interface CompartmentOptions {
  index: number;
  category: string;
  sensor: LevelSensor | undefined;
  sensorKind: SensorKind;
  servo: LidServo | undefined;
  hasSwitch: boolean;
  scale: Scale | undefined;
  kv: KeyValueStore;
  domain: string;
  timers: Timers;
  clock: MonotonicClock;
  wallClock: WallClock;
  level: Omit<LevelSettings, 'sensor'>;
  /** Time between bursts while nothing happens (measureS). */
  measureMs(): number;
  /** The station's last temperature and whether it stands upright, for each burst. */
  celsius(): number | undefined;
  tilted(): boolean;
  onReport(report: LevelReport): void;
  /** Every estimate of a burst that counted (lid shut and settled, upright). */
  onEstimate(estimate: LevelEstimate): void;
  lid: Pick<LidOptions, 'onClosed' | 'onOpened' | 'onJammed' | 'onPinch'>;
  log(level: 'info' | 'warn', message: string): void;
}

export class Compartment {
  readonly index: number;
  readonly category: string;
  readonly lid: Lid;
  readonly scale: Scale | undefined;
  readonly pipeline: LevelPipeline;
  #o: CompartmentOptions;
  #stateKey: string;
  #burst: { readings: LevelReading[]; timer: TimerId | undefined; deadline: TimerId } | undefined;
  #shutSince: number | undefined;
  #next: TimerId | undefined;
  #faultyBursts = 0;
  #bursts = 0;

  constructor(options: CompartmentOptions) {
    this.#o = options;
    this.index = options.index;
    this.category = options.category;
    this.scale = options.scale;
    this.#stateKey = `lvl${options.index}`;
    this.pipeline = new LevelPipeline({ ...options.level, sensor: options.sensorKind });
    const saved = options.kv.get(options.domain, this.#stateKey);
    if (typeof saved === 'string') {
      let parsed: unknown;
      try {
        parsed = JSON.parse(saved);
      } catch {
        parsed = undefined;
      }
      const refused = this.pipeline.restore(parsed);
      if (refused) options.log('warn', `compartment ${options.index}: stored level state refused (${refused}); starting afresh`);
    }
    this.lid = new Lid({
      servo: options.servo,
      hasSwitch: options.hasSwitch,
      timers: options.timers,
      onClosed: () => {
        this.#shutSince = options.clock.now();
        this.schedule(this.#settleMs() + 500); // what went in, measured once it has settled
        options.lid.onClosed();
      },
      onOpened: () => {
        this.#shutSince = undefined;
        options.lid.onOpened();
      },
      onJammed: (tries) => options.lid.onJammed(tries),
      onPinch: () => options.lid.onPinch(),
    });
    // Without a switch or servo, the lid counts as shut since boot.
    if (!options.hasSwitch && !options.servo) this.#shutSince = options.clock.now();
  }

  get faultyBursts(): number {
    return this.#faultyBursts;
  }

  get bursts(): number {
    return this.#bursts;
  }

  start(): void {
    this.lid.start();
    this.schedule(Math.min(this.#o.measureMs(), this.#settleMs() + 1000));
  }

  stop(): void {
    this.lid.stop();
    this.#endBurst();
    this.#o.timers.clear(this.#next);
    this.#next = undefined;
  }

  /** The next burst in `ms` (replacing the planned one). */
  schedule(ms: number): void {
    this.#o.timers.clear(this.#next);
    this.#next = this.#o.timers.set(() => {
      this.#next = undefined;
      this.measure();
    }, Math.max(1, ms));
  }

  configure(level: Partial<LevelSettings>): string | undefined {
    return this.pipeline.configure(level);
  }

  lidSwitch(shut: boolean): void {
    this.lid.switchChanged(shut);
  }

  /** The lid shut a while ago (ms), or 0 while it is open or moving. */
  lidClosedMs(): number {
    return this.#shutSince === undefined || !this.lid.shut ? 0 : this.#o.clock.now() - this.#shutSince;
  }

  /** A burst now; returns false when one is running or there is no sensor. */
  measure(): boolean {
    const sensor = this.#o.sensor;
    if (!sensor || this.#burst) return false;
    const deadline = this.#o.timers.set(() => this.#finishBurst(), BURST_TIMEOUT_MS);
    this.#burst = { readings: [], timer: undefined, deadline };
    sensor.measure();
    return true;
  }

  /** The level sensor's callback: one reading per measure(). */
  reading(reading: LevelReading): void {
    const burst = this.#burst;
    if (!burst) return;
    burst.readings.push(reading);
    if (burst.readings.length >= BURST_READINGS) return this.#finishBurst();
    burst.timer = this.#o.timers.set(() => {
      burst.timer = undefined;
      this.#o.sensor?.measure();
    }, BURST_GAP_MS);
  }

  /** A report of the last estimate now (command), if there is one. */
  request(): LevelReport | undefined {
    return this.pipeline.request(this.#o.wallClock.now());
  }

  #settleMs(): number {
    return this.pipeline.settings.settleS * 1000;
  }

  #finishBurst(): void {
    const burst = this.#burst;
    if (!burst) return;
    this.#endBurst();
    this.#bursts++;
    const readings = burst.readings.length > 0 ? burst.readings : [{ fault: 'silent' } as const];
    const celsius = this.#o.celsius();
    const result = this.pipeline.burst({
      readings,
      ...(celsius === undefined ? {} : { celsius }),
      lidClosedMs: this.lidClosedMs(),
      tilted: this.#o.tilted(),
      wallMs: this.#o.wallClock.now(),
    });
    this.schedule(this.#nextBurstMs(result));
    if ('skipped' in result) return;
    const faulty = result.estimate.status === 'fault';
    if (faulty) this.#faultyBursts++;
    else this.#faultyBursts = 0;
    this.#o.onEstimate(result.estimate);
    const report = result.report;
    if (!report) return;
    if (report.why === 'crossing' || report.why === 'emptied') {
      this.#o.kv.set(this.#o.domain, this.#stateKey, JSON.stringify(this.pipeline.state()));
    }
    this.#o.onReport(report);
  }

  #nextBurstMs(result: ReturnType<LevelPipeline['burst']>): number {
    const measureMs = this.#o.measureMs();
    // Just shut: look again once it has settled. An open lid schedules a burst when it shuts; tilted: usual pace.
    if ('skipped' in result && result.skipped === 'settling') return this.#settleMs() - this.lidClosedMs() + 500;
    return Math.min(measureMs, this.pipeline.nextReportMs());
  }

  #endBurst(): void {
    const burst = this.#burst;
    if (!burst) return;
    this.#o.timers.clear(burst.timer);
    this.#o.timers.clear(burst.deadline);
    this.#burst = undefined;
  }
}
