// The sorting station on the dashboard: its fleet row's fill summary, its page (each compartment as the world has
// it beside what the station reports, lids, alarms, indication), the fill history behind the page's plot, and the
// page's two actions that have no kind command: a deposit by QR code and a dead level sensor (world methods).
import type { SimDevice } from '../device.js';
import { demoCredentials } from '../kinds/door-reader.js';
import { smartBinKind, type BinWorld } from '../kinds/smart-bin.js';
import type { BinDetail, FillHistory, StreamEvent } from './wire.js';

/** Points kept per station; beyond, the oldest quarter goes. */
const MAX_POINTS = 1000;
const MAX_DEPOSITS = 200;
const DEMO_QR = Object.freeze(demoCredentials(0).list.filter((entry) => entry.kind === 'qr').map((entry) => String(entry.secret)));

export function isBin(device: SimDevice): device is SimDevice<BinWorld> {
  return device.kind.model === smartBinKind.model;
}

/** "#0 42% · #1 87% FULL": what the station reports per compartment ("?" before its first level). */
export function fillSummary(world: BinWorld): string {
  const app = world.boot?.app;
  return world.compartments.map((_, i) => {
    const pipeline = app?.compartments[i]?.pipeline;
    const pct = pipeline?.fillPct;
    return `#${i} ${pct === undefined ? '?' : `${Math.round(pct)}%`}${pipeline?.full ? ' FULL' : ''}`;
  }).join(' · ');
}

interface Recording extends FillHistory {
  /** The last recorded values, to record changes only. */
  last: string;
}

/** Fill over time per station, recorded on the dashboard's ticks when a value changes (idle stations cost nothing). */
export class FillHistories {
  #byDevice = new Map<number, Recording>();

  sample(device: SimDevice<BinWorld>): void {
    const values = fillNow(device.world);
    const key = JSON.stringify(values);
    let recording = this.#byDevice.get(device.index);
    if (!recording) {
      const n = values.truePct.length;
      recording = { t: [], truePct: Array.from({ length: n }, () => []), reportedPct: Array.from({ length: n }, () => []), deposits: [], last: '' };
      this.#byDevice.set(device.index, recording);
    }
    if (key === recording.last) return;
    recording.last = key;
    push(recording, device.elapsed / 1000, values);
  }

  /** A bin.deposit on the stream: marked when the station made it (its `at`, on this boot's wall clock). */
  deposit(device: SimDevice<BinWorld>, event: StreamEvent): void {
    const recording = this.#byDevice.get(device.index);
    const { c, grams, credits, at } = event.data;
    if (!recording || typeof c !== 'number' || typeof grams !== 'number') return;
    const nowS = device.elapsed / 1000;
    const wall = device.hal?.wallClock.now();
    const agoS = typeof at === 'number' && wall !== undefined ? Math.max(0, (wall - at) / 1000) : 0;
    const t = Math.max(recording.t[0] ?? 0, nowS - agoS);
    recording.deposits.push({ t, c, grams, ...(typeof credits === 'number' ? { credits } : {}) });
    if (recording.deposits.length > MAX_DEPOSITS) recording.deposits.splice(0, recording.deposits.length - MAX_DEPOSITS);
  }

  /** The history up to now (a copy, with the present as its last point). */
  history(device: SimDevice<BinWorld>): FillHistory {
    const recording = this.#byDevice.get(device.index);
    const out: FillHistory = recording
      ? { t: [...recording.t], truePct: recording.truePct.map((s) => [...s]), reportedPct: recording.reportedPct.map((s) => [...s]), deposits: [...recording.deposits] }
      : { t: [], truePct: device.world.compartments.map(() => []), reportedPct: device.world.compartments.map(() => []), deposits: [] };
    push(out, device.elapsed / 1000, fillNow(device.world));
    return out;
  }
}

function fillNow(world: BinWorld): { truePct: number[]; reportedPct: (number | null)[] } {
  const app = world.boot?.app;
  return {
    truePct: world.compartments.map((compartment) => round1(compartment.physics.truePct)),
    reportedPct: world.compartments.map((_, i) => {
      const pct = app?.compartments[i]?.pipeline.fillPct;
      return pct === undefined ? null : round1(pct);
    }),
  };
}

