// One simulated terminal. Its storage is the only thing that survives a restart: each boot gets a new host Hal
// (real-time clock, virtual IO, its own mqtt.js transport) and a new device runtime, as a real reboot would.
// A device in deep sleep has no instance at all: it boots again when its timer runs out or when a kind command
// (a press) puts a wake pin at its level.
import type { ResetReason, WakeCause } from '../hal/contract/system.js';
import { createHostHal, HostMqttTransport, RealTimeClock, SleepingChip, type DeepSleepRequest, type HostHal, type LogLevel } from '../hal/host/index.js';
import type { HostStorage } from '../hal/host/storage/index.js';
import { DeviceRuntime, type RuntimeState } from '../firmware/runtime/device-runtime.js';
import { writeProvisioning, type Provisioning } from '../firmware/runtime/provisioning.js';
import type { AnyDeviceKind } from './kinds/kind.js';

/** How long the simulated chip takes to come back after a reset, in virtual ms. */
const REBOOT_MS = 1500;
/** From a deep-sleep wake to the app running, in virtual ms. */
const WAKE_BOOT_MS = 300;
export const FIRMWARE_VERSION = '0.1.0-sim';

export interface SimDeviceOptions {
  /** 1-based number shown to the user. */
  index: number;
  site: string;
  device: string;
  brokerHost: string;
  brokerPort: number;
  /** TLS provisioning (prov/tls, ca, tlsName); absent: plain MQTT. */
  brokerTls?: Pick<Provisioning, 'ca' | 'tlsName'>;
  /** prov/insecure: a lab broker outside loopback, without TLS or per-device credentials (the birth says so). */
  insecure?: boolean;
  storage: HostStorage;
  speed: number;
  kind: AnyDeviceKind;
  /** Receives the device's log lines and the simulator's notes about it. */
  log: (device: SimDevice, level: LogLevel, message: string) => void;
}

export type SimDeviceState = RuntimeState | 'rebooting' | 'crashed' | 'deep-sleep';

export class SimDevice {
  readonly index: number;
  readonly id: string;
  readonly storage: HostStorage;
  readonly kind: AnyDeviceKind;
  /** The physical world around the device (door, cards, wearer): it outlives reboots. */
  readonly world: unknown;
  #options: SimDeviceOptions;
  #hal: HostHal | undefined;
  #transport: HostMqttTransport | undefined;
  #runtime: DeviceRuntime | undefined;
  #networkUp = true;
  #rebooting: NodeJS.Timeout | undefined;
  #crashed = false;
  #stopped = false;
  #boots = 0;
  #asleep: { chip: SleepingChip; syncedAt: number; timer: NodeJS.Timeout | undefined } | undefined;

  constructor(options: SimDeviceOptions) {
    this.#options = options;
    this.index = options.index;
    this.id = options.device;
    this.storage = options.storage;
    this.kind = options.kind;
    this.world = options.kind.createWorld();
    writeProvisioning(options.storage.kv, {
      site: options.site,
      device: options.device,
      host: options.brokerHost,
      port: options.brokerPort,
      ...(options.brokerTls ? { tls: true, ...options.brokerTls } : {}),
      ...(options.insecure ? { insecure: true } : {}),
    });
  }

