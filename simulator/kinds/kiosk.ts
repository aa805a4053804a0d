// The self-service kiosk in the simulator: the kiosk board (hal/boards/sim-kiosk.ts) on virtual IO, the door
// reader's MFRC522 on its SPI bus and a simulated ESC/POS printer (simulator/chips/escpos-printer.ts) on its
// printer UART. The world is the resident at the screen (taps, keys, back, a card) and the printer's paper and
// cover; it keeps the last view the app rendered (the dashboard draws it as HTML), every receipt printed and
// what the kiosk said. Residents are the door reader's demo residents (same site hash key).
import { KioskApp } from '../../firmware/apps/kiosk/app.js';
import { KIOSK } from '../../firmware/apps/kiosk/index.js';
import type { KioskView } from '../../firmware/apps/kiosk/screen/machine.js';
import { translate, type StringKey } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { HASH_KEY, writeSiteKey } from '../../firmware/identity/site-keys.js';
import type { BoardFor } from '../../firmware/parts/device.js';
import { simKiosk } from '../../hal/boards/sim-kiosk.js';
import type { HostHal } from '../../hal/host/index.js';
import { attachEscPosPrinter, type EscPosPrinterChip, type PrintedReceipt } from '../chips/escpos-printer.js';
import { attachMfrc522, type Mfrc522Chip } from '../chips/mfrc522.js';
import { DEMO_KEYS, demoCredentials, type DemoCard } from './door-reader.js';
import type { KindCommand, SimDeviceKind, WorldContext } from './kind.js';

const CARD_IN_FIELD_MS = 800;
const SPOKEN_KEPT = 50;

/** This boot's chips and app (replaced at every boot). */
export interface KioskBoot {
  hal: HostHal;
  app: KioskApp;
  nfc: Mfrc522Chip;
  printer: EscPosPrinterChip;
}

export interface KioskWorldOptions {
  /** Provision the demo site's hash key on first boot (default true; tests provision their own). */
  demo?: boolean;
}

/** What the kiosk said: the clip and its text in the screen's language. */
export interface Spoken {
  readonly clip: StringKey;
  readonly text: string;
}

/** The kiosk and the resident at it: commands, the dashboard and tests act through these methods. */
export class KioskWorld {
  readonly demo: boolean;
  readonly cards: DemoCard[];
  /** What the kiosk said, newest last (bounded). */
  readonly spoken: Spoken[] = [];
  paperOut = false;
  coverOpen = false;
  boot: KioskBoot | undefined;
  #view: KioskView | undefined;
  #earlierReceipts: PrintedReceipt[] = [];
  #context: WorldContext | undefined;

  constructor(context?: WorldContext, options: KioskWorldOptions = {}) {
    this.#context = context;
    this.demo = options.demo ?? true;
    this.cards = demoCredentials(0).cards.filter((card) => card.reader === 'nfc');
  }

  /** The last view the kiosk rendered (what the screen shows). */
  get view(): KioskView | undefined {
    return this.#view;
  }

