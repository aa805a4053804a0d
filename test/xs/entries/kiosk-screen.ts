// Entry for test/xs/kiosk-screen.test.ts, and the Node tests' player: a script of semantic inputs played on the
// kiosk's screen model, recording the view, the intents and whether each input was taken. Engine-neutral.
import { KioskScreens, type KioskIntent, type KioskMemory, type KioskView, type SavedPass } from '../../../firmware/apps/kiosk/screen/machine.js';
import type { Report } from '../../../firmware/apps/kiosk/screen/views.js';
import type { HelpStage, ReportStage } from '../../../firmware/apps/kiosk/screen/catalogue.js';
import type { ScreenSpec } from '../../../firmware/apps/kiosk/screen/modes.js';
import { tapIds } from '../../../firmware/apps/kiosk/screen/layout.js';
import { checkRules, type Violation } from '../../../firmware/apps/kiosk/screen/rules.js';

export type Step =
  | ['tap', string] | ['find', string] | ['card', string] | ['card', string, string] | ['key', string] | ['back'] | ['tick', number] | ['online', boolean]
  | ['reportProgress', string, string] | ['helpProgress', string] | ['passIssued', string, string] | ['notices', unknown];

/** What the app keeps for the model, in RAM: copies, as flash would keep them across a reboot. */
export class MemoryFake implements KioskMemory {
  readonly modes = new Map<string, boolean>();
  ticket = 0;
  reports: Report[] = [];
  passes: SavedPass[] = [];
  /** Lists saved (each a flash write on the device). */
  saves = 0;
  elderly(hash: string): boolean | undefined { return this.modes.get(hash); }
  rememberElderly(hash: string, on: boolean): void { this.modes.set(hash, on); }
  nextTicket(): number { return ++this.ticket; }
  savedReports(): Report[] { return this.reports.map((r) => ({ ...r })); }
  saveReports(reports: readonly Report[]): void { this.reports = reports.map((r) => ({ ...r })); this.saves++; }
  savedPasses(): SavedPass[] { return this.passes.map((p) => ({ ...p })); }
  savePasses(passes: readonly SavedPass[]): void { this.passes = passes.map((p) => ({ ...p })); this.saves++; }
}

const ALICE = 'a1'.repeat(16);
const BOB = 'b2'.repeat(16);
const DAY = 86_400_000;
export const NOTICES = [
  { id: 'water-0601', title: { zh: '停水通知', en: 'Water off' }, body: { zh: '6月1日9时至12时停水检修。', en: 'Water is off 9:00-12:00 on 1 June for repairs.' }, expiresMs: 10 * DAY },
  { id: 'old', title: { zh: '旧通知', en: 'Old notice' }, body: { zh: '已过期。', en: 'Expired.' }, expiresMs: 1000 },
];

/** Every screen, every service: the model's tour, for the rules and strings tests and the XS comparison. The
 * "more time" prompt comes sooner in standard mode than in elderly mode. */
export const tour = (elderly: boolean): Step[] => [
  ['tick', 5000], ['notices', NOTICES],
  ['find', 'svc.repair'], ['card', ALICE, '3-1201'], ['find', 'cat.water'], ['find', 'loc.unit'], ['find', 'phrase.leak'], ['find', 'repair.send'],
  ['tap', 'nav.home'], ['find', 'svc.reports'], ['find', 'report.k1'], ['reportProgress', 'k1', 'accepted'], ['reportProgress', 'k1', 'dispatched'],
  ['reportProgress', 'k1', 'resolved'], ['find', 'rate.4'], ['tap', 'nav.home'],
  ['find', 'svc.visitor'], ['find', 'visitor.next'], ['key', '2'], ['find', 'visitor.next'], ['find', 'time.4h'], ['find', 'visitor.request'],
  ['passIssued', 'k2', 'PASS:v1.k2.signature'], ['tap', 'nav.home'],
  ['online', false], ['find', 'svc.queue'], ['find', 'queue.take'], ['tap', 'nav.home'], ['find', 'svc.repair'], ['find', 'cat.lift'], ['find', 'loc.lift'],
  ['find', 'phrase.noise'], ['find', 'repair.send'], ['online', true],
  ['tap', 'nav.home'], ['find', 'svc.notices'], ['find', 'notice.water-0601'], ['back'], ['tap', 'nav.home'],
  ['find', 'svc.help'], ['find', 'help.call'], ['helpProgress', 'accepted'], ['tick', elderly ? 130_000 : 50_000], ['tap', 'idle.more'],
  ['tap', 'nav.home'], ['tap', 'lang'], ['find', 'svc.repair'], ['find', 'nav.back'], ['card', BOB], ['find', 'svc.reports'], ['tick', 400_000],
];

