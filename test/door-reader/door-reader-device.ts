// A door reader under test: the simulator's door reader (simulator/kinds/door-reader.ts: the real app, the
// simulated MFRC522 / Wiegand / QR chips and the door) as a SimDevice on the stepped clock, a scripted broker
// (FakeMqtt) and a credential list synced into the store before the first boot, the way the platform does it.
// What is here: the test fixtures and the verbs tests use (tap, type, command...).
import type { EventMessage, ResultMessage } from '../../firmware/protocol/messages.js';
import type { DoorReaderApp } from '../../firmware/apps/door-reader/index.js';
import { writeDoorKeys } from '../../firmware/apps/door-reader/door-keys.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { dayNumber, type Profile } from '../../firmware/apps/door-reader/credentials/format.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { Board } from '../../hal/contract/index.js';
import { createHostCrypto, type LevelChange } from '../../hal/host/index.js';
import type { SimTransport } from '../../simulator/device.js';
import { doorReaderKind, DoorWorld, type DoorBoot } from '../../simulator/kinds/door-reader.js';
import { encodeList, snapshotSync, type CredentialInput, type EncodedList, type SyncPackage } from '../../scripts/platform/credential-encoder.js';
import { digest } from '../support/door-reader/credential-device.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { RigDevice, running, steppedDevice, WALL_TIME } from '../support/device.js';

export { WALL_TIME };
/** Friday 2027-01-15, 08:00 UTC. */
export const TODAY = dayNumber(WALL_TIME);
export const SITE = 'site-1';
export const DEVICE = 'door-reader-1';
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

export interface DoorReaderDeviceOptions {
  list?: CredentialInput[];
  /** false: no keys (and no list) provisioned. */
  keys?: false;
  /** Wall time at the first boot (it runs on across boots and power cuts). Default WALL_TIME. */
  wallTimeMs?: number;
  wallTimeValid?: boolean;
  outboxBytes?: number;
  /** Where the device connects (default 127.0.0.1:1883, site-1/door-reader-1: fine for FakeMqtt). */
  address?: { site: string; device: string; host: string; port: number };
  /** Default: the simulated door reader board. */
  board?: Board;
  /** Default: a FakeMqtt that PUBACKs only when told (ack()). */
  transport?: () => SimTransport;
}

export class DoorReaderDevice extends RigDevice<DoorWorld> {
  list: EncodedList | undefined;
  /** The relay pin's level changes, one array per boot. */
  readonly relayHistory: LevelChange[][];
  #configVersion = 0;
  #reqId = 0;

  constructor(options: DoorReaderDeviceOptions = {}) {
    const relayHistory: LevelChange[][] = [];
    super(steppedDevice({
      // A world without the demo site: the keys and the list are the test's (below).
      kind: { ...doorReaderKind, board: options.board ?? simDoorReader, createWorld: () => new DoorWorld() },
      partitions: { outbox: options.outboxBytes ?? 128 * 1024, credA: 64 * 1024, credB: 64 * 1024 },
      provisioning: options.address ?? { site: SITE, device: DEVICE, host: '127.0.0.1', port: 1883 },
      transport: options.transport ?? (() => {
        const fake = new FakeMqtt();
        fake.autoAck = false;
        return fake;
      }),
      ...(options.wallTimeMs === undefined ? {} : { wallTimeMs: options.wallTimeMs }),
      ...(options.wallTimeValid === undefined ? {} : { wallTimeValid: options.wallTimeValid }),
      onBoot: (device) => relayHistory.push(device.hal!.io.pin(PIN.relay).history),
    }));
    this.relayHistory = relayHistory;
    if (options.keys !== false) {
      writeCredentialKeys(this.storage.kv, KEYS);
      writeDoorKeys(this.storage.kv, KEYS);
      this.list = encodeList(KEYS, 1, options.list ?? standardList(), PROFILES);
      this.sync(snapshotSync(KEYS, this.list));
    }
  }

  /** The scripted broker of this boot (with the default transport). */
  get mqtt(): FakeMqtt {
    const transport = this.device.transport;
    if (!(transport instanceof FakeMqtt)) throw new Error('no FakeMqtt: the device is off, or runs on another transport');
    return transport;
  }

