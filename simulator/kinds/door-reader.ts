// The door reader in the simulator: the real app (firmware/apps/door-reader) on the simulated door reader board,
// with a simulated MFRC522, a Wiegand reader/keypad and a QR scanner attached at every boot. The world
// (DoorWorld) is the door, open or shut, and what people do at it: the commands and the tests act through its
// methods. The simulator's world carries the site's demo data (keys, cards, PINs): on a fresh device's first boot
// the demo list is written into the credential store the way a platform sync would (signed manifest, hashed
// chunks). A world without it leaves provisioning to its owner, as tests do.
import { createHash } from 'node:crypto';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { HostHal } from '../../hal/host/index.js';
import { DOOR_READER, type DoorReaderApp } from '../../firmware/apps/door-reader/index.js';
import type { BoardFor } from '../../firmware/parts/device.js';
import { writeDoorKeys } from '../../firmware/apps/door-reader/door-keys.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { dayNumber } from '../../firmware/apps/door-reader/credentials/format.js';
import { encodeList, snapshotSync, type CredentialInput } from '../../scripts/platform/credential-encoder.js';
import { doorMask, mintPass } from '../../scripts/door/visitor-pass.js';
import { attachMfrc522, type Mfrc522Chip } from '../chips/mfrc522.js';
import { attachQrScanner, type QrScannerChip } from '../chips/qr-scanner.js';
import { attachWiegand, type WiegandTransmitter } from '../chips/wiegand.js';
import type { SimDeviceKind } from './kind.js';

const key = (text: string) => new Uint8Array(createHash('sha256').update(`demo site: ${text}`).digest());

/** The demo site's keys (the platform's copies). Never use fixed keys outside a simulator. */
export const DEMO_KEYS = {
  hashKey: key('hash'),
  syncKey: key('sync'),
  passKey: key('pass'),
  passKeyId: 1,
  commandKey: key('command'),
} as const;

export interface DemoCard {
  name: string;
  /** UID (NFC) or facility + card number bytes (Wiegand 26). */
  uid: Uint8Array;
  reader: 'nfc' | 'wiegand';
  note: string;
}

/** Where the demo residents live: the platform's resident register, which turns a kiosk's "my home" into a unit. */
export const DEMO_UNITS: Readonly<Record<string, string>> = Object.freeze({ alice: '3-1502', bob: '3-0801', dave: '5-1201' });

/** The demo credentials: the people (cards, PINs) and the list the platform would sync. */
export function demoCredentials(today: number): { cards: DemoCard[]; list: CredentialInput[]; pins: Record<string, string> } {
  const cards: DemoCard[] = [
    { name: 'alice', uid: Uint8Array.of(0x04, 0xa1, 0x1c, 0xe0, 0x00, 0x00, 0x01), reader: 'nfc', note: 'resident, any time' },
    { name: 'bob', uid: Uint8Array.of(0x04, 0xb0, 0xb0, 0x00, 0x00, 0x00, 0x02), reader: 'nfc', note: 'card + PIN 4321' },
    { name: 'carol', uid: Uint8Array.of(0x04, 0xca, 0x40, 0x00, 0x00, 0x00, 0x03), reader: 'nfc', note: 'expired yesterday' },
    { name: 'dave', uid: Uint8Array.of(0x04, 0xda, 0x7e, 0x00, 0x00, 0x00, 0x04), reader: 'nfc', note: 'other doors only' },
    { name: 'gate', uid: Uint8Array.of(12, 0x0d, 0x80), reader: 'wiegand', note: 'Wiegand 26 fob, facility 12 card 3456' },
    { name: 'mallory', uid: Uint8Array.of(0x04, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66), reader: 'nfc', note: 'not enrolled' },
  ];
  const uid = (name: string) => cards.find((card) => card.name === name)!.uid;
  const year = { validFrom: today - 30, validTo: today + 365 };
  return {
    cards,
    pins: { '1234': 'PIN-only code, any time', '4321': "bob's PIN (after his card)" },
    list: [
      { kind: 'card', secret: uid('alice'), ...year, profile: 0 },
      { kind: 'card', secret: uid('bob'), ...year, profile: 0, pin: '4321' },
      { kind: 'card', secret: uid('carol'), validFrom: today - 60, validTo: today - 1, profile: 0 },
      { kind: 'card', secret: uid('dave'), ...year, profile: 1 },
      { kind: 'card', secret: uid('gate'), ...year, profile: 0 },
      { kind: 'pin', secret: '1234', ...year, profile: 0 },
      { kind: 'qr', secret: 'RESIDENT-ALICE', ...year, profile: 0 },
    ],
  };
}

