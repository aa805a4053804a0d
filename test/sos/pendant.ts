// A simulated SOS pendant under test: the real app and runtime on the pendant's board, a register-level LIS3DH
// (INT1 wired) and a battery cell on the virtual IO, a scripted MQTT transport and a stepped clock. Storage
// outlives reboots; every boot gets a new HAL, chips and transport, as on the device. The button is physical:
// it stays pressed across boots, and while the pendant deep-sleeps a press wakes it (hal/host SleepingChip).
import { SosButtonApp } from '../../firmware/apps/sos-button/index.js';
import type { EventMessage, StatusMessage, TelemetryMessage } from '../../firmware/protocol/messages.js';
import { validateOutbound } from '../../firmware/protocol/validate.js';
import { Backoff } from '../../firmware/runtime/backoff.js';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { simSosButtonBoard } from '../../hal/boards/sim-sos-button.js';
import type { ResetReason, Storage, WakeCause } from '../../hal/contract/index.js';
import { createHostHal, SleepingChip, SteppedClock, type HostHal, type VirtualPin } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { attachBattery, type BatteryCell } from '../../simulator/chips/battery.js';
import { attachLis3dh, type Lis3dhChip } from '../../simulator/chips/lis3dh.js';
import { FakeMqtt } from '../support/fake-mqtt.js';

/**
 * PUBACKs arrive a moment after the publish (on the device's timers), as from a broker. (FakeMqtt's autoAck
 * acknowledges inside publish(), before the outbox has noted the packet id, so the outbox never empties.)
 */
export class BrokerMqtt extends FakeMqtt {
  defer: ((callback: () => void) => void) | undefined;

  constructor() {
    super();
    this.autoAck = false;
  }

  override publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): number {
    const packetId = super.publish(topic, payload, qos, retain);
    if (qos === 1) this.defer?.(() => this.connected && this.ackAll());
    return packetId;
  }
}

export const WALL_TIME = 1_800_000_000_000;
export const PREFIX = 'ct/v1/test-site/pendant-1';
export const PIN = simSosButtonBoard.pin as Readonly<Record<'button' | 'led' | 'buzzer' | 'vibration' | 'accelInterrupt' | 'battery', number>>;

export interface PendantOptions {
  /** Settings sent as config/desired right after the first connection. */
  config?: Record<string, unknown>;
  batteryMv?: number;
  /** Posture at boot (milli-g). */
  rest?: { x: number; y: number; z: number };
  /** Replaces the app's fall detector (e.g. one that records what it is fed). */
  detector?: () => { push(x: number, y: number, z: number): object | undefined };
  /** The HAL offers deep sleep. Default true. */
  deepSleep?: boolean;
  /** Time from a deep-sleep wake to the app running. Default 300 ms. */
  bootMs?: number;
}

export class Pendant {
  readonly storage: Storage = createHostStorage({ partitions: { outbox: 64 * 1024 } });
  hal!: HostHal;
  runtime!: DeviceRuntime;
  app!: SosButtonApp;
  chip!: Lis3dhChip;
  cell!: BatteryCell;
  mqtt!: BrokerMqtt;
  /** Everything published, across boots. */
  readonly transports: BrokerMqtt[] = [];
  networkUp = true;
  /** Deep sleeps so far, with what each asked for and how it ended. */
  readonly sleeps: SleepingChip[] = [];
  #options: PendantOptions;
  #wall = WALL_TIME;
  #configVersion = 0;
  #buttonDown = false;
  #asleep: SleepingChip | undefined;
  #elapsed = 0;

  constructor(options: PendantOptions = {}) {
    this.#options = options;
    writeProvisioning(this.storage.kv, { site: 'test-site', device: 'pendant-1', host: '127.0.0.1', port: 1883 });
  }

  get clock(): SteppedClock {
    return this.hal.clock as SteppedClock;
  }

  /** Milliseconds since this boot (the device's monotonic clock). */
  get now(): number {
    return this.clock.now();
  }

  /** Milliseconds since the test began, across boots and deep sleeps. */
  get elapsed(): number {
    return this.#elapsed;
  }

  /** The deep sleep the pendant is in, if it is. */
  get asleep(): SleepingChip | undefined {
    return this.#asleep;
  }

