// The kiosk's screens as a state machine: semantic input in (taps by id, a card, keypad keys, back, the app's
// ticks, the platform's updates), the current laid-out screen and the app's intents out. No storage, no timers,
// no drawing: the app ticks it, keeps per-card settings, reports and pass requests behind KioskMemory and acts on
// the intents.
// A resident is forgotten after inactivity (with a "more time" prompt first, never a countdown that drops
// input) and when another card is read: no screen ever shows another resident's data.
import type { Language, StringKey } from './strings/index.js';
import {
  CATEGORIES, findChoice, HELP_STAGES, HOME_LOCATION, IDENTIFY, LOCATIONS, MAX_VISITORS, PHRASES, REPORT_STAGES, SERVICES, UNIT_LOCATION, VISIT_HOURS,
  type HelpStage, type ReportStage, type Service,
} from './catalogue.js';
import { isPassPayload, isRef, isResidentHash, isUnit, parseNotices, type Notice } from './inbound.js';
import { layout, PAGE_NEXT, PAGE_PREV, tapIds, type LaidScreen } from './layout.js';
import { MODES, type Mode, type ScreenSpec } from './modes.js';
import { buildTree, type KioskState, type Pass, type Report, type ScreenName } from './views.js';

export type KioskIntent =
  | { readonly kind: 'repair'; readonly ref: string; readonly resident: string | null; readonly category: string; readonly location: string; readonly phrase: string }
  | { readonly kind: 'rate'; readonly ref: string; readonly stars: number }
  | { readonly kind: 'requestPass'; readonly ref: string; readonly resident: string; readonly visitors: number; readonly hours: number }
  | { readonly kind: 'printPass'; readonly ref: string; readonly payload: string }
  | { readonly kind: 'printTicket'; readonly number: number; readonly payload: string }
  | { readonly kind: 'help' }
  | { readonly kind: 'speak'; readonly clip: StringKey };

/** A pass request as kept across a reboot: who asked, under which ref (the pass itself is not kept). */
export interface SavedPass { readonly ref: string; readonly resident: string }

/**
 * What the app keeps for the model: elderly mode per card (by its keyed hash), queue numbers, and the residents'
 * reports and pass requests, read once at start and saved whole when one changes (never per tap or tick).
 */
export interface KioskMemory {
  elderly(residentHash: string): boolean | undefined;
  rememberElderly(residentHash: string, on: boolean): void;
  nextTicket(): number;
  savedReports(): Report[];
  saveReports(reports: readonly Report[]): void;
  savedPasses(): SavedPass[];
  savePasses(passes: readonly SavedPass[]): void;
}

export interface KioskOptions {
  screen: ScreenSpec;
  memory: KioskMemory;
  /** Makes this boot's request refs unique across reboots (the app's boot count, say). */
  refPrefix?: string;
}

export type KioskView = LaidScreen & { readonly lang: Language };

/** Reports and pass requests kept (each list, newest): memory.ts fits either list in one flash record. */
export const REPORTS_KEPT = 32;
const PARENT: Readonly<Partial<Record<ScreenName, ScreenName>>> = Object.freeze({
  'repair.location': 'repair.category', 'repair.phrase': 'repair.location', 'repair.confirm': 'repair.phrase',
  report: 'reports', 'report.rated': 'reports', 'visitor.time': 'visitor.count', 'visitor.confirm': 'visitor.time', notice: 'notices',
});
const START: Readonly<Record<Service, ScreenName>> = Object.freeze({
  repair: 'repair.category', reports: 'reports', visitor: 'visitor.count', queue: 'queue', notices: 'notices', help: 'help',
});

export class KioskScreens {
  #o: KioskOptions;
  #s: KioskState;
  #reports: Report[] = [];
  #passes: Pass[] = [];
  #intents: KioskIntent[] = [];
  #seq = 0;
  #now: number | undefined;
  #lastInput = 0;
  #view!: KioskView;
  #taps = new Set<string>();
  #keypad = false;
  #noticesShown = '';

  constructor(options: KioskOptions) {
    this.#o = options;
    this.#restore();
    this.#s = KioskScreens.#fresh([], undefined, true);
    this.#render();
  }

