// The kiosk's screen model on Node: every service tapped through, offline queueing, timeouts and forgetting,
// language and elderly mode (remembered per card), input validation. Each view met is also checked against its
// mode's rules.
import { describe, expect, test } from '@jest/globals';
import { KioskScreens, type KioskView } from '../../firmware/apps/kiosk/screen/machine.js';
import { tapIds, type LaidNode } from '../../firmware/apps/kiosk/screen/layout.js';
import { checkRules } from '../../firmware/apps/kiosk/screen/rules.js';
import { translate, type Language } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { MemoryFake, NOTICES } from '../xs/entries/kiosk-screen.js';

const SEVEN_INCH = { widthPx: 800, heightPx: 480, dpi: 133 };
const ALICE = 'a1'.repeat(16);
const BOB = 'b2'.repeat(16);
const CAROL = 'c3'.repeat(16);

function kiosk(screen = SEVEN_INCH) {
  const memory = new MemoryFake();
  const k = new KioskScreens({ screen, memory });
  k.tick(0);
  return { k, memory };
}

/** Taps `id`, paging forward to it as a resident would; the screen reached must keep its mode's rules. */
function go(k: KioskScreens, id: string): void {
  while (!tapIds(k.view).includes(id) && tapIds(k.view).includes('page.next')) k.tap('page.next');
  expect(k.tap(id)).toBe(true);
  expect(checkRules(k.view)).toEqual([]);
}

function nodes(view: KioskView): LaidNode[] {
  const out: LaidNode[] = [];
  const walk = (list: readonly LaidNode[]) => list.forEach((n) => { out.push(n); if (n.items) walk(n.items); });
  walk([view.title, ...view.body, ...view.actions]);
  return out;
}
const node = (view: KioskView, id: string) => nodes(view).find((n) => n.id === id);
/** All text on the screen (this page), in its language. */
const shown = (view: KioskView, lang: Language = view.lang) => nodes(view).filter((n) => n.text).map((n) => translate(lang, n.text!.key, n.text!.params)).join(' | ');
const intents = (k: KioskScreens) => k.takeIntents().filter((i) => i.kind !== 'speak');

function reportRepair(k: KioskScreens, category = 'cat.water', location = 'loc.unit', phrase = 'phrase.leak') {
  go(k, 'svc.repair');
  if (k.view.screen === 'identify') k.card(ALICE, '3-1201');
  go(k, category);
  go(k, location);
  go(k, phrase);
  go(k, 'repair.send');
}

