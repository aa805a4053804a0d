// The SOS pendant in the simulator: the real app (firmware/apps/sos-button) on the pendant's pin map, with a
// simulated LIS3DH (INT1 wired) and battery cell. The world is the wearer: their posture and motion, and the
// cell's voltage; both outlive reboots. Commands press and hold the button, play a fall or a daily activity
// (a recording from the shared data set when it is there, else a synthetic trace) and set the battery. With
// fall detection off the pendant deep-sleeps: the button is then part of the world (a press wakes the chip,
// inputLevel), and the world sums awake and deep-sleep time across boots for the battery estimate.
import { simSosButtonBoard } from '../../hal/boards/sim-sos-button.js';
import type { HostHal } from '../../hal/host/index.js';
import { SOS_BUTTON_MODEL, SosButtonApp } from '../../firmware/apps/sos-button/index.js';
import { estimateFromMeasured, describeDuration } from '../battery-life.js';
import { attachBattery, type BatteryCell } from '../chips/battery.js';
import { attachLis3dh, type Lis3dhChip } from '../chips/lis3dh.js';
import { findRecording, recordingFiles, syntheticActivity, syntheticFall, withLeadIn, type Motion, type Xyz } from './sos-motion.js';
import type { SimDeviceKind } from './kind.js';

export interface SosWorld {
  /** Cell voltage, mV. */
  batteryMv: number;
  /** The wearer's posture when nothing plays (the chip holds it), milli-g. */
  rest: Xyz;
  /** The last trace played. */
  motion: { id: string; fall: boolean } | undefined;
  /** Where recordings are looked for. */
  dataDir: string | undefined;
  /** This boot's parts (replaced at every boot; after a deep sleep began, those of the boot that slept). */
  boot: { hal: HostHal; chip: Lis3dhChip; cell: BatteryCell; app: SosButtonApp } | undefined;
  /** The button is held (until `releaseAt` on the last boot's clock, which keeps running after it stopped). */
  button: { down: boolean; releaseAt: number };
  /** Boots that ended in deep sleep since the last other reset: their awake and asleep time, for the estimate. */
  history: { awakeS: number; radioS: number; wakes: number; deepSleepS: number; deepSleeps: number };
}

const noHistory = (): SosWorld['history'] => ({ awakeS: 0, radioS: 0, wakes: 0, deepSleepS: 0, deepSleeps: 0 });

const PRESS_MS = 200;
const HOLD_MS = 3000;

function current(world: SosWorld): NonNullable<SosWorld['boot']> {
  if (!world.boot) throw new Error('the pendant is not running');
  return world.boot;
}

function holdButton(world: SosWorld, ms: number): void {
  const { hal } = current(world);
  world.button = { down: true, releaseAt: hal.clock.now() + ms };
  // In deep sleep the simulator sees the held button through inputLevel and boots the pendant.
  if (!hal.system.deepSleepRequest) applyButton(world, hal);
}

/** Puts the world's button on this boot's pin until its release time. */
function applyButton(world: SosWorld, hal: HostHal, clockOfPress: HostHal = hal): void {
  const left = world.button.releaseAt - clockOfPress.clock.now();
  if (!world.button.down || left <= 0) {
    world.button.down = false;
    return;
  }
  const pin = hal.io.pin(simSosButtonBoard.pin.button!);
  pin.setInput(0);
  hal.timers.set(() => {
    pin.setInput(undefined); // released: the pull-up takes the line high again
    world.button.down = false;
  }, left);
}

/** Adds a boot that ended in deep sleep to the history (its asleep time so far, when it still sleeps). */
function withAsleep(world: SosWorld, boot: NonNullable<SosWorld['boot']>): SosWorld['history'] {
  const h = world.history;
  const request = boot.hal.system.deepSleepRequest;
  if (!request) return h;
  const health = boot.app.health();
  return {
    awakeS: h.awakeS + request.at / 1000,
    radioS: h.radioS + (typeof health.radioS === 'number' ? health.radioS : 0),
    wakes: h.wakes + (typeof health.wakes === 'number' ? health.wakes : 0),
    deepSleepS: h.deepSleepS + (boot.hal.clock.now() - request.at) / 1000,
    deepSleeps: h.deepSleeps + 1,
  };
}

