// The smart garbage sorting station in the simulator: the station board (hal/boards/sim-smart-bin.ts) on virtual
// IO, and the world around it. Each compartment is a BinCompartment (bin-physics.ts: an uneven heap, bags, what
// an ultrasonic or time-of-flight sensor makes of it) with the mass on its load cell; the world also holds the
// air temperature (a fire heats it), the station's tilt, what blocks each lid's opening, the battery and the
// light on the time-of-flight sensor. Residents are the door reader's demo residents (same site keys), so the
// platform knows whose deposit it is.
//
// One boot attaches the chips: the door reader's MFRC522 and QR scanner, a thermistor, a LIS3DH (tilt), the
// battery, and per compartment an A02YYUW (UART) or a VL53L1X (I2C), a servo whose angle drives the lid switch,
// an HX711 on the load cell, the obstacle sensor and the select button.
import { SmartBinApp } from '../../firmware/apps/smart-bin/app.js';
import { SMART_BIN } from '../../firmware/apps/smart-bin/index.js';
import { NOMINAL_COUNTS_PER_GRAM } from '../../firmware/apps/smart-bin/scale.js';
import { COMMAND_KEY, HASH_KEY, writeSiteKey } from '../../firmware/identity/site-keys.js';
import type { BoardFor } from '../../firmware/parts/device.js';
import { simSmartBin } from '../../hal/boards/sim-smart-bin.js';
import type { HostHal } from '../../hal/host/index.js';
import { random } from '../../scripts/falls/synthetic.js';
import { attachA02yyuw, type A02yyuwChip, type A02yyuwHears } from '../chips/a02yyuw.js';
import { attachBattery, type BatteryCell } from '../chips/battery.js';
import { attachHx711, type Hx711Chip } from '../chips/hx711.js';
import { attachLis3dh, type Lis3dhChip } from '../chips/lis3dh.js';
import { attachMfrc522, type Mfrc522Chip } from '../chips/mfrc522.js';
import { attachQrScanner, type QrScannerChip } from '../chips/qr-scanner.js';
import { attachServo, type ServoChip } from '../chips/servo.js';
import { attachThermistor, type ThermistorChip } from '../chips/thermistor.js';
import { attachVl53l1x, type Vl53l1xChip, type Vl53l1xSees } from '../chips/vl53l1x.js';
import { BinCompartment } from './bin-physics.js';
import { DEMO_KEYS, demoCredentials, type DemoCard } from './door-reader.js';
import type { KindCommand, SimDeviceKind } from './kind.js';

const pins = simSmartBin.pin as Readonly<Record<string, number>>;
/** The lid switch closes in the last few degrees of travel. */
const SHUT_BELOW_DEG = 3;
/** A lid is open enough to drop a bag through. */
const OPEN_ABOVE_DEG = 60;
/** An arm or a bag in the opening stops a closing lid at this angle. */
const OBSTACLE_DEG = 35;
const CARD_IN_FIELD_MS = 800;
const PRESS_MS = 200;
/** From the beep of a read card to the resident's press of a compartment's button. */
const TURN_MS = 1000;
/** Kitchen waste ≈ 0.5 kg/l, recyclables (bottles, cardboard) ≈ 0.1 kg/l. */
export const DENSITY_G_PER_L: Readonly<Record<string, number>> = Object.freeze({ kitchen: 500, recyclable: 100, hazardous: 300, other: 200 });

export interface BinCompartmentWorld {
  readonly physics: BinCompartment;
  /** Mass on the load cell, g. */
  grams: number;
  obstacle: boolean;
  /** The level sensor is unplugged or dead: it answers nothing. */
  sensorDead: boolean;
  /** Waste waiting for the lid to open: dropped then. */
  pendingDrop: { grams: number; litres: number; bag: boolean } | undefined;
}

/** This boot's chips (replaced at every boot). */
export interface BinBoot {
  hal: HostHal;
  app: SmartBinApp;
  nfc: Mfrc522Chip;
  qr: QrScannerChip;
  thermistor: ThermistorChip;
  accel: Lis3dhChip;
  battery: BatteryCell;
  servos: ServoChip[];
  scales: Hx711Chip[];
  levels: (A02yyuwChip | Vl53l1xChip)[];
}