describe('repair report', () => {
  test('card → category by icon → location prefilled from the card\'s unit → quick phrase → confirm → sent', () => {
    const { k } = kiosk();
    go(k, 'svc.repair');
    expect(k.view.screen).toBe('identify');
    expect(k.card(ALICE, '3-1201')).toBe(true);
    expect(k.view.screen).toBe('repair.category');
    expect(node(k.view, 'cat.water')?.icon).toBe('water');
    go(k, 'cat.water');
    const locations = node(k.view, 'locations')!.items!;
    expect(locations[0]!.id).toBe('loc.unit');
    expect(shown(k.view, 'zh')).toContain('我家：3-1201');
    go(k, 'loc.unit');
    go(k, 'phrase.leak');
    expect(k.view.screen).toBe('repair.confirm');
    expect(shown(k.view, 'zh')).toContain('水管漏水 | 我家：3-1201 | 漏水');
    k.takeIntents();
    go(k, 'repair.send');
    expect(intents(k)).toEqual([{ kind: 'repair', ref: 'k1', resident: ALICE, category: 'cat.water', location: 'unit:3-1201', phrase: 'phrase.leak' }]);
    expect(k.view.screen).toBe('repair.done');
    expect(node(k.view, 'repair.sent')).toMatchObject({ emphasis: 'ok', icon: 'check' });
  });

  test('without a card: skip, the location is picked (no "my home"), the report carries no resident', () => {
    const { k } = kiosk();
    go(k, 'svc.repair');
    go(k, 'identify.skip');
    go(k, 'cat.lift');
    expect(tapIds(k.view)).not.toContain('loc.unit');
    expect(tapIds(k.view)).not.toContain('loc.home');
    expect(k.tap('loc.unit')).toBe(false);
    expect(k.tap('loc.home')).toBe(false);
    go(k, 'loc.lift');
    go(k, 'phrase.noise');
    go(k, 'repair.send');
    expect(intents(k)).toEqual([{ kind: 'repair', ref: 'k1', resident: null, category: 'cat.lift', location: 'loc.lift', phrase: 'phrase.noise' }]);
  });

  test('a card without a unit: "my home" is offered first, the confirm screen says it, the platform fills in the unit', () => {
    const { k } = kiosk();
    go(k, 'svc.repair');
    expect(k.card(BOB)).toBe(true);
    go(k, 'cat.power');
    const locations = node(k.view, 'locations')!.items!;
    expect(locations[0]).toMatchObject({ id: 'loc.home', icon: 'home' });
    expect(tapIds(k.view)).not.toContain('loc.unit');
    expect(k.tap('loc.unit')).toBe(false);
    go(k, 'loc.home');
    go(k, 'phrase.broken');
    expect(shown(k.view, 'zh')).toContain('电路停电 | 我家 | 坏了，不能用');
    expect(shown(k.view, 'en')).toContain('Power cut | My home | Broken, not working');
    k.takeIntents();
    go(k, 'repair.send');
    expect(intents(k)).toEqual([{ kind: 'repair', ref: 'k1', resident: BOB, category: 'cat.power', location: 'loc.home', phrase: 'phrase.broken' }]);
  });

  test('a card with a unit offers that unit, not "my home"', () => {
    const { k } = kiosk();
    go(k, 'svc.repair');
    k.card(ALICE, '3-1201');
    go(k, 'cat.power');
    expect(tapIds(k.view)).not.toContain('loc.home');
    expect(k.tap('loc.home')).toBe(false);
  });

  test('back walks the steps in reverse; home drops the draft', () => {
    const { k } = kiosk();
    reportRepair(k);
    go(k, 'nav.home');
    go(k, 'svc.repair');
    go(k, 'cat.door');
    go(k, 'loc.corridor');
    expect(k.back()).toBe(true);
    expect(k.view.screen).toBe('repair.location');
    go(k, 'nav.back');
    expect(k.view.screen).toBe('repair.category');
    go(k, 'nav.home');
    go(k, 'svc.repair');
    expect(k.view.screen).toBe('repair.category'); // the card is still there: no second identification
  });

  test('offline: the report is still handed to the app (its outbox), the screen says queued, the status line counts it', () => {
    const { k } = kiosk();
    k.online(false);
    expect(node(k.view, 'status.offline')).toMatchObject({ state: 'offline', icon: 'offline' });
    reportRepair(k);
    expect(intents(k)).toMatchObject([{ kind: 'repair', ref: 'k1' }]);
    expect(node(k.view, 'repair.queued')).toMatchObject({ emphasis: 'warn', icon: 'clock' });
    expect(shown(k.view, 'en')).toContain('Waiting to send: 1');
    k.online(true);
    expect(node(k.view, 'status.offline')).toBeUndefined();
    expect(node(k.view, 'status.queued')).toBeUndefined();
  });
});

describe('my reports', () => {
  test('progress as the platform moves it, never backwards, then a rating once', () => {
    const { k } = kiosk();
    reportRepair(k);
    go(k, 'nav.home');
    go(k, 'svc.reports');
    expect(shown(k.view, 'en')).toContain('Water leak: Submitted');
    go(k, 'report.k1');
    const states = () => node(k.view, 'report.steps')!.items!.map((s) => `${s.state}:${s.icon}`);
    expect(states()).toEqual(['current:arrow', 'todo:circle', 'todo:circle', 'todo:circle', 'todo:circle']);
    expect(k.reportProgress('k1', 'dispatched')).toBe(true);
    expect(k.reportProgress('k1', 'accepted')).toBe(true); // late and out of order: ignored
    expect(states()).toEqual(['done:check', 'done:check', 'current:arrow', 'todo:circle', 'todo:circle']);
    expect(tapIds(k.view)).not.toContain('rate.5');
    k.reportProgress('k1', 'resolved');
    expect(states()).toEqual(['done:check', 'done:check', 'done:check', 'done:check', 'done:check']);
    k.takeIntents();
    go(k, 'rate.5');
    expect(intents(k)).toEqual([{ kind: 'rate', ref: 'k1', stars: 5 }]);
    expect(k.view.screen).toBe('report.rated');
    go(k, 'nav.back');
    go(k, 'report.k1');
    expect(tapIds(k.view)).not.toContain('rate.5');
  });

  test('unknown reports and stages are refused', () => {
    const { k } = kiosk();
    reportRepair(k);
    expect(k.reportProgress('k9', 'accepted')).toBe(false);
    expect(k.reportProgress('k1', 'exploded' as never)).toBe(false);
  });

  test('needs a card (no skip), and another card never sees the first resident\'s reports', () => {
    const { k } = kiosk();
    reportRepair(k);
    go(k, 'nav.home');
    k.card(BOB);
    expect(shown(k.view, 'en')).toContain('Resident signed in');
    go(k, 'svc.reports');
    expect(k.view.screen).toBe('reports');
    expect(shown(k.view, 'en')).toContain('No reports yet');
    go(k, 'nav.home');
    go(k, 'session.end');
    go(k, 'svc.reports');
    expect(k.view.screen).toBe('identify');
    expect(tapIds(k.view)).not.toContain('identify.skip');
  });
});