/** The demo list's access profiles: 0 every door, 1 doors 5 and 6; any time. */
export const DEMO_PROFILES = [
  { doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
  { doors: doorMask([5, 6]), schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
];

/** The demo site's people: the world keeps them so `card 1 alice` knows the UID. */
export interface DemoSite {
  cards: DemoCard[];
  pins: Record<string, string>;
}

/** This boot's parts (replaced at every boot). */
export interface DoorBoot {
  hal: HostHal;
  app: DoorReaderApp;
  nfc: Mfrc522Chip;
  wiegand: WiegandTransmitter;
  qr: QrScannerChip;
}

const pins = simDoorReader.pin;
const CARD_IN_FIELD_MS = 800;
const PRESS_MS = 200;

/**
 * The door and the people at it: the interactive commands and the tests act through these methods. The door
 * stays as it is across reboots; cards, keys and codes go to this boot's chips.
 */
export class DoorWorld {
  /** The demo site, written into a fresh device on its first boot; absent: the caller provisions (tests do). */
  readonly demo: DemoSite | undefined;
  doorOpen = false;
  /** Visitor passes minted so far. */
  passes = 0;
  boot: DoorBoot | undefined;

  constructor(demo?: DemoSite) {
    this.demo = demo;
  }

  /** A card enters the NFC reader's field; with `ms`, it leaves again that long after (device time). */
  presentCard(uid: Uint8Array, ms?: number): void {
    const { hal, nfc } = this.#current();
    nfc.present(uid);
    if (ms !== undefined) hal.timers.set(() => nfc.remove(), ms);
  }

  removeCard(): void {
    this.#current().nfc.remove();
  }

  /** A card on the Wiegand reader: 3 id bytes in a 26-bit frame, 4 in a 34-bit one. */
  sendWiegandCard(bits: 26 | 34, id: Uint8Array): void {
    this.#current().wiegand.sendCard(bits, id);
  }

  /** Keys on the Wiegand keypad, as a person types them. */
  typeKeys(keys: string): void {
    this.#current().wiegand.sendKeys(keys);
  }

  scanQr(text: string): void {
    this.#current().qr.scan(text);
  }

  /** Opens or shuts the door by hand (the reader decides whether that was allowed). */
  setDoor(open: boolean): void {
    this.doorOpen = open;
    if (this.boot) wireDoor(this.boot.hal, open);
  }

  /** The exit button down or up; with `ms`, released again that long after (device time). */
  setExitButton(down: boolean, ms?: number): void {
    const { hal } = this.#current();
    const button = hal.io.pin(pins.exitButton);
    button.setInput(down ? 0 : undefined); // released: the pull-up takes the line high
    if (down && ms !== undefined) hal.timers.set(() => button.setInput(undefined), ms);
  }

  /** A fresh visitor pass for this reader's door (1 use, 1 h), signed with the demo keys. */
  mintVisitorPass(): string {
    const { hal, app } = this.#current();
    const now = Math.floor(hal.wallClock.now() / 1000);
    const door = app.reader?.settings.door ?? 0;
    return mintPass(DEMO_KEYS.passKey, {
      keyId: DEMO_KEYS.passKeyId, passId: 1000 + ++this.passes, doors: doorMask([door]), validFrom: now - 60, validTo: now + 3600, maxUses: 1,
    });
  }

  #current(): DoorBoot {
    if (!this.boot) throw new Error('the door reader is not running');
    return this.boot;
  }
}

/** Shut: the reed switch pulls the contact to ground. Open: the pull-up takes it high. */
function wireDoor(hal: HostHal, open: boolean): void {
  hal.io.pin(pins.doorContact).setInput(open ? undefined : 0);
}

/** First boot of a fresh device: the installer's keys, and the demo list as a platform sync would leave it. */
function provision(hal: HostHal): void {
  const kv = hal.storage.kv;
  if (kv.get('cred', 'hashKey') !== undefined) return;
  writeCredentialKeys(kv, { hashKey: DEMO_KEYS.hashKey, syncKey: DEMO_KEYS.syncKey });
  writeDoorKeys(kv, { passKey: DEMO_KEYS.passKey, passKeyId: DEMO_KEYS.passKeyId, commandKey: DEMO_KEYS.commandKey });
  const store = new CredentialStore({ storage: hal.storage, crypto: hal.crypto });
  const { list } = demoCredentials(dayNumber(hal.wallClock.now()));
  const sync = snapshotSync(DEMO_KEYS, encodeList(DEMO_KEYS, 1, list, DEMO_PROFILES), { sync: 'demo-1' });
  let step = store.beginSync(sync.begin);
  for (const chunk of sync.chunks) if (step.status === 'progress') step = store.applyChunk(chunk);
  if (step.status !== 'done') throw new Error(`demo credential list not stored: ${JSON.stringify(step)}`);
}

function describeCards(demo: DemoSite | undefined): string {
  return (demo?.cards ?? []).map((card) => `${card.name} (${card.note})`).join(', ') || 'none';
}

export const doorReaderKind: SimDeviceKind<DoorWorld> = {
  model: DOOR_READER.model,
  board: simDoorReader satisfies BoardFor<typeof DOOR_READER.parts>,
  // 512 KB of outbox (~1,700 access events), and small credential slots: the demo list is tiny.
  partitions: { outbox: 512 * 1024, credA: 64 * 1024, credB: 64 * 1024 },
  createWorld: () => {
    const { cards, pins: demoPins } = demoCredentials(dayNumber(Date.now()));
    return new DoorWorld({ cards, pins: demoPins });
  },
  boot(hal, world) {
    if (world.demo) provision(hal);
    wireDoor(hal, world.doorOpen);
    hal.io.pin(pins.exitButton).setInput(undefined);
    const nfc = attachMfrc522(hal.io, { select: pins.nfcSelect, port: simDoorReader.spi?.port ?? 0 });
    const wiegand = attachWiegand(hal.io, { data0: pins.wiegandData0, data1: pins.wiegandData1, timers: hal.timers });
    const qr = attachQrScanner(hal.io, { port: simDoorReader.serial?.qr?.port ?? 0 });
    const app = DOOR_READER.createApp();
    world.boot = { hal, app, nfc, wiegand, qr };
    return app;
  },
  commands: {
    card: {
      args: 'NAME|UID',
      help: 'present a card: a demo name or hex UID (3 bytes = Wiegand 26)',
      run(world, [which = '']) {
        const demo = world.demo?.cards.find((card) => card.name === which.toLowerCase());
        const uid = demo?.uid ?? hexBytes(which);
        const reader = demo?.reader ?? (uid.length === 3 ? 'wiegand' : 'nfc');
        if (reader === 'wiegand') {
          world.sendWiegandCard(26, uid);
          return `Wiegand card ${which}`;
        }
        world.presentCard(uid, CARD_IN_FIELD_MS);
        return `card ${demo ? demo.name : which} on the reader`;
      },
    },
    pin: {
      args: 'DIGITS',
      help: 'type a PIN and # on the keypad',
      run(world, [digits = '']) {
        if (!/^[0-9]{1,12}$/.test(digits)) throw new Error('a PIN is 1–12 digits');
        world.typeKeys(`${digits}#`);
        return `keypad: ${'*'.repeat(digits.length)}#`;
      },
    },
    qr: {
      args: 'visitor|resident|TEXT',
      help: 'scan a QR code: a fresh visitor pass (1 use, 1 h), the demo resident code, or any text',
      run(world, [what = 'visitor', ...rest]) {
        let text = [what, ...rest].join(' ');
        if (what === 'visitor') text = world.mintVisitorPass();
        else if (what === 'resident') text = 'RESIDENT-ALICE';
        world.scanQr(text);
        return `scanned ${text}`;
      },
    },
    door: {
      args: 'open|close',
      help: 'open or shut the door (by hand: the reader decides whether that was allowed)',
      run(world, [state = '']) {
        if (state !== 'open' && state !== 'close') throw new Error('door N open|close');
        world.setDoor(state === 'open');
        return `door ${world.doorOpen ? 'opened' : 'shut'}`;
      },
    },
    rex: {
      args: '',
      help: 'press the exit button',
      run(world) {
        world.setExitButton(true, PRESS_MS);
        return 'exit button pressed';
      },
    },
    cards: {
      args: '',
      help: 'list the demo cards and PINs',
      run: (world) => `cards: ${describeCards(world.demo)}; PINs: ${Object.entries(world.demo?.pins ?? {}).map(([pin, note]) => `${pin} (${note})`).join(', ') || 'none'}`,
    },
  },
  describe(world) {
    const boot = world.boot;
    if (!boot) return world.doorOpen ? 'door open' : 'door shut';
    const reader = boot.app.reader;
    const released = boot.hal.io.pin(pins.relay).level === 1;
    const parts = [released ? 'UNLOCKED' : 'locked', world.doorOpen ? 'door OPEN' : 'door shut'];
    if (reader && reader.door.mode !== 'normal') parts.push(reader.door.mode.toUpperCase());
    if (reader?.awaitingPin) parts.push('PIN?');
    for (const alarm of reader?.door.alarms ?? []) parts.push(`ALARM ${alarm}`);
    return parts.join(' · ');
  },
};

function hexBytes(text: string): Uint8Array {
  if (!/^([0-9a-fA-F]{2}){3,10}$/.test(text)) throw new Error(`"${text}" is neither a demo card nor a UID of 3–10 hex bytes`);
  return Uint8Array.from(text.match(/../g)!.map((pair) => parseInt(pair, 16)));
}
