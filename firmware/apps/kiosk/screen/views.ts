// Each screen's tree from the model's state: what is shown, in which order, with which text keys and icons.
// Pure: the same state gives the same tree (the XS test compares them).
import type { Language, StringKey } from './strings/index.js';
import {
  CATEGORIES, HELP_KEYS, HELP_STAGES, HOME_LOCATION, IDENTIFY, LOCATIONS, PHRASES, REPORT_STAGES, SERVICES, STAGE_KEYS, STARS, UNIT_LOCATION, VISIT_HOURS,
  type Choice, type HelpStage, type ReportStage, type Service,
} from './catalogue.js';
import type { Notice } from './inbound.js';
import type { Mode } from './modes.js';
import { button, text, type ButtonNode, type ScreenNode, type ScreenTree, type StepState } from './tree.js';

export type ScreenName =
  | 'home' | 'identify'
  | 'repair.category' | 'repair.location' | 'repair.phrase' | 'repair.confirm' | 'repair.done'
  | 'reports' | 'report' | 'report.rated'
  | 'visitor.count' | 'visitor.time' | 'visitor.confirm' | 'visitor.wait' | 'visitor.pass'
  | 'queue' | 'queue.ticket' | 'notices' | 'notice' | 'help' | 'help.progress';

export interface Report { readonly ref: string; readonly resident: string; readonly category: string; stage: ReportStage; rated: number | undefined }
export interface Pass { readonly ref: string; readonly resident: string; payload: string | undefined }

/** What the screen's tree depends on: the machine's state, the lists already cut to the current resident. */
export interface KioskState {
  screen: ScreenName;
  page: number;
  lang: Language;
  mode: Mode;
  /** The "more time?" prompt is over the screen. */
  prompting: boolean;
  online: boolean;
  /** Requests made while offline, waiting in the app's outbox. */
  queued: number;
  nowMs: number;
  resident: { readonly hash: string; readonly unit?: string } | undefined;
  /** The service a card is being asked for. */
  pending: Service | undefined;
  draft: {
    category?: string; location?: string; phrase?: string; visitors?: string; hint?: boolean; hours?: number;
    ref?: string; queued?: boolean; report?: string; notice?: string; ticket?: number; pass?: string;
  };
  reports: readonly Report[];
  passes: readonly Pass[];
  notices: readonly Notice[];
  help: HelpStage | undefined;
  /** The receipt printer cannot print (paper out, cover open, offline): the printing screens say so. */
  printerDown?: boolean;
}

const HOME = Object.freeze(button('nav.home', 'nav.home', 'home'));
const NAV: readonly ButtonNode[] = Object.freeze([Object.freeze(button('nav.back', 'nav.back', 'back')), HOME]);
const NEXT = Object.freeze(button('visitor.next', 'nav.next', 'forward', 'primary'));
const HOME_ONLY: readonly ButtonNode[] = Object.freeze([HOME]);
const DAY_MS = 86_400_000;
const CHINA_OFFSET_MS = 8 * 3_600_000;

const choices = (id: string, list: readonly Choice[]): ScreenNode => ({ role: 'list', id, items: list.map((c) => button(c.id, c.key, c.icon)) });
const keyOf = (list: readonly Choice[], id: string | undefined): StringKey => list.find((c) => c.id === id)?.key ?? 'cat.other';
const date = (ms: number): string => new Date(Math.floor((ms + CHINA_OFFSET_MS) / DAY_MS) * DAY_MS).toISOString().slice(0, 10);

function steps<S extends string>(id: string, all: readonly S[], at: S, keys: Readonly<Record<S, StringKey>>): ScreenNode {
  const current = all.indexOf(at);
  const state = (i: number): StepState => (i < current || (i === current && i === all.length - 1) ? 'done' : i === current ? 'current' : 'todo');
  return { role: 'steps', id, steps: all.map((stage, i) => ({ text: text(keys[stage]), state: state(i) })) };
}

function status(s: KioskState): ScreenNode[] {
  const out: ScreenNode[] = [];
  if (!s.online) out.push({ role: 'status', id: 'status.offline', text: text('status.offline'), state: 'offline' });
  if (s.queued > 0) out.push({ role: 'status', id: 'status.queued', text: text('status.queued', { count: s.queued }), state: 'queued' });
  if (s.printerDown && (s.screen === 'queue' || s.screen === 'queue.ticket' || s.screen === 'visitor.pass')) {
    out.push({ role: 'status', id: 'status.noPrinter', text: text('status.noPrinter'), state: 'offline' });
  }
  return out;
}

const screen = (name: string, title: StringKey, body: ScreenNode[], clip: StringKey, actions: readonly ButtonNode[] = NAV): ScreenTree =>
  ({ screen: name, title: text(title), body, actions, clip });

