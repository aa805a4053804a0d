// The door reader in the simulator: the real app (firmware/apps/door-reader) on the simulated door reader board,
// with a simulated MFRC522, a Wiegand reader/keypad and a QR scanner attached at every boot. The world is the
// door (open or shut) and the site's demo data: keys, enrolled cards and PINs. On first boot the demo list is
// written into the credential store the way a platform sync would (signed manifest, hashed chunks).
import { createHash } from 'node:crypto';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { HostHal } from '../../hal/host/index.js';
import { DOOR_READER_MODEL, createDoorReaderApp, type DoorReaderApp } from '../../firmware/apps/door-reader/index.js';
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

/** The demo credentials; the world keeps them so `card 1 alice` knows the UID. */
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

const DEMO_PROFILES = [
  { doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
  { doors: doorMask([5, 6]), schedule: [{ days: 0x7f, start: 0, end: 1440 }] },
];

export interface DoorWorld {
  doorOpen: boolean;
  cards: DemoCard[];
  pins: Record<string, string>;
  passes: number;
  /** This boot's parts (replaced at every boot). */
  boot: { hal: HostHal; app: DoorReaderApp; nfc: Mfrc522Chip; wiegand: WiegandTransmitter; qr: QrScannerChip } | undefined;
}

const pins = simDoorReader.pin;
const CARD_IN_FIELD_MS = 800;
const PRESS_MS = 200;

function current(world: DoorWorld): NonNullable<DoorWorld['boot']> {
  if (!world.boot) throw new Error('the door reader is not running');
  return world.boot;
}

/** Shut: the reed switch pulls the contact to ground. Open: the pull-up takes it high. */
function wireDoor(hal: HostHal, open: boolean): void {
  hal.io.pin(pins.doorContact!).setInput(open ? undefined : 0);
}

/** First boot of a fresh device: the installer's keys, and the demo list as a platform sync would leave it. */
function provision(hal: HostHal, list: CredentialInput[]): void {
  const kv = hal.storage.kv;
  if (kv.get('cred', 'hashKey') !== undefined) return;
  writeCredentialKeys(kv, { hashKey: DEMO_KEYS.hashKey, syncKey: DEMO_KEYS.syncKey });
  writeDoorKeys(kv, { passKey: DEMO_KEYS.passKey, passKeyId: DEMO_KEYS.passKeyId, commandKey: DEMO_KEYS.commandKey });
  const store = new CredentialStore({ storage: hal.storage, crypto: hal.crypto });
  const sync = snapshotSync(DEMO_KEYS, encodeList(DEMO_KEYS, 1, list, DEMO_PROFILES), { sync: 'demo-1' });
  let step = store.beginSync(sync.begin);
  for (const chunk of sync.chunks) if (step.status === 'progress') step = store.applyChunk(chunk);
  if (step.status !== 'done') throw new Error(`demo credential list not stored: ${JSON.stringify(step)}`);
}

function describeCards(world: DoorWorld): string {
  return world.cards.map((card) => `${card.name} (${card.note})`).join(', ');
}

export const doorReaderKind: SimDeviceKind<DoorWorld> = {
  model: DOOR_READER_MODEL,
  board: simDoorReader,
  // 512 KB of outbox (~1,700 access events), and small credential slots: the demo list is tiny.
  partitions: { outbox: 512 * 1024, credA: 64 * 1024, credB: 64 * 1024 },
  createWorld: () => {
    const demo = demoCredentials(dayNumber(Date.now()));
    return { doorOpen: false, cards: demo.cards, pins: demo.pins, passes: 0, boot: undefined };
  },
  boot(hal, world) {
    provision(hal, demoCredentials(dayNumber(hal.wallClock.now())).list);
    wireDoor(hal, world.doorOpen);
    hal.io.pin(pins.exitButton!).setInput(undefined);
    const nfc = attachMfrc522(hal.io, { select: pins.nfcSelect!, port: simDoorReader.spi?.port ?? 0 });
    const wiegand = attachWiegand(hal.io, { data0: pins.wiegandData0!, data1: pins.wiegandData1!, timers: hal.timers });
    const qr = attachQrScanner(hal.io, { port: simDoorReader.serial?.qr?.port ?? 0 });
    const app = createDoorReaderApp();
    world.boot = { hal, app, nfc, wiegand, qr };
    return app;
  },
  commands: {
    card: {
      args: 'NAME|UID',
      help: 'present a card: a demo name or hex UID (3 bytes = Wiegand 26)',
      run(world, [which = '']) {
        const { hal, nfc, wiegand } = current(world);
        const demo = world.cards.find((card) => card.name === which.toLowerCase());
        const uid = demo?.uid ?? hexBytes(which);
        const reader = demo?.reader ?? (uid.length === 3 ? 'wiegand' : 'nfc');
        if (reader === 'wiegand') {
          wiegand.sendCard(26, uid);
          return `Wiegand card ${which}`;
        }
        nfc.present(uid);
        hal.timers.set(() => nfc.remove(), CARD_IN_FIELD_MS);
        return `card ${demo ? demo.name : which} on the reader`;
      },
    },
    pin: {
      args: 'DIGITS',
      help: 'type a PIN and # on the keypad',
      run(world, [digits = '']) {
        if (!/^[0-9]{1,12}$/.test(digits)) throw new Error('a PIN is 1–12 digits');
        current(world).wiegand.sendKeys(`${digits}#`);
        return `keypad: ${'*'.repeat(digits.length)}#`;
      },
    },
    qr: {
      args: 'visitor|resident|TEXT',
      help: 'scan a QR code: a fresh visitor pass (1 use, 1 h), the demo resident code, or any text',
      run(world, [what = 'visitor', ...rest]) {
        const boot = current(world);
        let text = [what, ...rest].join(' ');
        if (what === 'visitor') {
          const now = Math.floor(boot.hal.wallClock.now() / 1000);
          const door = boot.app.reader?.settings.door ?? 0;
          text = mintPass(DEMO_KEYS.passKey, {
            keyId: DEMO_KEYS.passKeyId, passId: 1000 + ++world.passes, doors: doorMask([door]), validFrom: now - 60, validTo: now + 3600, maxUses: 1,
          });
        } else if (what === 'resident') text = 'RESIDENT-ALICE';
        boot.qr.scan(text);
        return `scanned ${text}`;
      },
    },
    door: {
      args: 'open|close',
      help: 'open or shut the door (by hand: the reader decides whether that was allowed)',
      run(world, [state = '']) {
        if (state !== 'open' && state !== 'close') throw new Error('door N open|close');
        world.doorOpen = state === 'open';
        if (world.boot) wireDoor(world.boot.hal, world.doorOpen);
        return `door ${world.doorOpen ? 'opened' : 'shut'}`;
      },
    },
    rex: {
      args: '',
      help: 'press the exit button',
      run(world) {
        const { hal } = current(world);
        const button = hal.io.pin(pins.exitButton!);
        button.setInput(0);
        hal.timers.set(() => button.setInput(undefined), PRESS_MS);
        return 'exit button pressed';
      },
    },
    cards: {
      args: '',
      help: 'list the demo cards and PINs',
      run: (world) => `cards: ${describeCards(world)}; PINs: ${Object.entries(world.pins).map(([pin, note]) => `${pin} (${note})`).join(', ')}`,
    },
  },
  describe(world) {
    const boot = world.boot;
    if (!boot) return world.doorOpen ? 'door open' : 'door shut';
    const reader = boot.app.reader;
    const released = boot.hal.io.pin(pins.relay!).level === 1;
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
