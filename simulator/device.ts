// One simulated terminal, for the interactive simulator and for tests alike. Its storage and its world (door,
// wearer, cards) are the only things that survive a restart: each boot gets a new host Hal, the kind's chips,
// a new transport and a new device runtime, as a real reboot would. A device in deep sleep has no instance at
// all: it boots again when its timer runs out or when the world puts a wake pin at its level.
//
// Time runs one of two ways. Real time × speed (the simulator): node timers drive the reboot delay and deep
// sleep. Stepped (tests): nothing moves until advance(ms), which runs the instance timer by timer (so a restart
// or a deep sleep takes effect when it happens), then the time asleep or off, then the next instance.
import { SERVICE_PIN } from '../hal/contract/board.js';
import type { MqttTransport, QoS } from '../hal/contract/mqtt.js';
import type { ResetReason, WakeCause } from '../hal/contract/system.js';
import type { Timers } from '../hal/contract/time.js';
import {
  createHostHal, HostMqttTransport, RealTimeClock, SleepingChip, SteppedClock,
  type DeepSleepRequest, type HostHal, type HostSystemOptions, type LogLevel,
} from '../hal/host/index.js';
import { createHostStorage, type HostStorage } from '../hal/host/storage/index.js';
import { bootloader, flashFactoryImage, HostFirmware, otaData, SLOT_PARTITIONS, type BootChoice, type SimImage } from '../hal/host/firmware.js';
import { HostSetup, type SimWifiNetwork } from '../hal/host/setup.js';
import { effectiveWifi } from '../firmware/lifecycle/settings-trial.js';
import type { EventMessage } from '../firmware/protocol/messages.js';
import { validateOutbound } from '../firmware/protocol/validate.js';
import type { Backoff } from '../firmware/runtime/backoff.js';
import { DeviceRuntime, type DeviceApp, type RuntimeState } from '../firmware/runtime/device-runtime.js';
import { writeProvisioning, type Provisioning } from '../firmware/runtime/provisioning.js';
import type { SimDeviceKind, WorldContext } from './kinds/kind.js';

/** How long the simulated chip takes to come back after a reset, in virtual ms. */
const REBOOT_MS = 1500;
/** From a deep-sleep wake to the app running, in virtual ms. */
const WAKE_BOOT_MS = 300;
export const FIRMWARE_VERSION = '0.1.0-sim';

/** A transport the simulator can cut off the network. */
export interface SimTransport extends MqttTransport {
  /** false: connects fail and a live link drops; true: the network is back. */
  setNetworkUp(up: boolean): void;
  /** The power goes: the link dies without DISCONNECT, so the broker publishes the will. Absent: just close(). */
  dropConnection?(): void;
}

/**
 * Real time (× speed), or a stepped clock that starts at `wallTimeMs` and moves only in advance();
 * `wallTimeValid`: whether each boot starts with trusted time (default true).
 */
export type SimClock =
  | { readonly mode: 'real'; readonly speed?: number }
  | { readonly mode: 'stepped'; readonly wallTimeMs: number; readonly wallTimeValid?: boolean };

/** A message the device published. */
export interface SentMessage {
  readonly topic: string;
  readonly payload: string;
  readonly qos: QoS;
  readonly retain: boolean;
  /** Which boot of this SimDevice sent it (1 = the first). */
  readonly boot: number;
}