function push(history: FillHistory, t: number, values: ReturnType<typeof fillNow>): void {
  history.t.push(Math.round(t * 10) / 10);
  values.truePct.forEach((pct, c) => history.truePct[c]?.push(pct));
  values.reportedPct.forEach((pct, c) => history.reportedPct[c]?.push(pct));
  if (history.t.length <= MAX_POINTS) return;
  const drop = MAX_POINTS / 4;
  history.t.splice(0, drop);
  for (const series of [...history.truePct, ...history.reportedPct]) series.splice(0, drop);
}

const round1 = (value: number): number => Math.round(value * 10) / 10;

export function binDetail(device: SimDevice<BinWorld>, history: FillHistory): BinDetail {
  const world = device.world;
  const app = world.boot?.app;
  const settings = app?.compartments.find((compartment) => compartment)?.pipeline.settings;
  const overflowPct = device.runtime?.config.values.overflowPct;
  const counts = app?.deposits?.counts;
  const detail: BinDetail = {
    compartments: world.compartments.map((compartment, c) => {
      const station = app?.compartments[c];
      const reported = station?.pipeline.fillPct;
      return {
        c,
        category: station?.category ?? '?',
        truePct: round1(compartment.physics.truePct),
        grams: Math.round(compartment.grams),
        ...(reported === undefined ? {} : { reportedPct: round1(reported) }),
        full: station?.pipeline.full ?? false,
        empty: station?.pipeline.empty ?? false,
        sensor: station?.pipeline.settings.sensor ?? '?',
        lid: station?.lid.state ?? '?',
        lidDeg: Math.round(world.lidAngle(c)),
        obstacle: compartment.obstacle,
        sensorDead: compartment.sensorDead,
      };
    }),
    highPct: settings?.highPct ?? 80,
    lowPct: settings?.lowPct ?? 10,
    celsius: world.celsius,
    tiltDeg: world.tiltDeg,
    batteryMv: world.batteryMv,
    alarms: (app?.alarms?.open() ?? []).map((alarm) => ({
      key: alarm.key, cause: alarm.cause, state: alarm.state,
      ...(alarm.c === undefined ? {} : { c: alarm.c }), ...(alarm.cleared ? { cleared: true } : {}),
    })),
    showing: app?.showing ?? 'off',
    prompts: world.prompts.slice(-6),
    cards: world.cards.map((card) => card.name),
    qr: [...DEMO_QR],
    credited: counts?.credited ?? 0,
    refused: counts?.refused ?? 0,
    history,
  };
  if (typeof overflowPct === 'number') detail.overflowPct = overflowPct;
  const celsius = app?.watch?.celsius;
  if (celsius !== undefined) detail.stationC = round1(celsius);
  const tilt = app?.watch?.tiltDegrees;
  if (tilt !== undefined) detail.stationTiltDeg = Math.round(tilt);
  return detail;
}

/**
 * The page's actions that are world methods without a kind command: `qrdeposit TEXT C GRAMS` (scan, turn to the
 * compartment, the waste in when its lid opens) and `sensor C dead|alive`. Undefined: not one of these.
 */
export function binAction(world: BinWorld, action: string, args: readonly string[]): string | undefined {
  if (action === 'sensor') {
    const [c, state = 'dead'] = args;
    if (state !== 'dead' && state !== 'alive') throw new RangeError('sensor: dead or alive');
    world.setSensorDead(Number(c), state === 'dead');
    return `compartment ${c}'s level sensor ${state}`;
  }
  if (action !== 'qrdeposit') return undefined;
  const [text = '', cText, gramsText] = args;
  const c = Number(cText);
  const grams = Number(gramsText);
  const boot = world.boot;
  if (!boot) throw new Error('the smart bin is not running');
  if (!boot.app.compartments[c] || text === '' || !(grams > 0)) throw new RangeError('qrdeposit: TEXT C GRAMS (a fitted compartment, grams > 0)');
  world.deposit({ qr: text }, c, grams);
  return `QR ${text} deposits ${grams} g in compartment ${c}`;
}
