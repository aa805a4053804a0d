// The SOS button in the simulator: the real app (firmware/apps/sos-button) on its board's pin map, with a
// simulated LIS3DH (INT1 wired) and battery cell. The world (SosWorld) is the wearer: their posture and motion,
// the cell's voltage and the button, which all outlive reboots; its methods press and hold the button, play a
// fall or a daily activity (a recording from the shared data set when it is there, else a synthetic trace) and
// set the battery, for the commands and the tests alike. The SOS button deep-sleeps when idle (with fall detection
// off, or with it on and `impactWake`): a press then wakes the chip (inputLevel), and so does the accelerometer's
// INT1: the LIS3DH has its own power and watches on through the deep sleep (and any reset short of a power cut),
// fed the wearer's motion, its INT1 looked at every sample while it may change (inputChangeIn). The world sums
// awake and deep-sleep time across boots for the battery estimate.
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import type { HostHal } from '../../hal/host/index.js';
import { SOS_BUTTON, SosButtonApp, type SosButtonAppOptions } from '../../firmware/apps/sos-button/index.js';
import type { BoardFor } from '../../firmware/parts/device.js';
import { estimateFromMeasured, describeDuration } from '../battery-life.js';
import { attachBattery, type BatteryCell } from '../chips/battery.js';
import { attachLis3dh, type Lis3dhChip } from '../chips/lis3dh.js';
import { findRecording, recordingFiles, syntheticActivity, syntheticFall, withLeadIn, type Motion, type Xyz } from './sos-motion.js';
import type { SimDeviceKind, WorldContext } from './kind.js';

/** This boot's parts, and the world's time when it began. */
export interface SosBoot {
  hal: HostHal;
  chip: Lis3dhChip;
  cell: BatteryCell;
  app: SosButtonApp;
  at: number;
}

/** Boots that ended in deep sleep since the last other reset: their awake and asleep time, for the estimate. */
interface SleepHistory {
  awakeS: number;
  radioS: number;
  wakes: number;
  deepSleepS: number;
  deepSleeps: number;
}

const noHistory = (): SleepHistory => ({ awakeS: 0, radioS: 0, wakes: 0, deepSleepS: 0, deepSleeps: 0 });

const PRESS_MS = 200;
const HOLD_MS = 3000;
const buttonPin = simSosButton.pin.button;
const accelPin = simSosButton.pin.accelInterrupt;

/**
 * The wearer and their SOS button's physical side: the commands and the tests act through these methods. The
 * posture, the cell and the button outlive reboots: a button held down stays down across boots, and pressed
 * while the SOS button deep-sleeps it wakes it (the device sees it through inputLevel).
 */
export class SosWorld {
  /** Cell voltage, mV. */
  batteryMv = 4000;
  /** The wearer's posture when nothing plays (the chip holds it), milli-g. */
  rest: Xyz = { x: 0, y: 1000, z: 0 };
  /** The last trace played. */
  motion: { id: string; fall: boolean } | undefined;
  /** Where recordings are looked for. */
  dataDir: string | undefined;
  /** This boot's parts (replaced at every boot; after a deep sleep began, those of the boot that slept). */
  boot: SosBoot | undefined;
  history: SleepHistory = noHistory();
  /** The fall detector the next boots run (a test's stand-in); undefined: the app's own. */
  detector: SosButtonAppOptions['detector'];
  #context: WorldContext;
  /** Down until `releaseAt` (world time). */
  #button = { down: false, releaseAt: Infinity };
  /** The accelerometer: it outlives the MCU's boots (its time is the world's), until a power cut. */
  #chip: Lis3dhChip | undefined;

  constructor(context: WorldContext) {
    this.#context = context;
  }

  get buttonDown(): boolean {
    return this.#button.down && this.#context.now() < this.#button.releaseAt;
  }

  /** Presses the button (until released) or releases it. */
  setButton(down: boolean): void {
    this.#button = { down, releaseAt: Infinity };
    const hal = this.#awake();
    if (hal) hal.io.pin(buttonPin).setInput(down ? 0 : undefined); // released: the pull-up takes the line high
    this.#context.inputChanged();
  }

  /** Holds the button for `ms`, then lets go. */
  holdButton(ms: number): void {
    this.#button = { down: true, releaseAt: this.#context.now() + ms };
    const hal = this.#awake();
    if (hal) this.#applyButton(hal);
    this.#context.inputChanged();
  }