describe('visitor registration', () => {
  function request(k: KioskScreens) {
    go(k, 'svc.visitor');
    k.card(ALICE, '3-1201');
    expect(k.view.screen).toBe('visitor.count');
    go(k, 'visitor.next'); // nothing typed: a hint, with an icon as well as its colour
    expect(node(k.view, 'visitor.keypad.entry')).toMatchObject({ text: { key: 'visitor.countHint' }, emphasis: 'alert', icon: 'alert' });
    expect(k.key('3')).toBe(true);
    expect(node(k.view, 'visitor.keypad.entry')).toMatchObject({ emphasis: 'strong' });
    expect(shown(k.view, 'zh')).toContain('访客人数（1–9）：3');
    go(k, 'visitor.next');
    go(k, 'time.4h');
    expect(shown(k.view, 'en')).toContain('3 visitors, valid for 4 hours');
    k.takeIntents();
    go(k, 'visitor.request');
  }

  test('count and time → request → the pass as a QR code when it arrives, and printed', () => {
    const { k } = kiosk();
    request(k);
    expect(intents(k)).toEqual([{ kind: 'requestPass', ref: 'k1', resident: ALICE, visitors: 3, hours: 4 }]);
    expect(k.view.screen).toBe('visitor.wait');
    expect(k.passIssued('k1', 'bad\npayload')).toBe(false);
    expect(k.passIssued('k7', 'PASS:1')).toBe(false);
    expect(k.passIssued('k1', 'PASS:1.sig')).toBe(true);
    expect(k.view.screen).toBe('visitor.pass');
    expect(node(k.view, 'visitor.qr')?.payload).toBe('PASS:1.sig');
    expect(intents(k)).toEqual([{ kind: 'printPass', ref: 'k1', payload: 'PASS:1.sig' }]);
  });

  test('offline: queued, said so; a pass that arrives after the resident left waits for their card', () => {
    const { k } = kiosk();
    k.online(false);
    request(k);
    expect(node(k.view, 'visitor.queued')).toMatchObject({ emphasis: 'warn', icon: 'clock' });
    k.tick(60_000); // gone: home, forgotten
    expect(k.view.screen).toBe('home');
    k.online(true);
    expect(k.passIssued('k1', 'PASS:1.sig')).toBe(true);
    expect(k.view.screen).toBe('home');
    expect(intents(k)).toEqual([{ kind: 'requestPass', ref: 'k1', resident: ALICE, visitors: 3, hours: 4 }]);
    k.card(BOB);
    go(k, 'svc.visitor');
    expect(tapIds(k.view)).not.toContain('visitor.passReady');
    go(k, 'nav.home');
    go(k, 'session.end');
    k.card(ALICE);
    go(k, 'svc.visitor');
    go(k, 'visitor.passReady');
    expect(node(k.view, 'visitor.qr')?.payload).toBe('PASS:1.sig');
    expect(intents(k)).toEqual([{ kind: 'printPass', ref: 'k1', payload: 'PASS:1.sig' }]);
  });

  test('keys only when the screen has a keypad, digits and delete only', () => {
    const { k } = kiosk();
    expect(k.key('1')).toBe(false);
    go(k, 'svc.visitor');
    k.card(ALICE);
    expect(k.key('x')).toBe(false);
    expect(k.key('12')).toBe(false);
    expect(k.key('0')).toBe(true);
    go(k, 'visitor.next');
    expect(k.view.screen).toBe('visitor.count'); // 0 visitors is no visit
    k.key('del');
    expect(shown(k.view, 'en')).toContain('Visitors (1–9): –');
  });
});

