// The self-service kiosk: the screen model (screen/) driven by taps, keys and cards, and everything around it
// that the model leaves to the app. Cards become keyed hashes (firmware/identity) before the model sees them;
// the model's intents become durable events (repair, rating, pass request, ticket), receipts on the printer
// and the help call on the shared alarm lifecycle; the platform's commands (report progress, issued passes,
// notices) and the connection move what the model shows. The renderer is not here: whoever boots the kiosk
// passes `render` (Piu on the device, HTML in the simulator) and feeds taps to `input`.
import type { Hal, TimerId } from '../../../hal/contract/index.js';
import { AlarmLifecycle, type AlarmIndication } from '../../alarms/alarm-lifecycle.js';
import { runtimeAlarmHooks } from '../../alarms/runtime-hooks.js';
import type { EscPosPrinter } from '../../drivers/escpos/escpos.js';
import type { Receipt } from '../../drivers/escpos/receipt.js';
import { statusProblem, type PrinterStatus } from '../../drivers/escpos/status.js';
import { queueTicket } from '../../drivers/escpos/ticket.js';
import { credentialHash } from '../../identity/credential-hash.js';
import { HASH_KEY, readSiteKey } from '../../identity/site-keys.js';
import { toHex } from '../../lib/hex.js';
import { type OpenedParts, openParts } from '../../parts/open-parts.js';
import type { Closable, Part } from '../../parts/part.js';
import type { AlarmUpdateMessage } from '../../protocol/messages.js';
import type { DeviceApp, DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandOutcome, CommandSpec } from '../../runtime/dispatcher.js';
import { translate, type StringKey } from './screen/strings/index.js';
import { checkKioskArgs, NOTICES, PASS, REPORT_PROGRESS } from './command-args.js';
import { KIOSK_CONFIG, KIOSK_DOMAIN, type KioskConfig } from './config.js';
import { KioskStore } from './memory.js';
import { NoticeCache } from './notices.js';
import { KIOSK_PARTS, type KioskEvents } from './parts.js';
import type { HelpStage, ReportStage } from './screen/catalogue.js';
import { KioskScreens, REPORTS_KEPT, type KioskIntent, type KioskView } from './screen/machine.js';
import type { ScreenSpec } from './screen/modes.js';

export type KioskParts = { readonly [K in keyof typeof KIOSK_PARTS]?: Part<Closable, string, KioskEvents> };

export interface KioskHooks {
  /** Another parts table (tests, bench:heap stand-ins). */
  parts?: KioskParts;
  /** Draws the view; called whenever it changes. */
  render?(view: KioskView): void;
  /** Plays the prerecorded clip of that name (the simulator shows its text). */
  speak?(clip: StringKey): void;
}

/** What a renderer hands back: taps on the view's ids, keypad keys, the back gesture. Each returns whether it was taken. */
export interface KioskInput {
  tap(id: string): boolean;
  key(key: string): boolean;
  back(): boolean;
}

/** The display when the board does not say: the kiosk board's 4" 480 × 320 panel (hal/boards/esp32s3-kiosk.ts). */
const DEFAULT_SCREEN: ScreenSpec = Object.freeze({ widthPx: 480, heightPx: 320, dpi: 144 });
const TICK_MS = 1000;
/** The printer's status is asked this often between jobs: paper running out shows on screen before a ticket fails. */
const PRINTER_POLL_MS = 15_000;
/** Resident hashes handed to the screen model and sent in events: the keyed hash's first 16 bytes, hex. */
const HASH_HEX = 32;
const CHINA_OFFSET_MS = 8 * 3_600_000;
const HELP_STAGE: Readonly<Partial<Record<AlarmIndication, HelpStage>>> = Object.freeze({
  raised: 'raised' as const, escalated: 'raised' as const, accepted: 'accepted' as const, dispatched: 'dispatched' as const,
  onsite: 'onsite' as const, resolved: 'resolved' as const, cancelled: 'resolved' as const,
});

export class KioskApp implements DeviceApp<KioskConfig> {
  readonly config = KIOSK_CONFIG;
  readonly commands: Readonly<Record<string, CommandSpec>>;
  /** A factory reset erases the residents' reports and modes, the notices, the ticket counter and the help call. */
  readonly keeps = Object.freeze({ domains: [KIOSK_DOMAIN] });
  readonly input: KioskInput;
  #hooks: KioskHooks;
  #runtime!: DeviceRuntime<KioskConfig>;
  #hal!: Hal;
  #hardware: OpenedParts<KioskParts> | undefined;
  #screens: KioskScreens | undefined;
  #store: KioskStore | undefined;
  #notices: NoticeCache | undefined;
  #alarms: AlarmLifecycle<'help'> | undefined;
  #tick: TimerId | undefined;
  #printerPoll: TimerId | undefined;
  #rendered: KioskView | undefined;
  #printerStatus: PrinterStatus | undefined;
  #identityErrors = 0;
  #printed = 0;
  #printFailures = 0;

