// The kiosk's string tables: Chinese (default) and English with the same keys and placeholders, Chinese text in
// Chinese, and every key a screen uses present in both.
import { expect, test } from '@jest/globals';
import type { LaidNode } from '../../firmware/apps/kiosk/screen/layout.js';
import type { TextRef } from '../../firmware/apps/kiosk/screen/tree.js';
import { STRINGS, translate, type StringKey } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { play, tour } from '../xs/entries/kiosk-screen.js';

const placeholders = (s: string) => [...s.matchAll(/\{([a-zA-Z]+)\}/g)].map((m) => m[1]).sort();
const CJK = /[\u4e00-\u9fff]/;

test('zh and en have the same keys and the same placeholders in each', () => {
  expect(Object.keys(STRINGS.en).sort()).toEqual(Object.keys(STRINGS.zh).sort());
  for (const key of Object.keys(STRINGS.zh) as StringKey[]) {
    // A notice's text arrives in both languages; each table picks its own.
    if (key !== 'notice.text') expect([key, placeholders(STRINGS.en[key])]).toEqual([key, placeholders(STRINGS.zh[key])]);
    expect(STRINGS.en[key].trim()).not.toBe('');
  }
});

test('the Chinese table is in Chinese (but the name of the other language and the notice pass-through)', () => {
  const exempt = new Set<StringKey>(['lang.other', 'notice.text']);
  for (const [key, value] of Object.entries(STRINGS.zh) as [StringKey, string][]) {
    if (exempt.has(key)) continue;
    const own = value.replace(/\{[a-zA-Z]+\}/g, '');
    expect([key, /[A-Za-z]/.test(own), CJK.test(own) || /^[\s\p{P}]*$/u.test(own)]).toEqual([key, false, true]);
  }
  for (const value of Object.values(STRINGS.en)) if (value !== '中文') expect(CJK.test(value)).toBe(false);
  expect(STRINGS.zh['lang.other']).toBe('English');
  expect(STRINGS.en['lang.other']).toBe('中文');
});

test('every key a screen uses exists in both tables, and its text is complete in both languages', () => {
  const used = new Set<string>();
  const refs: TextRef[] = [];
  const walk = (nodes: readonly LaidNode[]) => nodes.forEach((n) => { if (n.text) refs.push(n.text); if (n.items) walk(n.items); });
  for (const elderly of [false, true]) {
    for (const view of play({ widthPx: 800, heightPx: 480, dpi: 133 }, tour(elderly), elderly).views) {
      walk([view.title, ...view.body, ...view.actions]);
      used.add(view.clip);
    }
  }
  for (const ref of refs) {
    used.add(ref.key);
    for (const value of Object.values(ref.params ?? {})) if (typeof value === 'object') used.add(value.key);
    for (const lang of ['zh', 'en'] as const) expect(translate(lang, ref.key, ref.params)).not.toMatch(/\{[a-zA-Z]+\}/);
  }
  expect(used.size).toBeGreaterThan(60);
  for (const key of used) {
    expect(Object.hasOwn(STRINGS.zh, key)).toBe(true);
    expect(Object.hasOwn(STRINGS.en, key)).toBe(true);
  }
});

test('translate: parameters by name, a key as a parameter in the same language, an unknown name left visible', () => {
  expect(translate('zh', 'reports.item', { category: { key: 'cat.lift' }, stage: { key: 'stage.onsite' } })).toBe('电梯：师傅已到场');
  expect(translate('en', 'reports.item', { category: { key: 'cat.lift' }, stage: { key: 'stage.onsite' } })).toBe('Lift: Worker on site');
  expect(translate('en', 'queue.number', { number: 7 })).toBe('No. 7');
  expect(translate('en', 'queue.number', { other: 7 })).toBe('No. {number}');
  expect(translate('zh', 'notice.text', { zh: '停水', en: 'Water off' })).toBe('停水');
  expect(translate('en', 'notice.text', { zh: '停水', en: 'Water off' })).toBe('Water off');
});