test('queue ticket: a number from the app\'s memory, shown as a QR code and printed', () => {
  const { k, memory } = kiosk();
  memory.ticket = 41;
  go(k, 'svc.queue');
  go(k, 'queue.take');
  expect(intents(k)).toEqual([{ kind: 'printTicket', number: 42, payload: 'TICKET:42' }]);
  expect(shown(k.view, 'zh')).toContain('42 号');
  expect(node(k.view, 'queue.qr')?.payload).toBe('TICKET:42');
});

test('notices: invalid entries dropped, expired ones hidden, one read in either language, gone when it expires', () => {
  const { k } = kiosk();
  const soon = { ...NOTICES[0], id: 'soon', expiresMs: 20_000 };
  expect(k.notices([...NOTICES, soon, { id: 'x', title: 'no languages' }, { ...NOTICES[0], id: 'bad id!' }])).toBe(3);
  k.tick(5000);
  go(k, 'svc.notices');
  expect(tapIds(k.view)).toEqual(['notice.water-0601', 'notice.soon', 'nav.back', 'nav.home']);
  go(k, 'notice.water-0601');
  expect(shown(k.view, 'zh')).toContain('6月1日9时至12时停水检修。');
  expect(shown(k.view, 'en')).toContain('Water is off 9:00-12:00 on 1 June for repairs. | Valid until 1970-01-11');
  go(k, 'nav.back');
  go(k, 'notice.soon');
  k.tick(20_000);
  expect(k.view.screen).toBe('notices');
  expect(tapIds(k.view)).toEqual(['notice.water-0601', 'nav.back', 'nav.home']);
  expect(k.notices('not a list')).toBe(0);
});

test('help: one tap raises it, its progress follows the platform, and reopening help shows the progress', () => {
  const { k } = kiosk();
  go(k, 'svc.help');
  expect(node(k.view, 'help.call')).toMatchObject({ fg: 'onPrimary', bg: 'danger', icon: 'sos' });
  go(k, 'help.call');
  expect(intents(k)).toEqual([{ kind: 'help' }]);
  expect(k.helpProgress('accepted')).toBe(true);
  expect(node(k.view, 'help.steps')!.items!.map((s) => s.state)).toEqual(['done', 'current', 'todo', 'todo', 'todo']);
  go(k, 'nav.home');
  go(k, 'svc.help');
  expect(k.view.screen).toBe('help.progress');
  expect(k.helpProgress('nonsense' as never)).toBe(false);
});

describe('inactivity', () => {
  test('standard: a "more time" prompt after 40 s that keeps everything, then home after 60 s and the resident forgotten', () => {
    const { k } = kiosk();
    go(k, 'svc.visitor');
    k.card(ALICE, '3-1201');
    k.key('2');
    k.tick(39_999);
    expect(k.view.screen).toBe('visitor.count');
    k.tick(40_000);
    expect(k.view.screen).toBe('idle');
    expect(k.key('3')).toBe(false); // the prompt is on top: nothing behind it is touched
    expect(k.tap('visitor.next')).toBe(false);
    go(k, 'idle.more');
    expect(k.view.screen).toBe('visitor.count');
    expect(shown(k.view, 'en')).toContain('Visitors (1–9): 2');
    k.tick(99_999);
    expect(k.view.screen).toBe('idle');
    k.tick(100_000);
    expect(k.view.screen).toBe('home');
    expect(node(k.view, 'home.signedIn')).toBeUndefined();
    go(k, 'svc.visitor');
    expect(k.view.screen).toBe('identify');
  });

  test('elderly: three minutes, the prompt a minute before', () => {
    const { k } = kiosk();
    go(k, 'mode');
    go(k, 'svc.repair');
    k.tick(119_999);
    expect(k.view.screen).toBe('identify');
    k.tick(120_000);
    expect(k.view.screen).toBe('idle');
    k.tick(180_000);
    expect(k.view.screen).toBe('home');
    expect(k.mode).toBe('standard');
  });

  test('idle at home with defaults is left alone; language or mode changed there are reset', () => {
    const { k } = kiosk();
    k.tick(1_000_000);
    expect(k.view.screen).toBe('home');
    go(k, 'lang');
    k.tick(1_060_000);
    expect(k.lang).toBe('zh');
  });

  test('a second card mid-flow: home, the first resident\'s draft and data gone', () => {
    const { k } = kiosk();
    go(k, 'svc.repair');
    k.card(ALICE, '3-1201');
    go(k, 'cat.water');
    k.card(BOB, '5-0101');
    expect(k.view.screen).toBe('home');
    expect(shown(k.view, 'en')).toContain('Signed in: 5-0101');
    expect(shown(k.view, 'en')).not.toContain('3-1201');
  });
});