  /** Sets the cell's voltage (the app reads it at its next battery check). */
  setBattery(mv: number): void {
    this.batteryMv = mv;
    this.boot?.cell.setMillivolts(mv);
  }

  /** The accelerometer's INT1 while the MCU deep-sleeps, and how soon it may change by itself (ms of world time). */
  get int1(): { level: 0 | 1 | undefined; changeInMs: number } {
    const chip = this.#chip;
    return chip ? { level: chip.int1Level, changeInMs: chip.inputChangeInMs } : { level: undefined, changeInMs: Infinity };
  }

  /** The wearer falls or goes about the day: a recording (by id, or random) when the data is there, else synthetic. */
  playMotion(fall: boolean, id: string | undefined): string {
    const chip = this.#chip;
    if (!chip) throw new Error('the SOS button has never been switched on');
    let motion: Motion | undefined;
    if (id !== undefined || recordingFiles(this.dataDir).length > 0) {
      motion = findRecording({ ...(id === undefined ? {} : { id }), fall }, this.dataDir);
      if (!motion && id !== undefined) throw new Error(`no recording "${id}" in ${this.dataDir ?? 'the data folder'}`);
    }
    motion ??= fall ? syntheticFall() : syntheticActivity();
    const samples = withLeadIn(this.rest, motion.samples);
    const ms = chip.play(samples);
    const n = samples.length;
    this.rest = { x: samples[n - 3]!, y: samples[n - 2]!, z: samples[n - 1]! };
    this.motion = { id: motion.id, fall: motion.fall };
    this.#context.inputChanged(); // asleep, the SOS button now watches INT1 sample by sample
    return `playing ${motion.id} (${motion.fall ? 'fall' : 'daily activity'}, ${(ms / 1000).toFixed(1)} s with a 5 s lead-in)`;
  }

