// The runtime every device app runs on: boot → load config → connect (backoff) → birth → run.
// It owns the MQTT session, the durable outbox, commands, configuration and health telemetry; the app owns
// its hardware and decides locally, online or not.
import type { Hal, HeapUse, KeyValueStore, MqttHandlers, TimerId } from '../../hal/contract/index.js';
import type {
  AlarmUpdateMessage, CommandMessage, DesiredConfigMessage, DeviceTime, EventMessage,
  ReportedConfigMessage, ResultMessage, StatusMessage, TelemetryMessage,
} from '../protocol/messages.js';
import type { InboundChannel, OutboundChannel } from '../protocol/topics.js';
import { deviceSubscriptions, parseTopic, topicFor } from '../protocol/topics.js';
import { PROTOCOL_VERSION } from '../protocol/messages.js';
import { parseInbound } from '../protocol/validate.js';
import { BootGuard, RESUME, resumeCommand, STABLE_MS } from '../lifecycle/boot-guard.js';
import { checkFactoryReset, ERASE_REPORT_MS, eraseKept, FACTORY_RESET, siteCommandKey, type Keeps } from '../lifecycle/factory-reset.js';
import { openServiceButton } from '../lifecycle/service-button.js';
import { OtaAgent } from '../lifecycle/ota.js';
import type { SettingsReverted } from '../lifecycle/settings-trial.js';
import {
  checkSettingsCommand, effectiveProvisioning, SETTINGS_COMMAND, SETTINGS_REVERTED, SettingsTrial, stageSettings, TRIAL_MS, WIFI_SETTINGS,
} from '../lifecycle/settings-trial.js';
import { SetupSession, setupNeeded } from '../lifecycle/setup.js';
import type { SetupStatus } from '../lifecycle/setup-status.js';
import type { Button } from '../io/button.js';
import { Backoff } from './backoff.js';
import type { ConfigSpec, ConfigValues } from './config.js';
import { ConfigStore } from './config.js';
import type { CommandOutcome, CommandSpec } from './dispatcher.js';
import { Dispatcher } from './dispatcher.js';
import { CHAIN_NAME, EventChains } from './event-chain.js';
import { Outbox } from './outbox.js';
import type { Provisioning } from './provisioning.js';
import { clientIdOf, insecurity, tlsOptions } from './provisioning.js';
import { RecordLog } from './storage/record-log.js';

/** An app's settings (`config`, spec S) typed from its spec; the runtime adds its own (RUNTIME_CONFIG). */
export interface DeviceApp<S extends ConfigSpec = ConfigSpec> {
  readonly config?: S;
  readonly commands?: Readonly<Record<string, CommandSpec>>;
  /** Called once at boot, before the first connection: the app works offline from here on. */
  start?(runtime: DeviceRuntime<S>): void;
  stop?(): void;
  onConfig?(changed: string[], values: ConfigValues<DeviceConfig<S>>): void;
  /**
   * Rules across settings (each field's own range is the spec's): why `values` cannot apply, or undefined. The
   * values are the whole document, checked field by field already (unparameterised: a typed parameter here would
   * make every DeviceRuntime<S> invariant in S).
   */
  checkConfig?(values: ConfigValues): string | undefined;
  onAlarm?(update: AlarmUpdateMessage): void;
  onConnection?(online: boolean): void;
  /**
   * Asked once at boot, after start(): false leaves the radio down (state `sleeping`) until the app calls wake().
   * Absent or true: the runtime connects at boot.
   */
  connectAtBoot?(): boolean;
  /** Extra fields for health telemetry. */
  health?(): Record<string, unknown>;
  /** The setup session's progress (firmware/lifecycle/setup.ts), for the LED or screen. */
  onSetup?(status: SetupStatus): void;
  /** What the app keeps (key-value domains, flash partitions), so a factory reset erases it too. */
  readonly keeps?: Keeps;
  /** The key signed commands are checked with, when the app keeps its own (default: the site's, cred/cmdKey). */
  commandKey?(kv: KeyValueStore): Uint8Array | undefined;
}

export interface RuntimeOptions<S extends ConfigSpec = ConfigSpec> {
  hal: Hal;
  /** Device model, e.g. "door-reader". */
  model: string;
  app?: DeviceApp<S>;
  /** Flash partition holding the event log. */
  outboxPartition?: string;
  keepAliveSeconds?: number;
  backoff?: Backoff;
  /** The firmware signing key (build data `firmwareKey`, 65-byte P-256 point): signed updates need it (lifecycle/ota.ts). */
  firmwareKey?: Uint8Array | undefined;
  /** The build's provisioning key (parseProvisioningKey): without it the device takes no provisioning code. */
  provisioningKey?: Uint8Array | undefined;
}

