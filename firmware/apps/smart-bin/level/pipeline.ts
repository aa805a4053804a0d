// A compartment's fill level over time: bursts in, estimates and reports out. Engine-neutral, no HAL.
//
//   const level = new LevelPipeline({ heightMm: 1100, blindMm: 250 });
//   const r = level.burst({ readings, celsius: 21, lidClosedMs: 120_000, tilted: false, wallMs });
//   if ('report' in r && r.report) emit('bin.level', levelEventData(r.report, 0));
//   if (r.report?.why === 'crossing' || r.report?.why === 'emptied') kv.set(key, JSON.stringify(level.state()));
//
// - Measures only with the lid closed for settleS and the bin upright: an open lid points the sensor anywhere.
// - Full and empty flags with hysteresis: set at highPct / lowPct, cleared hysteresisPct beyond. A change of a
//   flag, or into or out of the blind zone, is reported at once ('crossing'); so is a big drop ('emptied'). A leap up as big
//   waits for the next burst to agree: a wall echo or a rim lip can win one burst, not two in a row.
// - Estimates below minQuality are reported but move nothing: no flag, no emptying, no speed.
// - Fixed reflectors (a seam or lip on the wall answers shorter than a deep surface): a distance seen as the
//   nearer of two agreeing groups in REFLECTOR_PERIODS different half-days is learned, and the estimate sets
//   its readings aside from then on (while enough others remain).
// - Average filling speed since the last emptying, and the date it reaches highPct at that speed.
// - Periodic reports every reportS, twice as often from half of highPct, four times when full (nextReportMs).
// - state()/restore(): the little that must survive a reboot (flags, last level, speed baseline), for the app
//   to write on crossings and emptyings only: flash wears.
import type { LevelReading } from '../../../drivers/level-reading.js';
import { estimateLevel, LEVEL_SENSORS, type LevelEstimate, type LevelSensor } from './estimate.js';

export interface LevelSettings {
  heightMm: number;
  blindMm: number;
  sensor: LevelSensor;
  highPct: number;
  lowPct: number;
  hysteresisPct: number;
  /** Periodic report interval while below half of highPct. */
  reportS: number;
  /** The lid must have been closed this long before a burst counts (the waste and the lid settle). */
  settleS: number;
  /** A fall of at least this much between two estimates is an emptying. */
  emptiedDropPct: number;
  minQuality: number;
}

export const LEVEL_DEFAULTS: Readonly<LevelSettings> = Object.freeze({
  heightMm: 1100,
  blindMm: 250,
  sensor: 'ultrasonic',
  highPct: 80,
  lowPct: 10,
  hysteresisPct: 5,
  reportS: 6 * 3600,
  settleS: 60,
  emptiedDropPct: 20,
  minQuality: 40,
});

/** Each setting's allowed range (integers except the sensor). */
const RANGES: Readonly<Record<Exclude<keyof LevelSettings, 'sensor'>, readonly [number, number]>> = Object.freeze({
  heightMm: [100, 5000],
  blindMm: [0, 1000],
  highPct: [1, 100],
  lowPct: [0, 99],
  hysteresisPct: [0, 50],
  reportS: [60, 7 * 86_400],
  settleS: [0, 3600],
  emptiedDropPct: [5, 100],
  minQuality: [0, 100],
});

export interface LevelBurst {
  readings: readonly LevelReading[];
  celsius?: number;
  /** How long the lid has been closed; 0 while it is open. */
  lidClosedMs: number;
  tilted: boolean;
  /** Wall-clock time of the burst (ms since 1970). */
  wallMs: number;
}

export type LevelSkip = 'lidOpen' | 'settling' | 'tilted';
export type LevelWhy = 'periodic' | 'crossing' | 'emptied' | 'request';

export interface LevelReport {
  why: LevelWhy;
  estimate: LevelEstimate;
  full: boolean;
  empty: boolean;
  heightMm: number;
  highPct: number;
  lowPct: number;
  speedPctDay?: number;
  forecastFullTs?: number;
  tempC?: number;
  emptied?: { fromPct: number; toPct: number };
}

export type LevelBurstResult = { skipped: LevelSkip } | { estimate: LevelEstimate; report?: LevelReport };