export interface SimDeviceOptions<World, T extends SimTransport> {
  kind: SimDeviceKind<World>;
  /** Written into the key-value store before anything boots; false: none (the device stays unprovisioned). */
  provisioning: Provisioning | false;
  /** 1-based number shown to the user; it also makes the hardware id. Default: none (the host's default id). */
  index?: number;
  /** Default: in memory, with the kind's partitions (or `partitions`). */
  storage?: HostStorage;
  partitions?: Readonly<Record<string, number>>;
  /** Default: real time at speed 1. */
  clock?: SimClock;
  /** A new transport for each boot, given that boot's timers. Default: the device's MQTT client on host sockets. */
  transport?: (timers: Timers) => T;
  /** Host system options: deepSleep, freeHeap, heapUsed, hardwareId, firmwareVersion... */
  system?: Omit<HostSystemOptions, 'timers' | 'clock' | 'halt' | 'onRestart' | 'resetReason' | 'wakeCause' | 'log'>;
  /** From a deep-sleep wake to the app running. Default 300 ms. */
  wakeBootMs?: number;
  /** From a reset to the next boot. Default 1500 ms. */
  rebootMs?: number;
  /** A reconnect policy for each boot. Default: the runtime's. */
  backoff?: () => Backoff;
  /** Runs this app instead of the kind's (the kind still wires its chips): runtime tests. */
  app?: () => DeviceApp;
  /**
   * Two firmware slots and a bootloader (hal/host/firmware.ts), this image flashed in the first at the factory; each
   * boot runs the image the bootloader picks, with its version and behaviour. Default: none (no OTA).
   */
  firmware?: SimImage;
  /** Bytes of each firmware slot. Default 64 KB. */
  slotBytes?: number;
  /** The build's firmware signing key (65-byte P-256 point): the device then takes updates signed with it. */
  firmwareKey?: Uint8Array;
  /** Keep every message published, across boots (messages(), events()). Off in the simulator, which runs for days. */
  record?: boolean;
  /** Called after each boot has started the runtime. */
  onBoot?: (device: SimDevice<World, T>) => void;
  /**
   * The setup services (access point, console) and the Wi-Fi networks around the device: a boot whose settings name
   * a network it cannot join has no network. Default: none (the device shares the host's network).
   */
  setup?: { readonly networks: readonly SimWifiNetwork[] };
  /** The build's provisioning key: the device then takes provisioning codes signed with it. */
  provisioningKey?: Uint8Array;
  /** Receives the device's log lines and the simulator's notes about it (the Hal keeps a tail in any case). */
  log?: (device: SimDevice<World, T>, level: LogLevel, message: string) => void;
}

export type SimDeviceState = RuntimeState | 'rebooting' | 'crashed' | 'deep-sleep';

/** A boot to come, for `reason`, once the device has been off for `inMs`. */
interface PowerOn {
  readonly reason: ResetReason;
  inMs: number;
  timer: NodeJS.Timeout | undefined;
}

export class SimDevice<World = unknown, T extends SimTransport = SimTransport> {
  readonly index: number;
  readonly id: string;
  readonly storage: HostStorage;
  readonly kind: SimDeviceKind<World>;
  /** The physical world around the device (door, cards, wearer): it outlives reboots. */
  readonly world: World;
  /** Every deep sleep so far, with what it asked for and how it ended. */
  readonly sleeps: SleepingChip[] = [];
  #options: SimDeviceOptions<World, T>;
  #clock: SimClock;
  #hal: HostHal | undefined;
  #transport: T | undefined;
  #runtime: DeviceRuntime | undefined;
  /** The image this boot runs (with `firmware`). */
  #image: BootChoice | undefined;
  #setup: HostSetup | undefined;
  #networkUp = true;
  #crashed = false;
  #stopped = false;
  #boots = 0;
  #restarts = 0;
  /** Powered off until `inMs` has passed (stepped) or its timer fires (real time). */
  #off: PowerOn | undefined;
  #asleep: { chip: SleepingChip; syncedAt: number; timer: NodeJS.Timeout | undefined } | undefined;
  #published: SentMessage[] = [];
  #createdAt = performance.now();
  /** Stepped: the world's time when no instance runs, and when the running one booted. */
  #elapsed = 0;
  #bootAt = 0;
  /** Stepped: wall time when the last instance went down (it moves on while the device is off). */
  #wall: number;

