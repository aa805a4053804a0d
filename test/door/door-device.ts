// A door reader under test: the real app and runtime on the simulated door reader board, with a stepped clock,
// a scripted broker (FakeMqtt), simulated MFRC522 / Wiegand / QR chips, and a credential list synced into the
// store the way the platform does it. Storage outlives boots; everything else is rebuilt per boot.
import type { EventMessage, ResultMessage } from '../../firmware/protocol/messages.js';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { Backoff } from '../../firmware/runtime/backoff.js';
import { createDoorReaderApp, type DoorReaderApp } from '../../firmware/apps/door-reader/index.js';
import { writeDoorKeys } from '../../firmware/apps/door-reader/door-keys.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { dayNumber, type Profile } from '../../firmware/apps/door-reader/credentials/format.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { Board, MqttTransport } from '../../hal/contract/index.js';
import { createHostCrypto, createHostHal, SteppedClock, type HostHal, type LevelChange } from '../../hal/host/index.js';
import { createHostStorage, type HostStorage } from '../../hal/host/storage/index.js';
import { attachMfrc522, type Mfrc522Chip } from '../../simulator/chips/mfrc522.js';
import { attachQrScanner, type QrScannerChip } from '../../simulator/chips/qr-scanner.js';
import { attachWiegand, type WiegandTransmitter } from '../../simulator/chips/wiegand.js';
import { encodeList, snapshotSync, type CredentialInput, type EncodedList, type SyncPackage } from '../../scripts/platform/credential-encoder.js';
import { digest } from '../support/door/credential-device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { WALL_TIME } from '../support/device.js';

export { WALL_TIME };
/** Friday 2027-01-15, 08:00 UTC. */
export const TODAY = dayNumber(WALL_TIME);
export const SITE = 'site-1';
export const DEVICE = 'door-1';
export const PREFIX = `ct/v1/${SITE}/${DEVICE}`;
export const KEYS = {
  hashKey: digest('test hash key'),
  syncKey: digest('test sync key'),
  passKey: digest('test pass key'),
  passKeyId: 7,
  commandKey: digest('test command key'),
};
export const PIN = simDoorReader.pin;

