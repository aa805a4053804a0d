// What the kiosk keeps in flash for its screens: elderly mode per card (bounded, oldest forgotten, one write per
// change), the ticket counter, the residents' reports and pass requests (full hashes, bounded, a corrupt record
// reads as none); and the notice cache (versions only move forward, its size is bounded).
import { describe, expect, test } from '@jest/globals';
import { ELDERLY_MAX, KioskStore, TICKET_MAX } from '../../firmware/apps/kiosk/memory.js';
import { NoticeCache } from '../../firmware/apps/kiosk/notices.js';
import { REPORTS_KEPT } from '../../firmware/apps/kiosk/screen/machine.js';
import type { Report } from '../../firmware/apps/kiosk/screen/views.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

const hash = (i: number) => i.toString(16).padStart(12, '0') + 'ab'.repeat(10);
const kv = () => createHostStorage({ partitions: {} }).kv;
const notice = (id: string, expiresMs: number, body = 'x') => ({ id, title: { zh: '通知', en: 'Notice' }, body: { zh: body, en: body }, expiresMs });

describe('KioskStore', () => {
  test('remembers a mode per card across instances, writing only on a change', () => {
    const store = kv();
    const memory = new KioskStore(store, 'kiosk');
    expect(memory.elderly(hash(1))).toBeUndefined();
    memory.rememberElderly(hash(1), true);
    memory.rememberElderly(hash(2), false);
    const writes = store.writes;
    memory.rememberElderly(hash(1), true);
    expect(store.writes).toBe(writes);
    const again = new KioskStore(store, 'kiosk');
    expect(again.elderly(hash(1))).toBe(true);
    expect(again.elderly(hash(2))).toBe(false);
    expect(again.elderly(hash(3))).toBeUndefined();
  });

  test(`keeps at most ${ELDERLY_MAX} cards in one record under 4000 bytes, forgetting the least recently switched`, () => {
    const store = kv();
    const memory = new KioskStore(store, 'kiosk');
    for (let i = 0; i <= ELDERLY_MAX; i++) memory.rememberElderly(hash(i), true);
    const again = new KioskStore(store, 'kiosk');
    expect(again.remembered).toBe(ELDERLY_MAX);
    expect(again.elderly(hash(0))).toBeUndefined();
    expect(again.elderly(hash(ELDERLY_MAX))).toBe(true);
    expect((store.get('kiosk', 'elderly') as string).length).toBeLessThan(4000);
  });

  test('ticket numbers count up and start again after the last', () => {
    const store = kv();
    const memory = new KioskStore(store, 'kiosk');
    expect([memory.nextTicket(), memory.nextTicket()]).toEqual([1, 2]);
    store.set('kiosk', 'ticket', TICKET_MAX);
    expect(memory.nextTicket()).toBe(1);
  });
});

describe('KioskStore: reports and pass requests', () => {
  const report = (ref: string, resident: string, patch: Partial<Report> = {}): Report => ({ ref, resident, category: 'cat.water', stage: 'submitted', rated: undefined, ...patch });
  const alice = 'a1'.repeat(16);
  const bob = 'a1'.repeat(15) + 'b2'; // shares all but the last byte with Alice's hash

  test('come back in a new instance with the full hash, category, stage and stars', () => {
    const store = kv();
    const reports = [report('7-1', alice, { stage: 'resolved', rated: 4 }), report('7-2', bob, { category: 'cat.lift', stage: 'onsite' })];
    new KioskStore(store, 'kiosk').saveReports(reports);
    new KioskStore(store, 'kiosk').savePasses([{ ref: '7-3', resident: alice }]);
    const again = new KioskStore(store, 'kiosk');
    expect(again.savedReports()).toEqual(reports);
    expect(again.savedPasses()).toEqual([{ ref: '7-3', resident: alice }]);
    expect(new KioskStore(kv(), 'kiosk').savedReports()).toEqual([]);
  });

  test(`the newest ${REPORTS_KEPT} fit one record each, even with the longest refs and hashes the model takes`, () => {
    const store = kv();
    const memory = new KioskStore(store, 'kiosk');
    const long = (i: number) => `${'r'.repeat(29)}${String(i).padStart(3, '0')}`;
    const reports = Array.from({ length: REPORTS_KEPT + 5 }, (_, i) => report(long(i), 'f'.repeat(64), { category: 'cat.water', stage: 'resolved', rated: 5 }));
    memory.saveReports(reports);
    memory.savePasses(reports.map((r) => ({ ref: r.ref, resident: r.resident })));
    expect(new TextEncoder().encode(store.get('kiosk', 'reports') as string).length).toBeLessThanOrEqual(3999);
    expect(new TextEncoder().encode(store.get('kiosk', 'passes') as string).length).toBeLessThanOrEqual(3999);
    const again = new KioskStore(store, 'kiosk');
    expect(again.savedReports().map((r) => r.ref)).toEqual(reports.slice(-REPORTS_KEPT).map((r) => r.ref));
    expect(again.savedPasses()).toHaveLength(REPORTS_KEPT);
  });

  test.each([
    ['a number', 42],
    ['a torn entry', `7-1 ${alice} cat.water 1 0;7-2 ${alice} cat.wa`],
    ['an unknown stage', `7-1 ${alice} cat.water 7 0`],
    ['stars out of range', `7-1 ${alice} cat.water 4 9`],
    ['an unknown category', `7-1 ${alice} cat.gold 1 0`],
    ['a short hash tag', `7-1 a1a1a1a1a1a1 cat.water 1 0`],
    ['a bad ref', `7/1 ${alice} cat.water 1 0`],
    ['too many entries', Array.from({ length: REPORTS_KEPT + 1 }, (_, i) => `7-${i} ${alice} cat.water 1 0`).join(';')],
  ])('a corrupt record (%s) reads as none', (_name, value) => {
    const store = kv();
    store.set('kiosk', 'reports', value);
    store.set('kiosk', 'passes', value); // five words an entry where a pass has two: corrupt too
    const memory = new KioskStore(store, 'kiosk');
    expect(memory.savedReports()).toEqual([]);
    expect(memory.savedPasses()).toEqual([]);
  });
});

describe('NoticeCache', () => {
  test('stores a newer list without the expired notices, and reads it back', () => {
    const store = kv();
    const cache = new NoticeCache(store, 'kiosk');
    expect(cache.store(3, [notice('a', 2000), notice('b', 500)], 1000, 3999)).toEqual({ stored: true, kept: 1 });
    const again = new NoticeCache(store, 'kiosk');
    expect(again.version).toBe(3);
    expect(again.notices.map((n) => n.id)).toEqual(['a']);
    expect(again.store(3, [], 1000, 3999)).toMatchObject({ stored: false, stale: true });
  });

  test('refuses a list over the cache size, keeping the one in force', () => {
    const store = kv();
    const cache = new NoticeCache(store, 'kiosk');
    cache.store(1, [notice('a', 2000)], 1000, 3999);
    const outcome = cache.store(2, [notice('big', 2000, '长'.repeat(700))], 1000, 3999);
    expect(outcome).toMatchObject({ stored: false, stale: false, reason: expect.stringMatching(/bytes/) });
    expect(new NoticeCache(store, 'kiosk').notices.map((n) => n.id)).toEqual(['a']);
  });

  test('a torn record reads as no notices', () => {
    const store = kv();
    store.set('kiosk', 'notices', '{"version":4,"notices":[{"id"');
    const cache = new NoticeCache(store, 'kiosk');
    expect([cache.version, cache.notices.length]).toEqual([0, 0]);
  });
});