/** What survives a reboot: ≈ 150 bytes of JSON. */
export interface LevelState {
  v: 1;
  full: boolean;
  empty: boolean;
  /** The last accepted level and its time. */
  pct?: number;
  ts?: number;
  /** The speed baseline: the first level after the last emptying. */
  basePct?: number;
  baseTs?: number;
  /** Emptyings seen (LwM2M's filling operations counter). */
  emptyings: number;
  /** Reflector candidates: distance, half-days seen, the last half-day (wall time / 12 h) seen. */
  reflectors: [mm: number, periods: number, last: number][];
}

const DAY_MS = 86_400_000;
/** The filling speed needs this much history since the baseline. */
const MIN_SPEED_SPAN_MS = DAY_MS / 2;
/** Below this speed (%/day) no forecast: the bin is not filling. */
const MIN_FORECAST_SPEED = 0.1;
/** A periodic report counts as due this early (bursts do not land exactly on time). */
const REPORT_SLACK = 0.05;
const HALF_DAY_MS = DAY_MS / 2;
/** Half-days a reflector must be seen in before its readings are set aside; candidates kept. */
const REFLECTOR_PERIODS = 3;
const MAX_REFLECTORS = 4;
/** Candidates closer than this are the same reflector. */
const REFLECTOR_MATCH_MM = 25;

export class LevelPipeline {
  #settings: LevelSettings;
  #state: LevelState = { v: 1, full: false, empty: false, emptyings: 0, reflectors: [] };
  #last: LevelEstimate | undefined;
  #lastTempC: number | undefined;
  #lastReportMs: number | undefined;
  /** A leap up waiting for the next burst to agree (a wall echo or a rim lip can win one burst). */
  #leapPct: number | undefined;

  constructor(settings: Partial<LevelSettings> = {}) {
    const merged = { ...LEVEL_DEFAULTS, ...settings };
    const refused = checkSettings(merged);
    if (refused !== undefined) throw new RangeError(`level settings: ${refused}`);
    this.#settings = merged;
  }

  get settings(): Readonly<LevelSettings> {
    return this.#settings;
  }

  get full(): boolean {
    return this.#state.full;
  }

  get empty(): boolean {
    return this.#state.empty;
  }

  /** The last accepted fill level, if any. */
  get fillPct(): number | undefined {
    return this.#state.pct;
  }