  get state(): SimDeviceState {
    if (this.#asleep) return 'deep-sleep';
    if (this.#rebooting) return 'rebooting';
    if (this.#crashed) return 'crashed';
    return this.#runtime?.state ?? 'stopped';
  }

  get runtime(): DeviceRuntime | undefined {
    return this.#runtime;
  }

  get hal(): HostHal | undefined {
    return this.#hal;
  }

  get networkUp(): boolean {
    return this.#networkUp;
  }

  /** Events persisted on the device and not yet acknowledged by the broker. */
  get queued(): number | undefined {
    return this.#runtime?.outbox?.depth;
  }

  /** Boots of this process (the device's own boot counter lives in its storage). */
  get boots(): number {
    return this.#boots;
  }

  /** Powers the device on. */
  boot(resetReason: ResetReason = 'power-on', wakeCause?: WakeCause): void {
    if (this.#stopped) return;
    this.#boots++;
    this.#crashed = false;
    const clock = new RealTimeClock({
      speed: this.#options.speed,
      wallTimeMs: Date.now(),
      wallTimeValid: true, // as if SNTP had answered at boot
      onError: (error) => this.#panic(error),
    });
    const transport = new HostMqttTransport({ onHandlerError: (error) => this.#panic(error) });
    transport.setNetworkUp(this.#networkUp);
    const hal = createHostHal({
      storage: this.storage,
      board: this.kind.board,
      clock,
      transport,
      system: {
        resetReason,
        ...(wakeCause ? { wakeCause } : {}),
        hardwareId: `246f28${this.index.toString(16).padStart(6, '0')}`,
        firmwareVersion: FIRMWARE_VERSION,
        onRestart: (reason) => this.restart(reason),
        log: (level, message) => this.#options.log(this, level, message),
      },
    });
    this.#hal = hal;
    this.#transport = transport;
    try {
      const app = this.kind.boot(hal, this.world);
      const runtime = new DeviceRuntime({ hal, model: this.kind.model, ...(app ? { app } : {}) });
      this.#runtime = runtime;
      runtime.start();
    } catch (error) {
      this.#panic(error);
    }
  }

  /**
   * Resets the chip: power goes at once (the socket dies without DISCONNECT, so the broker publishes the will),
   * and the device boots again with the same storage after REBOOT_MS.
   */
  restart(reason: ResetReason = 'external'): void {
    if (this.#stopped || this.#rebooting) return;
    if (this.#asleep) {
      if (reason === 'deep-sleep') return;
      // A reset ends a deep sleep, as the EN pin does on the chip: it boots as after any reset.
      clearTimeout(this.#asleep.timer);
      this.#asleep = undefined;
    }
    const request = reason === 'deep-sleep' ? this.#hal?.system.deepSleepRequest : undefined;
    if (request) return this.#deepSleep(request);
    this.#powerOff();
    this.#options.log(this, 'info', `reset (${reason}); booting again`);
    this.#rebooting = setTimeout(() => {
      this.#rebooting = undefined;
      this.boot(reason);
    }, REBOOT_MS / this.#options.speed);
  }

  /** Cuts or restores the device's network (connects fail while it is down). */
  setNetwork(up: boolean): void {
    this.#networkUp = up;
    this.#transport?.setNetworkUp(up);
  }

  /** Queues a durable event, as an app would. Returns its seq. */
  emit(type: string, data: Record<string, unknown> = {}): number {
    if (!this.#runtime || this.state === 'rebooting' || this.state === 'crashed') throw new Error(`${this.id} is not running`);
    return this.#runtime.emit(type, data);
  }

  /** Runs one of the kind's own commands (e.g. `card`, `press`) on this device's world. */
  kindCommand(verb: string, args: readonly string[]): string {
    const command = this.kind.commands?.[verb];
    if (!command) throw new Error(`a ${this.kind.model} has no "${verb}" command`);
    const result = command.run(this.world, args);
    if (this.#asleep) this.#checkWakePins();
    return result;
  }

  /** Live state of the world for the table, if the kind tells. */
  describe(): string {
    return this.kind.describe?.(this.world) ?? '';
  }

  /** Powers the device off for good. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#rebooting);
    this.#rebooting = undefined;
    clearTimeout(this.#asleep?.timer);
    this.#asleep = undefined;
    this.#powerOff();
  }

  /** The chip powers down; no instance runs until it wakes. */
  #deepSleep(request: DeepSleepRequest): void {
    this.#powerOff();
    const seconds = request.ms === undefined ? '' : ` for ${Math.round(request.ms / 1000)} s`;
    this.#options.log(this, 'info', `deep sleep${seconds}${request.wake.length ? `, wake pins ${request.wake.map((w) => w.pin).join(', ')}` : ''}`);
    this.#asleep = { chip: new SleepingChip(request, WAKE_BOOT_MS), syncedAt: performance.now(), timer: undefined };
    this.#checkWakePins();
  }

  #checkWakePins(): void {
    const asleep = this.#asleep!;
    this.#syncSleep();
    const level = this.kind.inputLevel;
    if (level) asleep.chip.checkPins((pin) => level(this.world, pin));
    this.#scheduleWake();
  }

  /** Virtual time passed asleep since the last look. */
  #syncSleep(): void {
    const asleep = this.#asleep!;
    const now = performance.now();
    asleep.chip.pass(Math.min(asleep.chip.bootInMs, (now - asleep.syncedAt) * this.#options.speed));
    asleep.syncedAt = now;
  }

  #scheduleWake(): void {
    const asleep = this.#asleep!;
    clearTimeout(asleep.timer);
    const ms = asleep.chip.bootInMs;
    if (!Number.isFinite(ms)) return;
    asleep.timer = setTimeout(() => {
      this.#syncSleep();
      if (asleep.chip.bootInMs > 0) return this.#scheduleWake();
      this.#asleep = undefined;
      this.#options.log(this, 'info', `woken by ${asleep.chip.cause?.by ?? 'timer'} after ${Math.round(asleep.chip.asleepMs / 1000)} s asleep`);
      this.boot('deep-sleep', asleep.chip.cause);
    }, Math.min(2 ** 31 - 1, Math.ceil(ms / this.#options.speed)));
  }

  #powerOff(): void {
    this.#transport?.dropConnection();
    try {
      this.#runtime?.stop();
    } catch {
      // a runtime that cannot stop is discarded all the same
    }
    this.#hal?.dispose();
    this.#runtime = undefined;
    this.#hal = undefined;
    this.#transport = undefined;
  }

  /** An uncaught exception resets an ESP32; here too, so a crash loop is visible rather than silent. */
  #panic(error: unknown): void {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    this.#options.log(this, 'error', `panic: ${message}`);
    this.#crashed = true;
    this.restart('panic');
  }
}