  /** One boot: the chips on this boot's IO, the button as it is, and the app. */
  attach(hal: HostHal): SosButtonApp {
    const previous = this.boot;
    this.history = previous && hal.system.resetReason() === 'deep-sleep' ? this.withAsleep(previous) : noHistory();
    if (this.buttonDown) this.#applyButton(hal);
    const pin = simSosButton.pin;
    // The chip's own time is the world's, so it runs on unchanged from one boot to the next.
    const clock = { now: () => this.#context.now(), timers: hal.timers };
    let chip = this.#chip;
    if (chip && hal.system.resetReason() !== 'power-on') chip.moveTo(hal.io, clock);
    else {
      chip = attachLis3dh(hal.io, { port: simSosButton.i2c?.port ?? 0, int1: pin.accelInterrupt, clock });
      chip.setStill(this.rest);
      this.#chip = chip;
    }
    const cell = attachBattery(hal, pin.battery, { millivolts: this.batteryMv });
    const app = this.detector ? new SosButtonApp({ detector: this.detector }) : SOS_BUTTON.createApp();
    this.boot = { hal, chip, cell, app, at: this.#context.now() };
    return app;
  }

  /** The history with `boot` added, when it ended in deep sleep (its asleep time so far, when it still sleeps). */
  withAsleep(boot: SosBoot): SleepHistory {
    const h = this.history;
    const request = boot.hal.system.deepSleepRequest;
    if (!request) return h;
    const health = boot.app.health();
    return {
      awakeS: h.awakeS + request.at / 1000,
      radioS: h.radioS + (typeof health.radioS === 'number' ? health.radioS : 0),
      wakes: h.wakes + (typeof health.wakes === 'number' ? health.wakes : 0),
      deepSleepS: h.deepSleepS + (this.#context.now() - boot.at - request.at) / 1000,
      deepSleeps: h.deepSleeps + 1,
    };
  }

  /** This boot's Hal while it runs (not after it went into deep sleep). */
  #awake(): HostHal | undefined {
    const hal = this.boot?.hal;
    return hal && !hal.system.deepSleepRequest ? hal : undefined;
  }

  /** Puts the held button on this boot's pin until its release time. */
  #applyButton(hal: HostHal): void {
    const hold = this.#button;
    const left = hold.releaseAt - this.#context.now();
    const pin = hal.io.pin(buttonPin);
    pin.setInput(0);
    if (!Number.isFinite(left)) return;
    // This hold's own timer lets go, unless another press or release came since. Not "is the world's release
    // time past?": in real time the device's clock can lag the world's (it stands at an overdue timer's time),
    // so that timer may fire a moment before it, and the button would stay down for good (the next press lost).
    hal.timers.set(() => {
      if (this.#button === hold) pin.setInput(undefined);
    }, left);
  }
}

export const sosButtonKind: SimDeviceKind<SosWorld> = {
  model: SOS_BUTTON.model,
  board: simSosButton satisfies BoardFor<typeof SOS_BUTTON.parts>,
  partitions: { outbox: 64 * 1024 },
  // Livelier than the field defaults, so sleeping, check-ins and battery changes show within minutes.
  desiredConfig: { checkInS: 300, batteryCheckS: 60 },
  createWorld: (context) => new SosWorld(context),
  boot: (hal, world) => world.attach(hal),
  commands: {
    press: {
      args: '',
      help: 'press the SOS button (0.2 s)',
      run(world) {
        world.holdButton(PRESS_MS);
        return 'button pressed';
      },
    },
    hold: {
      args: '[S]',
      help: 'hold the button S seconds (default 3: a long press cancels a fall or press window)',
      run(world, args) {
        const seconds = args[0] === undefined ? HOLD_MS / 1000 : Number(args[0]);
        if (!(seconds > 0 && seconds <= 60)) throw new RangeError('hold: seconds must be a number from 0 to 60');
        world.holdButton(seconds * 1000);
        return `button held ${seconds} s`;
      },
    },
    fall: {
      args: '[RECORDING-ID]',
      help: 'the wearer falls: a recorded fall (random, or by id) from the shared data, else a synthetic one',
      run: (world, args) => world.playMotion(true, args[0]),
    },
    adl: {
      args: '[RECORDING-ID]',
      help: 'a daily activity: a recording (random, or by id) from the shared data, else synthetic walking and sitting',
      run: (world, args) => world.playMotion(false, args[0]),
    },
    battery: {
      args: 'MV',
      help: 'set the cell voltage (e.g. 3600 for a nearly empty Li-ion cell)',
      run(world, args) {
        const mv = Number(args[0]);
        if (!Number.isInteger(mv) || mv < 2500 || mv > 4500) throw new RangeError('battery: give the cell voltage in mV, 2500–4500');
        world.setBattery(mv);
        return `battery at ${mv} mV (read at the next battery check)`;
      },
    },
  },
  inputLevel(world, pin) {
    if (pin === buttonPin) return world.buttonDown ? 0 : 1;
    return pin === accelPin ? world.int1.level : undefined;
  },
  inputChangeIn: (world) => world.int1.changeInMs,
  describe(world) {
    const boot = world.boot;
    if (!boot) return '';
    const request = boot.hal.system.deepSleepRequest;
    const status = boot.app.status();
    const alarm = status.alarm as { state: string; escalated: boolean; cause: string } | undefined;
    const window = status.window as { cause: string; remainingMs: number } | undefined;
    const parts: string[] = [];
    if (request) parts.push('deep sleep');
    else if (window) parts.push(`${window.cause === 'fall' ? 'fall' : 'press'}: alarm in ${Math.ceil(window.remainingMs / 1000)} s`);
    else if (alarm) parts.push(`alarm ${alarm.escalated ? 'ESCALATED' : alarm.state} (${alarm.cause})`);
    else parts.push('no alarm');
    if (typeof status.batteryPct === 'number') parts.push(`battery ${status.batteryPct} %${status.batteryLow ? ' LOW' : ''}`);
    // Awake and asleep time of every boot since the last reset that was not a deep-sleep wake.
    const health = boot.app.health();
    const h = request ? world.withAsleep(boot) : world.history;
    const awakeS = request ? 0 : boot.hal.clock.now() / 1000;
    const radioS = h.radioS + (request ? 0 : typeof health.radioS === 'number' ? health.radioS : 0);
    const wakes = h.wakes + (request ? 0 : typeof health.wakes === 'number' ? health.wakes : 0);
    const uptimeS = h.awakeS + h.deepSleepS + awakeS;
    if (uptimeS >= 60) {
      const estimate = estimateFromMeasured({
        uptimeS, radioS, wakes, fallDetection: status.fallDetection === true, deepSleepS: h.deepSleepS, deepSleeps: h.deepSleeps,
      });
      parts.push(`radio ${Math.round((100 * radioS) / uptimeS)} % · est. ${describeDuration(estimate.days)}`);
    }
    return parts.join(' · ');
  },
};
