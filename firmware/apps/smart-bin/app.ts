// The sorting station app: identification (card or QR, keyed hashes only) and deposits (deposit.ts), each
// compartment's lid, scale and fill level (compartment.ts), the station's fire and tilt watch (station-watch.ts),
// its alarms on the shared alarm service (several open at once: firmware/alarms/alarm-set.ts), the battery, and
// the commands (commands.ts). Everything is decided on the station: with the network down, residents deposit
// and are credited as usual, and the events wait in the flash outbox.
import type { Hal, TimerId } from '../../../hal/contract/index.js';
import { AlarmSet } from '../../alarms/alarm-set.js';
import { runtimeAlarmHooks } from '../../alarms/runtime-hooks.js';
import { offerScannedCode } from '../../lifecycle/setup.js';
import type { BatteryReading } from '../../drivers/battery/battery.js';
import type { LevelReading, LevelSensor } from '../../drivers/level-reading.js';
import { credentialHash } from '../../identity/credential-hash.js';
import { COMMAND_KEY, HASH_KEY, readSiteKey } from '../../identity/site-keys.js';
import { toHex } from '../../lib/hex.js';
import { type OpenedParts, openParts } from '../../parts/open-parts.js';
import type { Closable, Part } from '../../parts/part.js';
import { BatteryWatch, type BatteryGauge } from '../../power/battery-watch.js';
import type { AlarmUpdateMessage } from '../../protocol/messages.js';
import type { ConfigValues } from '../../runtime/config.js';
import type { DeviceApp, DeviceConfig, DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandOutcome, CommandSpec } from '../../runtime/dispatcher.js';
import { binCommands } from './commands.js';
import { Compartment } from './compartment.js';
import { BIN_DOMAIN, SMART_BIN_CONFIG, type SmartBinConfig } from './config.js';
import { type DepositIndication, Deposits } from './deposit.js';
import type { LidServo } from './lid.js';
import type { LevelEstimate, LevelSensor as SensorKind } from './level/estimate.js';
import { checkSettings, type LevelReport, type LevelSettings, levelEventData } from './level/pipeline.js';
import { MAX_COMPARTMENTS, SMART_BIN_PARTS, type SmartBinEvents } from './parts.js';
import { PATTERNS, type StationIndication } from './patterns.js';
import { type RawSource, Scale } from './scale.js';
import { StationWatch, type Thermometer, type TiltSensor } from './station-watch.js';

export type BinCause = 'overflow' | 'fire' | 'tilt' | 'lidJammed' | 'sensorFault';
const CAUSES: readonly BinCause[] = Object.freeze(['overflow', 'fire', 'tilt', 'lidJammed', 'sensorFault']);
const ALARM_KEYS: readonly string[] = Object.freeze([
  'fire', 'tilt',
  ...[0, 1, 2, 3].flatMap((i) => [`over${i}`, `jam${i}`, `fault${i}`]),
]);

/** Indications that answer one step and end by themselves, and how long before an alarm's pattern returns. */
const TRANSIENT: readonly StationIndication[] = Object.freeze(['credited', 'refused', 'identifyFirst', 'blocked', 'busy']);
const TRANSIENT_MS = 4000;
const DEPOSIT_STEPS: readonly StationIndication[] = Object.freeze(['identified', 'choose', 'opening']);

export const CATEGORIES = Object.freeze(['kitchen', 'recyclable', 'hazardous', 'other'] as const);
export type Category = (typeof CATEGORIES)[number];

/** Any station's parts table: the standard one, or one with other compartments (1–4) or parts left out. */
export type SmartBinParts = Readonly<Record<string, Part<Closable, string, SmartBinEvents> | undefined>>;

export interface SmartBinAppOptions {
  parts?: SmartBinParts;
  /** Plays a prerecorded clip named after the indication (a speaker module); absent on stations without one. */
  prompt?(clip: StationIndication): void;
}

interface Indicator {
  play(pattern: readonly number[], repeat?: number | true): void;
  stop(): void;
}

interface Switch {
  readonly active: boolean;
}