  /** Every receipt cut so far, across boots, oldest first. */
  receipts(): PrintedReceipt[] {
    return [...this.#earlierReceipts, ...(this.boot?.printer.receipts() ?? [])];
  }

  /** A tap on the element with this id; false when it is not on the screen. */
  tap(id: string): boolean {
    return this.#current().app.input.tap(id);
  }

  key(key: string): boolean {
    return this.#current().app.input.key(key);
  }

  back(): boolean {
    return this.#current().app.input.back();
  }

  /** A card in the reader's field for a moment: by demo name, or a UID in hex. */
  presentCard(card: string | Uint8Array, ms = CARD_IN_FIELD_MS): void {
    const { hal, nfc } = this.#current();
    nfc.present(typeof card === 'string' ? this.#uid(card) : card);
    hal.timers.set(() => nfc.remove(), ms);
  }

  /** The paper roll runs out, or is loaded again. */
  setPaperOut(out: boolean): void {
    this.paperOut = out;
    if (this.boot) this.boot.printer.paperOut = out;
  }

  setCoverOpen(open: boolean): void {
    this.coverOpen = open;
    if (this.boot) this.boot.printer.coverOpen = open;
  }

  /** One boot: the chips on this boot's IO, the printer as it is, and the app with its screen and speaker here. */
  attach(hal: HostHal, app?: KioskApp): KioskApp {
    if (this.demo && hal.storage.kv.get('cred', HASH_KEY) === undefined) writeSiteKey(hal.storage.kv, HASH_KEY, DEMO_KEYS.hashKey);
    if (this.boot) this.#earlierReceipts.push(...this.boot.printer.receipts());
    const nfc = attachMfrc522(hal.io, { select: simKiosk.pin.nfcSelect, port: simKiosk.spi.port });
    const printer = attachEscPosPrinter(hal.io, { port: simKiosk.serial.printer.port, timers: hal.timers });
    printer.paperOut = this.paperOut;
    printer.coverOpen = this.coverOpen;
    this.#view = undefined;
    const kiosk = app ?? new KioskApp({ parts: KIOSK.parts, render: (view) => this.rendered(view), speak: (clip) => this.said(clip) });
    this.boot = { hal, app: kiosk, nfc, printer };
    return kiosk;
  }

  /** The app's render hook. */
  rendered(view: KioskView): void {
    this.#view = view;
  }

  /** The app's speak hook. */
  said(clip: StringKey): void {
    this.spoken.push({ clip, text: translate(this.#view?.lang ?? 'zh', clip) });
    if (this.spoken.length > SPOKEN_KEPT) this.spoken.shift();
  }

  /** The world's time, for callers that need it (the dashboard). */
  get now(): number {
    return this.#context?.now() ?? 0;
  }

  #uid(name: string): Uint8Array {
    const card = this.cards.find((c) => c.name === name);
    if (card) return card.uid;
    if (/^([0-9a-f]{2}){4,10}$/i.test(name)) return Uint8Array.from(name.match(/../g)!.map((h) => parseInt(h, 16)));
    throw new RangeError(`no demo card "${name}" (${this.cards.map((c) => c.name).join(', ')}), nor a hex UID`);
  }

  #current(): KioskBoot {
    if (!this.boot) throw new Error('the kiosk is not running');
    return this.boot;
  }
}

const taken = (ok: boolean, what: string): string => (ok ? what : `${what}: not on the screen now`);

const commands: Readonly<Record<string, KindCommand<KioskWorld>>> = {
  tap: { args: 'ID', help: 'tap the element ID on the kiosk screen (e.g. svc.queue, queue.take, nav.home)', run: (world, [id = '']) => taken(world.tap(id), `tapped ${id}`) },
  card: { args: 'NAME', help: 'a resident card on the reader (demo name or hex UID)', run: (world, [name = '']) => { world.presentCard(name); return `card ${name} on the reader`; } },
  key: { args: 'D', help: 'a keypad key: 0–9 or del', run: (world, [key = '']) => taken(world.key(key), `key ${key}`) },
  back: { args: '', help: 'the back gesture', run: (world) => taken(world.back(), 'back') },
  paper: {
    args: 'out|in',
    help: 'the printer\'s paper runs out, or a roll is loaded',
    run(world, [state = '']) {
      if (state !== 'out' && state !== 'in') throw new RangeError('paper: out or in');
      world.setPaperOut(state === 'out');
      return state === 'out' ? 'printer: paper out' : 'printer: paper loaded';
    },
  },
  cover: {
    args: 'open|shut',
    help: 'the printer\'s cover is opened or shut',
    run(world, [state = '']) {
      if (state !== 'open' && state !== 'shut') throw new RangeError('cover: open or shut');
      world.setCoverOpen(state === 'open');
      return `printer cover ${state}`;
    },
  },
};

export const kioskKind: SimDeviceKind<KioskWorld> = {
  model: KIOSK.model,
  board: simKiosk satisfies BoardFor<typeof KIOSK.parts>,
  partitions: { outbox: 128 * 1024 },
  createWorld: (context) => new KioskWorld(context),
  boot: (hal, world) => world.attach(hal),
  commands,
  describe(world) {
    const view = world.view;
    const printer = world.paperOut ? 'paper out' : world.coverOpen ? 'cover open' : 'printer ok';
    return [view ? `${view.screen} (${view.lang})` : 'dark', printer, `${world.receipts().length} printed`].join(' · ');
  },
};