export const PROFILES: Profile[] = [
  /** 0: every door, always. */
  { doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
  /** 1: doors 0 and 1, weekdays 09:00–17:00 local. */
  { doors: 0b11, schedule: [{ days: 0x1f, start: 9 * 60, end: 17 * 60 }] },
  /** 2: door 3 only. */
  { doors: 0b1000, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
];

export function uid(name: string): Uint8Array {
  return digest(`card ${name}`).subarray(0, 7);
}

const year = { validFrom: TODAY - 10, validTo: TODAY + 365 };

/** The standard list: one credential per case of the grant/deny matrix. */
export function standardList(): CredentialInput[] {
  return [
    { kind: 'card', secret: uid('valid'), ...year, profile: 0 },
    { kind: 'card', secret: uid('expired'), validFrom: TODAY - 100, validTo: TODAY - 1, profile: 0 },
    { kind: 'card', secret: uid('future'), validFrom: TODAY + 1, validTo: TODAY + 100, profile: 0 },
    { kind: 'card', secret: uid('office'), ...year, profile: 1 },
    { kind: 'card', secret: uid('door3'), ...year, profile: 2 },
    { kind: 'card', secret: uid('withpin'), ...year, profile: 0, pin: '4321' },
    { kind: 'card', secret: uid('flagged'), ...year, profile: 0, revoked: true },
    { kind: 'card', secret: uid('leaver'), ...year, profile: 0 },
    { kind: 'pin', secret: '246810', ...year, profile: 0 },
    { kind: 'qr', secret: 'RESIDENT-QR-1', ...year, profile: 0 },
  ];
}

export interface DoorDeviceOptions {
  list?: CredentialInput[];
  /** false: no keys (and no list) provisioned. */
  keys?: false;
  wallTimeValid?: boolean;
  outboxBytes?: number;
  /** Where the device connects (default 127.0.0.1:1883, site-1/door-1: fine for FakeMqtt). */
  address?: { site: string; device: string; host: string; port: number };
  /** Default: the simulated door reader board. */
  board?: Board;
  /** Default: a FakeMqtt that PUBACKs only when told (ack()). */
  transport?: () => MqttTransport;
}

export class DoorDevice {
  readonly storage: HostStorage;
  hal!: HostHal;
  runtime!: DeviceRuntime;
  app!: DoorReaderApp;
  mqtt!: FakeMqtt;
  nfc!: Mfrc522Chip;
  wiegand!: WiegandTransmitter;
  qr!: QrScannerChip;
  list: EncodedList | undefined;
  /** The relay pin's level changes, one array per boot. */
  readonly relayHistory: LevelChange[][] = [];
  restarts = 0;
  #options: DoorDeviceOptions;
  #configVersion = 0;
  /** The physical door: it stays as it is across reboots. */
  #doorOpen = false;
  #reqId = 0;
  /** Every event payload seen on any boot's transport: seq → first copy. */
  #events = new Map<number, string>();

  constructor(options: DoorDeviceOptions = {}) {
    this.#options = options;
    this.storage = createHostStorage({ partitions: { outbox: options.outboxBytes ?? 128 * 1024, credA: 64 * 1024, credB: 64 * 1024 } });
    writeProvisioning(this.storage.kv, options.address ?? { site: SITE, device: DEVICE, host: '127.0.0.1', port: 1883 });
    if (options.keys !== false) {
      writeCredentialKeys(this.storage.kv, KEYS);
      writeDoorKeys(this.storage.kv, KEYS);
      this.list = encodeList(KEYS, 1, options.list ?? standardList(), PROFILES);
      this.sync(snapshotSync(KEYS, this.list));
    }
  }

  get clock(): SteppedClock {
    return this.hal.clock as SteppedClock;
  }

  get reader() {
    const reader = this.app.reader;
    if (!reader) throw new Error('the door reader is not running');
    return reader;
  }

  /** The relay's level on the wire now. */
  get relay(): 0 | 1 {
    return this.hal.io.pin(PIN.relay!).level;
  }

  /** Plays a sync straight into the store (as the sync commands would), before boot. */
  sync(sync: SyncPackage): void {
    const store = new CredentialStore({ storage: this.storage, crypto: createHostCrypto() });
    let step = store.beginSync(sync.begin);
    for (const chunk of sync.chunks) if (step.status === 'progress') step = store.applyChunk(chunk);
    if (step.status !== 'done') throw new Error(`sync failed: ${JSON.stringify(step)}`);
  }

  boot(): this {
    const transport = this.#options.transport?.() ?? this.#fakeMqtt();
    const clock = new SteppedClock({ wallTimeMs: WALL_TIME, wallTimeValid: this.#options.wallTimeValid ?? true });
    this.hal = createHostHal({
      storage: this.storage,
      board: this.#options.board ?? simDoorReader,
      clock,
      transport,
      system: { onRestart: () => { this.restarts++; } },
    });
    const relay = this.hal.io.pin(PIN.relay!);
    this.relayHistory.push(relay.history);
    this.hal.io.pin(PIN.doorContact!).setInput(this.#doorOpen ? undefined : 0); // the door is as it was
    this.nfc = attachMfrc522(this.hal.io, { select: PIN.nfcSelect!, port: simDoorReader.spi!.port ?? 0 });
    this.wiegand = attachWiegand(this.hal.io, { data0: PIN.wiegandData0!, data1: PIN.wiegandData1!, timers: this.hal.timers });
    this.qr = attachQrScanner(this.hal.io, { port: simDoorReader.serial!.qr!.port ?? 0 });
    this.app = createDoorReaderApp();
    this.runtime = new DeviceRuntime({
      hal: this.hal,
      model: 'door-reader',
      app: this.app,
      backoff: new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 }),
    });
    this.runtime.start();
    this.advance(0);
    return this;
  }

  /** Power cut: nothing shuts down cleanly; storage stays. */
  powerCycle(): this {
    this.#collect();
    this.hal.dispose();
    return this.boot();
  }

  advance(ms: number): void {
    this.clock.advance(ms);
  }

  /** A card held to the NFC reader for half a second. */
  tap(card: Uint8Array): void {
    this.nfc.present(card);
    this.advance(500);
    this.nfc.remove();
    this.advance(500);
  }

  /** Keys on the Wiegand keypad, as typed (250 ms apart). */
  type(keys: string): void {
    this.wiegand.sendKeys(keys);
    this.advance(keys.length * 300 + 200);
  }

  scan(text: string): void {
    this.qr.scan(text);
    this.advance(50);
  }

  /** Opens or shuts the door by hand, and lets the contact settle. */
  door(open: boolean): void {
    this.#doorOpen = open;
    this.hal.io.pin(PIN.doorContact!).setInput(open ? undefined : 0);
    this.advance(100);
  }

  pressExit(): void {
    const button = this.hal.io.pin(PIN.exitButton!);
    button.setInput(0);
    this.advance(200);
    button.setInput(undefined);
    this.advance(100);
  }

  /** Applies settings through config/desired. */
  configure(values: Record<string, unknown>): void {
    const message = { v: 1, msg: 'config.desired', version: ++this.#configVersion + 100, config: values };
    this.mqtt.deliver(`${PREFIX}/config/desired`, JSON.stringify(message), true);
    this.ack();
  }

  command(name: string, args?: Record<string, unknown>, options: { reqId?: string; exp?: number } = {}): ResultMessage {
    const reqId = options.reqId ?? `r-${++this.#reqId}`;
    const exp = options.exp ?? this.hal.wallClock.now() + 30_000;
    const before = this.mqtt.messages('result').length;
    this.mqtt.deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId, name, exp, ...(args ? { args } : {}) }));
    this.ack();
    const results = this.mqtt.messages<ResultMessage>('result');
    if (results.length !== before + 1) throw new Error(`expected one result for ${reqId}, got ${results.length - before}`);
    return results.at(-1)!;
  }

  /** A door.* command signed with the site command key (or `key`). */
  signed(name: string, args: Record<string, unknown>, options: { reqId?: string; exp?: number; key?: Uint8Array } = {}): ResultMessage {
    const reqId = options.reqId ?? `s-${++this.#reqId}`;
    const exp = options.exp ?? this.hal.wallClock.now() + 30_000;
    const sig = signCommand(options.key ?? KEYS.commandKey, name, reqId, exp, args.door as number, args.ms as number | undefined);
    return this.command(name, { ...args, sig }, { reqId, exp });
  }

  /** PUBACKs everything the device has sent until nothing is outstanding. */
  ack(): void {
    const fake = this.mqtt;
    for (let before = -1; before !== fake.published.length;) {
      before = fake.published.length;
      fake.ackAll();
    }
  }

  /** Every event the broker got (all boots), first copies, in seq order. */
  eventPayloads(): string[] {
    this.#collect();
    return [...this.#events.entries()].sort((a, b) => a[0] - b[0]).map(([, payload]) => payload);
  }

  events(type?: string | RegExp): EventMessage[] {
    const all = this.eventPayloads().map((payload) => JSON.parse(payload) as EventMessage);
    if (type === undefined) return all;
    return all.filter((event) => (typeof type === 'string' ? event.type === type : type.test(event.type)));
  }

  /** access.granted / access.denied as "kind:reason" for short assertions. */
  outcomes(): string[] {
    return this.events(/^access\./).map((event) => `${String(event.data.kind)}:${String(event.data.reason)}`);
  }

  /** Relay levels written at or before `ms` into each boot. */
  relayWritesDuringBoot(ms = 0): LevelChange[][] {
    return this.relayHistory.map((history) => history.filter((change) => change.at <= ms));
  }

  #fakeMqtt(): FakeMqtt {
    const fake = new FakeMqtt();
    fake.autoAck = false;
    this.mqtt = fake;
    return fake;
  }

  #collect(): void {
    if (!this.mqtt) return;
    this.ack();
    for (const p of this.mqtt.published) {
      if (!p.topic.endsWith('/event')) continue;
      const seq = (JSON.parse(p.payload) as EventMessage).seq;
      if (!this.#events.has(seq)) this.#events.set(seq, p.payload);
    }
  }
}
