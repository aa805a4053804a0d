// The kiosk's choices as data: services, repair categories, locations, quick phrases, visit lengths, progress
// stages. Ids double as tap ids; each has its string key and icon.
import type { StringKey } from './strings/index.js';

export interface Choice {
  readonly id: string;
  readonly key: StringKey;
  readonly icon: string;
}
const choice = (id: string, key: StringKey, icon: string): Choice => Object.freeze({ id, key, icon });

export type Service = 'repair' | 'reports' | 'visitor' | 'queue' | 'notices' | 'help';
function service(name: Service, icon: string): Choice & { readonly service: Service } {
  const key = `svc.${name}` as const;
  return Object.freeze({ id: key, key, icon, service: name });
}
export const SERVICES: readonly (Choice & { readonly service: Service })[] = Object.freeze([
  service('repair', 'wrench'), service('reports', 'clipboard'), service('visitor', 'visitor'), service('queue', 'ticket'),
  service('notices', 'megaphone'), service('help', 'sos'),
]);
/** Services that need a resident's card, and whether one may go on without it. */
export const IDENTIFY: Readonly<Partial<Record<Service, { readonly skip: boolean }>>> = Object.freeze({
  repair: Object.freeze({ skip: true }), reports: Object.freeze({ skip: false }), visitor: Object.freeze({ skip: false }),
});

export const CATEGORIES: readonly Choice[] = Object.freeze([
  choice('cat.water', 'cat.water', 'water'), choice('cat.power', 'cat.power', 'bolt'), choice('cat.door', 'cat.door', 'door'),
  choice('cat.lift', 'cat.lift', 'lift'), choice('cat.light', 'cat.light', 'bulb'), choice('cat.other', 'cat.other', 'more'),
]);
/**
 * The resident's own home, offered first whenever a card identified them: 'loc.unit' labelled with the unit when
 * the card gave it (sent as `unit:<unit>`), else 'loc.home' (sent as it is: the kiosk keeps no card list, so the
 * platform fills in the unit from its resident register). Never without a card.
 */
export const UNIT_LOCATION = 'loc.unit';
export const HOME_LOCATION = 'loc.home';
export const LOCATIONS: readonly Choice[] = Object.freeze([
  choice('loc.corridor', 'loc.corridor', 'stairs'), choice('loc.lift', 'loc.lift', 'lift'), choice('loc.lobby', 'loc.lobby', 'building'),
  choice('loc.garage', 'loc.garage', 'car'), choice('loc.outdoor', 'loc.outdoor', 'tree'),
]);
export const PHRASES: readonly Choice[] = Object.freeze([
  choice('phrase.broken', 'phrase.broken', 'broken'), choice('phrase.leak', 'phrase.leak', 'drop'), choice('phrase.noise', 'phrase.noise', 'sound'),
  choice('phrase.smell', 'phrase.smell', 'nose'), choice('phrase.urgent', 'phrase.urgent', 'alert'),
]);
export const VISIT_HOURS: readonly (Choice & { readonly hours: number })[] = Object.freeze([
  Object.freeze({ ...choice('time.2h', 'time.2h', 'clock'), hours: 2 }), Object.freeze({ ...choice('time.4h', 'time.4h', 'clock'), hours: 4 }),
  Object.freeze({ ...choice('time.day', 'time.day', 'calendar'), hours: 12 }),
]);
export const MAX_VISITORS = 9;

/** A repair report's progress as the platform moves it. */
export const REPORT_STAGES = Object.freeze(['submitted', 'accepted', 'dispatched', 'onsite', 'resolved'] as const);
export type ReportStage = (typeof REPORT_STAGES)[number];
export const STAGE_KEYS: Readonly<Record<ReportStage, StringKey>> = Object.freeze({
  submitted: 'stage.submitted', accepted: 'stage.accepted', dispatched: 'stage.dispatched', onsite: 'stage.onsite', resolved: 'stage.resolved',
});
/** A help call's progress (the shared alarm lifecycle's steps). */
export const HELP_STAGES = Object.freeze(['raised', 'accepted', 'dispatched', 'onsite', 'resolved'] as const);
export type HelpStage = (typeof HELP_STAGES)[number];
export const HELP_KEYS: Readonly<Record<HelpStage, StringKey>> = Object.freeze({
  raised: 'help.raised', accepted: 'help.accepted', dispatched: 'help.dispatched', onsite: 'help.onsite', resolved: 'help.resolved',
});
export const STARS: readonly number[] = Object.freeze([5, 4, 3, 2, 1]);

export const findChoice = <C extends Choice>(list: readonly C[], id: string): C | undefined => list.find((c) => c.id === id);
