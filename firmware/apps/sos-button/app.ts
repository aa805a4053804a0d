// The SOS button app (docs/sos-button.md). Press → confirmation pattern → alarm; a detected fall → sound and
// vibration for the cancel window → alarm, unless a long press cancels it (then fall.cancelled, for tuning).
// The platform's alarm updates drive the LED/buzzer patterns; the radio sleeps between activity, and with fall
// detection off the whole chip deep-sleeps (deep-sleep.ts): a button wake boots the app as an SOS press. With it on
// and `impactWake`, the chip deep-sleeps too while the accelerometer watches alone: an impact wakes it, the
// detector gets the history before the trigger and the seconds after, and the chip sleeps again without the
// radio ever coming up unless that decision (or the wearer) has something to report.
import type { Hal, TimerId, WakePin } from '../../../hal/contract/index.js';
import type { Indicator } from '../../io/indicator.js';
import { openParts, type OpenedParts } from '../../parts/open-parts.js';
import type { Closable, Part } from '../../parts/part.js';
import type { AlarmUpdateMessage } from '../../protocol/messages.js';
import type { ConfigValues } from '../../runtime/config.js';
import type { DeviceApp, DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandSpec } from '../../runtime/dispatcher.js';
import { FallDetector } from '../../sensing/fall-detector.js';
import { IMPACT_WAKE } from '../../sensing/impact-wake.js';
import { AlarmLifecycle } from '../../alarms/alarm-lifecycle.js';
import { detectorFigures } from '../../alarms/alarm-record.js';
import { runtimeAlarmHooks } from '../../alarms/runtime-hooks.js';
import { BatteryWatch, type BatteryGauge, type BatteryReading } from '../../power/battery-watch.js';
import { DeepSleepGate } from '../../power/deep-sleep.js';
import { DutyCycle } from '../../power/duty-cycle.js';
import { type SosCause, sosCauses, sosIndication } from './alarm-causes.js';
import { SOS_CONFIG, SOS_DOMAIN } from './config.js';
import { FallWatch, type Accelerometer, type Detector } from './fall-watch.js';
import { LONG_PRESS_MS, SOS_BUTTON_PARTS, type SosButtonEvents } from './parts.js';
import { INDICATIONS, type Indication } from './patterns.js';

/** The parts the app drives, by what it needs of each: a test may fit stand-ins or leave parts out. */
export type SosButtonParts = {
  readonly accel?: Part<Accelerometer, string, SosButtonEvents>;
  readonly battery?: Part<BatteryGauge & Closable, string, SosButtonEvents>;
  readonly led?: Part<Indicator, string, SosButtonEvents>;
  readonly buzzer?: Part<Indicator, string, SosButtonEvents>;
  readonly vibration?: Part<Indicator, string, SosButtonEvents>;
  /** `pressed`: held now (also when held since it opened, which it does not report as a press). */
  readonly button?: Part<Closable & { readonly pressed: boolean }, string, SosButtonEvents>;
};

export interface SosButtonAppOptions {
  /** The parts table (default SOS_BUTTON_PARTS). */
  parts?: SosButtonParts;
  /** The fall detector to run (default: the shipped FallDetector); `afterWake`: started by a wake on impact. */
  detector?: (afterWake: boolean) => Detector<object>;
}

export class SosButtonApp implements DeviceApp<typeof SOS_CONFIG> {
  readonly config = SOS_CONFIG;
  readonly commands: Readonly<Record<string, CommandSpec>>;
  /** A factory reset erases the pendant's alarm, battery and detector records. */
  readonly keeps = Object.freeze({ domains: [SOS_DOMAIN] });
  #hal!: Hal;
  #table: SosButtonParts;
  #hardware!: OpenedParts<SosButtonParts>;
  #detector: (afterWake: boolean) => Detector<object>;
  #runtime!: DeviceRuntime<typeof SOS_CONFIG>;
  #alarms!: AlarmLifecycle<SosCause>;
  #falls: FallWatch<object> | undefined;
  #battery: BatteryWatch | undefined;
  #duty!: DutyCycle;
  #deepSleep!: DeepSleepGate;
  #batteryTimer: TimerId | undefined;
  #showing: Indication | undefined;
  #fallsDetected = 0;
  /** The press being held started the current window (a panicked hold must not cancel its own SOS). */
  #pressOwnsWindow = false;
  #pressInWindow = false;
  /** This boot is a wake on impact: the radio stays down until there is something to report (connectAtBoot). */
  #impactBoot = false;