/** A step of play(): also a reboot (a new model over the same memory, as the app builds at start). */
export type Scripted = Step | ['reboot'];

/** Alice files a report and asks for a pass; the kiosk reboots; the platform's late updates are taken, her report
 * is back with its stage and she rates it; after another reboot it cannot be rated twice, Bob sees none of hers,
 * and a new report gets a new ref. */
export const rebootTour = (): Scripted[] => [
  ['tick', 5000], ['find', 'svc.repair'], ['card', ALICE], ['find', 'cat.water'], ['find', 'loc.corridor'], ['find', 'phrase.leak'], ['find', 'repair.send'],
  ['reportProgress', 'k1', 'accepted'], ['tap', 'nav.home'],
  ['find', 'svc.visitor'], ['key', '2'], ['find', 'visitor.next'], ['find', 'time.2h'], ['find', 'visitor.request'],
  ['reboot'],
  ['reportProgress', 'k1', 'onsite'], ['reportProgress', 'k1', 'resolved'], ['passIssued', 'k2', 'PASS:v1.k2.late'],
  ['find', 'svc.reports'], ['card', ALICE], ['find', 'report.k1'], ['find', 'rate.4'],
  ['reboot'],
  ['find', 'svc.reports'], ['card', ALICE], ['find', 'report.k1'], ['find', 'rate.5'], ['tap', 'nav.home'],
  ['find', 'svc.repair'], ['find', 'cat.power'], ['find', 'loc.lobby'], ['find', 'phrase.broken'], ['find', 'repair.send'],
  ['card', BOB], ['find', 'svc.reports'],
];

export interface Played {
  taken: boolean[];
  views: KioskView[];
  intents: KioskIntent[][];
  violations: Violation[][];
}

export function apply(kiosk: KioskScreens, step: Step): boolean {
  switch (step[0]) {
    case 'tap': return kiosk.tap(step[1]);
    case 'find': {
      // Page forward until the target is on screen, as a resident would.
      while (!tapIds(kiosk.view).includes(step[1]) && tapIds(kiosk.view).includes('page.next')) kiosk.tap('page.next');
      return kiosk.tap(step[1]);
    }
    case 'card': return step.length === 3 ? kiosk.card(step[1], step[2]) : kiosk.card(step[1]);
    case 'key': return kiosk.key(step[1]);
    case 'back': return kiosk.back();
    case 'tick': kiosk.tick(step[1]); return true;
    case 'online': kiosk.online(step[1]); return true;
    case 'reportProgress': return kiosk.reportProgress(step[1], step[2] as ReportStage);
    case 'helpProgress': return kiosk.helpProgress(step[1] as HelpStage);
    case 'passIssued': return kiosk.passIssued(step[1], step[2]);
    case 'notices': return kiosk.notices(step[1]) > 0;
  }
}

export function play(screen: ScreenSpec, steps: Scripted[], elderly: boolean): Played {
  const memory = new MemoryFake();
  let kiosk = new KioskScreens({ screen, memory });
  if (elderly) kiosk.tap('mode');
  const out: Played = { taken: [], views: [], intents: [], violations: [] };
  for (const step of steps) {
    if (step[0] === 'reboot') kiosk = new KioskScreens({ screen, memory });
    out.taken.push(step[0] === 'reboot' || apply(kiosk, step));
    out.views.push(kiosk.view);
    out.intents.push(kiosk.takeIntents());
    out.violations.push(checkRules(kiosk.view));
  }
  return out;
}