  /** Changes settings; returns why they are refused (and keeps the old ones), or undefined. */
  configure(changes: Partial<LevelSettings>): string | undefined {
    const merged = { ...this.#settings, ...changes };
    const refused = checkSettings(merged);
    if (refused === undefined) this.#settings = merged;
    return refused;
  }

  burst(burst: LevelBurst): LevelBurstResult {
    const s = this.#settings;
    if (burst.tilted) return { skipped: 'tilted' };
    if (!(burst.lidClosedMs > 0)) return { skipped: 'lidOpen' };
    if (burst.lidClosedMs < s.settleS * 1000) return { skipped: 'settling' };
    let estimate = estimateLevel(burst.readings, s, burst.celsius, this.reflectorsMm());
    const now = burst.wallMs;
    if (estimate.nearEchoMm !== undefined) this.#sawReflector(estimate.nearEchoMm, now);
    // Only a known reflector answered, far from the last level: the surface was silent, not up there.
    if (estimate.atReflector && !(this.#state.pct !== undefined && Math.abs(this.#state.pct - estimate.fillPct!) <= s.emptiedDropPct / 2)) {
      estimate = { status: 'fault', fault: 'reflector', quality: estimate.quality };
    }
    const before = this.#last;
    this.#last = estimate;
    this.#lastTempC = burst.celsius;
    let why: LevelWhy | undefined;
    let emptied: LevelReport['emptied'];
    // Into or out of the blind zone is a crossing; faults come with the next report (the app counts them).
    if (before !== undefined && before.status !== estimate.status && (before.status === 'blind' || estimate.status === 'blind')) why = 'crossing';
    if (estimate.fillPct !== undefined && estimate.quality >= s.minQuality) {
      const pct = estimate.fillPct;
      const previous = this.#state.pct;
      const leap = previous !== undefined && pct - previous >= s.emptiedDropPct;
      if (leap && !(this.#leapPct !== undefined && Math.abs(pct - this.#leapPct) <= s.hysteresisPct)) {
        this.#leapPct = pct;
      } else {
        this.#leapPct = undefined;
        if (previous !== undefined && previous - pct >= s.emptiedDropPct) {
          emptied = { fromPct: previous, toPct: pct };
          why = 'emptied';
          this.#state.emptyings++;
        }
        if (emptied !== undefined || this.#state.baseTs === undefined || pct < this.#state.basePct!) {
          this.#state.basePct = pct;
          this.#state.baseTs = now;
        }
        if (this.#moveFlags(pct, estimate.status === 'blind') && why === undefined) why = 'crossing';
        this.#state.pct = pct;
        this.#state.ts = now;
      }
    }
    if (why === undefined && (this.#lastReportMs === undefined || now - this.#lastReportMs >= this.nextReportMs() * (1 - REPORT_SLACK))) {
      why = 'periodic';
    }
    if (why === undefined) return { estimate };
    this.#lastReportMs = now;
    return { estimate, report: this.#report(why, now, emptied) };
  }

  /** A report of the last estimate on demand (undefined before the first one). */
  request(wallMs: number): LevelReport | undefined {
    return this.#last === undefined ? undefined : this.#report('request', wallMs, undefined);
  }

  /** Milliseconds between periodic reports at the current level: shorter as the bin fills. */
  nextReportMs(): number {
    const { reportS, highPct } = this.#settings;
    const pct = this.#state.pct;
    const factor = this.#state.full ? 0.25 : pct !== undefined && pct >= highPct / 2 ? 0.5 : 1;
    return Math.max(60, Math.round(reportS * factor)) * 1000;
  }

  /** Average filling speed since the baseline (%/day), once there is half a day of it. */
  speedPctDay(wallMs: number): number | undefined {
    const { basePct, baseTs, pct, ts } = this.#state;
    if (basePct === undefined || baseTs === undefined || pct === undefined || ts === undefined) return undefined;
    const span = Math.min(ts, wallMs) - baseTs;
    return span >= MIN_SPEED_SPAN_MS ? Math.round(((pct - basePct) * DAY_MS * 100) / span) / 100 : undefined;
  }

  /** The reflectors learned so far (their readings are set aside). */
  reflectorsMm(): number[] {
    const known: number[] = [];
    for (const [mm, periods] of this.#state.reflectors) if (periods >= REFLECTOR_PERIODS) known.push(mm);
    return known;
  }

  state(): LevelState {
    return { ...this.#state, reflectors: this.#state.reflectors.map((r) => [r[0], r[1], r[2]]) };
  }

  /** Takes a state from storage; returns why it is refused (the pipeline then starts afresh), or undefined. */
  restore(saved: unknown): string | undefined {
    const refused = checkState(saved);
    if (refused !== undefined) return refused;
    const s = saved as LevelState;
    this.#state = { v: 1, full: s.full, empty: s.empty, emptyings: s.emptyings, reflectors: s.reflectors.map((r) => [r[0], r[1], r[2]]) };
    if (s.pct !== undefined) Object.assign(this.#state, { pct: s.pct, ts: s.ts });
    if (s.basePct !== undefined) Object.assign(this.#state, { basePct: s.basePct, baseTs: s.baseTs });
    return undefined;
  }

  #sawReflector(mm: number, wallMs: number): void {
    const period = Math.floor(wallMs / HALF_DAY_MS);
    const list = this.#state.reflectors;
    const seen = list.find((r) => Math.abs(r[0] - mm) <= REFLECTOR_MATCH_MM);
    if (seen !== undefined) {
      if (seen[2] !== period) {
        seen[1]++;
        seen[2] = period;
      }
      return;
    }
    if (list.length >= MAX_REFLECTORS) {
      let weakest = 0;
      for (let i = 1; i < list.length; i++) if (list[i]![1] < list[weakest]![1]) weakest = i;
      list.splice(weakest, 1);
    }
    list.push([mm, 1, period]);
  }

  /** Moves the flags with hysteresis; true when one changed. */
  #moveFlags(pct: number, blind: boolean): boolean {
    const { highPct, lowPct, hysteresisPct } = this.#settings;
    const { full, empty } = this.#state;
    if (blind || pct >= highPct) this.#state.full = true;
    else if (pct < highPct - hysteresisPct) this.#state.full = false;
    if (pct <= lowPct) this.#state.empty = true;
    else if (pct > lowPct + hysteresisPct) this.#state.empty = false;
    return full !== this.#state.full || empty !== this.#state.empty;
  }

  #report(why: LevelWhy, wallMs: number, emptied: LevelReport['emptied']): LevelReport {
    const s = this.#settings;
    const report: LevelReport = {
      why, estimate: this.#last!, full: this.#state.full, empty: this.#state.empty,
      heightMm: s.heightMm, highPct: s.highPct, lowPct: s.lowPct,
    };
    const speed = this.speedPctDay(wallMs);
    if (speed !== undefined) {
      report.speedPctDay = speed;
      const pct = this.#state.pct!;
      if (speed >= MIN_FORECAST_SPEED && pct < s.highPct) {
        report.forecastFullTs = Math.round(this.#state.ts! + ((s.highPct - pct) / speed) * DAY_MS);
      }
    }
    if (this.#lastTempC !== undefined) report.tempC = this.#lastTempC;
    if (emptied !== undefined) report.emptied = emptied;
    return report;
  }
}

/** The `bin.level` event's data for compartment `c` (fields after LwM2M object 3435 "Filling level"). */
export function levelEventData(report: LevelReport, c: number): Record<string, unknown> {
  const e = report.estimate;
  const data: Record<string, unknown> = { c };
  if (e.fillPct !== undefined) Object.assign(data, { fillPct: e.fillPct, fillMm: e.fillMm, distanceMm: e.distanceMm });
  data.heightMm = report.heightMm;
  data.status = e.status;
  if (e.fault !== undefined) data.fault = e.fault;
  Object.assign(data, { quality: e.quality, full: report.full, empty: report.empty, highPct: report.highPct, lowPct: report.lowPct });
  if (report.speedPctDay !== undefined) data.speedPctDay = report.speedPctDay;
  if (report.forecastFullTs !== undefined) data.forecastFullTs = report.forecastFullTs;
  if (report.tempC !== undefined) data.tempC = Math.round(report.tempC * 10) / 10;
  if (report.emptied !== undefined) data.emptied = report.emptied;
  data.why = report.why;
  return data;
}

/** Why `s` cannot be the pipeline's settings (a range, a blind zone past the floor, thresholds too close), or undefined. */
export function checkSettings(s: LevelSettings): string | undefined {
  if (!LEVEL_SENSORS.includes(s.sensor)) return `sensor must be one of ${LEVEL_SENSORS.join(', ')}`;
  for (const key in RANGES) {
    const [min, max] = RANGES[key as keyof typeof RANGES];
    const value = s[key as keyof typeof RANGES];
    if (!Number.isInteger(value) || value < min || value > max) return `${key} must be an integer in ${min}..${max}`;
  }
  if (s.blindMm >= s.heightMm) return 'blindMm must be less than heightMm';
  if (s.lowPct + s.hysteresisPct >= s.highPct - s.hysteresisPct) return 'lowPct and highPct must be more than twice hysteresisPct apart';
  return undefined;
}

const isCount = (x: unknown) => Number.isInteger(x) && (x as number) >= 0;
const isPct = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 100;

function checkState(s: unknown): string | undefined {
  if (s === null || typeof s !== 'object') return 'not an object';
  const o = s as Record<string, unknown>;
  if (o.v !== 1) return 'unknown version';
  if (typeof o.full !== 'boolean' || typeof o.empty !== 'boolean') return 'flags must be booleans';
  if (!isCount(o.emptyings)) return 'emptyings must be a count';
  if ((o.pct === undefined) !== (o.ts === undefined) || (o.pct !== undefined && (!isPct(o.pct) || !isCount(o.ts)))) return 'bad last level';
  if ((o.basePct === undefined) !== (o.baseTs === undefined) || (o.basePct !== undefined && (!isPct(o.basePct) || !isCount(o.baseTs)))) return 'bad baseline';
  const r = o.reflectors;
  if (!Array.isArray(r) || r.length > MAX_REFLECTORS || !r.every((x) => Array.isArray(x) && x.length === 3 && x.every(isCount))) return 'bad reflectors';
  return undefined;
}