  constructor(options: SosButtonAppOptions = {}) {
    this.#table = options.parts ?? SOS_BUTTON_PARTS;
    this.#detector = options.detector ?? ((afterWake) => new FallDetector(afterWake ? IMPACT_WAKE.detectorOptions : {}));
    this.commands = {
      'sos-button.status': { persist: false, run: () => ({ code: 'ok', data: this.status() }) },
    };
  }

  /** What the SOS button is doing, for the sos-button.status command and the simulator. */
  status(): Record<string, unknown> {
    const alarm = this.#alarms?.alarm;
    const window = this.#alarms?.window;
    return {
      ...(alarm ? { alarm } : {}),
      ...(window ? { window } : {}),
      ...(this.#showing ? { showing: this.#showing } : {}),
      fallDetection: this.#falls?.running ?? false,
      still: this.#falls?.still ?? false,
      ...this.#battery?.health(),
    };
  }

  /** The indication being played (undefined: dark and quiet). */
  get showing(): Indication | undefined {
    return this.#showing;
  }

  get alarms(): AlarmLifecycle<SosCause> {
    return this.#alarms;
  }

  start(runtime: DeviceRuntime<typeof SOS_CONFIG>): void {
    this.#runtime = runtime;
    const hal = runtime.hal;
    this.#hal = hal;
    const log = (level: 'info' | 'warn', message: string) => hal.system.log(level, `sos-button: ${message}`);
    const events: SosButtonEvents = {
      motion: () => this.#falls?.motion(),
      press: () => this.#press(),
      longPress: () => this.#longPress(),
      release: (heldMs) => this.#release(heldMs),
    };
    this.#hardware = openParts(this.#table, {
      device: hal.device, timers: hal.timers, clock: hal.clock, events, log: (message) => log('warn', message),
    });
    const number: typeof runtime.config.number = (key) => runtime.config.number(key);