  get app(): DoorReaderApp {
    return this.#parts().app;
  }

  get nfc(): DoorBoot['nfc'] {
    return this.#parts().nfc;
  }

  get wiegand(): DoorBoot['wiegand'] {
    return this.#parts().wiegand;
  }

  get qr(): DoorBoot['qr'] {
    return this.#parts().qr;
  }

  get reader() {
    const reader = this.app.reader;
    if (!reader) throw new Error('the door reader is not running');
    return reader;
  }

  /** The relay's level on the wire now. */
  get relay(): 0 | 1 {
    return this.hal.io.pin(PIN.relay).level;
  }

  /** Plays a sync straight into the store (as the sync commands would), before boot. */
  sync(sync: SyncPackage): void {
    const store = new CredentialStore({ storage: this.storage, crypto: createHostCrypto() });
    let step = store.beginSync(sync.begin);
    for (const chunk of sync.chunks) if (step.status === 'progress') step = store.applyChunk(chunk);
    if (step.status !== 'done') throw new Error(`sync failed: ${JSON.stringify(step)}`);
  }

  override boot(): this {
    super.boot();
    this.advance(0);
    return this;
  }

  /**
   * Power cut (after the broker acknowledged what it got), power back `gapMs` later: nothing shuts down cleanly;
   * storage stays. A long gap is the cheap way to let a quiet period pass.
   */
  override powerCycle(gapMs?: number): this {
    this.ack();
    super.powerCycle(gapMs);
    this.advance(0);
    return this;
  }

  /** A card held to the NFC reader for half a second. */
  tap(card: Uint8Array): void {
    this.world.presentCard(card);
    this.advance(500);
    this.world.removeCard();
    this.advance(500);
  }

  /** Keys on the Wiegand keypad, as typed (250 ms apart). */
  type(keys: string): void {
    this.world.typeKeys(keys);
    this.advance(keys.length * 300 + 200);
  }

  scan(text: string): void {
    this.world.scanQr(text);
    this.advance(50);
  }

  /** Opens or shuts the door by hand, and lets the contact settle. */
  door(open: boolean): void {
    this.world.setDoor(open);
    this.advance(100);
  }

  pressExit(): void {
    this.world.setExitButton(true);
    this.advance(200);
    this.world.setExitButton(false);
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
    return this.deliverCommand(PREFIX, { reqId, name, exp, ...(args ? { args } : {}) }, () => this.ack());
  }

  /** A door.* command signed with the site command key (or `key`). */
  signed(name: string, args: Record<string, unknown>, options: { reqId?: string; exp?: number; key?: Uint8Array } = {}): ResultMessage {
    const reqId = options.reqId ?? `s-${++this.#reqId}`;
    const exp = options.exp ?? this.hal.wallClock.now() + 30_000;
    const sig = signCommand(options.key ?? KEYS.commandKey, name, reqId, exp, args.door as number, args.ms as number | undefined);
    return this.command(name, { ...args, sig }, { reqId, exp });
  }

  /** PUBACKs everything the device has sent on this boot's scripted broker until nothing is outstanding. */
  ack(): void {
    const fake = this.device.transport;
    if (!(fake instanceof FakeMqtt)) return;
    for (let before = -1; before !== fake.published.length;) {
      before = fake.published.length;
      fake.ackAll();
    }
  }

  /** Every event the broker got (all boots), first copies, in seq order. */
  eventPayloads(): string[] {
    this.ack();
    return this.device.eventPayloads();
  }

  override events(type?: string | RegExp): EventMessage[] {
    this.ack();
    return super.events(type);
  }

  /** access.granted / access.denied as "kind:reason" for short assertions. */
  outcomes(): string[] {
    return this.events(/^access\./).map((event) => `${String(event.data.kind)}:${String(event.data.reason)}`);
  }

  /** Relay levels written at or before `ms` into each boot. */
  relayWritesDuringBoot(ms = 0): LevelChange[][] {
    return this.relayHistory.map((history) => history.filter((change) => change.at <= ms));
  }

  /** This boot's parts (the last boot's while the device is off). */
  #parts(): DoorBoot {
    return running(this.world.boot, 'door reader');
  }
}
