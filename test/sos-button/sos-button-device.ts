// An SOS button under test: the simulator's kind (simulator/kinds/sos-button.ts: the real app,
// a register-level LIS3DH with INT1 wired, a battery cell, the wearer and the button) as a SimDevice on the
// stepped clock, with a scripted broker whose PUBACKs come a moment later (BrokerMqtt). Storage, the wearer and
// the button outlive reboots: the button stays pressed across boots, and a press wakes a deep-sleeping SOS button.
// What is here: the verbs tests use, and helpers to check the LED, buzzer and vibration rhythms.
import type { StatusMessage, TelemetryMessage } from '../../firmware/protocol/messages.js';
import type { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { SosButtonApp } from '../../firmware/apps/sos-button/index.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import type { SleepingChip, HostHal, VirtualPin } from '../../hal/host/index.js';
import type { SimDevice } from '../../simulator/device.js';
import { sosButtonKind, type SosBoot, type SosWorld } from '../../simulator/kinds/sos-button.js';
import { BrokerMqtt } from '../support/broker-mqtt.js';
import { RigDevice, steppedDevice, WALL_TIME } from '../support/device.js';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';

export { WALL_TIME };
export const PREFIX = 'ct/v1/test-site/sos-button-1';
export const PIN = simSosButton.pin as Readonly<Record<'button' | 'led' | 'buzzer' | 'vibration' | 'accelInterrupt' | 'battery', number>>;

export interface SosButtonDeviceOptions {
  /** Settings sent as config/desired right after the first connection. */
  config?: Record<string, unknown>;
  batteryMv?: number;
  /** Posture at boot (milli-g). */
  rest?: { x: number; y: number; z: number };
  /** The HAL offers deep sleep. Default true. */
  deepSleep?: boolean;
  /** Time from a deep-sleep wake to the app running. Default: the wake time the evaluation assumes (IMPACT_WAKE.wakeMs). */
  bootMs?: number;
}

export class SosButtonDevice extends RigDevice<SosWorld, BrokerMqtt> {
  #options: SosButtonDeviceOptions;
  #configVersion = 0;
  /** The last boot's runtime and broker (kept while the SOS button sleeps). */
  #runtime: DeviceRuntime | undefined;
  #mqtt: BrokerMqtt | undefined;

  constructor(options: SosButtonDeviceOptions = {}) {
    super(steppedDevice({
      kind: sosButtonKind,
      provisioning: { site: 'test-site', device: 'sos-button-1', host: '127.0.0.1', port: 1883 },
      transport: (timers) => new BrokerMqtt(timers),
      system: { deepSleep: options.deepSleep !== false },
      wakeBootMs: options.bootMs ?? IMPACT_WAKE.wakeMs,
      onBoot: (device) => this.#booted(device),
    }));
    this.#options = options;
    if (options.batteryMv !== undefined) this.world.setBattery(options.batteryMv);
    if (options.rest) this.world.rest = options.rest;
  }

  /** The last boot's parts: the running device's, or those of the boot that went to sleep. */
  override get hal(): HostHal {
    return this.#parts().hal;
  }

  get app(): SosButtonApp {
    return this.#parts().app;
  }

  get chip(): SosBoot['chip'] {
    return this.#parts().chip;
  }

  get cell(): SosBoot['cell'] {
    return this.#parts().cell;
  }

  /** The last boot's runtime (kept while the SOS button sleeps). */
  override get runtime(): DeviceRuntime {
    return this.#runtime!;
  }

  get mqtt(): BrokerMqtt {
    return this.#mqtt!;
  }

  /** Deep sleeps so far, with what each asked for and how it ended. */
  get sleeps(): readonly SleepingChip[] {
    return this.device.sleeps;
  }

  /** Milliseconds since this boot (the device's monotonic clock). */
  get now(): number {
    return this.clock.now();
  }

  /** Milliseconds since the test began, across boots and deep sleeps. */
  get elapsed(): number {
    return this.device.elapsed;
  }

  /** The deep sleep the SOS button is in, if it is. */
  get asleep(): SleepingChip | undefined {
    return this.device.asleep;
  }

  /** Power cut and power back `gapMs` later (wall time moves on): storage stays, nothing is shut down. */
  override powerCycle(gapMs = 1000): this {
    return super.powerCycle(gapMs);
  }

  configure(values: Record<string, unknown>): void {
    this.#configVersion++;
    this.mqtt.deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: this.#configVersion, config: values }), true);
  }

  /** Presses the button for `ms` (released: the pull-up takes the line high) and lets time pass past it. */
  press(ms = 200, after = 100): void {
    this.world.setButton(true);
    this.advance(ms);
    this.world.setButton(false);
    this.advance(after);
  }

  alarmUpdate(alarmId: string, state: string, ts: number, extra: Record<string, unknown> = {}, retained = true): void {
    this.mqtt.deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId, state, ts, ...extra }), retained);
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

  #booted(device: SimDevice<SosWorld, BrokerMqtt>): void {
    this.#runtime = device.runtime;
    this.#mqtt = device.transport;
    const config = this.#options.config;
    if (config && this.#configVersion === 0 && this.mqtt.connected) this.configure(config);
  }

  #parts(): SosBoot {
    const boot = this.world.boot;
    if (!boot) throw new Error('the SOS button has not booted');
    return boot;
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