export function buildTree(s: KioskState): ScreenTree {
  const withStatus = (tree: ScreenTree): ScreenTree => ({ ...tree, body: [...status(s), ...tree.body] });
  if (s.prompting) {
    return screen('idle', 'idle.title', [{ role: 'text', id: 'idle.prompt', text: text('idle.prompt') }, button('idle.more', 'idle.more', 'clock', 'primary')], 'say.idle', HOME_ONLY);
  }
  return withStatus(body(s));
}

function body(s: KioskState): ScreenTree {
  const d = s.draft;
  switch (s.screen) {
    case 'home': {
      const who: ScreenNode[] = !s.resident ? [] : [{
        role: 'text', id: 'home.signedIn', icon: 'person', emphasis: 'ok',
        text: s.resident.unit ? text('home.signedIn', { unit: s.resident.unit }) : text('home.signedInNoUnit'),
      }];
      const actions = [button('lang', 'lang.other', 'globe'), button('mode', s.mode === 'elderly' ? 'mode.standard' : 'mode.elderly', 'eye')];
      if (s.resident) actions.push(button('session.end', 'session.end', 'logout'));
      return screen('home', 'home.title', [...who, choices('services', SERVICES)], 'say.home', actions);
    }
    case 'identify': {
      const skip = s.pending && IDENTIFY[s.pending]?.skip ? [button('identify.skip', 'identify.skip', 'forward')] : [];
      return screen('identify', 'identify.title', [{ role: 'text', id: 'identify.prompt', text: text('identify.prompt'), icon: 'card', lines: 2 }, ...skip], 'say.identify');
    }
    case 'repair.category':
      return screen(s.screen, 'repair.categoryTitle', [choices('categories', CATEGORIES)], 'say.choose');
    case 'repair.location': {
      const mine = !s.resident ? []
        : [s.resident.unit ? button(UNIT_LOCATION, 'loc.unit', 'home', 'primary', { unit: s.resident.unit }) : button(HOME_LOCATION, 'loc.home', 'home', 'primary')];
      return screen(s.screen, 'repair.locationTitle', [{ role: 'list', id: 'locations', items: [...mine, ...LOCATIONS.map((c) => button(c.id, c.key, c.icon))] }], 'say.choose');
    }
    case 'repair.phrase':
      return screen(s.screen, 'repair.phraseTitle', [choices('phrases', PHRASES)], 'say.choose');
    case 'repair.confirm': {
      const where = d.location === UNIT_LOCATION ? text('loc.unit', { unit: s.resident?.unit ?? '' })
        : d.location === HOME_LOCATION ? text('loc.home') : text(keyOf(LOCATIONS, d.location));
      return screen(s.screen, 'repair.confirmTitle', [
        { role: 'text', id: 'repair.category', text: text(keyOf(CATEGORIES, d.category)), emphasis: 'strong' },
        { role: 'text', id: 'repair.location', text: where },
        { role: 'text', id: 'repair.phrase', text: text(keyOf(PHRASES, d.phrase)) },
        button('repair.send', 'repair.send', 'send', 'primary'),
      ], 'say.confirm');
    }
    case 'repair.done':
      return screen(s.screen, 'repair.sentTitle', [d.queued
        ? { role: 'text', id: 'repair.queued', text: text('repair.queued'), emphasis: 'warn', icon: 'clock', lines: 2 }
        : { role: 'text', id: 'repair.sent', text: text('repair.sent'), emphasis: 'ok', icon: 'check', lines: 2 }], d.queued ? 'say.queued' : 'say.repairSent', HOME_ONLY);
    case 'reports': {
      const mine = [...s.reports].reverse();
      return screen(s.screen, 'reports.title', mine.length
        ? [{ role: 'list', id: 'reports', items: mine.map((r) => button(`report.${r.ref}`, 'reports.item', 'clipboard', undefined, { category: { key: keyOf(CATEGORIES, r.category) }, stage: { key: STAGE_KEYS[r.stage] } })) }]
        : [{ role: 'text', id: 'reports.none', text: text('reports.none') }], 'say.choose');
    }
    case 'report': {
      const r = s.reports.find((x) => x.ref === d.report);
      if (!r) return screen(s.screen, 'report.title', [{ role: 'text', id: 'reports.none', text: text('reports.none') }], 'say.choose');
      const rate: ScreenNode[] = r.stage === 'resolved' && r.rated === undefined
        ? [{ role: 'text', id: 'rate.prompt', text: text('rate.prompt') }, { role: 'list', id: 'stars', items: STARS.map((n) => button(`rate.${n}`, 'rate.stars', 'star', undefined, { stars: n })) }]
        : [];
      return screen(s.screen, 'report.title', [{ role: 'text', id: 'report.category', text: text(keyOf(CATEGORIES, r.category)), emphasis: 'strong' },
        steps('report.steps', REPORT_STAGES, r.stage, STAGE_KEYS), ...rate], 'say.choose');
    }
    case 'report.rated':
      return screen(s.screen, 'report.title', [{ role: 'text', id: 'rate.thanks', text: text('rate.thanks'), emphasis: 'ok', icon: 'check' }], 'say.thanks');
    case 'visitor.count': {
      // The keypad's entry line asks for the number (and says what was wrong): no line above it, so that the
      // keypad has the first page, at the body's full width, even in elderly mode on a 4" display.
      const ready = s.passes.some((p) => p.payload) ? [button('visitor.passReady', 'visitor.passReady', 'qr')] : [];
      const entry = d.hint ? text('visitor.countHint') : text('visitor.count', { count: d.visitors || '–' });
      const keypad: ScreenNode = { role: 'keypad', id: 'visitor.keypad', entry, ...(d.hint ? { alert: true } : {}) };
      return screen(s.screen, 'visitor.countTitle', [...ready, keypad], 'say.choose', [...NAV, NEXT]); // Next in the action bar: on every page, beside the keypad
    }
    case 'visitor.time':
      return screen(s.screen, 'visitor.timeTitle', [choices('hours', VISIT_HOURS)], 'say.choose');
    case 'visitor.confirm':
      return screen(s.screen, 'visitor.confirmTitle', [
        { role: 'text', id: 'visitor.summary', text: text('visitor.summary', { count: Number(d.visitors), hours: d.hours ?? 0 }), emphasis: 'strong' },
        button('visitor.request', 'visitor.request', 'send', 'primary'),
      ], 'say.confirm');
    case 'visitor.wait':
      return screen(s.screen, 'visitor.waitTitle', [d.queued
        ? { role: 'text', id: 'visitor.queued', text: text('visitor.queued'), emphasis: 'warn', icon: 'clock', lines: 3 }
        : { role: 'text', id: 'visitor.wait', text: text('visitor.wait'), icon: 'clock' }], d.queued ? 'say.queued' : 'say.wait', HOME_ONLY);
    case 'visitor.pass': {
      const pass = s.passes.find((p) => p.ref === d.pass && p.payload);
      return screen(s.screen, 'visitor.passTitle', pass ? [{ role: 'qr', id: 'visitor.qr', payload: pass.payload!, caption: text('visitor.passCaption') }] : [], 'say.pass', HOME_ONLY);
    }
    case 'queue':
      return screen(s.screen, 'queue.title', [{ role: 'text', id: 'queue.prompt', text: text('queue.prompt') }, button('queue.take', 'queue.take', 'ticket', 'primary')], 'say.choose');
    case 'queue.ticket':
      return screen(s.screen, 'queue.ticketTitle', [
        { role: 'heading', id: 'queue.number', text: text('queue.number', { number: d.ticket ?? 0 }) },
        // Printed, or (printer down: the banner says so) shown only: the caption tells which.
        { role: 'qr', id: 'queue.qr', payload: `TICKET:${d.ticket ?? 0}`, caption: text(s.printerDown ? 'queue.captionScreen' : 'queue.caption') },
      ], 'say.ticket', HOME_ONLY);
    case 'notices': {
      const visible = s.notices.filter((n) => n.expiresMs > s.nowMs);
      return screen(s.screen, 'notices.title', visible.length
        ? [{ role: 'list', id: 'notices', items: visible.map((n) => button(`notice.${n.id}`, 'notice.text', 'megaphone', undefined, { zh: n.title.zh, en: n.title.en })) }]
        : [{ role: 'text', id: 'notices.none', text: text('notices.none') }], 'say.choose');
    }
    case 'notice': {
      const n = s.notices.find((x) => x.id === d.notice && x.expiresMs > s.nowMs);
      return screen(s.screen, 'notices.title', n ? [{
        role: 'notice', id: `notice.${n.id}`, title: text('notice.text', { zh: n.title.zh, en: n.title.en }), body: text('notice.text', { zh: n.body.zh, en: n.body.en }),
        expires: text('notice.expires', { date: date(n.expiresMs) }),
      }] : [{ role: 'text', id: 'notices.none', text: text('notices.none') }], 'say.choose');
    }
    case 'help':
      return screen(s.screen, 'help.title', [{ role: 'text', id: 'help.prompt', text: text('help.prompt'), lines: 2 }, button('help.call', 'help.call', 'sos', 'danger')], 'say.choose');
    case 'help.progress':
      return screen(s.screen, 'help.progressTitle', [steps('help.steps', HELP_STAGES, s.help ?? 'raised', HELP_KEYS)], 'say.help', HOME_ONLY);
  }
}