    this.#duty = new DutyCycle({
      runtime,
      timers: hal.timers,
      clock: hal.clock,
      settings: () => ({ checkInS: number('checkInS'), awakeS: number('awakeS'), connectGiveUpS: number('connectGiveUpS'), retryS: number('retryS') }),
      busy: () => this.#alarms.busy,
      onWake: (reason) => {
        this.#deepSleep.cancel();
        if (reason === 'check-in') this.#checkBattery();
      },
      onSleep: () => this.#deepSleep.radioAsleep(),
      log,
    });

    const boardPin = (name: string | undefined) => (name === undefined ? undefined : hal.device.board.pin[name]);
    const buttonPin = boardPin(this.#table.button?.pins['pin']);
    const accelPin = boardPin(this.#table.accel?.pins['interrupt']);
    this.#deepSleep = new DeepSleepGate({
      system: hal.system,
      timers: hal.timers,
      clock: hal.clock,
      // The button pulls the line low (pull-up): pressed reads 0.
      wake: typeof buttonPin === 'number' ? [{ pin: buttonPin, level: 0 }] : [],
      blocker: () => this.#deepSleepBlocker(typeof accelPin === 'number'),
      nextWakeAt: () => this.#duty.nextWakeAt,
      // INT1 is active high (push-pull): an impact wakes the chip.
      arm: () => (typeof accelPin === 'number' ? this.#armImpactWake(accelPin) : undefined),
      log,
    });

    this.#alarms = new AlarmLifecycle({
      causes: sosCauses(number),
      domain: SOS_DOMAIN,
      ...runtimeAlarmHooks(runtime),
      show: (indication, cause) => this.#show(sosIndication(indication, cause)),
      changed: () => {
        if (this.#alarms.busy) this.#duty.wake('alarm');
        else this.#duty.wake('report');
      },
      log,
    });

    const gauge = this.#hardware.parts.battery;
    if (gauge) {
      this.#battery = new BatteryWatch({
        gauge,
        kv: hal.storage.kv,
        domain: SOS_DOMAIN,
        settings: () => ({ lowPct: number('lowBatteryPct'), hysteresisPct: number('batteryHysteresisPct') }),
        onLow: (reading) => this.#batteryLow(reading),
        onRecovered: (reading) => runtime.emit('battery.ok', { mv: reading.mv, percent: reading.percent }),
      });
    }

    const { accel } = this.#hardware.parts;
    if (accel) {
      this.#falls = new FallWatch({
        accel,
        timers: hal.timers,
        detector: this.#detector,
        onFall: (alert) => this.#fall(alert),
        stillS: () => number('stillS'),
        // INT1 is wired when the accelerometer's part names its pin.
        wakeLine: this.#table.accel?.pins['interrupt'] !== undefined,
        log,
      });
    }

    const wake = hal.system.wakeCause?.();
    const wokenBy = (pin: number | undefined) => wake?.by === 'pin' && typeof pin === 'number' && wake.pins.includes(pin);
    const detecting = runtime.config.get('fallDetection') === true;
    this.#impactBoot = detecting && this.#falls !== undefined && wokenBy(accelPin) && !wokenBy(buttonPin);
    // Woken on impact: the radio stays down (the runtime asks connectAtBoot) and the check-in keeps its time.
    if (this.#impactBoot) this.#duty.startAsleep(wake?.by === 'pin' && wake.timerLeftMs !== undefined ? wake.timerLeftMs : number('checkInS') * 1000);
    else this.#duty.start();
    this.#alarms.restore();
    this.#checkBattery();
    this.#scheduleBattery();
    if (!detecting) this.#falls?.stop(); // button only: the accelerometer does not sample (nor draw its ~11 µA)
    else if (wokenBy(accelPin)) this.#falls?.startAfterImpact(() => this.#decided());
    else this.#falls?.start();
    // Woken from deep sleep by the button: that press asked for help. By now the wearer may have let go (the
    // chip takes a moment to boot) and the Button driver ignores a button held since before it started, so the
    // press is taken from the wake cause, once. Pressed during the boot from a timer wake (the wake pin no longer
    // watched, the driver not yet running) and still held: that press is taken here, or it would be lost.
    if (wokenBy(buttonPin)) {
      log('info', 'woken from deep sleep by the button');
      this.#press();
    } else if (wake !== undefined && this.#hardware.parts.button?.pressed === true) {
      log('info', 'button pressed while waking from deep sleep');
      this.#press();
    }
  }

  /** After a wake on impact the radio comes up only when the app has news (a fall, a press, a low battery). */
  connectAtBoot(): boolean {
    return !(this.#impactBoot && this.#duty.asleep);
  }

  stop(): void {
    this.#deepSleep?.cancel();
    this.#hal?.timers.clear(this.#batteryTimer);
    this.#duty?.stop();
    this.#alarms?.close();
    this.#falls?.stop();
    this.#hardware?.close();
  }

  onConfig(changed: string[], values: ConfigValues): void {
    if (changed.includes('fallDetection') && this.#falls) {
      if (values.fallDetection === true) this.#falls.start();
      else this.#falls.stop();
    }
    if (changed.includes('batteryCheckS')) this.#scheduleBattery();
    // A longer awake time asked for now counts for this connection, not only from the next one.
    if (changed.includes('awakeS') && this.#runtime.state === 'online') this.#duty.connected();
  }

  onAlarm(update: AlarmUpdateMessage): void {
    this.#alarms.update(update);
  }

  onConnection(online: boolean): void {
    if (!online) return;
    this.#duty.connected();
    // Battery devices report health while awake anyway rather than waking for it (docs/protocol.md §10).
    this.#runtime.telemetry(this.#runtime.health());
  }

  health(): Record<string, unknown> {
    const alarm = this.#alarms?.alarm;
    const counters = this.#alarms?.counters;
    const falls = this.#falls?.counters;
    const duty = this.#duty?.counters;
    return {
      ...this.#battery?.health(),
      ...(alarm ? { alarmId: alarm.id, alarmState: alarm.state } : {}),
      ...(counters ? { alarmsRaised: counters.raised, reminders: counters.reminders, fallsCancelled: counters.cancelled.fall } : {}),
      fallsDetected: this.#fallsDetected,
      fallDetection: this.#falls?.running ?? false,
      ...(falls ? { fifoOverruns: falls.fifoOverruns, accelErrors: falls.accelErrors, stillPeriods: falls.stillPeriods } : {}),
      ...(duty ? { radioS: Math.round(duty.radioMs / 1000), wakes: duty.wakes } : {}),
      ...this.#hardware?.health(),
    };
  }

  // ---- button: press → SOS; during a window, a short press confirms at once and a long press cancels ----

  #press(): void {
    this.#pressOwnsWindow = false;
    this.#pressInWindow = false;
    if (this.#alarms.window) {
      this.#pressInWindow = true; // decided on release (confirm) or long press (cancel)
      return;
    }
    this.#alarms.press('button'); // opens the confirmation window (or raises, or re-sends an open alarm)
    this.#pressOwnsWindow = this.#alarms.window !== undefined;
    this.#duty.wake('button');
  }

  #longPress(): void {
    if (this.#pressOwnsWindow || !this.#pressInWindow) return;
    this.#pressInWindow = false;
    this.#alarms.cancel(LONG_PRESS_MS);
  }

  #release(heldMs: number): void {
    const confirm = this.#pressInWindow && heldMs < LONG_PRESS_MS;
    this.#pressOwnsWindow = false;
    this.#pressInWindow = false;
    if (confirm) this.#alarms.confirmNow();
  }

  // ---- falls, battery, indication ----

  #fall(alert: object): void {
    this.#fallsDetected++;
    if (this.#alarms.detected('fall', detectorFigures(alert))) this.#duty.wake('fall');
  }

  /** The detector has had its seconds after a wake on impact: with the radio still down, back to deep sleep now. */
  #decided(): void {
    if (this.#runtime.state === 'sleeping') this.#deepSleep.radioAsleep(0);
  }

  #checkBattery(): void {
    this.#battery?.check();
  }

  #scheduleBattery(): void {
    this.#hal.timers.clear(this.#batteryTimer);
    this.#batteryTimer = this.#hal.timers.repeat(() => this.#checkBattery(), this.#runtime.config.number('batteryCheckS') * 1000);
  }

  #batteryLow(reading: BatteryReading): void {
    this.#runtime.emit('battery.low', { mv: reading.mv, percent: reading.percent });
    if (!this.#alarms.busy) this.#show('lowBattery');
    this.#duty.wake('battery');
  }

  /** What keeps the chip from deep-sleeping now (undefined: nothing). `impactLine`: INT1 is on a pin that can wake it. */
  #deepSleepBlocker(impactLine: boolean): { reason: string; retry?: boolean } | undefined {
    if (this.#falls?.running) {
      if (!impactLine || this.#runtime.config.get('impactWake') !== true) return { reason: 'fall detection needs the CPU' };
      if (this.#falls.deciding) return { reason: 'deciding after a wake on impact', retry: true };
    }
    if (this.#alarms.busy) return { reason: 'alarm or window open' };
    if (this.#runtime.state !== 'sleeping') return { reason: 'radio up' };
    const { led, buzzer, vibration } = this.#hardware.parts;
    if ([led, buzzer, vibration].some((player) => player?.playing === true)) return { reason: 'pattern playing', retry: true };
    return undefined;
  }

  /** The accelerometer watches alone while the chip sleeps (fall detection on), INT1 its wake pin. */
  #armImpactWake(pin: number): { wake: readonly WakePin[]; undo(): void } | undefined {
    const falls = this.#falls;
    if (!falls?.running) return undefined;
    const number = (key: 'impactWakeMg' | 'impactWakeMs') => this.#runtime.config.number(key);
    falls.armImpactWake({ thresholdMg: number('impactWakeMg'), durationMs: number('impactWakeMs') });
    return { wake: [{ pin, level: 1 }], undo: () => falls.resume() };
  }

  #show(indication: Indication | undefined): void {
    this.#showing = indication;
    const patterns = indication === undefined ? undefined : INDICATIONS[indication];
    const { led, buzzer, vibration } = this.#hardware.parts;
    for (const [player, channel] of [[led, patterns?.led], [buzzer, patterns?.buzzer], [vibration, patterns?.vibration]] as const) {
      if (!player) continue;
      if (channel) player.play(channel.pattern, channel.repeat);
      else player.stop();
    }
  }
}