describe('language and elderly mode', () => {
  test('one tap switches zh ⇄ en: the same keys, the view carries the language', () => {
    const { k } = kiosk();
    expect(k.view.lang).toBe('zh');
    expect(shown(k.view)).toContain('社区自助服务');
    const before = nodes(k.view).map((n) => n.text);
    go(k, 'lang');
    expect(k.view.lang).toBe('en');
    expect(shown(k.view)).toContain('Community self-service');
    expect(nodes(k.view).map((n) => n.text)).toEqual(before);
    go(k, 'lang');
    expect(k.view.lang).toBe('zh');
  });

  test('one tap from home: bigger text and targets, fewer items a page, high contrast', () => {
    const { k } = kiosk();
    const standard = node(k.view, 'svc.repair')!;
    go(k, 'mode');
    expect(k.view.mode).toBe('elderly');
    expect(k.view.palette).toBe('highContrast');
    const elderly = node(k.view, 'svc.repair')!;
    expect(elderly.fontDp).toBeGreaterThanOrEqual(18);
    expect(elderly.hDp).toBeGreaterThanOrEqual(60);
    expect(elderly.fontDp).toBeGreaterThan(standard.fontDp);
    expect(k.view.title.fontDp).toBeGreaterThanOrEqual(30);
    expect(node(k.view, 'services')!.items!.length).toBe(3);
    expect(k.view.pages).toBe(2);
  });

  test('remembered per card through the app\'s memory, and not carried to the next resident', () => {
    const { k, memory } = kiosk();
    k.card(ALICE);
    go(k, 'mode');
    expect(memory.modes.get(ALICE)).toBe(true);
    k.tick(200_000);
    expect(k.mode).toBe('standard');
    k.card(ALICE);
    expect(k.mode).toBe('elderly');
    k.card(BOB); // unknown card: the defaults, ALICE's mode is not BOB's
    expect(k.mode).toBe('standard');
    go(k, 'session.end');
    go(k, 'mode'); // chosen before the card: the card remembers it
    k.card(CAROL);
    expect(memory.modes.get(CAROL)).toBe(true);
  });

  test('elderly mode reads each new screen\'s confirmation aloud; standard mode stays quiet', () => {
    const { k } = kiosk();
    go(k, 'svc.queue');
    go(k, 'queue.take');
    expect(k.takeIntents().filter((i) => i.kind === 'speak')).toEqual([]);
    go(k, 'nav.home');
    go(k, 'mode');
    go(k, 'page.next');
    k.takeIntents();
    go(k, 'svc.queue');
    go(k, 'queue.take');
    expect(k.takeIntents()).toEqual([
      { kind: 'speak', clip: 'say.choose' }, { kind: 'printTicket', number: 2, payload: 'TICKET:2' }, { kind: 'speak', clip: 'say.ticket' },
    ]);
  });
});

test('input is validated: unknown or off-screen taps, malformed cards and platform updates are refused', () => {
  const { k } = kiosk();
  expect(k.tap('repair.send')).toBe(false);
  expect(k.tap('nonsense')).toBe(false);
  expect(k.tap(42 as never)).toBe(false);
  expect(k.card('ALICE')).toBe(false);
  expect(k.card(ALICE, 'unit 3, flat 1201 and more')).toBe(false);
  expect(k.passIssued('k1', 'PASS')).toBe(false);
  k.tick(Number.NaN);
  k.tick(30_000);
  expect(k.view.screen).toBe('home');
  expect(node(k.view, 'home.signedIn')).toBeUndefined();
});