export interface EmitOptions {
  /** Adds the event to this tamper-evident chain: `data.prev` links it to the chain's previous event. */
  chain?: string;
}

export type RuntimeState = 'booting' | 'unprovisioned' | 'connecting' | 'online' | 'offline' | 'sleeping' | 'stopped';

/** Settings every device has; apps add their own. */
export const RUNTIME_CONFIG = {
  healthIntervalS: { type: 'integer', min: 10, max: 86_400, default: 300 },
} satisfies ConfigSpec;

/** The settings of a device whose app has spec S: the runtime's and the app's. */
export type DeviceConfig<S extends ConfigSpec> = typeof RUNTIME_CONFIG & S;

const WATCHDOG_MS = 60_000;
const WATCHDOG_FEED_MS = 10_000;
/** A connection that lived this long resets the backoff; a flapping one does not. */
const STABLE_CONNECTION_MS = 30_000;
const RESTART_DELAY_MS = 1_000;

export class DeviceRuntime<S extends ConfigSpec = ConfigSpec> {
  readonly hal: Hal;
  readonly model: string;
  #app: DeviceApp<S> | undefined;
  #state: RuntimeState = 'booting';
  #boot = 0;
  #provisioning: Provisioning | undefined;
  #config!: ConfigStore<DeviceConfig<S>>;
  #outbox!: Outbox;
  #chains!: EventChains;
  #dispatcher!: Dispatcher;
  #backoff: Backoff;
  #keepAlive: number;
  #outboxPartition: string;
  /** Guards handlers of superseded connection attempts. */
  #connection = 0;
  /** Successful connections this boot (the `conn` of birth and will). */
  #sessions = 0;
  #connectedAt = 0;
  #reconnects = 0;
  #rejectedMessages = 0;
  #lastDesired: ReportedConfigMessage['last'];
  #guard!: BootGuard;
  /** The app runs (not in safe mode, and its start did not fail). */
  #appRunning = false;
  #timers: {
    reconnect?: TimerId; health?: TimerId; watchdog?: TimerId; restart?: TimerId; stable?: TimerId; erase?: TimerId;
    /** New connection settings on trial: reverted when this fires before a CONNACK. */
    settingsTrial?: TimerId;
    /** A desired config on trial, offline: reverted when this fires before a CONNACK. */
    configRevert?: TimerId;
    /** A desired config on trial, online: proven when this fires. */
    configProven?: TimerId;
  } = {};
  #settings!: SettingsTrial;
  /** Why the last connection attempt or session ended, for a revert's report. */
  #lastFailure: string | undefined;
  #erasing = false;
  #serviceButton: Button | undefined;
  #firmwareKey: Uint8Array | undefined;
  /** Signed firmware updates and the self-test of a new image. */
  #ota!: OtaAgent;
  #provisioningKey: Uint8Array | undefined;
  /** Open while the device is not set up (firmware/lifecycle/setup.ts). */
  #setup: SetupSession | undefined;

  constructor(options: RuntimeOptions<S>) {
    this.hal = options.hal;
    this.model = options.model;
    this.#app = options.app;
    this.#keepAlive = options.keepAliveSeconds ?? 60;
    this.#outboxPartition = options.outboxPartition ?? 'outbox';
    this.#backoff = options.backoff ?? new Backoff();
    this.#firmwareKey = options.firmwareKey;
    this.#provisioningKey = options.provisioningKey;
  }

  get state(): RuntimeState {
    return this.#state;
  }

  get boot(): number {
    return this.#boot;
  }

  get deviceId(): string | undefined {
    return this.#provisioning?.device;
  }

  get config(): ConfigStore<DeviceConfig<S>> {
    return this.#config;
  }

  get outbox(): Outbox {
    return this.#outbox;
  }

  get dispatcher(): Dispatcher {
    return this.#dispatcher;
  }

  get reconnects(): number {
    return this.#reconnects;
  }

  /** The setup session while the device is not set up: apps hand it scanned provisioning codes. */
  get setup(): SetupSession | undefined {
    return this.#setup;
  }

  /** Why the last connection attempt or session ended. */
  get lastFailure(): string | undefined {
    return this.#lastFailure;
  }

  /** Why the device is in safe mode (the runtime alone, no app), or undefined. */
  get safe(): string | undefined {
    return this.#guard?.safe;
  }

  start(): void {
    if (this.#state !== 'booting') throw new Error('runtime: start() called twice');
    const { storage, system } = this.hal;
    this.#boot = nextBootCount(this.hal);
    this.#guard = new BootGuard(storage.kv);
    const verdict = this.#guard.boot(system.resetReason(), this.#boot, system.firmwareVersion);
    const app = this.#app;
    this.#config = new ConfigStore({ ...RUNTIME_CONFIG, ...app?.config } as DeviceConfig<S>, storage.kv, (values) => app?.checkConfig?.(values));
    const partition = storage.partition(this.#outboxPartition);
    if (!partition) throw new Error(`runtime: no flash partition "${this.#outboxPartition}" for the outbox`);
    this.#outbox = new Outbox(new RecordLog(partition));
    this.#chains = new EventChains(storage.kv, this.hal.crypto);
    this.#dispatcher = new Dispatcher({ wallClock: this.hal.wallClock, kv: storage.kv, send: (reqId, outcome) => this.#sendResult(reqId, outcome) });
    this.#registerBuiltInCommands();
    this.#ota = new OtaAgent({ hal: this.hal, model: this.model, key: this.#firmwareKey, emit: (type, data) => this.emit(type, data) });
    for (const [name, spec] of Object.entries(this.#ota.commands())) this.#dispatcher.register(name, spec);
    // Safe mode takes only diagnostics, config, resume (and, with them, update and factory reset): no app command.
    if (verdict.safe === undefined) for (const [name, spec] of Object.entries(this.#app?.commands ?? {})) this.#dispatcher.register(name, spec);
    this.#config.onChange((changed) => {
      if (changed.includes('healthIntervalS')) this.#scheduleHealth();
      if (this.#appRunning) this.#app?.onConfig?.(changed, this.#config.values);
    });

    system.watchdog.start(WATCHDOG_MS);
    this.#timers.watchdog = this.hal.timers.repeat(() => system.watchdog.feed(), WATCHDOG_FEED_MS);
    system.log('info', `boot ${this.#boot} (${system.resetReason()}), ${this.model} fw ${system.firmwareVersion}`);
    this.#timers.stable = this.hal.timers.set(() => this.#guard.stable(), STABLE_MS);
    try {
      this.#serviceButton = openServiceButton(this.hal.device, this.hal.timers, this.hal.clock, () => this.factoryReset('button'));
    } catch (error) {
      system.log('warn', `service button: ${error instanceof Error ? error.message : String(error)}`);
    }

    if (verdict.safe !== undefined) system.log('error', `SAFE MODE: ${verdict.safe}; resets ${verdict.resets.join(', ')}. The app is not started.`);
    else this.#startApp();

    this.#settings = new SettingsTrial(storage.kv);
    const reverted = this.#settings.recover();
    const provisioning = effectiveProvisioning(storage.kv);
    if (typeof provisioning !== 'string') this.#provisioning = provisioning;
    if (reverted) this.#reportSettingsReverted(reverted);
    // What the last update came to, and a new image's self-test (after the app's start: it is part of the test).
    this.#ota.boot();
    const configReverted = this.#config.reverted;
    if (configReverted) this.#lastDesired = { version: configReverted.version, status: 'reverted', reason: configReverted.reason };
    if (verdict.safe === undefined && setupNeeded(this.hal)) this.#openSetup();
    if (typeof provisioning === 'string') {
      this.#state = 'unprovisioned';
      system.log('error', `not provisioned: ${provisioning}`);
      return;
    }
    // Restarted while a desired config was on trial: it gets TRIAL_MS from now to reach the broker again.
    this.#watchConfigTrial();
    if (provisioning.insecure) system.log('warn', `prov/insecure: ${insecurity(provisioning)} to ${provisioning.host} (lab only; the birth says insecure)`);
    this.#scheduleHealth();
    // An app woken for something that may need no network (an impact to judge) brings the radio up itself (wake()).
    if (this.#appRunning && this.#app?.connectAtBoot?.() === false) this.#state = 'sleeping';
    else this.#connect();
  }

  stop(): void {
    const { timers } = this.hal;
    for (const id of Object.values(this.#timers)) timers.clear(id);
    this.#timers = {};
    this.#connection++;
    if (this.#state === 'online' || this.#state === 'connecting') this.hal.mqtt.close();
    this.#outbox?.disconnected();
    this.hal.system.watchdog.stop();
    this.#serviceButton?.close();
    this.#serviceButton = undefined;
    this.#ota?.stop();
    this.#setup?.close();
    this.#setup = undefined;
    if (this.#appRunning) this.#app?.stop?.();
    this.#appRunning = false;
    this.#state = 'stopped';
  }

  /**
   * Factory reset (firmware/lifecycle/factory-reset.ts): the app stops (nothing moves from here on), a durable
   * `device.erasing` says so and is given up to ERASE_REPORT_MS to reach the broker, then everything kept is erased
   * and the device restarts unprovisioned. `by`: what asked (`command`, `button`).
   */
  factoryReset(by: string): void {
    if (this.#erasing) return;
    this.#erasing = true;
    this.hal.system.log('warn', `factory reset (${by}): erasing everything this device keeps`);
    if (this.#appRunning) {
      this.#appRunning = false;
      try {
        this.#app?.stop?.();
      } catch {
        // Going anyway.
      }
    }
    this.emit('device.erasing', { by });
    const { clock, timers } = this.hal;
    const until = clock.now() + ERASE_REPORT_MS;
    const check = () => {
      if (this.#outbox.depth > 0 && clock.now() < until) {
        this.#timers.erase = timers.set(check, 250);
        return;
      }
      this.#connection++;
      if (this.#state === 'online' || this.#state === 'connecting') this.hal.mqtt.close();
      const erased = eraseKept(this.hal.storage, {
        domains: this.#app?.keeps?.domains ?? [],
        partitions: [this.#outboxPartition, ...(this.#app?.keeps?.partitions ?? [])],
      });
      const wipe = erased.wiped ? ', the key-value store wiped' : '';
      const lost = erased.lost > 0 ? ` (${erased.lost} setup/ota keys lost: flash the label's NVS image again)` : '';
      this.hal.system.log(erased.lost > 0 ? 'error' : 'warn', `factory reset: ${erased.keys} keys and ${erased.blocks} flash blocks erased${wipe}${lost}; restarting`);
      this.hal.system.restart();
    };
    // After this turn: the command's result goes out first.
    this.#timers.erase = timers.set(check, 0);
  }

  /**
   * Tries settings staged with stageSettings() (firmware/lifecycle/settings-trial.ts) now: a new Wi-Fi network by
   * restarting (it is joined at boot), a new broker by reconnecting. Kept at the first CONNACK, reverted (and
   * reported) when none comes within TRIAL_MS. Nothing staged: nothing happens.
   */
  trySettings(): void {
    if (this.#state === 'booting' || this.#state === 'stopped' || this.#erasing) return;
    this.#settings = new SettingsTrial(this.hal.storage.kv);
    if (!this.#settings.staged) return;
    if (this.#settings.changesWifi) {
      this.hal.system.restart();
      return;
    }
    const provisioning = effectiveProvisioning(this.hal.storage.kv);
    if (typeof provisioning === 'string') return; // stageSettings checked it: only a foreign write gets here
    this.#provisioning = provisioning;
    if (this.#state === 'unprovisioned') this.#scheduleHealth();
    if (this.#state !== 'sleeping') this.#reconnectNow();
  }

  #openSetup(): void {
    const setup = new SetupSession({
      hal: this.hal, model: this.model, provisioningKey: this.#provisioningKey, host: this,
      onChange: (status) => this.#appRunning && this.#app?.onSetup?.(status),
    });
    this.#setup = setup;
    setup.start();
  }

  /** The app's start. One that throws would leave the device dark on the chip: safe mode instead, at once. */
  #startApp(): void {
    const app = this.#app;
    if (!app) return;
    try {
      this.#appRunning = true;
      app.start?.(this);
    } catch (error) {
      this.#appRunning = false;
      const why = `the app failed to start: ${error instanceof Error ? error.message : String(error)}`;
      this.hal.system.log('error', `SAFE MODE: ${why}`);
      this.#guard.failed(why, this.hal.system.firmwareVersion);
      for (const name of Object.keys(app.commands ?? {})) this.#dispatcher.unregister(name);
      try {
        app.stop?.();
      } catch {
        // Half started: what it opened is released with the restart that leaves safe mode.
      }
    }
  }

  /**
   * Queues a durable event (persisted before this returns). Returns its seq. With `chain`, `data.prev` is set to
   * the link to the chain's previous event (see event-chain.ts).
   */
  emit(type: string, data: Record<string, unknown> = {}, options: EmitOptions = {}): number {
    if (!/^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$/.test(type)) throw new RangeError(`runtime: bad event type "${type}"`);
    const chain = options.chain;
    if (chain !== undefined && !CHAIN_NAME.test(chain)) throw new RangeError(`runtime: bad chain name "${chain}"`);
    const dev = this.#deviceIdOrHardware();
    const firstBefore = this.#outbox.firstSeq;
    const droppedBefore = this.#outbox.counters.dropped;
    const seq = this.#outbox.enqueue((seq) => {
      const prev = chain === undefined ? undefined : this.#chains.prev(chain, seq);
      const body = prev === undefined ? data : { ...data, prev };
      const event: EventMessage = { v: PROTOCOL_VERSION, msg: 'event', dev, seq, boot: this.#boot, ...this.#time(), type, data: body };
      const text = JSON.stringify(event);
      if (chain !== undefined) this.#chains.record(chain, seq, prev!, text);
      return text;
    });
    this.#chains.landed(seq, chain);
    const count = this.#outbox.counters.dropped - droppedBefore;
    // Say so when the full ring lost events (the gap in seq shows it too). Not for the notice itself, so a
    // ring that keeps overflowing does not feed on its own notices.
    if (count > 0 && type !== 'outbox.dropped') {
      this.emit('outbox.dropped', { firstSeq: firstBefore, lastSeq: this.#outbox.firstSeq - 1, count });
    }
    return seq;
  }

  /** Best-effort telemetry (QoS 0); dropped when offline. */
  telemetry(data: Record<string, unknown>): boolean {
    const message: TelemetryMessage = { v: PROTOCOL_VERSION, msg: 'telemetry', dev: this.#deviceIdOrHardware(), boot: this.#boot, ...this.#time(), data };
    return this.#publish('telemetry', message, 0, false);
  }

  /** Battery devices: tell the platform we sleep on purpose, then drop the connection without the will firing. */
  sleep(wakeInSeconds: number): void {
    if (this.#state === 'online') {
      const status: StatusMessage = {
        v: PROTOCOL_VERSION, msg: 'status', dev: this.#deviceIdOrHardware(), state: 'sleeping', boot: this.#boot, conn: this.#sessions, ...this.#time(), wakeIn: wakeInSeconds,
      };
      this.#publish('status', status, 1, true);
    }
    // Also abandons a connection attempt still in flight: the radio goes down either way.
    if (this.#state === 'online' || this.#state === 'connecting') this.hal.mqtt.close();
    this.#connection++;
    this.#outbox.disconnected();
    this.hal.timers.clear(this.#timers.reconnect);
    this.#state = 'sleeping';
  }

  /** Back from sleep: connect again. */
  wake(): void {
    if (this.#state === 'sleeping' && this.#provisioning) this.#connect();
  }

  health(): Record<string, unknown> {
    const heap = this.hal.system.freeHeap();
    return {
      uptimeS: Math.floor(this.hal.clock.now() / 1000),
      outboxDepth: this.#outbox.depth,
      outboxDropped: this.#outbox.counters.dropped,
      reconnects: this.#reconnects,
      rejectedMessages: this.#rejectedMessages,
      ...(heap === undefined ? {} : { freeHeap: heap }),
      ...heapUse(this.hal.system.heapUsed?.()),
      ...(this.#appRunning ? this.#app?.health?.() : { safe: this.#guard.safe ?? 'the app is not running' }),
    };
  }

  #connect(): void {
    if (this.#settings.staged && !this.#settings.running) this.#beginSettingsTrial();
    const provisioning = this.#provisioning!;
    this.#state = 'connecting';
    const connection = ++this.#connection;
    const current = () => connection === this.#connection;
    // The will names the session it belongs to; `conn` counts sessions that reached CONNACK, so a will can only
    // belong to the session this attempt opens.
    const will: StatusMessage = { v: PROTOCOL_VERSION, msg: 'status', dev: provisioning.device, state: 'offline', boot: this.#boot, conn: this.#sessions + 1 };
    const handlers: MqttHandlers = {
      onConnect: () => current() && this.#online(),
      onClose: (reason) => current() && this.#offline(reason),
      onMessage: (topic, payload, retained) => current() && this.#receive(topic, payload, retained),
      onPublishAck: (packetId) => current() && this.#outbox.acknowledge(packetId),
    };
    try {
      this.hal.mqtt.connect({
        host: provisioning.host,
        port: provisioning.port,
        clientId: clientIdOf(provisioning),
        ...(provisioning.user === undefined ? {} : { username: provisioning.user }),
        ...(provisioning.pass === undefined ? {} : { password: provisioning.pass }),
        keepAliveSeconds: this.#keepAlive,
        cleanSession: false,
        will: { topic: this.#topic('status'), payload: JSON.stringify(will), qos: 1, retain: true },
        ...(provisioning.tls ? { secure: tlsOptions(provisioning) } : {}),
      }, handlers);
    } catch (error) {
      this.#offline(error instanceof Error ? error.message : String(error));
    }
  }

  #online(): void {
    this.#state = 'online';
    this.#sessions++;
    this.#connectedAt = this.hal.clock.now();
    if (this.#settings.running) {
      this.hal.timers.clear(this.#timers.settingsTrial);
      this.#timers.settingsTrial = undefined;
      this.hal.system.log('info', `new settings work (${this.#settings.promote().join(', ')}): kept as the last good ones`);
    }
    this.#watchConfigTrial();
    const { mqtt } = this.hal;
    mqtt.subscribe(deviceSubscriptions(this.#address()));
    const birth: StatusMessage = {
      v: PROTOCOL_VERSION, msg: 'status', dev: this.#deviceIdOrHardware(), state: 'online', boot: this.#boot, conn: this.#sessions, ...this.#time(),
      model: this.model, fw: this.hal.system.firmwareVersion, cfgVer: this.#config.version, reset: this.hal.system.resetReason(),
      seq: this.#outbox.nextSeq - 1, cmds: this.#dispatcher.names, hw: this.hal.system.hardwareId,
      ...(this.#provisioning?.insecure ? { insecure: true as const } : {}),
      ...(this.#guard.safe !== undefined ? { safe: this.#guard.safe, resets: [...this.#guard.resets] } : {}),
    };
    this.#publish('status', birth, 1, true);
    this.#report();
    this.#outbox.connected((payload) => mqtt.publish(this.#topic('event'), payload, 1, false));
    this.hal.system.log('info', `online (boot ${this.#boot}, ${this.#outbox.depth} events queued)`);
    if (this.#appRunning) this.#app?.onConnection?.(true);
    this.#ota.connected(this.#guard.safe);
  }

  #offline(reason: string): void {
    const wasOnline = this.#state === 'online';
    this.#lastFailure = reason;
    this.#outbox.disconnected();
    this.#state = 'offline';
    this.#connection++;
    if (wasOnline) {
      this.#reconnects++;
      if (this.hal.clock.now() - this.#connectedAt >= STABLE_CONNECTION_MS) this.#backoff.reset();
      if (this.#appRunning) this.#app?.onConnection?.(false);
    }
    this.#watchConfigTrial();
    const delay = this.#backoff.next();
    this.hal.system.log('warn', `offline (${reason}); retry in ${delay} ms`);
    this.hal.timers.clear(this.#timers.reconnect);
    this.#timers.reconnect = this.hal.timers.set(() => this.#connect(), delay);
  }

  /**
   * Inbound messages: validated, never trusted, never allowed to throw into the transport. `payload` is the
   * PUBLISH's bytes, valid only during this call: parseInbound checks their size, then decodes them as strict
   * UTF-8 before anything is parsed.
   */
  #receive(topic: string, payload: Uint8Array, retained: boolean): void {
    try {
      const parsed = parseTopic(topic);
      const own = this.#provisioning;
      if (!parsed || !own || parsed.device !== own.device || parsed.site !== own.site) {
        this.#rejectedMessages++;
        return;
      }
      const channel = parsed.channel as InboundChannel;
      const result = parseInbound(channel, payload, retained);
      if (!result.ok) {
        this.#rejectedMessages++;
        this.hal.system.log('warn', `rejected ${channel} message: ${result.error}`);
        if (result.reqId !== undefined) this.#dispatcher.refuse(result.reqId, result.code ?? 'invalid', result.error);
        return;
      }
      const message = result.message;
      switch (message.msg) {
        case 'command':
          this.#dispatcher.dispatch(message as CommandMessage);
          break;
        case 'config.desired':
          this.#applyDesired(message as DesiredConfigMessage);
          break;
        case 'alarm':
          if (this.#appRunning) this.#app?.onAlarm?.(message as AlarmUpdateMessage);
          break;
      }
    } catch (error) {
      this.#rejectedMessages++;
      this.hal.system.log('error', `inbound ${topic}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #applyDesired(message: DesiredConfigMessage): void {
    const outcome = this.#config.applyDesired(message.version, message.config);
    if (outcome.status === 'unchanged') return;
    this.#lastDesired = outcome.status === 'applied'
      ? { version: message.version, status: 'applied' }
      : { version: message.version, status: outcome.status, reason: outcome.reason };
    if (outcome.status === 'applied') {
      this.emit('config.applied', { version: message.version, changed: outcome.changed });
      this.#watchConfigTrial();
    } else this.hal.system.log('warn', `config ${message.version} ${outcome.status}: ${outcome.reason}`);
    this.#report();
  }

  /**
   * New connection settings: tried from the first connection attempt with them; the first CONNACK keeps them
   * (#online), none within TRIAL_MS brings the last good ones back.
   */
  #beginSettingsTrial(): void {
    this.#settings.begin();
    this.hal.system.log('warn', `trying new settings (${this.#settings.keys.join(', ')}) for up to ${TRIAL_MS / 1000} s`);
    this.hal.timers.clear(this.#timers.settingsTrial);
    this.#timers.settingsTrial = this.hal.timers.set(() => {
      this.#timers.settingsTrial = undefined;
      const wifi = this.#settings.changesWifi;
      const reverted = this.#settings.revert(`no broker connection within ${TRIAL_MS / 1000} s: ${this.#lastFailure ?? 'no answer'}`);
      const provisioning = effectiveProvisioning(this.hal.storage.kv);
      if (typeof provisioning !== 'string') this.#provisioning = provisioning;
      this.#reportSettingsReverted(reverted);
      // The Wi-Fi network is joined at boot: going back to the old one takes a restart. So does going back to no
      // settings at all (a first provisioning that failed): the device starts again unprovisioned.
      if (wifi || typeof provisioning === 'string') this.hal.system.restart();
      else if (this.#state !== 'sleeping' && this.#state !== 'stopped') this.#reconnectNow();
    }, TRIAL_MS);
  }

  #reportSettingsReverted(reverted: SettingsReverted): void {
    this.hal.system.log('error', `new settings reverted (${reverted.tried.join(', ')}): ${reverted.why}`);
    this.emit(SETTINGS_REVERTED, { why: reverted.why, tried: [...reverted.tried] });
    this.#settings.reported();
  }

  /** Drops the session or attempt in progress and connects again at once with the settings in force. */
  #reconnectNow(): void {
    this.#connection++;
    if (this.#state === 'online' || this.#state === 'connecting') this.hal.mqtt.close();
    if (this.#state === 'online') {
      this.#outbox.disconnected();
      if (this.#appRunning) this.#app?.onConnection?.(false);
    }
    this.hal.timers.clear(this.#timers.reconnect);
    this.#backoff.reset();
    this.#connect();
  }

  /**
   * A desired config on trial is proven by TRIAL_MS online; lost the broker after it and no CONNACK within TRIAL_MS,
   * it is reverted. Called whenever the connection or the config changes.
   */
  #watchConfigTrial(): void {
    const { timers } = this.hal;
    if (!this.#config.onTrial) return;
    if (this.#state === 'online') {
      timers.clear(this.#timers.configRevert);
      this.#timers.configRevert = undefined;
      timers.clear(this.#timers.configProven);
      this.#timers.configProven = timers.set(() => {
        this.#timers.configProven = undefined;
        this.#config.keep();
      }, TRIAL_MS);
      return;
    }
    timers.clear(this.#timers.configProven);
    this.#timers.configProven = undefined;
    if (this.#timers.configRevert !== undefined) return;
    this.#timers.configRevert = timers.set(() => {
      this.#timers.configRevert = undefined;
      const version = this.#config.version;
      const outcome = this.#config.revert(`lost the broker after config ${version}, none within ${TRIAL_MS / 1000} s: ${this.#lastFailure ?? 'no answer'}`);
      const reverted = this.#config.reverted;
      if (!outcome || !reverted) return;
      this.hal.system.log('error', `config ${version} reverted to ${this.#config.version}: ${reverted.reason}`);
      this.#lastDesired = { version: reverted.version, status: 'reverted', reason: reverted.reason };
      this.emit('config.reverted', { version: reverted.version, restored: this.#config.version, reason: reverted.reason });
    }, TRIAL_MS);
  }

  #report(): void {
    const reported: ReportedConfigMessage = {
      v: PROTOCOL_VERSION, msg: 'config.reported', dev: this.#deviceIdOrHardware(), ...this.#time(),
      version: this.#config.version, config: { ...this.#config.values },
      ...(this.#lastDesired ? { last: this.#lastDesired } : {}),
    };
    this.#publish('config/reported', reported, 1, true);
  }

  #sendResult(reqId: string, outcome: CommandOutcome): void {
    const result: ResultMessage = { v: PROTOCOL_VERSION, msg: 'result', dev: this.#deviceIdOrHardware(), reqId, ...this.#time(), ...outcome };
    this.#publish('result', result, 1, false);
  }

  #registerBuiltInCommands(): void {
    // Read-only commands keep their results in RAM: polling them must not wear the flash.
    this.#dispatcher.register('ping', { persist: false, run: () => ({ code: 'ok', data: { boot: this.#boot, uptimeMs: this.hal.clock.now() } }) });
    this.#dispatcher.register('config.get', {
      persist: false,
      run: () => ({ code: 'ok', data: { version: this.#config.version, config: { ...this.#config.values } } }),
    });
    this.#dispatcher.register('health.get', { persist: false, run: () => ({ code: 'ok', data: this.health() }) });
    this.#dispatcher.register(RESUME, resumeCommand(this.#guard));
    this.#dispatcher.register(FACTORY_RESET, {
      validate: (args, command) => checkFactoryReset(args, command, this.hal.crypto, siteCommandKey(this.hal.storage.kv, this.#app?.commandKey?.bind(this.#app))),
      persist: false, // everything is erased anyway
      run: () => {
        this.factoryReset('command');
        return { code: 'ok', data: { erasing: true } };
      },
    });
    this.#dispatcher.register(SETTINGS_COMMAND, {
      validate: (args, command) => {
        const change = checkSettingsCommand(args, command, this.hal.crypto, siteCommandKey(this.hal.storage.kv, this.#app?.commandKey?.bind(this.#app)));
        return typeof change === 'string' ? change : undefined;
      },
      run: (args) => {
        const change: Record<string, unknown> = {};
        for (const key of Object.keys(args)) if (key !== 'target' && key !== 'digest' && key !== 'sig') change[key] = args[key];
        const staged = stageSettings(this.hal.storage.kv, change);
        if (typeof staged === 'string') return { code: 'rejected', reason: staged };
        const restart = staged.some((key) => (WIFI_SETTINGS as readonly string[]).includes(key));
        // After the result has left.
        this.hal.timers.clear(this.#timers.restart);
        this.#timers.restart = this.hal.timers.set(() => this.trySettings(), RESTART_DELAY_MS);
        return { code: 'ok', data: { staged: [...staged], restart, trialS: TRIAL_MS / 1000 } };
      },
    });
    this.#dispatcher.register('restart', {
      run: () => {
        // Let the result leave before the chip goes down.
        this.hal.timers.clear(this.#timers.restart);
        this.#timers.restart = this.hal.timers.set(() => this.hal.system.restart(), RESTART_DELAY_MS);
        return { code: 'ok' };
      },
    });
  }

  #scheduleHealth(): void {
    this.hal.timers.clear(this.#timers.health);
    // Every DeviceConfig<S> has the runtime's keys; the compiler cannot see it while S is open.
    const own = this.#config as ConfigStore<typeof RUNTIME_CONFIG>;
    this.#timers.health = this.hal.timers.repeat(() => this.telemetry(this.health()), own.number('healthIntervalS') * 1000);
  }

  #publish(channel: OutboundChannel, message: object, qos: 0 | 1, retain: boolean): boolean {
    if (this.#state !== 'online') return false;
    try {
      this.hal.mqtt.publish(this.#topic(channel), JSON.stringify(message), qos, retain);
      return true;
    } catch {
      return false;
    }
  }

  #time(): DeviceTime {
    return { up: this.hal.clock.now(), ts: this.hal.wallClock.now(), tv: this.hal.wallClock.valid };
  }

  #topic(channel: OutboundChannel): string {
    return topicFor(this.#address(), channel);
  }

  #address() {
    const provisioning = this.#provisioning!;
    return { site: provisioning.site, device: provisioning.device };
  }

  #deviceIdOrHardware(): string {
    return this.#provisioning?.device ?? this.hal.system.hardwareId;
  }
}

function heapUse(use: HeapUse | undefined): Record<string, number> {
  return use === undefined ? {} : { heapSlotBytes: use.slotBytes, heapChunkBytes: use.chunkBytes };
}

/** Counts boots in the key-value store: one small write per boot. */
function nextBootCount(hal: Hal): number {
  const stored = hal.storage.kv.get('sys', 'boot');
  const boot = (typeof stored === 'number' && Number.isInteger(stored) && stored >= 0 ? stored : 0) + 1;
  hal.storage.kv.set('sys', 'boot', boot);
  return boot;
}
