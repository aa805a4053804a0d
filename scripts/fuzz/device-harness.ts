// Devices for the runtime-level fuzz targets: the real DeviceRuntime and app (generic, door reader, SOS button,
// smart bin) on the host HAL with a stepped clock, connected through a scripted transport that hands inbound
// payloads over as bytes, exactly as MqttHandlers.onMessage receives them. The harness watches what the device
// does per input: what it published (each message must pass the platform's own validators), its log lines,
// exceptions its command handlers threw (the dispatcher turns those into `failed` results), the door relay and
// the bin's lid servos. The smart bin runs in the simulator's bin world (simulator/kinds/smart-bin.ts: every chip
// attached, lid switches following the servos), so its lids close for real and only a command could open one.
import type { MqttConnectOptions, MqttHandlers, MqttTransport, QoS } from '../../hal/contract/index.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import { simKiosk } from '../../hal/boards/sim-kiosk.js';
import { simSmartBin } from '../../hal/boards/sim-smart-bin.js';
import { createHostHal, type HostHal, type LevelChange, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage, type HostStorage } from '../../hal/host/storage/index.js';
import { DoorReaderApp } from '../../firmware/apps/door-reader/index.js';
import { writeDoorKeys } from '../../firmware/apps/door-reader/door-keys.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { dayNumber, type Profile } from '../../firmware/apps/door-reader/credentials/format.js';
import { SosButtonApp } from '../../firmware/apps/sos-button/index.js';
import type { SmartBinApp } from '../../firmware/apps/smart-bin/app.js';
import { CLOSED_DEG } from '../../firmware/apps/smart-bin/lid.js';
import { COMMAND_KEY, HASH_KEY, writeSiteKey } from '../../firmware/identity/site-keys.js';
import type { InboundChannel, OutboundChannel } from '../../firmware/protocol/topics.js';
import { isOutboundChannel } from '../../firmware/protocol/topics.js';
import { parseOutbound } from '../../firmware/protocol/validate.js';
import { Backoff } from '../../firmware/runtime/backoff.js';
import { type DeviceApp, DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { CommandSpec } from '../../firmware/runtime/dispatcher.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { attachBattery } from '../../simulator/chips/battery.js';
import { attachLis3dh } from '../../simulator/chips/lis3dh.js';
import { KioskWorld } from '../../simulator/kinds/kiosk.js';
import { BinWorld } from '../../simulator/kinds/smart-bin.js';
import { type CredentialInput, encodeList, snapshotSync } from '../platform/credential-encoder.js';
import { check } from './cores/invariant.js';
import { FUZZ_PASS_KEY, FUZZ_WALL_TIME } from './cores/visitor-pass.js';
import { FUZZ_SITE_KEYS } from './cores/cred-sync.js';
import { fromHex } from '../../firmware/lib/hex.js';

export const SITE = 'fuzz-site';
export type DeviceKind = 'generic' | 'door-reader' | 'sos-button' | 'smart-bin' | 'kiosk';
export const DEVICE_IDS: Readonly<Record<DeviceKind, string>> = {
  generic: 'gen-1', 'door-reader': 'door-reader-1', 'sos-button': 'sos-button-1', 'smart-bin': 'smart-bin-1', kiosk: 'kiosk-1',
};
export const WALL_TIME = FUZZ_WALL_TIME;
export const TODAY = dayNumber(WALL_TIME);

/** The door reader's keys: credential keys shared with the cred-sync core, the pass key with the pass core. */
export const DOOR_KEYS = {
  ...FUZZ_SITE_KEYS,
  passKey: FUZZ_PASS_KEY.key,
  passKeyId: FUZZ_PASS_KEY.id,
  commandKey: fromHex('c0ffee00112233445566778899aabbccddeeff00112233445566778899aabbcc'),
};

/** The smart bin's site keys (domain `cred`): residents' hash key, and the command key its lid opens are signed with. */
export const BIN_KEYS = {
  hashKey: fromHex('5eed0000111122223333444455556666777788889999aaaabbbbccccddddeeee'),
  commandKey: fromHex('b1b2b3b4b5b6b7b8b9babbbcbdbebfc0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0'),
};
/** The bin's compartments (the simulated station's board). */
export const BIN_COMPARTMENTS = simSmartBin.compartments;

export const DOOR_PROFILES: Profile[] = [
  { doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
  { doors: 0b10, schedule: [{ days: 0x1f, start: 9 * 60, end: 17 * 60 }] },
];

const year = { validFrom: TODAY - 10, validTo: TODAY + 365 };
/** Wiegand card ids (facility + number bytes) in the door's list. */
export const WIEGAND_CARDS = { w26: [0x7b, 0x30, 0x39], w34: [0x12, 0x34, 0xab, 0xcd], w26pin: [0x01, 0x00, 0x01] };
export const RESIDENT_QR = 'RESIDENT-QR-1';

export function doorList(): CredentialInput[] {
  return [
    { kind: 'card', secret: Uint8Array.from(WIEGAND_CARDS.w26), ...year, profile: 0 },
    { kind: 'card', secret: Uint8Array.from(WIEGAND_CARDS.w34), ...year, profile: 0 },
    { kind: 'card', secret: Uint8Array.from(WIEGAND_CARDS.w26pin), ...year, profile: 0, pin: '4321' },
    { kind: 'card', secret: Uint8Array.of(0x04, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66), ...year, profile: 1 },
    { kind: 'card', secret: Uint8Array.of(0xde, 0xad, 0xbe), validFrom: TODAY - 100, validTo: TODAY - 1, profile: 0 },
    { kind: 'pin', secret: '246810', ...year, profile: 0 },
    { kind: 'qr', secret: RESIDENT_QR, ...year, profile: 0 },
  ];
}

export interface Published {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

/** The broker side: connects at once, PUBACKs a moment later (on the device's timers), delivers bytes. */
export class FuzzTransport implements MqttTransport {
  readonly published: Published[] = [];
  defer: ((callback: () => void) => void) | undefined;
  #handlers: MqttHandlers | undefined;
  #connected = false;
  #nextId = 1;

  get connected(): boolean {
    return this.#connected;
  }

  connect(_options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#handlers = handlers;
    this.#connected = true;
    handlers.onConnect(false);
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    if (!this.#connected) throw new Error('not connected');
    const packetId = qos === 1 ? this.#nextId++ : 0;
    if (this.#nextId > 65535) this.#nextId = 1;
    this.published.push({ topic, payload, qos, retain });
    if (qos === 1) {
      const handlers = this.#handlers!;
      this.defer?.(() => this.#connected && this.#handlers === handlers && handlers.onPublishAck(packetId));
    }
    return packetId;
  }

  subscribe(): void {
    if (!this.#connected) throw new Error('not connected');
  }

  close(): void {
    this.#connected = false;
  }

  /** A PUBLISH arrives: its topic, payload bytes and retain flag, as the client hands them to the runtime. */
  deliver(topic: string, payload: Uint8Array, retained: boolean): void {
    if (!this.#connected) throw new Error('deliver(): not connected');
    this.#handlers!.onMessage(topic, payload, retained);
  }
}

/** What one input made the device do. */
export interface Observation {
  published: Published[];
  /** Log lines at level error. */
  errors: string[];
  /** Exceptions thrown by the app's command handlers (validate or run). */
  handlerErrors: string[];
  /** The door relay was energized during the input. */
  relayEnergized: boolean;
  /** Smart bin: compartments whose lid servo was driven away from shut during the input. */
  lidsOpened: number[];
  /** Alarm updates the runtime handed to the app. */
  alarms: unknown[];
}

/**
 * Wraps an app so that exceptions from its command handlers are seen (the dispatcher hides run()'s as `failed`),
 * and the alarm updates it is handed.
 */
function observed(app: DeviceApp, thrown: string[], alarms: unknown[]): DeviceApp {
  const wrap = (name: string, spec: CommandSpec): CommandSpec => ({
    ...spec,
    ...(spec.validate ? {
      validate: (args, command) => {
        try {
          return spec.validate!(args, command);
        } catch (error) {
          thrown.push(`${name}.validate: ${errorText(error)}`);
          throw error;
        }
      },
    } : {}),
    run: (args, command) => {
      try {
        return spec.run(args, command);
      } catch (error) {
        thrown.push(`${name}.run: ${errorText(error)}`);
        throw error;
      }
    },
  });
  const commands = Object.fromEntries(Object.entries(app.commands ?? {}).map(([name, spec]) => [name, wrap(name, spec)]));
  return {
    ...(app.config ? { config: app.config } : {}),
    commands,
    start: (runtime) => app.start?.(runtime),
    stop: () => app.stop?.(),
    onConfig: (changed, values) => app.onConfig?.(changed, values),
    checkConfig: (values) => app.checkConfig?.(values),
    onAlarm: (update) => {
      alarms.push(update);
      app.onAlarm?.(update);
    },
    onConnection: (online) => app.onConnection?.(online),
    health: () => app.health?.() ?? {},
  };
}

export function errorText(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** Degrees a shut lid's commanded angle may read above CLOSED_DEG (the duty's rounding), and still be shut. */
const LID_SLACK_DEG = 1;

/** Inputs a device lives through before it is rebuilt on fresh storage (bounds its state and its clock). */
const LIFE_INPUTS = 1500;

export class FuzzDevice {
  readonly kind: DeviceKind;
  readonly deviceId: string;
  storage!: HostStorage;
  hal!: HostHal;
  runtime!: DeviceRuntime;
  transport!: FuzzTransport;
  inputs = 0;
  #logs: { level: string; message: string }[] = [];
  #thrown: string[] = [];
  #alarms: unknown[] = [];
  #restart = false;
  /** The SOS button app (kind sos-button). */
  sosApp: SosButtonApp | undefined;
  /** The door reader app (kind door-reader). */
  doorApp: DoorReaderApp | undefined;
  /** The smart bin app (kind smart-bin) and the world around it (one per life: it outlives reboots). */
  binApp: SmartBinApp | undefined;
  binWorld: BinWorld | undefined;
  /** The kiosk's world (kind kiosk): its screen, reader and printer. */
  kioskWorld: KioskWorld | undefined;
  /** Compartments whose lid servo was driven away from shut since the last observe(). */
  #lidsOpened = new Set<number>();
  #publishedMark = 0;
  /** prepare() ran and observe() has not yet. */
  #prepared = false;
  #lastRelay: LevelChange | undefined;
  #canaries = 0;

  constructor(kind: DeviceKind) {
    this.kind = kind;
    this.deviceId = DEVICE_IDS[kind];
    this.#newLife();
  }

  topic(channel: InboundChannel | OutboundChannel): string {
    return `ct/v1/${SITE}/${this.deviceId}/${channel}`;
  }

  get clock(): SteppedClock {
    return this.hal.clock as SteppedClock;
  }

  #newLife(): void {
    (this.hal as HostHal | undefined)?.dispose();
    const partitions: Record<string, number> = { outbox: 64 * 1024 };
    if (this.kind === 'door-reader') Object.assign(partitions, { credA: 64 * 1024, credB: 64 * 1024 });
    this.storage = createHostStorage({ partitions });
    writeProvisioning(this.storage.kv, { site: SITE, device: this.deviceId, host: '127.0.0.1', port: 1883 });
    if (this.kind === 'door-reader') {
      writeCredentialKeys(this.storage.kv, DOOR_KEYS);
      writeDoorKeys(this.storage.kv, DOOR_KEYS);
      const store = new CredentialStore({ storage: this.storage, crypto: createHostCrypto() });
      const sync = snapshotSync(DOOR_KEYS, encodeList(DOOR_KEYS, 1, doorList(), DOOR_PROFILES));
      let step = store.beginSync(sync.begin);
      for (const chunk of sync.chunks) if (step.status === 'progress') step = store.applyChunk(chunk);
      if (step.status !== 'done') throw new Error(`fuzz door: the credential list did not sync: ${JSON.stringify(step)}`);
    }
    if (this.kind === 'smart-bin') {
      writeSiteKey(this.storage.kv, HASH_KEY, BIN_KEYS.hashKey);
      writeSiteKey(this.storage.kv, COMMAND_KEY, BIN_KEYS.commandKey);
      this.binWorld = new BinWorld({ demo: false, seed: 10 });
    }
    if (this.kind === 'kiosk') {
      writeSiteKey(this.storage.kv, HASH_KEY, BIN_KEYS.hashKey);
      this.kioskWorld = new KioskWorld(undefined, { demo: false });
    }
    this.#boot();
    this.inputs = 0;
  }

  #boot(): void {
    this.#restart = false;
    const transport = (this.transport = new FuzzTransport());
    const clock = new SteppedClock({ wallTimeMs: WALL_TIME, wallTimeValid: true });
    const board = { 'door-reader': simDoorReader, 'sos-button': simSosButton, 'smart-bin': simSmartBin, kiosk: simKiosk, generic: undefined }[this.kind];
    this.hal = createHostHal({
      storage: this.storage,
      ...(board ? { board } : {}),
      clock,
      transport,
      system: {
        onRestart: () => { this.#restart = true; },
        log: (level, message) => this.#logs.push({ level, message }),
        deepSleep: false,
      },
    });
    transport.defer = (callback) => clock.timers.set(callback, 0);
    let app: DeviceApp | undefined;
    if (this.kind === 'door-reader') {
      this.hal.io.pin(simDoorReader.pin.doorContact!).setInput(0); // the door is shut
      for (const pin of [simDoorReader.pin.wiegandData0!, simDoorReader.pin.wiegandData1!]) this.hal.io.pin(pin).setInput(1); // lines idle high
      app = this.doorApp = new DoorReaderApp();
    }
    if (this.kind === 'sos-button') {
      attachLis3dh(this.hal, { int1: simSosButton.pin.accelInterrupt! }).setStill({ x: 0, y: 1000, z: 0 });
      attachBattery(this.hal, simSosButton.pin.battery!, { millivolts: 4000 });
      app = this.sosApp = new SosButtonApp();
    }
    if (this.kind === 'smart-bin') {
      app = this.binApp = this.binWorld!.attach(this.hal);
      this.#watchLids();
    }
    if (this.kind === 'kiosk') app = this.kioskWorld!.attach(this.hal);
    this.runtime = new DeviceRuntime({
      hal: this.hal,
      model: this.kind,
      // Every kind gets an app, so every kind's alarm deliveries are seen (the generic one has nothing else).
      app: observed(app ?? {}, this.#thrown, this.#alarms),
      backoff: new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 }),
    });
    this.runtime.start();
    clock.advance(0);
    if (this.kind === 'sos-button') {
      // Keep the radio up for the whole life and the accelerometer quiet: inputs find the SOS button online.
      const desired = { v: 1, msg: 'config.desired', version: 1, config: { awakeS: 3600, fallDetection: false, checkInS: 604_800 } };
      transport.deliver(this.topic('config/desired'), new TextEncoder().encode(JSON.stringify(desired)), true);
      clock.advance(0);
    }
    this.#lastRelay = this.#relayHistory()?.at(-1);
  }

  /**
   * Notes every PWM write on a lid<c> pin that asks its servo for an angle away from shut, as the simulated servo
   * reads the pin (its listener runs first: it was attached first). No pulses (a released servo) is no move.
   */
  #watchLids(): void {
    const servos = this.binWorld!.boot!.servos;
    servos.forEach((servo, c) => {
      this.hal.io.pin(simSmartBin.pin[`lid${c}` as 'lid0']).watch(() => {
        if ((servo.target ?? CLOSED_DEG) > CLOSED_DEG + LID_SLACK_DEG) this.#lidsOpened.add(c);
      });
    });
  }

  #relayHistory(): LevelChange[] | undefined {
    return this.kind === 'door-reader' ? this.hal.io.pin(simDoorReader.pin.relay!).history : undefined;
  }

  /** Relay writes since the last call. */
  #relayChanges(): LevelChange[] {
    const history = this.#relayHistory();
    if (!history) return [];
    const from = this.#lastRelay === undefined ? 0 : history.lastIndexOf(this.#lastRelay) + 1;
    this.#lastRelay = history.at(-1);
    return history.slice(from);
  }

  /**
   * Before an input (deliver() calls it unless the caller did): a fresh life when this one is used up or the
   * device restarted itself; back online; marks where this input's publishes and log lines start.
   */
  prepare(): void {
    if (this.inputs >= LIFE_INPUTS) this.#newLife();
    else if (this.#restart) {
      this.hal.dispose();
      this.#boot();
    }
    for (let waited = 0; this.runtime.state !== 'online' && waited < 20_000; waited += 1000) {
      if (this.runtime.state === 'sleeping') this.runtime.wake();
      this.clock.advance(waited === 0 ? 0 : 1000);
    }
    check(this.runtime.state === 'online', () => `${this.kind} device does not come back online (state ${this.runtime.state})`);
    this.inputs++;
    this.#prepared = true;
    this.#publishedMark = this.transport.published.length;
    this.#logs.length = 0;
    this.#thrown.length = 0;
    this.#alarms.length = 0;
    this.#relayChanges();
    this.#lidsOpened.clear();
  }

  /** A restart on the same storage (a power cut: nothing shut down cleanly). */
  reboot(): void {
    this.hal.dispose();
    this.#boot();
  }

  /** SOS button: presses its button so that an alarm is open (its id is then `sosApp.alarms.alarm.id`). */
  raiseSos(): void {
    const button = this.hal.io.pin(simSosButton.pin.button!);
    button.setInput(0);
    this.clock.advance(200);
    button.setInput(undefined);
    this.clock.advance(4000);
  }

  /** The running door reader (kind door-reader). */
  get doorReader() {
    return this.doorApp?.reader;
  }

  /** Delivers one inbound message and lets `stepMs` pass. Exceptions out of onMessage or a timer propagate. */
  deliver(channel: InboundChannel, payload: Uint8Array, retained: boolean, stepMs: number, topic = this.topic(channel)): Observation {
    if (!this.#prepared) this.prepare();
    this.transport.deliver(topic, payload, retained);
    this.clock.advance(0);
    if (stepMs > 0) this.clock.advance(stepMs);
    return this.observe();
  }

  /** What the device did since prepare(); checks every message it sent. */
  observe(): Observation {
    this.#prepared = false;
    const published = this.transport.published.slice(this.#publishedMark);
    this.#publishedMark = this.transport.published.length;
    const observation: Observation = {
      published,
      errors: this.#logs.filter((line) => line.level === 'error').map((line) => line.message),
      handlerErrors: [...this.#thrown],
      relayEnergized: this.#relayChanges().some((change) => change.level === 1),
      lidsOpened: [...this.#lidsOpened].sort((a, b) => a - b),
      alarms: [...this.#alarms],
    };
    this.#lidsOpened.clear();
    this.#checkOutbound(published);
    return observation;
  }

  /** Every message the device sent passes the platform's validators. */
  #checkOutbound(published: readonly Published[]): void {
    const prefix = `ct/v1/${SITE}/${this.deviceId}/`;
    for (const message of published) {
      check(message.topic.startsWith(prefix), () => `published on foreign topic ${message.topic}`);
      const channel = message.topic.slice(prefix.length);
      check(isOutboundChannel(channel), () => `published on ${message.topic}`);
      const verdict = parseOutbound(channel, message.payload, this.deviceId, this.hal.system.hardwareId);
      check(verdict.ok, () => `sent an invalid ${channel} message (${verdict.ok ? '' : verdict.error}): ${message.payload.slice(0, 300)}`);
    }
  }

  /** The device still answers: a ping gets exactly one `ok`. */
  canary(): void {
    const reqId = `canary-${++this.#canaries}`;
    const command = { v: 1, msg: 'command', reqId, name: 'ping', exp: this.hal.wallClock.now() + 30_000 };
    const seen = this.deliver('command', new TextEncoder().encode(JSON.stringify(command)), false, 0);
    const results = seen.published.filter((p) => p.topic.endsWith('/result')).map((p) => JSON.parse(p.payload) as { reqId: string; code: string });
    check(results.length === 1 && results[0]!.reqId === reqId && results[0]!.code === 'ok',
      () => `${this.kind} device no longer answers a ping: ${JSON.stringify(results)}`);
  }

  dispose(): void {
    this.hal.dispose();
  }
}