export class SmartBinApp implements DeviceApp<SmartBinConfig> {
  readonly config = SMART_BIN_CONFIG;
  readonly commands: Readonly<Record<string, CommandSpec>>;
  /** A factory reset erases the station's deposits pending, scales, level state and alarms. */
  readonly keeps = Object.freeze({ domains: [BIN_DOMAIN] });
  #table: SmartBinParts;
  #prompt: ((clip: StationIndication) => void) | undefined;
  #runtime!: DeviceRuntime<SmartBinConfig>;
  #hal!: Hal;
  #hardware: OpenedParts<SmartBinParts> | undefined;
  #compartments: (Compartment | undefined)[] = [];
  #overflowTimers: (TimerId | undefined)[] = [];
  #deposits!: Deposits;
  #alarms!: AlarmSet<BinCause>;
  #watch!: StationWatch;
  #battery: BatteryWatch | undefined;
  #batteryTimer: TimerId | undefined;
  #showing: StationIndication = 'idle';
  #restoreTimer: TimerId | undefined;
  #identityErrors = 0;

  constructor(options: SmartBinAppOptions = {}) {
    this.#table = options.parts ?? SMART_BIN_PARTS;
    this.#prompt = options.prompt;
    this.commands = binCommands({
      compartments: () => this.#compartments.length,
      unavailable: (c) => (this.#compartments[c] ? undefined : `compartment ${c} is not fitted`),
      commandKey: () => readSiteKey(this.#hal.storage.kv, COMMAND_KEY),
      sign: (key, text) => this.#hal.crypto.hmacSha256(key, text),
      status: () => this.status(),
      tare: (c) => this.#tare(c),
      calibrate: (c, grams) => this.#calibrate(c, grams),
      open: (c, seconds) => this.#maintenanceOpen(c, seconds),
      measure: (c) => this.#measure(c),
    });
  }

  /** The compartments (after start), for the simulator and tests. */
  get compartments(): readonly (Compartment | undefined)[] {
    return this.#compartments;
  }

  get deposits(): Deposits | undefined {
    return this.#deposits;
  }

  get alarms(): AlarmSet<BinCause> | undefined {
    return this.#alarms;
  }

  get watch(): StationWatch | undefined {
    return this.#watch;
  }

  /** The indication playing now. */
  get showing(): StationIndication {
    return this.#showing;
  }

  start(runtime: DeviceRuntime<SmartBinConfig>): void {
    this.#runtime = runtime;
    const hal = runtime.hal;
    this.#hal = hal;
    const config = runtime.config;
    const log = (level: 'info' | 'warn', message: string) => hal.system.log(level, `smart-bin: ${message}`);

    this.#hardware = openParts(this.#table, {
      device: hal.device, timers: hal.timers, clock: hal.clock, events: this.#events(), log: (message) => log('warn', message),
    });
    const parts = this.#hardware.parts as Readonly<Record<string, Closable | undefined>>;

    this.#alarms = new AlarmSet<BinCause>({
      causes: CAUSES,
      keys: ALARM_KEYS,
      domain: BIN_DOMAIN,
      ...runtimeAlarmHooks(runtime),
      show: () => this.#showAlarms(),
      changed: () => this.#showAlarms(),
      log,
    });

    const categories = this.#categories();
    this.#compartments = [];
    for (let i = 0; i < MAX_COMPARTMENTS; i++) {
      if (!this.#fitted(i)) break;
      const sensor = parts[`level${i}`] as LevelSensor | undefined;
      const cell = parts[`scale${i}`] as RawSource | undefined;
      const sensorKind: SensorKind = this.#table[`level${i}`]?.kind === 'vl53l1x' ? 'tof' : 'ultrasonic';
      this.#compartments.push(new Compartment({
        index: i,
        category: categories[i] ?? 'other',
        sensor,
        sensorKind,
        servo: parts[`lid${i}`] as LidServo | undefined,
        hasSwitch: parts[`lidSwitch${i}`] !== undefined,
        scale: cell ? new Scale(cell, hal.storage.kv, BIN_DOMAIN, i) : undefined,
        kv: hal.storage.kv,
        domain: BIN_DOMAIN,
        timers: hal.timers,
        clock: hal.clock,
        wallClock: hal.wallClock,
        level: this.#levelSettings(),
        measureMs: () => config.number('measureS') * 1000,
        celsius: () => this.#watch.celsius,
        tilted: () => this.#watch.tilted,
        onReport: (report) => this.#levelReport(i, report),
        onEstimate: (estimate) => this.#levelEstimate(i, estimate),
        lid: {
          onClosed: () => this.#lidClosed(i),
          onOpened: () => undefined,
          onJammed: (tries) => this.#alarms.raise(`jam${i}`, 'lidJammed', { tries }, i),
          onPinch: () => log('info', `compartment ${i}: obstacle while closing, lid reopened`),
        },
        log,
      }));
    }

    this.#deposits = new Deposits({
      kv: hal.storage.kv,
      domain: BIN_DOMAIN,
      timers: hal.timers,
      clock: hal.clock,
      wallClock: hal.wallClock,
      settings: () => ({
        chooseS: config.number('chooseS'), lidOpenS: config.number('lidOpenS'),
        minDepositG: config.number('minDepositG'), maxDepositG: config.number('maxDepositG'),
      }),
      compartments: this.#compartments.map((compartment) => compartment && {
        lid: compartment.lid,
        scale: compartment.scale,
        category: compartment.category,
        blocked: () => this.#blocked(compartment.index),
      }),
      creditsPerKg: (category) => this.#creditsPerKg(category),
      deviceId: () => this.#deviceId(),
      emit: (type, data) => runtime.emit(type, data),
      nextSeq: () => runtime.outbox.nextSeq,
      show: (indication) => this.#show(indication),
      log,
    });

    this.#watch = new StationWatch({
      thermometer: parts.temperature as Thermometer | undefined,
      accel: parts.accel as TiltSensor | undefined,
      timers: hal.timers,
      clock: hal.clock,
      settings: () => ({
        watchS: config.number('watchS'), fireC: config.number('fireC'), fireRiseC: config.number('fireRiseC'), tiltDeg: config.number('tiltDeg'),
      }),
      onFire: (active, celsius) => this.#condition('fire', 'fire', active, celsius === undefined ? {} : { tempC: Math.round(celsius) }),
      onTilt: (active, degrees) => this.#condition('tilt', 'tilt', active, degrees === undefined ? {} : { tiltDeg: degrees }),
      log,
    });
    const accel = parts.accel as { configure(options: object): void } | undefined;
    try {
      accel?.configure({ rate: 1, range: 2, mode: 'low-power', fifo: false });
    } catch (error) {
      log('warn', `accelerometer: ${error instanceof Error ? error.message : String(error)}`);
    }

    const gauge = parts.battery as BatteryGauge | undefined;
    if (gauge) {
      this.#battery = new BatteryWatch({
        gauge,
        kv: hal.storage.kv,
        domain: BIN_DOMAIN,
        settings: () => ({ lowPct: config.number('lowBatteryPct'), hysteresisPct: config.number('batteryHysteresisPct') }),
        onLow: (reading: BatteryReading) => runtime.emit('battery.low', { mv: reading.mv, percent: reading.percent }),
        onRecovered: (reading: BatteryReading) => runtime.emit('battery.ok', { mv: reading.mv, percent: reading.percent }),
      });
    }

    this.#alarms.restore();
    this.#deposits.restore(runtime.outbox.nextSeq);
    for (const compartment of this.#compartments) {
      if (!compartment) continue;
      const i = compartment.index;
      const lidSwitch = parts[`lidSwitch${i}`] as Switch | undefined;
      if (lidSwitch) compartment.lidSwitch(lidSwitch.active);
      const obstacle = parts[`obstacle${i}`] as Switch | undefined;
      if (obstacle?.active) compartment.lid.obstacleChanged(true);
      compartment.start();
    }
    this.#watch.start({ fire: this.#alarms.alarm('fire') !== undefined, tilted: this.#alarms.alarm('tilt') !== undefined });
    this.#battery?.check();
    this.#scheduleBattery();
    this.#showAlarms();
  }

  stop(): void {
    this.#deposits?.stop();
    for (const compartment of this.#compartments) compartment?.stop();
    for (const timer of this.#overflowTimers) this.#hal?.timers.clear(timer);
    this.#overflowTimers = [];
    this.#watch?.stop();
    this.#hal?.timers.clear(this.#batteryTimer);
    this.#hal?.timers.clear(this.#restoreTimer);
    this.#alarms?.close();
    this.#hardware?.close();
  }

  onConfig(changed: string[]): void {
    const level = ['heightMm', 'blindMm', 'highPct', 'lowPct', 'hysteresisPct', 'reportS'];
    if (changed.some((key) => level.includes(key))) {
      for (const compartment of this.#compartments) {
        const refused = compartment?.configure(this.#levelSettings());
        if (refused) this.#hal.system.log('warn', `smart-bin: level settings refused for compartment ${compartment!.index}: ${refused}`);
      }
    }
    if (changed.includes('watchS')) this.#watch.check();
    if (changed.includes('batteryCheckS')) this.#scheduleBattery();
    // Categories are read at boot: a compartment's category does not change under a deposit in progress.
    if (changed.includes('categories')) this.#hal.system.log('info', 'smart-bin: new categories apply from the next restart');
  }

  checkConfig(document: ConfigValues): string | undefined {
    const values = document as ConfigValues<DeviceConfig<SmartBinConfig>>;
    const level = checkSettings({ ...levelSettingsOf(values), sensor: 'ultrasonic' });
    if (level) return level;
    if (values.overflowPct < values.highPct) return 'overflowPct must be at least highPct';
    if (values.minDepositG >= values.maxDepositG) return 'minDepositG must be less than maxDepositG';
    return undefined;
  }

  onAlarm(update: AlarmUpdateMessage): void {
    this.#alarms.update(update);
  }

  status(): Record<string, unknown> {
    return {
      compartments: this.#compartments.map((compartment) => compartment && {
        c: compartment.index,
        category: compartment.category,
        lid: compartment.lid.state,
        fillPct: compartment.pipeline.fillPct ?? null,
        full: compartment.pipeline.full,
        calibrated: compartment.scale?.calibration.calibrated ?? null,
        faultyBursts: compartment.faultyBursts,
      }),
      tempC: this.#watch?.celsius ?? null,
      tiltDeg: this.#watch?.tiltDegrees ?? null,
      alarms: this.#alarms?.open().map((alarm) => ({ key: alarm.key, cause: alarm.cause, state: alarm.state, ...(alarm.c === undefined ? {} : { c: alarm.c }) })) ?? [],
      deposit: this.#deposits?.active ?? null,
    };
  }

  health(): Record<string, unknown> {
    const counts = this.#deposits?.counts;
    return {
      ...this.#battery?.health(),
      ...(counts ? { deposits: counts.credited, refusals: counts.refused } : {}),
      fill: this.#compartments.map((compartment) => compartment?.pipeline.fillPct ?? null),
      ...(this.#watch?.celsius === undefined ? {} : { tempC: Math.round(this.#watch.celsius * 10) / 10 }),
      ...(this.#alarms ? { alarmsOpen: this.#alarms.open().length } : {}),
      ...(this.#identityErrors ? { identityErrors: this.#identityErrors } : {}),
      ...this.#hardware?.health(),
    };
  }

  // ---- events from the parts

  #events(): SmartBinEvents {
    const events: Record<string, (...args: never[]) => void> = {
      card: (uid: Uint8Array) => this.#identify('card', uid),
      qr: (text: string) => offerScannedCode(this.#runtime.setup, text) || this.#identify('qr', text),
    };
    for (let i = 0; i < MAX_COMPARTMENTS; i++) {
      events[`level${i}`] = (reading: LevelReading) => this.#compartments[i]?.reading(reading);
      events[`lidSwitch${i}`] = (shut: boolean) => this.#compartments[i]?.lidSwitch(shut);
      events[`obstacle${i}`] = (blocked: boolean) => this.#compartments[i]?.lid.obstacleChanged(blocked);
      events[`select${i}`] = () => this.#deposits.choose(i);
    }
    return events as unknown as SmartBinEvents;
  }

  #identify(kind: 'card' | 'qr', secret: Uint8Array | string): void {
    const key = readSiteKey(this.#hal.storage.kv, HASH_KEY);
    if (!key) {
      // Not provisioned with the site's hash key: no way to name the resident without keeping the raw id.
      this.#identityErrors++;
      this.#hal.system.log('warn', 'smart-bin: no site hash key provisioned: residents cannot be identified');
      this.#show('refused');
      return;
    }
    this.#deposits.identified(toHex(credentialHash(this.#hal.crypto, key, kind, secret)), kind);
  }

  #lidClosed(c: number): void {
    this.#alarms.clear(`jam${c}`, { shut: true });
    this.#deposits.lidClosed(c);
  }

  // ---- fill level

  #levelReport(c: number, report: LevelReport): void {
    const compartment = this.#compartments[c]!;
    this.#runtime.emit('bin.level', { ...levelEventData(report, c), category: compartment.category });
    const emptied = report.emptied;
    if (!emptied) return;
    const at = this.#hal.wallClock.now();
    this.#runtime.emit('bin.emptied', { c, category: compartment.category, at, fromPct: emptied.fromPct, toPct: emptied.toPct });
    // The loop closes itself: the collection the platform dispatched has happened.
    this.#alarms.clear(`over${c}`, { emptiedAt: at, fillPct: emptied.toPct });
    if (report.empty && compartment.scale && this.#deposits.active !== c) {
      // Emptied: the load cell's zero has drifted since the last tare; take it again.
      compartment.scale.weigh((weighing) => {
        if (!weighing?.settled || !compartment.lid.shut) return;
        const driftG = compartment.scale!.tare(weighing);
        this.#runtime.emit('bin.tared', { c, why: 'emptied', driftG: Math.round(driftG) });
      });
    }
  }

  #levelEstimate(c: number, estimate: LevelEstimate): void {
    const config = this.#runtime.config;
    const compartment = this.#compartments[c]!;
    if (estimate.status === 'fault') {
      if (compartment.faultyBursts >= config.number('faultBursts')) {
        this.#alarms.raise(`fault${c}`, 'sensorFault', { bursts: compartment.faultyBursts }, c);
      }
      return;
    }
    this.#alarms.clear(`fault${c}`, { status: estimate.status });
    // The level the pipeline accepted, not this burst's: a scattered or unconfirmed burst neither starts nor stops
    // the wait, and an alarm is never raised on a level that an emptying could not then be seen to fall from.
    const levelPct = compartment.pipeline.fillPct;
    const overflowing = levelPct !== undefined && levelPct >= config.number('overflowPct');
    const timers = this.#hal.timers;
    if (!overflowing) {
      timers.clear(this.#overflowTimers[c]);
      this.#overflowTimers[c] = undefined;
      return;
    }
    const open = this.#alarms.alarm(`over${c}`);
    if (this.#overflowTimers[c] !== undefined || (open && !open.cleared)) return; // cleared (emptied): a new one may come
    const fillPct = Math.round(levelPct);
    this.#overflowTimers[c] = timers.set(() => {
      this.#overflowTimers[c] = undefined;
      this.#alarms.raise(`over${c}`, 'overflow', { fillPct }, c);
    }, config.number('overflowS') * 1000);
  }

  #measure(c: number | undefined): CommandOutcome {
    const targets = c === undefined ? this.#compartments : [this.#compartments[c]];
    const started = targets.filter((compartment) => compartment?.measure()).map((compartment) => compartment!.index);
    const reports = targets.flatMap((compartment) => {
      const report = compartment?.request();
      return report ? [levelEventData(report, compartment!.index)] : [];
    });
    return { code: 'ok', data: { measuring: started, last: reports } };
  }

  // ---- deposits, alarms and indications

  #blocked(c: number): string | undefined {
    if (this.#watch.fire) return 'fire';
    if (this.#watch.tilted) return 'tilted';
    const compartment = this.#compartments[c]!;
    if (compartment.lid.jammed) return 'lid jammed';
    const overflow = this.#alarms.alarm(`over${c}`);
    if (overflow && !overflow.cleared) return 'full'; // emptied since: no need to wait for the platform's resolution
    return undefined;
  }

  #condition(key: 'fire' | 'tilt', cause: BinCause, active: boolean, figures: Record<string, number>): void {
    if (active) {
      this.#alarms.raise(key, cause, figures);
      // A fire or a knocked-over station: every lid shuts (no air for a fire, no waste spilling) unless blocked.
      for (const compartment of this.#compartments) compartment?.lid.close();
    } else {
      this.#alarms.clear(key, figures);
    }
    this.#showAlarms();
  }


  #showAlarms(): void {
    if (!this.#alarms) return;
    const open = this.#alarms.open();
    const next: StationIndication = open.some((alarm) => alarm.cause === 'fire') ? 'fire' : open.length > 0 ? 'alarm' : 'idle';
    // Idle never cuts short a deposit's own steps (a lid open for a resident).
    if (next !== this.#showing && (next !== 'idle' || !DEPOSIT_STEPS.includes(this.#showing))) this.#show(next);
  }

  #show(indication: StationIndication): void {
    this.#showing = indication;
    // A step's answer (credited, refused, blocked...) plays once; then an open alarm's pattern comes back.
    this.#hal?.timers.clear(this.#restoreTimer);
    this.#restoreTimer = TRANSIENT.includes(indication) ? this.#hal?.timers.set(() => {
      this.#restoreTimer = undefined;
      this.#showAlarms();
    }, TRANSIENT_MS) : undefined;
    const patterns = PATTERNS[indication];
    const parts = this.#hardware?.parts as Readonly<Record<string, Closable | undefined>> | undefined;
    for (const [name, channel] of [['led', patterns.led], ['buzzer', patterns.buzzer]] as const) {
      const player = parts?.[name] as Indicator | undefined;
      if (!player) continue;
      if (channel) player.play(channel.pattern, channel.repeat);
      else player.stop();
    }
    if (indication !== 'idle') this.#prompt?.(indication);
  }

  // ---- commands

  #tare(c: number): CommandOutcome {
    const compartment = this.#compartments[c]!;
    const scale = compartment.scale;
    if (!scale) return { code: 'failed', reason: `compartment ${c} has no working scale` };
    if (this.#deposits.active === c || !compartment.lid.shut) return { code: 'rejected', reason: `compartment ${c}: its lid is open` };
    scale.weigh((weighing) => {
      if (!weighing?.settled) return this.#runtime.emit('bin.tared', { c, why: 'command', refused: 'unstable' });
      this.#runtime.emit('bin.tared', { c, why: 'command', driftG: Math.round(scale.tare(weighing)) });
    });
    return { code: 'ok', data: { c, weighing: true } };
  }

  #calibrate(c: number, grams: number): CommandOutcome {
    const compartment = this.#compartments[c]!;
    const scale = compartment.scale;
    if (!scale) return { code: 'failed', reason: `compartment ${c} has no working scale` };
    if (this.#deposits.active === c) return { code: 'rejected', reason: `compartment ${c}: a deposit is in progress` };
    scale.weigh((weighing) => {
      const refused = !weighing?.settled ? 'unstable' : scale.calibrate(weighing, grams);
      if (refused) return this.#runtime.emit('bin.calibrated', { c, grams, refused });
      this.#runtime.emit('bin.calibrated', { c, grams, countsPerGram: Math.round(scale.calibration.countsPerGram * 1000) / 1000 });
    });
    return { code: 'ok', data: { c, weighing: true } };
  }

  #maintenanceOpen(c: number, seconds: number): CommandOutcome {
    const compartment = this.#compartments[c]!;
    if (!this.#table[`lid${c}`] || !this.#hardware?.parts[`lid${c}`]) return { code: 'failed', reason: `compartment ${c} has no working lid servo` };
    if (this.#deposits.active === c) return { code: 'rejected', reason: `compartment ${c}: a deposit is in progress` };
    if (this.#watch.fire) return { code: 'rejected', reason: 'fire: lids stay shut' };
    compartment.lid.open(seconds * 1000);
    return { code: 'ok', data: { c, openS: seconds } };
  }

  // ---- helpers

  #fitted(i: number): boolean {
    return ['level', 'lid', 'lidSwitch', 'scale', 'select'].some((name) => this.#table[`${name}${i}`] !== undefined);
  }

  #categories(): string[] {
    const text = this.#runtime.config.get('categories') as string;
    const names = text.split(',').map((name) => name.trim());
    const bad = names.filter((name) => !(CATEGORIES as readonly string[]).includes(name));
    if (bad.length > 0) this.#hal.system.log('warn', `smart-bin: unknown categories ${bad.join(', ')} count as "other"`);
    return names.map((name) => ((CATEGORIES as readonly string[]).includes(name) ? name : 'other'));
  }

  #creditsPerKg(category: string): number {
    const config = this.#runtime.config;
    switch (category) {
      case 'kitchen': return config.number('creditsKitchen');
      case 'recyclable': return config.number('creditsRecyclable');
      case 'hazardous': return config.number('creditsHazardous');
      default: return config.number('creditsOther');
    }
  }

  #levelSettings(): Omit<LevelSettings, 'sensor'> {
    return levelSettingsOf(this.#runtime.config.values);
  }

  #scheduleBattery(): void {
    if (!this.#battery) return;
    this.#hal.timers.clear(this.#batteryTimer);
    this.#batteryTimer = this.#hal.timers.repeat(() => this.#battery?.check(), this.#runtime.config.number('batteryCheckS') * 1000);
  }

  #deviceId(): string {
    return this.#runtime.deviceId ?? this.#hal.system.hardwareId;
  }
}

export type { DepositIndication };

/** The level pipeline's settings from the station's (the rest are the pipeline's own choices). */
function levelSettingsOf(values: ConfigValues<DeviceConfig<SmartBinConfig>>): Omit<LevelSettings, 'sensor'> {
  return {
    heightMm: values.heightMm, blindMm: values.blindMm, highPct: values.highPct, lowPct: values.lowPct,
    hysteresisPct: values.hysteresisPct, reportS: values.reportS, settleS: 60, emptiedDropPct: 20, minQuality: 40,
  };
}