export interface BinWorldOptions {
  compartments?: number;
  seed?: number;
  /** Provision the demo site's keys on first boot (default true; tests provision their own). */
  demo?: boolean;
}

/** The station and the people at it: commands and tests act through these methods. */
export class BinWorld {
  readonly compartments: BinCompartmentWorld[];
  readonly demo: boolean;
  readonly cards: DemoCard[];
  celsius = 20;
  tiltDeg = 0;
  batteryMv = 3950;
  /** Light on the time-of-flight sensor's window, in its ambient units (0: dark). */
  ambient = 0;
  /** Clips the station's speaker played, newest last (bounded). */
  readonly prompts: string[] = [];
  boot: BinBoot | undefined;
  #rng: () => number;

  constructor(options: BinWorldOptions = {}) {
    this.#rng = random(options.seed ?? 10);
    this.demo = options.demo ?? true;
    this.cards = demoCredentials(0).cards.filter((card) => card.reader === 'nfc');
    const n = options.compartments ?? simSmartBin.compartments;
    this.compartments = Array.from({ length: n }, () => ({
      physics: new BinCompartment({ heightMm: 1000, blindMm: 250, rng: this.#rng }),
      grams: 0, obstacle: false, sensorDead: false, pendingDrop: undefined,
    }));
  }

  /** A card in the NFC reader's field for a moment: by demo name, or a UID in hex. */
  presentCard(card: string | Uint8Array, ms = CARD_IN_FIELD_MS): void {
    const { hal, nfc } = this.#current();
    nfc.present(typeof card === 'string' ? this.#uid(card) : card);
    hal.timers.set(() => nfc.remove(), ms);
  }

  scanQr(text: string): void {
    this.#current().qr.scan(text);
  }

  /** Presses compartment `c`'s select button (0.2 s). */
  pressSelect(c: number): void {
    const { hal } = this.#current();
    const pin = hal.io.pin(pins[`select${this.#index(c)}`]!);
    pin.setInput(0);
    hal.timers.set(() => pin.setInput(undefined), PRESS_MS);
  }

  /** Waste through compartment `c`'s opening: now if the lid is open, else as soon as it opens. */
  drop(c: number, grams: number, litres = grams / DENSITY_G_PER_L.other!, bag = true): void {
    const compartment = this.compartments[this.#index(c)]!;
    if (!(grams >= 0) || !(litres >= 0)) throw new RangeError('drop: grams and litres must be ≥ 0');
    compartment.pendingDrop = { grams, litres, bag };
    if (this.lidAngle(c) >= OPEN_ABOVE_DEG) this.#dropNow(this.#index(c));
  }

  /**
   * A whole deposit as a resident makes it: a card (demo name or hex UID) or a QR code, the compartment's button a
   * moment later, and the waste in when the lid is open. Without `litres`, the volume follows the compartment's
   * category. Returns the litres.
   */
  deposit(resident: string | { qr: string }, c: number, grams: number, litres?: number): number {
    const i = this.#index(c);
    const { hal, app } = this.#current();
    if (!(grams > 0) || !(litres === undefined || litres >= 0)) throw new RangeError('deposit: grams > 0 and litres ≥ 0');
    const volume = litres ?? grams / (DENSITY_G_PER_L[app.compartments[i]?.category ?? 'other'] ?? DENSITY_G_PER_L.other!);
    if (typeof resident === 'string') this.presentCard(resident);
    else this.scanQr(resident.qr);
    // The resident turns to the compartment after the beep.
    hal.timers.set(() => this.pressSelect(i), TURN_MS);
    this.compartments[i]!.pendingDrop = { grams, litres: volume, bag: true };
    return volume;
  }

  /** Something in compartment `c`'s opening (an arm, a stuck bag), or clear again. */
  setObstacle(c: number, blocked: boolean): void {
    const i = this.#index(c);
    this.compartments[i]!.obstacle = blocked;
    if (this.boot) this.#wireObstacle(this.boot, i);
  }

  /**
   * Sets compartment `c`'s contents to `pct` of its visible depth by volume, poured in as one fresh heap (its top
   * stands higher than `pct`: physics.truePct says how high), with the matching mass.
   */
  fill(c: number, pct: number): void {
    const i = this.#index(c);
    if (!(pct >= 0 && pct <= 130)) throw new RangeError('fill: give a percentage 0–130');
    const compartment = this.compartments[i]!;
    compartment.physics.empty();
    const mm = (compartment.physics.usableMm * pct) / 100;
    compartment.physics.add({ mm });
    const litres = (mm * compartment.physics.options.widthMm ** 2) / 1e6;
    compartment.grams = litres * DENSITY_G_PER_L.other!;
    this.#applyLoad(i);
  }

  /** Collection: the compartment's bag is taken out. */
  empty(c: number): void {
    const i = this.#index(c);
    const compartment = this.compartments[i]!;
    compartment.physics.empty();
    compartment.grams = 0;
    this.#applyLoad(i);
  }

  /** Lets hours pass for the heaps (they slump). */
  settle(hours: number): void {
    for (const compartment of this.compartments) compartment.physics.settle(hours);
  }

  setTemperature(celsius: number): void {
    this.celsius = celsius;
    this.boot?.thermistor.setCelsius(celsius);
  }

  /** Knocks the station over (or lifts it back): degrees from upright. */
  tip(degrees: number): void {
    this.tiltDeg = degrees;
    if (this.boot) this.boot.accel.setStill(gravityAt(degrees));
  }

  setBattery(mv: number): void {
    this.batteryMv = mv;
    this.boot?.battery.setMillivolts(mv);
  }

  /** The level sensor of compartment `c` dies (unplugged, a wet transducer) or comes back. */
  setSensorDead(c: number, dead: boolean): void {
    this.compartments[this.#index(c)]!.sensorDead = dead;
  }

  lidAngle(c: number): number {
    return this.boot?.servos[this.#index(c)]?.angle ?? 0;
  }

  /** One boot: the chips on this boot's IO, the world as it is, and the app. */
  attach(hal: HostHal): SmartBinApp {
    if (this.demo) provision(hal);
    const io = hal.io;
    const nfc = attachMfrc522(io, { select: pins.nfcSelect!, port: simSmartBin.spi.port });
    const qr = attachQrScanner(io, { port: simSmartBin.serial.qr.port });
    const thermistor = attachThermistor(io, pins.temperature!, { celsius: this.celsius });
    const accel = attachLis3dh(hal, { port: simSmartBin.i2c.port });
    accel.setStill(gravityAt(this.tiltDeg));
    const battery = attachBattery(hal, pins.battery!, { millivolts: this.batteryMv });
    const servos: ServoChip[] = [];
    const scales: Hx711Chip[] = [];
    const levels: (A02yyuwChip | Vl53l1xChip)[] = [];
    const boot: BinBoot = { hal, app: undefined as unknown as SmartBinApp, nfc, qr, thermistor, accel, battery, servos, scales, levels };
    this.compartments.forEach((compartment, i) => {
      const servo = attachServo(io, { pin: pins[`lid${i}`]!, timers: hal.timers, degrees: this.boot?.servos[i]?.angle ?? 0 });
      servo.onMove = () => this.#lidMoved(boot, i);
      servos.push(servo);
      scales.push(attachHx711(io, {
        data: pins[`scale${i}Data`]!, clock: pins[`scale${i}Clock`]!, timers: hal.timers,
        countsPerGram: NOMINAL_COUNTS_PER_GRAM * (1 + 0.03 * (i + 1)), // each cell a little off nominal
        grams: compartment.grams, noiseCounts: 150, random: this.#rng,
      }));
      levels.push(i === 1
        ? attachVl53l1x(io, { port: simSmartBin.i2c.port, clock: hal.clock, reading: () => this.#tof(i) })
        : attachA02yyuw(io, { port: simSmartBin.serial[`level${i}` as 'level0']?.port ?? 2, timers: hal.timers, mode: 'streaming', reading: () => this.#ultrasonic(i) }));
      hal.io.pin(pins[`select${i}`]!).setInput(undefined);
    });
    this.boot = boot;
    for (let i = 0; i < this.compartments.length; i++) {
      this.#wireLidSwitch(boot, i);
      this.#wireObstacle(boot, i);
    }
    const app = new SmartBinApp({
      parts: SMART_BIN.parts,
      prompt: (clip) => {
        this.prompts.push(clip);
        if (this.prompts.length > 50) this.prompts.shift();
      },
    });
    boot.app = app;
    return app;
  }

  #ultrasonic(i: number): A02yyuwHears {
    const compartment = this.compartments[i]!;
    if (compartment.sensorDead) return 'silent';
    return compartment.physics.ultrasonic({ celsius: this.celsius, lidOpen: this.lidAngle(i) > SHUT_BELOW_DEG, rng: this.#rng });
  }

  #tof(i: number): Vl53l1xSees {
    const compartment = this.compartments[i]!;
    if (compartment.sensorDead) return 'noEcho';
    return compartment.physics.tof({ ambient: this.ambient, rng: this.#rng });
  }

  #lidMoved(boot: BinBoot, i: number): void {
    const servo = boot.servos[i]!;
    const compartment = this.compartments[i]!;
    // A closing lid stops on whatever is in the opening.
    servo.blocked = compartment.obstacle && servo.angle <= OBSTACLE_DEG && (servo.target ?? 0) < servo.angle;
    this.#wireLidSwitch(boot, i);
    if (servo.angle >= OPEN_ABOVE_DEG && compartment.pendingDrop) this.#dropNow(i);
  }

  #dropNow(i: number): void {
    const compartment = this.compartments[i]!;
    const drop = compartment.pendingDrop;
    if (!drop) return;
    compartment.pendingDrop = undefined;
    compartment.physics.add({ litres: drop.litres }, { bag: drop.bag });
    compartment.grams += drop.grams;
    this.#applyLoad(i);
  }

  #applyLoad(i: number): void {
    this.boot?.scales[i]?.setGrams(this.compartments[i]!.grams);
  }

  #wireLidSwitch(boot: BinBoot, i: number): void {
    const shut = (boot.servos[i]?.angle ?? 0) < SHUT_BELOW_DEG;
    boot.hal.io.pin(pins[`lidSwitch${i}`]!).setInput(shut ? 0 : undefined); // shut: the switch pulls to ground
  }

  #wireObstacle(boot: BinBoot, i: number): void {
    boot.hal.io.pin(pins[`obstacle${i}`]!).setInput(this.compartments[i]!.obstacle ? 0 : undefined);
    const servo = boot.servos[i];
    if (servo && !this.compartments[i]!.obstacle) servo.blocked = false;
  }

  #uid(name: string): Uint8Array {
    const card = this.cards.find((c) => c.name === name);
    if (card) return card.uid;
    if (/^([0-9a-f]{2}){4,10}$/i.test(name)) return Uint8Array.from(name.match(/../g)!.map((h) => parseInt(h, 16)));
    throw new RangeError(`no demo card "${name}" (${this.cards.map((c) => c.name).join(', ')}), nor a hex UID`);
  }

  #index(c: number): number {
    if (!Number.isInteger(c) || c < 0 || c >= this.compartments.length) {
      throw new RangeError(`compartment must be 0–${this.compartments.length - 1}, got ${String(c)}`);
    }
    return c;
  }

  #current(): BinBoot {
    if (!this.boot) throw new Error('the smart bin is not running');
    return this.boot;
  }
}

/** Gravity in milli-g on a station tilted `degrees` about its x axis. */
function gravityAt(degrees: number): { x: number; y: number; z: number } {
  const r = (degrees * Math.PI) / 180;
  return { x: 0, y: Math.round(1000 * Math.sin(r)), z: Math.round(1000 * Math.cos(r)) };
}

/** First boot of a fresh station: the demo site's hash key (resident cards) and command key (signed lid opens). */
function provision(hal: HostHal): void {
  const kv = hal.storage.kv;
  if (kv.get('cred', HASH_KEY) !== undefined) return;
  writeSiteKey(kv, HASH_KEY, DEMO_KEYS.hashKey);
  writeSiteKey(kv, COMMAND_KEY, DEMO_KEYS.commandKey);
}

const compartmentArg = (text: string | undefined): number => {
  const c = Number(text);
  if (!Number.isInteger(c)) throw new RangeError('give the compartment number (0, 1, ...)');
  return c;
};

const number = (text: string | undefined, what: string): number => {
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value)) throw new RangeError(`give ${what}`);
  return value;
};

const commands: Readonly<Record<string, KindCommand<BinWorld>>> = {
  deposit: {
    args: 'CARD C GRAMS [LITRES]',
    help: 'a resident (demo card name or hex UID) deposits GRAMS (and LITRES, default from the category) in compartment C',
    run(world, [card = '', c, grams, litres]) {
      const i = compartmentArg(c);
      const g = number(grams, 'the grams');
      const l = world.deposit(card, i, g, litres === undefined ? undefined : number(litres, 'the litres'));
      return `${card} deposits ${g} g (${l.toFixed(1)} l) in compartment ${i}`;
    },
  },
  card: { args: 'CARD', help: 'present a resident card (demo name or hex UID)', run: (world, [card = '']) => { world.presentCard(card); return `card ${card} on the reader`; } },
  qr: { args: 'TEXT', help: 'scan a resident QR code (e.g. RESIDENT-ALICE)', run: (world, [text = '']) => { world.scanQr(text); return `scanned ${text}`; } },
  select: { args: 'C', help: 'press compartment C\'s button', run: (world, [c]) => { world.pressSelect(compartmentArg(c)); return `compartment ${c} chosen`; } },
  fill: { args: 'C PCT', help: 'set compartment C\'s contents to PCT % of its depth', run: (world, [c, pct]) => { world.fill(compartmentArg(c), number(pct, 'the percentage')); return `compartment ${c} at ${pct} %`; } },
  empty: { args: 'C', help: 'collection: empty compartment C', run: (world, [c]) => { world.empty(compartmentArg(c)); return `compartment ${c} emptied`; } },
  fire: {
    args: '[on|off]',
    help: 'a fire in the station (90 °C) or out again (20 °C)',
    run(world, [state = 'on']) {
      if (state !== 'on' && state !== 'off') throw new RangeError('fire: on or off');
      world.setTemperature(state === 'on' ? 90 : 20);
      return state === 'on' ? 'fire: 90 °C in the station' : 'fire out: 20 °C';
    },
  },
  temp: { args: 'C', help: 'set the air temperature in the station, °C', run: (world, [c]) => { world.setTemperature(number(c, 'degrees Celsius')); return `${c} °C`; } },
  tip: {
    args: '[DEG]',
    help: 'knock the station over (default 90°) or stand it up (0)',
    run(world, [deg = '90']) {
      const degrees = number(deg, 'degrees from upright');
      if (!(degrees >= 0 && degrees <= 180)) throw new RangeError('tip: 0–180 degrees');
      world.tip(degrees);
      return degrees === 0 ? 'standing upright' : `tilted ${degrees}°`;
    },
  },
  block: {
    args: 'C [on|off]',
    help: 'something in compartment C\'s opening (anti-pinch), or clear it',
    run(world, [c, state = 'on']) {
      world.setObstacle(compartmentArg(c), state !== 'off');
      return state === 'off' ? `compartment ${c} opening clear` : `compartment ${c} opening blocked`;
    },
  },
  battery: {
    args: 'MV',
    help: 'set the battery voltage (e.g. 3500 for a nearly empty Li-ion cell)',
    run(world, [mv]) {
      const value = number(mv, 'the battery voltage in mV');
      if (!(value >= 2500 && value <= 4500)) throw new RangeError('battery: 2500–4500 mV');
      world.setBattery(value);
      return `battery ${value} mV`;
    },
  },
};

export const smartBinKind: SimDeviceKind<BinWorld> = {
  model: SMART_BIN.model,
  board: simSmartBin satisfies BoardFor<typeof SMART_BIN.parts>,
  partitions: { outbox: 256 * 1024 },
  // Livelier than the field defaults, so levels and alarms show within minutes.
  desiredConfig: { measureS: 120, reportS: 1800, overflowS: 300, watchS: 10 },
  createWorld: () => new BinWorld(),
  boot: (hal, world) => world.attach(hal),
  commands,
  describe(world) {
    const app = world.boot?.app;
    const parts = world.compartments.map((compartment, i) => {
      const lid = app?.compartments[i]?.lid.state ?? '?';
      const reported = app?.compartments[i]?.pipeline.fillPct;
      return `#${i} ${Math.round(compartment.physics.truePct)}%${reported === undefined ? '' : ` (says ${Math.round(reported)}%)`} ${lid}`;
    });
    const alarms = app?.alarms?.open().map((alarm) => alarm.cause) ?? [];
    return [...parts, `${world.celsius} °C`, ...(world.tiltDeg ? [`tilted ${world.tiltDeg}°`] : []), ...(alarms.length ? [`ALARM ${alarms.join(',')}`] : [])].join(' · ');
  },
};