  boot(resetReason: ResetReason = 'power-on', wakeCause?: WakeCause): this {
    this.#asleep = undefined;
    this.mqtt = new BrokerMqtt();
    this.mqtt.accept = this.networkUp;
    this.transports.push(this.mqtt);
    const clock = new SteppedClock({ wallTimeMs: this.#wall, wallTimeValid: true });
    this.hal = createHostHal({
      storage: this.storage, board: simSosButtonBoard, clock, transport: this.mqtt,
      system: { resetReason, ...(wakeCause ? { wakeCause } : {}), deepSleep: this.#options.deepSleep !== false },
    });
    if (this.#buttonDown) this.hal.io.pin(PIN.button).setInput(0);
    this.mqtt.defer = (callback) => clock.timers.set(callback, 0);
    this.chip = attachLis3dh(this.hal, { int1: PIN.accelInterrupt });
    this.chip.setStill(this.#options.rest ?? { x: 0, y: 1000, z: 0 });
    this.cell = attachBattery(this.hal, PIN.battery, { millivolts: this.#options.batteryMv ?? 4000 });
    this.app = new SosButtonApp(this.#options.detector ? { detector: this.#options.detector } : {});
    this.runtime = new DeviceRuntime({
      hal: this.hal, model: 'sos-button', app: this.app, backoff: new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 }),
    });
    this.runtime.start();
    if (this.#options.config && this.#configVersion === 0 && this.mqtt.connected) this.configure(this.#options.config);
    return this;
  }

  /** Power cut and power back `gapMs` later (wall time moves on): storage stays, nothing is shut down. */
  powerCycle(gapMs = 1000): this {
    this.#wall = (this.#asleep ? this.#wall : this.hal.wallClock.now()) + gapMs;
    this.#elapsed += gapMs;
    this.hal.dispose();
    return this.boot();
  }

  configure(values: Record<string, unknown>): void {
    this.#configVersion++;
    this.mqtt.deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: this.#configVersion, config: values }), true);
  }

  /**
   * Lets `ms` pass: on the running pendant's clock, or asleep. A deep sleep that begins meanwhile takes the rest
   * of the time; when it ends (timer or button) the next instance boots `bootMs` later and runs on.
   */
  advance(ms: number): void {
    let left = ms;
    for (;;) {
      const asleep = this.#asleep;
      if (asleep) {
        const step = Math.min(left, asleep.bootInMs);
        asleep.pass(step);
        this.#wall += step;
        this.#elapsed += step;
        left -= step;
        if (asleep.bootInMs > 0) return;
        this.boot('deep-sleep', asleep.cause);
        continue;
      }
      const end = this.clock.now() + left;
      this.clock.advance(left);
      this.#elapsed += left;
      const request = this.hal.system.deepSleepRequest;
      if (!request) return;
      // Down since request.at: the rest of this step passes asleep.
      left = end - request.at;
      this.#elapsed -= left;
      this.#wall = this.hal.wallClock.now() - left;
      this.hal.dispose();
      const chip = new SleepingChip(request, this.#options.bootMs ?? 300);
      this.sleeps.push(chip);
      this.#asleep = chip;
      chip.checkPins((pin) => this.#level(pin));
    }
  }

  /** Presses the button for `ms` (released: the pull-up takes the line high) and lets time pass past it. */
  press(ms = 200, after = 100): void {
    this.#setButton(true);
    this.advance(ms);
    this.#setButton(false);
    this.advance(after);
  }

  #setButton(down: boolean): void {
    this.#buttonDown = down;
    if (this.#asleep) this.#asleep.checkPins((pin) => this.#level(pin));
    else this.hal.io.pin(PIN.button).setInput(down ? 0 : undefined);
  }

  /** Levels of the physical inputs while no instance runs (the button's pull-up holds it high). */
  #level(pin: number): 0 | 1 | undefined {
    return pin === PIN.button ? (this.#buttonDown ? 0 : 1) : undefined;
  }

  network(up: boolean): void {
    this.networkUp = up;
    this.mqtt.accept = up;
    if (!up) this.mqtt.drop();
  }

  alarmUpdate(alarmId: string, state: string, ts: number, extra: Record<string, unknown> = {}, retained = true): void {
    this.mqtt.deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId, state, ts, ...extra }), retained);
  }

  /** Parsed messages on a channel across every boot. Fails the test on any message the protocol forbids. */
  messages<T>(channel: string): T[] {
    const out: T[] = [];
    for (const transport of this.transports) {
      for (const p of transport.published) {
        if (!p.topic.endsWith(`/${channel}`)) continue;
        const message: unknown = JSON.parse(p.payload);
        const verdict = validateOutbound(message);
        if (!verdict.ok) throw new Error(`invalid ${channel} message: ${JSON.stringify(verdict)} in ${p.payload}`);
        out.push(message as T);
      }
    }
    return out;
  }

  /** Distinct events (by seq: retransmissions are byte-identical copies), oldest first. */
  events(type?: string): EventMessage[] {
    const bySeq = new Map<number, EventMessage>();
    for (const event of this.messages<EventMessage>('event')) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
    return [...bySeq.values()].sort((a, b) => a.seq - b.seq).filter((e) => type === undefined || e.type === type);
  }

  statuses(): StatusMessage[] {
    return this.messages<StatusMessage>('status');
  }

  telemetry(): TelemetryMessage[] {
    return this.messages<TelemetryMessage>('telemetry');
  }

  pin(name: keyof typeof PIN): VirtualPin {
    return this.hal.io.pin(PIN[name]);
  }
}

/**
 * Durations of the complete on/off segments a pin showed between `from` and `to` (monotonic ms), starting with
 * the first "on": what the wearer saw or heard. Repeated writes of the same level are one segment.
 */
export function rhythm(pin: VirtualPin, from: number, to: number): number[] {
  const changes: { at: number; level: number }[] = [];
  for (const change of pin.history) {
    if (changes.length > 0 && changes[changes.length - 1]!.level === change.level) continue;
    changes.push(change);
  }
  const durations: number[] = [];
  let started = false;
  for (let i = 0; i < changes.length - 1; i++) {
    const { at, level } = changes[i]!;
    const end = changes[i + 1]!.at;
    if (at < from || end > to) continue;
    if (!started && level !== 1) continue;
    started = true;
    durations.push(end - at);
  }
  return durations;
}

/**
 * Whether `observed` follows the channel's pattern step by step: at least one whole round of a repeating
 * pattern, or every step of a finite one but its last "off" (which runs into the silence after it).
 */
export function followsPattern(observed: readonly number[], pattern: readonly number[], repeat: number | true = true): boolean {
  const steps = pattern.filter((ms) => ms > 0);
  const needed = repeat === true ? steps.length : Math.max(1, steps.length * repeat - (pattern.length % 2 === 0 ? 1 : 0));
  if (observed.length < needed) return false;
  if (repeat !== true && observed.length > needed) return false;
  return observed.every((ms, i) => ms === steps[i % steps.length]);
}

/** How long to watch a channel to see its pattern: two rounds of a repeating one, all of a finite one. */
export function watchMs(pattern: readonly number[], repeat: number | true): number {
  const round = pattern.reduce((a, b) => a + b, 0);
  return (repeat === true ? 2 : repeat) * round + 100;
}