function playMotion(world: SosWorld, fall: boolean, id: string | undefined): string {
  const { chip } = current(world);
  let motion: Motion | undefined;
  if (id !== undefined || recordingFiles(world.dataDir).length > 0) {
    motion = findRecording({ ...(id === undefined ? {} : { id }), fall }, world.dataDir);
    if (!motion && id !== undefined) throw new Error(`no recording "${id}" in ${world.dataDir ?? 'the data folder'}`);
  }
  motion ??= fall ? syntheticFall() : syntheticActivity();
  const samples = withLeadIn(world.rest, motion.samples);
  const ms = chip.play(samples);
  const n = samples.length;
  world.rest = { x: samples[n - 3]!, y: samples[n - 2]!, z: samples[n - 1]! };
  world.motion = { id: motion.id, fall: motion.fall };
  return `playing ${motion.id} (${motion.fall ? 'fall' : 'daily activity'}, ${(ms / 1000).toFixed(1)} s with a 5 s lead-in)`;
}

export const sosButtonKind: SimDeviceKind<SosWorld> = {
  model: SOS_BUTTON_MODEL,
  board: simSosButtonBoard,
  partitions: { outbox: 64 * 1024 },
  // Livelier than the field defaults, so sleeping, check-ins and battery changes show within minutes.
  desiredConfig: { checkInS: 300, batteryCheckS: 60 },
  createWorld: () => ({
    batteryMv: 4000,
    rest: { x: 0, y: 1000, z: 0 },
    motion: undefined,
    dataDir: undefined,
    boot: undefined,
    button: { down: false, releaseAt: 0 },
    history: noHistory(),
  }),
  boot(hal, world) {
    const previous = world.boot;
    world.history = previous && hal.system.resetReason() === 'deep-sleep' ? withAsleep(world, previous) : noHistory();
    if (previous && world.button.down) applyButton(world, hal, previous.hal);
    const pin = simSosButtonBoard.pin;
    const chip = attachLis3dh(hal, { port: simSosButtonBoard.i2c?.port ?? 0, int1: pin.accelInterrupt! });
    chip.setStill(world.rest);
    const cell = attachBattery(hal, pin.battery!, { millivolts: world.batteryMv });
    const app = new SosButtonApp();
    world.boot = { hal, chip, cell, app };
    return app;
  },
  commands: {
    press: {
      args: '',
      help: 'press the SOS button (0.2 s)',
      run(world) {
        holdButton(world, PRESS_MS);
        return 'button pressed';
      },
    },
    hold: {
      args: '[S]',
      help: 'hold the button S seconds (default 3: a long press cancels a fall or press window)',
      run(world, args) {
        const seconds = args[0] === undefined ? HOLD_MS / 1000 : Number(args[0]);
        if (!(seconds > 0 && seconds <= 60)) throw new RangeError('hold: seconds must be a number from 0 to 60');
        holdButton(world, seconds * 1000);
        return `button held ${seconds} s`;
      },
    },
    fall: {
      args: '[RECORDING-ID]',
      help: 'the wearer falls: a recorded fall (random, or by id) from the shared data, else a synthetic one',
      run: (world, args) => playMotion(world, true, args[0]),
    },
    adl: {
      args: '[RECORDING-ID]',
      help: 'a daily activity: a recording (random, or by id) from the shared data, else synthetic walking and sitting',
      run: (world, args) => playMotion(world, false, args[0]),
    },
    battery: {
      args: 'MV',
      help: 'set the cell voltage (e.g. 3600 for a nearly empty Li-ion cell)',
      run(world, args) {
        const mv = Number(args[0]);
        if (!Number.isInteger(mv) || mv < 2500 || mv > 4500) throw new RangeError('battery: give the cell voltage in mV, 2500–4500');
        world.batteryMv = mv;
        world.boot?.cell.setMillivolts(mv);
        return `battery at ${mv} mV (read at the next battery check)`;
      },
    },
  },
  inputLevel(world, pin) {
    return pin === simSosButtonBoard.pin.button ? (world.button.down ? 0 : 1) : undefined;
  },
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
    const h = request ? withAsleep(world, boot) : world.history;
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