  constructor(hooks: KioskHooks = {}) {
    this.#hooks = hooks;
    const act = (taken: boolean | undefined): boolean => {
      this.#after();
      return taken === true;
    };
    this.input = Object.freeze({
      tap: (id: string) => act(this.#screens?.tap(id)),
      key: (key: string) => act(this.#screens?.key(key)),
      back: () => act(this.#screens?.back()),
    });
    const validate = (args: Record<string, unknown>, command: { name: string }) => checkKioskArgs(command.name, args, 'args');
    this.commands = {
      [REPORT_PROGRESS]: { validate, persist: false, run: (args) => this.#reportProgress(args.ref as string, args.stage as ReportStage) },
      [PASS]: { validate, persist: false, run: (args) => this.#passIssued(args.ref as string, args.payload as string) },
      [NOTICES]: { validate, persist: false, run: (args) => this.#storeNotices(args.version as number, args.notices) },
    };
  }

  /** The current screen (after start). */
  get view(): KioskView | undefined {
    return this.#screens?.view;
  }

  get screens(): KioskScreens | undefined {
    return this.#screens;
  }

  get alarms(): AlarmLifecycle<'help'> | undefined {
    return this.#alarms;
  }

  start(runtime: DeviceRuntime<KioskConfig>): void {
    this.#runtime = runtime;
    const hal = runtime.hal;
    this.#hal = hal;
    const log = (level: 'info' | 'warn', message: string) => hal.system.log(level, `kiosk: ${message}`);
    const events: KioskEvents = { card: (uid) => this.#card(uid), printer: (status) => this.#printerChanged(status) };
    this.#hardware = openParts(this.#hooks.parts ?? KIOSK_PARTS, {
      device: hal.device, timers: hal.timers, clock: hal.clock, events, log: (message) => log('warn', message),
    });
    const kv = hal.storage.kv;
    this.#store = new KioskStore(kv, KIOSK_DOMAIN);
    this.#notices = new NoticeCache(kv, KIOSK_DOMAIN);
    const board = hal.device.board as { readonly screen?: ScreenSpec };
    this.#screens = new KioskScreens({ screen: board.screen ?? DEFAULT_SCREEN, memory: this.#store, refPrefix: `${runtime.boot}-` });
    this.#screens.online(false); // until the first connection
    this.#screens.notices(this.#notices.notices);
    this.#screens.printer(this.#printerReady());
    this.#alarms = new AlarmLifecycle<'help'>({
      causes: { help: { windowS: () => 0, cancelledEvent: 'kiosk.help_cancelled' } },
      domain: KIOSK_DOMAIN,
      ...runtimeAlarmHooks(runtime),
      show: (indication) => this.#helpShown(indication),
      changed: () => undefined,
      log,
    });
    this.#alarms.restore();
    this.#screens.tick(hal.wallClock.now());
    this.#tick = hal.timers.repeat(() => {
      this.#screens?.tick(hal.wallClock.now());
      this.#after();
    }, TICK_MS);
    this.#printerPoll = hal.timers.repeat(() => {
      const printer = this.#printer();
      if (printer && !printer.printing) printer.poll();
    }, PRINTER_POLL_MS);
    this.#after();
  }

  stop(): void {
    this.#hal?.timers.clear(this.#tick);
    this.#hal?.timers.clear(this.#printerPoll);
    this.#alarms?.close();
    this.#hardware?.close();
  }

  onConfig(changed: string[]): void {
    if (changed.includes('printer')) {
      this.#screens?.printer(this.#printerReady());
      this.#after();
    }
  }

  onConnection(online: boolean): void {
    this.#screens?.online(online);
    this.#after();
  }

  onAlarm(update: AlarmUpdateMessage): void {
    this.#alarms?.update(update);
    this.#after();
  }

  health(): Record<string, unknown> {
    const problem = this.#printerStatus && statusProblem(this.#printerStatus);
    return {
      printer: !this.#hardware?.parts.printer ? 'none' : !this.#printerStatus?.responding ? 'silent' : problem ?? 'ok',
      printed: this.#printed,
      ...(this.#printFailures ? { printFailures: this.#printFailures } : {}),
      notices: this.#notices?.notices.length ?? 0,
      noticeVersion: this.#notices?.version ?? 0,
      elderlyCards: this.#store?.remembered ?? 0,
      ...(this.#identityErrors ? { identityErrors: this.#identityErrors } : {}),
      ...this.#hardware?.health(),
    };
  }

  // ---- inputs from the parts

  #card(uid: Uint8Array): void {
    const key = readSiteKey(this.#hal.storage.kv, HASH_KEY);
    if (!key) {
      // Not provisioned with the site's hash key: no way to name the resident without keeping the raw UID.
      this.#identityErrors++;
      this.#hal.system.log('warn', 'kiosk: no site hash key provisioned: cards cannot be read');
      return;
    }
    // No card list on the kiosk: the unit is not known here, so the screen offers "my home" ('loc.home') and the
    // platform fills in the unit from its resident register.
    this.#screens?.card(toHex(credentialHash(this.#hal.crypto, key, 'card', uid)).slice(0, HASH_HEX));
    this.#after();
  }

  #printerChanged(status: PrinterStatus): void {
    this.#printerStatus = status;
    this.#screens?.printer(this.#printerReady());
    this.#after();
  }

  #printerReady(): boolean {
    const status = this.#printerStatus;
    return this.#runtime.config.get('printer') && this.#printer() !== undefined && status !== undefined && status.responding && statusProblem(status) === undefined;
  }

  #printer(): EscPosPrinter | undefined {
    return this.#hardware?.parts.printer as EscPosPrinter | undefined;
  }

  // ---- the model's intents

  /** After every input and update: act on what the model asked for, then draw what changed. */
  #after(): void {
    const screens = this.#screens;
    if (!screens) return;
    for (const intent of screens.takeIntents()) this.#act(intent);
    const view = screens.view;
    if (view !== this.#rendered) {
      this.#rendered = view;
      this.#hooks.render?.(view);
    }
  }

  #act(intent: KioskIntent): void {
    const runtime = this.#runtime;
    switch (intent.kind) {
      case 'repair': {
        const { ref, resident, category, location, phrase } = intent;
        runtime.emit('kiosk.repair', { ref, category, location, phrase, ...(resident ? { resident } : {}) });
        return;
      }
      case 'rate':
        runtime.emit('kiosk.rating', { ref: intent.ref, stars: intent.stars });
        return;
      case 'requestPass':
        runtime.emit('kiosk.pass_request', { ref: intent.ref, resident: intent.resident, visitors: intent.visitors, hours: intent.hours });
        return;
      case 'printPass':
        this.#print({
          lines: [
            { text: translate(this.#screens!.lang, 'visitor.passTitle'), scale: 2, bold: true, align: 'center' },
            { feed: 1 },
            { qr: intent.payload, align: 'center' },
            { text: this.#time(), align: 'center' },
            { feed: 3 },
          ],
          cut: true,
        });
        return;
      case 'printTicket': {
        const printing = this.#printerReady();
        runtime.emit('kiosk.ticket', { number: intent.number, printed: printing });
        this.#print(queueTicket({
          title: translate(this.#screens!.lang, 'queue.prompt'),
          number: String(intent.number).padStart(3, '0'),
          time: this.#time(),
          qr: intent.payload,
        }));
        return;
      }
      case 'help':
        this.#alarms?.press('help');
        return;
      case 'speak':
        this.#hooks.speak?.(intent.clip);
        return;
    }
  }

  /** Prints when the printer is ready; the screen already says when it is not (the ticket or pass is on it). */
  #print(receipt: Receipt): void {
    const printer = this.#printer();
    if (!printer || !this.#printerReady()) return;
    printer.print(receipt, (result) => {
      if (result.ok) {
        this.#printed++;
      } else {
        this.#printFailures++;
        this.#hal.system.log('warn', `kiosk: printing failed (${result.reason}, ${result.stage})`);
        this.#screens?.printer(false);
      }
      this.#after();
    });
  }

  #helpShown(indication: AlarmIndication): void {
    const stage = HELP_STAGE[indication];
    if (stage) this.#screens?.helpProgress(stage);
    this.#after();
  }

  // ---- the platform's commands (args checked by command-args.ts)

  #reportProgress(ref: string, stage: ReportStage): CommandOutcome {
    const taken = this.#screens?.reportProgress(ref, stage) ?? false;
    this.#after();
    return taken ? { code: 'ok' } : { code: 'rejected', reason: `no report ${ref} among the ${REPORTS_KEPT} newest this kiosk keeps` };
  }

  #passIssued(ref: string, payload: string): CommandOutcome {
    const taken = this.#screens?.passIssued(ref, payload) ?? false;
    this.#after();
    return taken ? { code: 'ok' } : { code: 'rejected', reason: `no pass request ${ref} among the ${REPORTS_KEPT} newest this kiosk keeps` };
  }

  #storeNotices(version: number, list: unknown): CommandOutcome {
    const cache = this.#notices!;
    if (version === cache.version) return { code: 'ok', data: { version, unchanged: true } }; // re-sent at each birth
    const outcome = cache.store(version, list, this.#hal.wallClock.now(), this.#runtime.config.number('noticeBytes'));
    if (!outcome.stored) return { code: 'rejected', reason: outcome.reason };
    this.#screens?.notices(cache.notices);
    this.#after();
    return { code: 'ok', data: { version, kept: outcome.kept } };
  }

  /** "2026-12-06 18:40" in the site's time zone (China Standard Time). */
  #time(): string {
    return new Date(this.#hal.wallClock.now() + CHINA_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
  }
}