  static #fresh(notices: readonly Notice[], help: HelpStage | undefined, online: boolean): KioskState {
    return {
      screen: 'home', page: 0, lang: 'zh', mode: 'standard', prompting: false, online, queued: 0, nowMs: 0,
      resident: undefined, pending: undefined, draft: {}, reports: [], passes: [], notices, help,
    };
  }

  /** The current screen, laid out for the board's display and the mode. */
  get view(): KioskView { return this.#view; }
  get mode(): Mode { return this.#s.mode; }
  get lang(): Language { return this.#s.lang; }

  /** The intents since the last call, oldest first. */
  takeIntents(): KioskIntent[] {
    const out = this.#intents;
    this.#intents = [];
    return out;
  }

  // Input. Each returns whether it was taken: a tap on something not on screen, a bad card or key is refused.

  tap(id: string): boolean {
    if (typeof id !== 'string' || !this.#taps.has(id)) return false;
    this.#touch();
    if (this.#s.prompting) {
      this.#s.prompting = false;
      if (id === 'nav.home') this.#go('home');
      this.#render();
      return true;
    }
    this.#onTap(id);
    this.#render();
    return true;
  }

  back(): boolean {
    this.#touch();
    if (this.#s.prompting) this.#s.prompting = false;
    else if (this.#s.screen !== 'home') this.#go(PARENT[this.#s.screen] ?? 'home');
    this.#render();
    return true;
  }

  card(residentHash: string, unit?: string): boolean {
    if (!isResidentHash(residentHash) || (unit !== undefined && !isUnit(unit))) return false;
    this.#touch();
    if (this.#s.resident && this.#s.resident.hash !== residentHash) this.#forget(); // another resident: nothing of the first stays
    const s = this.#s;
    s.prompting = false;
    if (!s.resident) {
      s.resident = unit === undefined ? { hash: residentHash } : { hash: residentHash, unit };
      const remembered = this.#o.memory.elderly(residentHash);
      if (remembered !== undefined) s.mode = remembered ? 'elderly' : 'standard';
      else if (s.mode === 'elderly') this.#o.memory.rememberElderly(residentHash, true);
    }
    if (s.screen === 'identify' && s.pending) this.#go(START[s.pending]);
    this.#render();
    return true;
  }

  /** A keypad key: '0'–'9' or 'del', when the screen has a keypad (on any of its pages: a key is meant for it). */
  key(k: string): boolean {
    if (this.#s.prompting || !this.#keypad || typeof k !== 'string' || !/^([0-9]|del)$/.test(k)) return false;
    this.#touch();
    const d = this.#s.draft;
    d.visitors = k === 'del' ? '' : k; // one digit: 1–9 visitors
    d.hint = false;
    this.#render();
    return true;
  }

  tick(nowMs: number): void {
    if (typeof nowMs !== 'number' || !Number.isFinite(nowMs)) return;
    if (this.#now === undefined) this.#lastInput = nowMs;
    this.#now = nowMs;
    const s = this.#s;
    s.nowMs = nowMs;
    const idle = nowMs - this.#lastInput;
    const spec = MODES[s.mode];
    const away = s.screen !== 'home' || s.resident !== undefined || s.mode !== 'standard' || s.lang !== 'zh' || s.page !== 0;
    if (away && idle >= spec.idleMs) {
      this.#forget();
      this.#render();
      return;
    }
    if (away && !s.prompting && idle >= spec.idleMs - spec.promptMs) {
      s.prompting = true;
      this.#render();
      return;
    }
    // Notices expire as time passes.
    const shown = this.#visibleNotices().map((n) => n.id).join(',');
    if (shown !== this.#noticesShown) {
      if (s.screen === 'notice' && !this.#visibleNotices().some((n) => n.id === s.draft.notice)) this.#go('notices');
      this.#render();
    }
  }

  // Platform updates.

  online(up: boolean): void {
    if (typeof up !== 'boolean') return;
    this.#s.online = up;
    if (up) this.#s.queued = 0; // the app's outbox sends what was queued
    this.#render();
  }

  reportProgress(ref: string, stage: ReportStage): boolean {
    const report = this.#reports.find((r) => r.ref === ref);
    const next = REPORT_STAGES.indexOf(stage);
    if (!isRef(ref) || !report || next < 0) return false;
    if (next > REPORT_STAGES.indexOf(report.stage)) { // never backwards (a late duplicate)
      report.stage = stage;
      this.#o.memory.saveReports(this.#reports);
    }
    this.#render();
    return true;
  }

  helpProgress(stage: HelpStage): boolean {
    const next = HELP_STAGES.indexOf(stage);
    if (next < 0 || this.#s.help === undefined) return false;
    if (next > HELP_STAGES.indexOf(this.#s.help)) this.#s.help = stage;
    this.#render();
    return true;
  }

  passIssued(ref: string, payload: string): boolean {
    const pass = this.#passes.find((p) => p.ref === ref);
    if (!isRef(ref) || !pass || !isPassPayload(payload)) return false;
    pass.payload = payload;
    const s = this.#s;
    if (s.screen === 'visitor.wait' && s.draft.ref === ref && s.resident?.hash === pass.resident) {
      s.draft.pass = ref;
      this.#go('visitor.pass');
      this.#intent({ kind: 'printPass', ref, payload });
    }
    this.#render();
    return true;
  }

  /** Whether the receipt printer can print; when not, the ticket and pass screens say so (shown on screen only). */
  printer(ready: boolean): void {
    if (typeof ready !== 'boolean' || this.#s.printerDown === !ready) return;
    this.#s.printerDown = !ready;
    this.#render();
  }

  /** The platform's notices (retained, versioned): replaces the list; invalid entries are dropped. */
  notices(list: unknown): number {
    const { notices } = parseNotices(list);
    this.#s.notices = notices;
    this.#render();
    return notices.length;
  }

  // Inside.

  #onTap(id: string): void {
    const s = this.#s;
    const d = s.draft;
    if (id === PAGE_NEXT || id === PAGE_PREV) {
      s.page += id === PAGE_NEXT ? 1 : -1;
      return;
    }
    if (id === 'nav.back') return void this.#go(PARENT[s.screen] ?? 'home');
    if (id === 'nav.home') return void this.#go('home');
    const service = SERVICES.find((c) => c.id === id);
    if (service) return this.#open(service.service);
    switch (id) {
      case 'lang': s.lang = s.lang === 'zh' ? 'en' : 'zh'; return;
      case 'mode':
        s.mode = s.mode === 'elderly' ? 'standard' : 'elderly';
        s.page = 0;
        if (s.resident) this.#o.memory.rememberElderly(s.resident.hash, s.mode === 'elderly');
        if (s.mode === 'elderly') this.#intent({ kind: 'speak', clip: 'say.home' });
        return;
      case 'session.end': this.#forget(); return;
      case 'identify.skip': if (s.pending) this.#go(START[s.pending]); return;
      case 'repair.send': return this.#sendRepair();
      case 'visitor.next':
        if (Number(d.visitors) >= 1 && Number(d.visitors) <= MAX_VISITORS) this.#go('visitor.time');
        else d.hint = true;
        return;
      case 'visitor.passReady': {
        const ready = this.#passes.filter((p) => p.resident === s.resident?.hash && p.payload).at(-1);
        if (ready) {
          d.pass = ready.ref;
          this.#go('visitor.pass');
          this.#intent({ kind: 'printPass', ref: ready.ref, payload: ready.payload! });
        }
        return;
      }
      case 'visitor.request': return this.#requestPass();
      case 'queue.take': {
        const number = this.#o.memory.nextTicket();
        d.ticket = number;
        this.#go('queue.ticket');
        this.#intent({ kind: 'printTicket', number, payload: `TICKET:${number}` });
        return;
      }
      case 'help.call':
        s.help = 'raised';
        this.#go('help.progress');
        this.#intent({ kind: 'help' }, true);
        return;
    }
    if (s.screen === 'repair.category' && findChoice(CATEGORIES, id)) { d.category = id; return void this.#go('repair.location'); }
    const home = s.resident && (s.resident.unit ? UNIT_LOCATION : HOME_LOCATION); // the one the screen offers
    if (s.screen === 'repair.location' && (findChoice(LOCATIONS, id) || id === home)) {
      d.location = id;
      return void this.#go('repair.phrase');
    }
    if (s.screen === 'repair.phrase' && findChoice(PHRASES, id)) { d.phrase = id; return void this.#go('repair.confirm'); }
    const hours = findChoice(VISIT_HOURS, id);
    if (s.screen === 'visitor.time' && hours) { d.hours = hours.hours; return void this.#go('visitor.confirm'); }
    if (id.startsWith('report.')) { d.report = id.slice('report.'.length); return void this.#go('report'); }
    if (id.startsWith('rate.')) return this.#rate(Number(id.slice('rate.'.length)));
    if (id.startsWith('notice.')) { d.notice = id.slice('notice.'.length); return void this.#go('notice'); }
  }

  #open(service: Service): void {
    const s = this.#s;
    s.pending = service;
    if (service === 'help' && s.help !== undefined && s.help !== 'resolved') return void this.#go('help.progress');
    this.#go(IDENTIFY[service] && !s.resident ? 'identify' : START[service]);
  }

  #sendRepair(): void {
    const s = this.#s;
    const { category, location, phrase } = s.draft;
    if (!category || !location || !phrase) return;
    const ref = this.#ref();
    const resident = s.resident?.hash ?? null;
    if (resident) {
      this.#reports.push({ ref, resident, category, stage: 'submitted', rated: undefined });
      if (this.#reports.length > REPORTS_KEPT) this.#reports.shift();
      this.#o.memory.saveReports(this.#reports);
    }
    s.draft = { ref, queued: !s.online };
    this.#intent({ kind: 'repair', ref, resident, category, location: location === UNIT_LOCATION ? `unit:${s.resident!.unit}` : location, phrase }, true);
    this.#go('repair.done');
  }

  #requestPass(): void {
    const s = this.#s;
    const visitors = Number(s.draft.visitors);
    const hours = s.draft.hours;
    if (!s.resident || !hours || !(visitors >= 1)) return;
    const ref = this.#ref();
    this.#passes.push({ ref, resident: s.resident.hash, payload: undefined });
    if (this.#passes.length > REPORTS_KEPT) this.#passes.shift();
    this.#o.memory.savePasses(this.#passes.map(({ ref, resident }) => ({ ref, resident })));
    s.draft = { ref, queued: !s.online };
    this.#intent({ kind: 'requestPass', ref, resident: s.resident.hash, visitors, hours }, true);
    this.#go('visitor.wait');
  }

  #rate(stars: number): void {
    const report = this.#reports.find((r) => r.ref === this.#s.draft.report && r.resident === this.#s.resident?.hash);
    if (!report || report.stage !== 'resolved' || report.rated !== undefined || !(stars >= 1 && stars <= 5)) return;
    report.rated = stars;
    this.#o.memory.saveReports(this.#reports);
    this.#intent({ kind: 'rate', ref: report.ref, stars }, true);
    this.#go('report.rated');
  }

  #intent(intent: KioskIntent, outbound = false): void {
    this.#intents.push(intent);
    if (outbound && !this.#s.online) this.#s.queued++;
  }

  /** The reports and pass requests saved before a reboot, so that the platform's late updates still find them
   * and a report resolved before it can be rated (once: its stars are kept too). Refs go on after the highest
   * restored one of this prefix, so a kiosk without a per-boot prefix never hands out one twice. */
  #restore(): void {
    const memory = this.#o.memory;
    this.#reports = memory.savedReports().slice(-REPORTS_KEPT);
    this.#passes = memory.savedPasses().slice(-REPORTS_KEPT).map(({ ref, resident }) => ({ ref, resident, payload: undefined }));
    const prefix = this.#o.refPrefix ?? 'k';
    for (const { ref } of [...this.#reports, ...this.#passes]) {
      const n = ref.startsWith(prefix) ? Number(ref.slice(prefix.length)) : NaN;
      if (Number.isSafeInteger(n) && n > this.#seq) this.#seq = n;
    }
  }

  #ref(): string {
    return `${this.#o.refPrefix ?? 'k'}${++this.#seq}`;
  }

  #touch(): void {
    if (this.#now !== undefined) this.#lastInput = this.#now;
  }

  #go(screen: ScreenName): void {
    const s = this.#s;
    if (screen === 'home') {
      s.draft = {};
      s.pending = undefined;
    }
    s.screen = screen;
    s.page = 0;
  }

  /** Home, the defaults, and nothing of the resident: their reports and passes stay only in the lists the app's
   * platform updates address, never on screen without their card. */
  #forget(): void {
    const s = this.#s;
    this.#s = { ...KioskScreens.#fresh(s.notices, s.help, s.online), queued: s.queued, nowMs: s.nowMs, printerDown: s.printerDown };
  }

  #visibleNotices(): Notice[] {
    return this.#s.notices.filter((n) => n.expiresMs > this.#s.nowMs);
  }

  #render(): void {
    const s = this.#s;
    const before = this.#view;
    s.reports = s.resident ? this.#reports.filter((r) => r.resident === s.resident!.hash) : [];
    s.passes = s.resident ? this.#passes.filter((p) => p.resident === s.resident!.hash) : [];
    const tree = buildTree(s);
    this.#keypad = tree.body.some((n) => n.role === 'keypad');
    const laid = layout(tree, this.#o.screen, s.mode, s.page);
    s.page = laid.page;
    this.#view = { ...laid, lang: s.lang };
    this.#taps = new Set(tapIds(laid));
    this.#noticesShown = this.#visibleNotices().map((n) => n.id).join(',');
    // Elderly mode reads each new screen's confirmation aloud.
    if (s.mode === 'elderly' && before && (before.screen !== laid.screen)) this.#intent({ kind: 'speak', clip: tree.clip });
  }
}