  constructor(options: SimDeviceOptions<World, T>) {
    this.#options = options;
    this.#clock = options.clock ?? { mode: 'real' };
    this.#wall = this.#clock.mode === 'stepped' ? this.#clock.wallTimeMs : 0;
    this.index = options.index ?? 0;
    this.id = options.provisioning ? options.provisioning.device : 'unprovisioned';
    this.kind = options.kind;
    const slots = options.firmware ? Object.fromEntries(SLOT_PARTITIONS.map((name) => [name, options.slotBytes ?? 64 * 1024])) : {};
    this.storage = options.storage ?? createHostStorage({ partitions: { ...(options.partitions ?? options.kind.partitions), ...slots } });
    if (options.firmware && !otaData(this.storage)) flashFactoryImage(this.storage, options.firmware);
    if (options.provisioning) writeProvisioning(this.storage.kv, options.provisioning);
    const context: WorldContext = { now: () => this.elapsed, inputChanged: () => this.#checkWakePins() };
    this.world = options.kind.createWorld(context);
  }

  get state(): SimDeviceState {
    if (this.#asleep) return 'deep-sleep';
    if (this.#off) return 'rebooting';
    if (this.#crashed) return 'crashed';
    return this.#runtime?.state ?? 'stopped';
  }

  /** The running instance's parts; undefined while the device is off or asleep. */
  get runtime(): DeviceRuntime | undefined {
    return this.#runtime;
  }

  get hal(): HostHal | undefined {
    return this.#hal;
  }

  /** This boot's setup services (with the `setup` option). */
  get setup(): HostSetup | undefined {
    return this.#setup;
  }

  /** The image this boot runs and how the bootloader chose it (with `firmware`). */
  get image(): BootChoice | undefined {
    return this.#image;
  }

  get transport(): T | undefined {
    return this.#transport;
  }

  get networkUp(): boolean {
    return this.#networkUp;
  }

  /** Events persisted on the device and not yet acknowledged by the broker. */
  get queued(): number | undefined {
    return this.#runtime?.outbox?.depth;
  }

  /** Boots of this SimDevice (the device's own boot counter lives in its storage). */
  get boots(): number {
    return this.#boots;
  }

  /** Resets asked for or suffered (restart command, watchdog, panic, the reset button); not power cuts or sleeps. */
  get restarts(): number {
    return this.#restarts;
  }

  /** The deep sleep the device is in, if it is. */
  get asleep(): SleepingChip | undefined {
    return this.#asleep?.chip;
  }

  /** The world's time: whole ms (as a device's tick) since this SimDevice was made, across boots, sleeps and cuts. */
  get elapsed(): number {
    if (this.#clock.mode === 'real') return Math.floor((performance.now() - this.#createdAt) * (this.#clock.speed ?? 1));
    return this.#hal ? this.#bootAt + this.#hal.clock.now() : this.#elapsed;
  }

  /** Powers the device on. */
  boot(resetReason: ResetReason = 'power-on', wakeCause?: WakeCause): this {
    if (this.#stopped) return this;
    if (this.#hal) throw new Error(`${this.id} is already running`);
    this.#boots++;
    this.#crashed = false;
    const boot = this.#boots;
    const clock = this.#clock.mode === 'stepped'
      ? new SteppedClock({ wallTimeMs: this.#wall, wallTimeValid: this.#clock.wallTimeValid ?? true })
      : new RealTimeClock({
        speed: this.#clock.speed ?? 1,
        wallTimeMs: Date.now(),
        wallTimeValid: true, // as if SNTP had answered at boot
        onError: (error) => this.#panic(error),
      });
    const transport = this.#options.transport?.(clock.timers) ?? (new HostMqttTransport({ onHandlerError: (error) => this.#panic(error) }) as unknown as T);
    const networks = this.#options.setup?.networks;
    const setup = networks ? new HostSetup({ networks, wifi: effectiveWifi(this.storage.kv), timers: clock.timers }) : undefined;
    if (!this.#networkUp || (setup && !setup.online)) transport.setNetworkUp(false);
    const image = this.#options.firmware ? bootloader(this.storage) : undefined;
    this.#image = image;
    if (this.#options.firmware && !image) {
      this.#crashed = true;
      this.#note('error', 'the bootloader found no image to boot');
      return this;
    }
    if (image?.image.behaviour === 'never-connects') transport.setNetworkUp(false);
    const { system, log } = this.#options;
    const hardwareId = system?.hardwareId ?? (this.#options.index === undefined ? undefined : `246f28${this.index.toString(16).padStart(6, '0')}`);
    const hostHal = createHostHal({
      storage: this.storage,
      board: this.kind.board,
      clock,
      transport: this.#options.record ? this.#recording(transport, boot) : transport,
      ...(image ? { firmware: new HostFirmware(this.storage, image) } : {}),
      system: {
        firmwareVersion: FIRMWARE_VERSION,
        ...system,
        ...(image ? { firmwareVersion: image.image.version } : {}),
        ...(hardwareId === undefined ? {} : { hardwareId }),
        resetReason,
        ...(wakeCause ? { wakeCause } : {}),
        // Only this boot's own: a stale call (a microtask after a stepped restart took effect) is ignored.
        onRestart: (reason) => {
          if (this.#hal === hal) this.restart(reason);
        },
        ...(log ? { log: (level: LogLevel, message: string) => log(this, level, message) } : {}),
      },
    });
    const hal: HostHal = setup ? Object.assign(hostHal, { setup }) : hostHal;
    this.#setup = setup;
    this.#hal = hal;
    this.#transport = transport;
    this.#bootAt = this.#elapsed;
    if (image?.image.behaviour === 'crashes') {
      this.#panic(new Error(`image ${image.image.version} crashes on boot`));
      return this;
    }
    // Stepped (tests): a failure is the test's to see. Real time: an uncaught exception resets the device.
    if (this.#clock.mode === 'stepped') this.#start(hal);
    else {
      try {
        this.#start(hal);
      } catch (error) {
        this.#panic(error);
      }
    }
    return this;
  }

  /**
   * Resets the chip: power goes at once (the socket dies without DISCONNECT, so the broker publishes the will),
   * and the device boots again with the same storage after the reboot delay. A reset ends a deep sleep, as the
   * EN pin does on the chip.
   */
  restart(reason: ResetReason = 'external'): void {
    if (this.#stopped || this.#off) return;
    if (reason === 'deep-sleep') {
      const request = this.#hal?.system.deepSleepRequest;
      if (request) this.#deepSleep(request);
      if (request || this.#asleep) return;
    }
    this.#restarts++;
    this.#endSleep();
    this.#powerOff();
    this.#note('info', `reset (${reason}); booting again`);
    this.#powerOn(reason, this.#options.rebootMs ?? REBOOT_MS);
  }

  /** A power cut: nothing shuts down cleanly, the storage stays; the power is back after `gapMs`. */
  powerCycle(gapMs = 1000): this {
    if (this.#stopped) return this;
    this.#endSleep();
    this.#cancelPowerOn();
    this.#powerOff();
    if (this.#clock.mode === 'real') this.#powerOn('power-on', gapMs);
    else {
      this.#pass(gapMs);
      this.boot();
    }
    return this;
  }

  /** Stepped clock: lets `ms` pass, for the running instance, asleep or off, booting as the device would. */
  advance(ms: number): void {
    if (this.#clock.mode !== 'stepped') throw new Error('advance() needs the stepped clock');
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance() needs a finite ms >= 0, got ${ms}`);
    let left = ms;
    for (;;) {
      const asleep = this.#asleep;
      if (asleep) {
        const step = Math.min(left, asleep.chip.bootInMs, this.#inputChangeIn());
        asleep.chip.pass(step);
        this.#pass(step);
        left -= step;
        if (asleep.chip.bootInMs > 0) this.#checkWakePins();
        if (asleep.chip.bootInMs > 0) {
          if (left > 0) continue;
          return;
        }
        this.#wake();
        continue;
      }
      const off = this.#off;
      if (off) {
        const step = Math.min(left, off.inMs);
        off.inMs -= step;
        this.#pass(step);
        left -= step;
        if (off.inMs > 0) return;
        this.#off = undefined;
        this.boot(off.reason);
        continue;
      }
      const hal = this.#hal;
      if (!hal) return this.#pass(left); // never booted, or stopped
      left = this.#run(hal, left);
      if (this.#hal === hal) return;
    }
  }

  /** Cuts or restores the device's network (connects fail while it is down). */
  setNetwork(up: boolean): void {
    this.#networkUp = up;
    this.#transport?.setNetworkUp(up && this.#image?.image.behaviour !== 'never-connects');
  }

  /** Queues a durable event, as an app would. Returns its seq. */
  emit(type: string, data: Record<string, unknown> = {}): number {
    if (!this.#runtime || this.state === 'rebooting' || this.state === 'crashed') throw new Error(`${this.id} is not running`);
    return this.#runtime.emit(type, data);
  }

  /**
   * Holds the board's service button (pin `service`) down for `ms` of device time, then lets go: held 10 s while
   * running, a factory reset (firmware/lifecycle/service-button.ts).
   */
  holdServiceButton(ms: number): void {
    const hal = this.#hal;
    if (!hal || !this.#runtime || this.state === 'rebooting' || this.state === 'crashed') throw new Error(`${this.id} is not running`);
    const pin = (this.kind.board.pin as Readonly<Record<string, number | undefined>>)[SERVICE_PIN];
    if (pin === undefined) throw new Error(`a ${this.kind.model} has no service button (erase it with lifecycle.factory_reset)`);
    if (!(ms > 0 && ms <= 60_000)) throw new RangeError('service: hold 1–60 s');
    const button = hal.io.pin(pin);
    button.setInput(0);
    hal.timers.set(() => button.setInput(undefined), ms);
  }

  /** Runs one of the kind's own commands (e.g. `card`, `press`) on this device's world. */
  kindCommand(verb: string, args: readonly string[]): string {
    const command = this.kind.commands?.[verb];
    if (!command) throw new Error(`a ${this.kind.model} has no "${verb}" command`);
    return command.run(this.world, args);
  }

  /** Live state of the world for the table, if the kind tells. */
  describe(): string {
    return this.kind.describe?.(this.world) ?? '';
  }

  /** Everything published on any boot (with `record`). */
  get published(): readonly SentMessage[] {
    return this.#published;
  }

  /** Parsed messages on a channel, every copy, across boots. Throws on any message the protocol forbids. */
  messages<M>(channel: string): M[] {
    const out: M[] = [];
    for (const sent of this.#published) {
      if (!sent.topic.endsWith(`/${channel}`)) continue;
      const message: unknown = JSON.parse(sent.payload);
      const verdict = validateOutbound(message);
      if (!verdict.ok) throw new Error(`invalid ${channel} message: ${JSON.stringify(verdict)} in ${sent.payload}`);
      out.push(message as M);
    }
    return out;
  }

  /** Each event's first copy (a retransmission is byte-identical), in seq order. */
  eventPayloads(): string[] {
    const bySeq = new Map<number, string>();
    for (const sent of this.#published) {
      if (!sent.topic.endsWith('/event')) continue;
      const seq = (JSON.parse(sent.payload) as EventMessage).seq;
      if (!bySeq.has(seq)) bySeq.set(seq, sent.payload);
    }
    return [...bySeq.entries()].sort((a, b) => a[0] - b[0]).map(([, payload]) => payload);
  }

  /** Distinct events, oldest first; of one type, or of types matching a pattern. */
  events(type?: string | RegExp): EventMessage[] {
    const bySeq = new Map<number, EventMessage>();
    for (const event of this.messages<EventMessage>('event')) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
    const all = [...bySeq.values()].sort((a, b) => a.seq - b.seq);
    if (type === undefined) return all;
    return all.filter((event) => (typeof type === 'string' ? event.type === type : type.test(event.type)));
  }

  /** Powers the device off for good. */
  stop(): void {
    this.#stopped = true;
    this.#cancelPowerOn();
    this.#endSleep();
    this.#powerOff();
  }

  #start(hal: HostHal): void {
    const kindApp = this.kind.boot(hal, this.world);
    const chosen = this.#options.app?.() ?? kindApp;
    const app = this.#image?.image.behaviour === 'fails-self-test' ? failingStart(chosen, this.#image.image.version) : chosen;
    const runtime = new DeviceRuntime({
      hal,
      model: this.kind.model,
      ...(app ? { app } : {}),
      ...(this.#options.backoff ? { backoff: this.#options.backoff() } : {}),
      ...(this.#options.firmwareKey ? { firmwareKey: this.#options.firmwareKey } : {}),
      ...(this.#options.provisioningKey ? { provisioningKey: this.#options.provisioningKey } : {}),
    });
    this.#runtime = runtime;
    runtime.start();
    this.#options.onBoot?.(this);
  }

  /** Runs the instance for up to `ms`, one timer at a time. Returns the time left when it went down, else 0. */
  #run(hal: HostHal, ms: number): number {
    const clock = hal.clock as SteppedClock;
    const end = clock.now() + ms;
    for (;;) {
      const reason = hal.system.restartReason;
      if (reason !== undefined) {
        const left = end - clock.now();
        this.restart(reason);
        return left;
      }
      const due = clock.nextDue();
      if (due === undefined || due > end) break;
      clock.advance(Math.max(0, due - clock.now()));
    }
    clock.advance(end - clock.now());
    return 0;
  }

  /** The chip powers down; no instance runs until it wakes. */
  #deepSleep(request: DeepSleepRequest): void {
    this.#powerOff();
    const seconds = request.ms === undefined ? '' : ` for ${Math.round(request.ms / 1000)} s`;
    this.#note('info', `deep sleep${seconds}${request.wake.length ? `, wake pins ${request.wake.map((w) => w.pin).join(', ')}` : ''}`);
    const chip = new SleepingChip(request, this.#options.wakeBootMs ?? WAKE_BOOT_MS);
    this.sleeps.push(chip);
    this.#asleep = { chip, syncedAt: performance.now(), timer: undefined };
    this.#checkWakePins();
  }

  #checkWakePins(): void {
    const asleep = this.#asleep;
    if (!asleep) return;
    this.#syncSleep();
    const level = this.kind.inputLevel;
    if (level) asleep.chip.checkPins((pin) => level(this.world, pin));
    this.#scheduleWake();
  }

  /** Real time: the virtual time passed asleep since the last look. */
  #syncSleep(): void {
    const asleep = this.#asleep!;
    if (this.#clock.mode !== 'real') return;
    const now = performance.now();
    asleep.chip.pass(Math.min(asleep.chip.bootInMs, (now - asleep.syncedAt) * (this.#clock.speed ?? 1)));
    asleep.syncedAt = now;
  }

  /** World ms until the kind's world may change an input by itself while the device sleeps (at least 1). */
  #inputChangeIn(): number {
    return Math.max(1, this.kind.inputChangeIn?.(this.world) ?? Infinity);
  }

  /** Real time: a node timer boots the next instance, or looks at the wake pins again (stepped: advance() does). */
  #scheduleWake(): void {
    const asleep = this.#asleep!;
    if (this.#clock.mode !== 'real') return;
    clearTimeout(asleep.timer);
    const ms = Math.min(asleep.chip.bootInMs, this.#inputChangeIn());
    if (!Number.isFinite(ms)) return;
    const speed = this.#clock.speed ?? 1;
    asleep.timer = setTimeout(() => {
      this.#syncSleep();
      if (asleep.chip.bootInMs > 0) return this.#checkWakePins();
      this.#wake();
    }, Math.min(2 ** 31 - 1, Math.ceil(ms / speed)));
  }

  #wake(): void {
    const { chip } = this.#asleep!;
    this.#asleep = undefined;
    this.#note('info', `woken by ${chip.cause?.by ?? 'timer'} after ${Math.round(chip.asleepMs / 1000)} s asleep`);
    this.boot('deep-sleep', chip.cause);
  }

  #endSleep(): void {
    clearTimeout(this.#asleep?.timer);
    this.#asleep = undefined;
  }

  /** Boots for `reason` after `ms` off. */
  #powerOn(reason: ResetReason, ms: number): void {
    const off: PowerOn = { reason, inMs: ms, timer: undefined };
    this.#off = off;
    if (this.#clock.mode !== 'real') return;
    off.timer = setTimeout(() => {
      this.#off = undefined;
      this.boot(reason);
    }, ms / (this.#clock.speed ?? 1));
  }

  #cancelPowerOn(): void {
    clearTimeout(this.#off?.timer);
    this.#off = undefined;
  }

  /** Stepped: time passes while no instance runs. */
  #pass(ms: number): void {
    this.#wall += ms;
    this.#elapsed += ms;
  }

  #powerOff(): void {
    const hal = this.#hal;
    if (!hal) return;
    if (this.#clock.mode === 'stepped') {
      this.#wall = hal.wallClock.now();
      this.#elapsed = this.#bootAt + hal.clock.now();
    }
    this.#transport?.dropConnection?.();
    hal.dispose();
    this.#runtime = undefined;
    this.#setup = undefined;
    this.#hal = undefined;
    this.#transport = undefined;
  }

  /** Wraps a boot's transport so that what it publishes is kept. */
  #recording(transport: T, boot: number): MqttTransport {
    return {
      connect: (options, handlers) => transport.connect(options, handlers),
      publish: (topic, payload, qos, retain) => {
        // Kept first: a PUBACK inside publish() may make the device publish again.
        const sent = { topic, payload, qos, retain, boot };
        this.#published.push(sent);
        try {
          return transport.publish(topic, payload, qos, retain);
        } catch (error) {
          this.#published.splice(this.#published.lastIndexOf(sent), 1);
          throw error;
        }
      },
      subscribe: (filters) => transport.subscribe(filters),
      close: () => transport.close(),
    };
  }

  #note(level: LogLevel, message: string): void {
    this.#options.log?.(this, level, message);
  }

  /** An uncaught exception resets an ESP32; here too, so a crash loop is visible rather than silent. */
  #panic(error: unknown): void {
    const message = error instanceof Error ? error.stack ?? error.message : String(error);
    this.#note('error', `panic: ${message}`);
    this.#crashed = true;
    this.restart('panic');
  }
}

/** An image that fails its self-test: its app throws at start, so the device comes up in safe mode. */
function failingStart(app: DeviceApp | undefined, version: string): DeviceApp {
  const start = () => {
    throw new Error(`image ${version}: the app does not start`);
  };
  if (!app) return { start };
  // Everything else is the app's own, bound to it (its methods may use private fields).
  return new Proxy(app, {
    get: (target, key) => {
      if (key === 'start') return start;
      const value: unknown = Reflect.get(target, key);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
