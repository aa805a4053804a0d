// The mode rules enforced by the screen model: every screen of the tour keeps them in both modes on the displays
// the kiosk supports, and a screen that breaks any rule is caught by checkRules.
import { describe, expect, test } from '@jest/globals';
import { layout, type LaidNode, type LaidScreen } from '../../firmware/apps/kiosk/screen/layout.js';
import { MODES, pxToDp } from '../../firmware/apps/kiosk/screen/modes.js';
import { contrast, PALETTES } from '../../firmware/apps/kiosk/screen/palette.js';
import { checkRules, linesOf, type RuleName } from '../../firmware/apps/kiosk/screen/rules.js';
import { button, text, type ScreenTree } from '../../firmware/apps/kiosk/screen/tree.js';
import { play, tour } from '../xs/entries/kiosk-screen.js';

const SEVEN_INCH = { widthPx: 800, heightPx: 480, dpi: 133 };
const FOUR_INCH = { widthPx: 480, heightPx: 320, dpi: 144 };
const SMALL = { widthPx: 480, heightPx: 320, dpi: 165 }; // 3.5"

function each(view: LaidScreen, visit: (n: LaidNode) => void) {
  const walk = (list: readonly LaidNode[]) => list.forEach((n) => { visit(n); if (n.items) walk(n.items); });
  walk([view.title, ...view.body, ...view.actions]);
}

describe('every screen keeps its mode\'s rules', () => {
  test.each([
    ['7" 800×480, standard', SEVEN_INCH, false], ['7" 800×480, elderly', SEVEN_INCH, true],
    ['4" 480×320, standard', FOUR_INCH, false], ['4" 480×320, elderly', FOUR_INCH, true], ['3.5" 480×320, standard', SMALL, false],
  ] as const)('%s', (_name, screen, elderly) => {
    const run = play(screen, tour(elderly), elderly);
    expect(run.taken.every(Boolean)).toBe(true);
    expect(run.violations.flat()).toEqual([]);
    expect(new Set(run.views.map((v) => v.screen)).size).toBeGreaterThanOrEqual(20);
    // The tour ends with another resident's card and a timeout: the defaults again.
    expect(run.views.filter((v) => v.mode === 'elderly').length).toBeGreaterThan(elderly ? 40 : -1);
    for (const view of run.views) {
      const elderly = view.mode === 'elderly';
      each(view, (n) => {
        if (n.text) expect(n.fontDp).toBeGreaterThanOrEqual(elderly ? 18 : 16);
        if (n.role === 'button' || n.role === 'key') expect(Math.min(n.wDp, n.hDp)).toBeGreaterThanOrEqual(elderly ? 60 : 44);
        if (n.text && elderly) expect(contrast(PALETTES.highContrast[n.fg], PALETTES.highContrast[n.bg])).toBeGreaterThanOrEqual(7);
      });
    }
  });

  test('elderly mode on a 3.5" 480×320 display: what does not fit is reported, not drawn off screen', () => {
    const run = play(SMALL, tour(true), true);
    const broken = run.violations.flat();
    expect(broken.map((v) => v.rule)).toContain('fits');
    expect(broken.map((v) => v.rule)).toContain('textWidth');
    expect(new Set(broken.map((v) => v.rule))).toEqual(new Set(['fits', 'textWidth']));
  });
});

test('WCAG contrast from sRGB: black on white 21:1, #777 on white just under 4.5:1', () => {
  expect(contrast('#000000', '#FFFFFF')).toBeCloseTo(21, 5);
  expect(contrast('#777777', '#FFFFFF')).toBeCloseTo(4.48, 2);
  expect(contrast('#FFFFFF', '#777777')).toBe(contrast('#777777', '#FFFFFF'));
});

test('sizes follow the display\'s density: 60 dp is 60 px at 160 DPI and 120 px at 320 DPI', () => {
  const tree: ScreenTree = { screen: 't', title: text('home.title'), body: [button('b', 'svc.help')], actions: [], clip: 'say.home' };
  const at160 = layout(tree, { widthPx: 800, heightPx: 480, dpi: 160 }, 'elderly');
  const at320 = layout(tree, { widthPx: 1600, heightPx: 960, dpi: 320 }, 'elderly');
  expect(at160.widthDp).toBe(800);
  expect(at320.widthDp).toBe(800);
  expect(pxToDp(120, 320)).toBe(60);
  expect(at160.body[0]!.hDp).toBeGreaterThanOrEqual(60);
  expect(at320.body).toEqual(at160.body);
});

describe('a screen that breaks a rule is caught', () => {
  const tree: ScreenTree = {
    screen: 'sample', title: text('report.title'),
    body: [
      { role: 'status', id: 'status.offline', text: text('status.offline'), state: 'offline' },
      { role: 'text', id: 'intro', text: text('rate.prompt') },
      { role: 'steps', id: 'steps', steps: [{ text: text('stage.submitted'), state: 'done' }, { text: text('stage.accepted'), state: 'current' }] },
      { role: 'list', id: 'stars', items: [button('rate.5', 'rate.stars', 'star', undefined, { stars: 5 }), button('rate.4', 'rate.stars', 'star', undefined, { stars: 4 })] },
    ],
    actions: [button('nav.back', 'nav.back', 'back')],
    clip: 'say.choose',
  };
  const laid = (mode: 'standard' | 'elderly' = 'elderly') => layout(tree, SEVEN_INCH, mode);
  /** The laid screen with one node changed. */
  const change = (screen: LaidScreen, id: string, patch: Partial<LaidNode>): LaidScreen => {
    const edit = (list: readonly LaidNode[]): LaidNode[] => list.map((n) => (n.id === id ? { ...n, ...patch } : n.items ? { ...n, items: edit(n.items) } : n));
    return { ...screen, title: edit([screen.title])[0]!, body: edit(screen.body), actions: edit(screen.actions) };
  };
  const rules = (screen: LaidScreen): RuleName[] => checkRules(screen).map((v) => v.rule);

  test('as laid out, in both modes: no violation', () => {
    expect(checkRules(laid('standard'))).toEqual([]);
    expect(checkRules(laid('elderly'))).toEqual([]);
  });

  test.each([
    ['body text under 18 dp in elderly mode', 'intro', { fontDp: 17 }, 'bodyText'],
    ['body text under 16 dp in standard mode', 'intro', { fontDp: 15 }, 'bodyText', 'standard'],
    ['a target under 60 × 60 dp in elderly mode', 'rate.5', { hDp: 56 }, 'target'],
    ['a target under 44 dp wide in standard mode', 'nav.back', { wDp: 40 }, 'target', 'standard'],
    ['a divider colour used for text (contrast < 4.5:1)', 'intro', { fg: 'line' }, 'contrast', 'standard'],
    ['line spacing under 1.3 in elderly mode', 'intro', { lineHeight: 1.2 }, 'lineHeight'],
    ['a step told by colour alone', 'steps.1', { icon: undefined }, 'colourOnly'],
    ['two states with one icon', 'steps.1', { icon: 'check' }, 'colourOnly'],
    ['the offline line without its icon', 'status.offline', { icon: undefined }, 'colourOnly'],
    ['an icon-only target without its icon', 'rate.4', { text: undefined, icon: undefined }, 'colourOnly'],
    ['a title under 30 dp: nothing on the elderly screen reaches the largest size', 'title', { fontDp: 24 }, 'largestText'],
    ['a target with no focus order', 'rate.4', { focus: undefined }, 'focus'],
    ['two targets with the same focus order', 'rate.4', { focus: 1 }, 'focus'],
    ['a node wider than the screen', 'intro', { wDp: 2000 }, 'fits'],
  ] as const)('%s', (_name, id, patch, rule, mode: 'standard' | 'elderly' = 'elderly') => {
    const broken = change(laid(mode), id, patch as Partial<LaidNode>);
    expect(rules(broken)).toContain(rule);
  });

  test('time pressure: a short timeout, or no "more time" prompt before it', () => {
    expect(rules({ ...laid(), timing: { idleMs: 60_000, promptMs: 30_000 } })).toEqual(['timing']);
    expect(rules({ ...laid(), timing: { idleMs: 180_000, promptMs: 0 } })).toEqual(['timing']);
    expect(rules({ ...laid('standard'), timing: { idleMs: 60_000, promptMs: 60_000 } })).toEqual(['timing']);
  });

  test('more choices on a page than the mode allows, and a body taller than the screen', () => {
    const screen = laid();
    const list = screen.body.find((n) => n.id === 'stars')!;
    const crowded = { ...screen, body: screen.body.map((n) => (n === list ? { ...n, items: [...n.items!, ...n.items!.map((i, k) => ({ ...i, id: `x${k}`, focus: 10 + k }))] } : n)) };
    expect(rules(crowded)).toContain('paging');
    expect(rules({ ...laid(), bodyHeightDp: 100 })).toEqual(['fits']);
  });

  test('layout pages what would break the paging rule: elderly mode shows at most three choices a page', () => {
    const many: ScreenTree = { ...tree, body: [{ role: 'list', id: 'l', items: ['1', '2', '3', '4', '5', '6', '7'].map((n) => button(`b${n}`, 'rate.stars', 'star', undefined, { stars: n })) }] };
    const pages = layout(many, SEVEN_INCH, 'elderly');
    expect(pages.pages).toBe(3);
    for (let p = 0; p < pages.pages; p++) {
      const page = layout(many, SEVEN_INCH, 'elderly', p);
      expect(checkRules(page)).toEqual([]);
      const list = page.body.find((n) => n.id === 'l')!;
      expect(list.items!.length).toBeLessThanOrEqual(MODES.elderly.maxItems);
      // The page buttons: a column at the body's right, the previous page first and on top, the next last and at the bottom.
      expect(page.body.map((n) => n.id)).toEqual([...(p > 0 ? ['page.prev'] : []), 'l', ...(p < 2 ? ['page.next'] : [])]);
      for (const pager of page.body.filter((n) => n.id !== 'l')) {
        expect(pager.xDp).toBeCloseTo(list.wDp + MODES.elderly.gapDp);
        expect(pager.xDp! + pager.wDp).toBeCloseTo(page.title.wDp);
      }
      expect(page.body.find((n) => n.id === 'page.next')?.yDp ?? page.bodyHeightDp - MODES.elderly.targetDp).toBeCloseTo(page.bodyHeightDp - MODES.elderly.targetDp);
      expect(page.actions.map((a) => a.id)).toEqual(['nav.back']);
    }
    expect(layout(many, SEVEN_INCH, 'standard').pages).toBe(2);
  });
});

describe('text fits its box, in every language', () => {
  const labelled = (stars: string): ScreenTree => ({
    screen: 't', title: text('report.title'), body: [{ role: 'list', id: 'l', items: [button('b', 'rate.stars', 'star', undefined, { stars })] }],
    actions: [button('nav.back', 'nav.back', 'back')], clip: 'say.choose',
  });
  const textWidth = (tree: ScreenTree, screen = SEVEN_INCH, mode: 'standard' | 'elderly' = 'elderly') =>
    checkRules(layout(tree, screen, mode)).filter((v) => v.rule === 'textWidth');

  test('a label too long for its button fails the rule, once per language; one that wraps onto its second line passes', () => {
    expect(textWidth(labelled('5'))).toEqual([]);
    const word = 'W'.repeat(80); // one word no line can hold
    expect(textWidth(labelled(word))).toEqual([
      { rule: 'textWidth', id: 'b', detail: expect.stringContaining('needs Infinity line(s)') },
      { rule: 'textWidth', id: 'b', detail: expect.stringContaining('needs Infinity line(s)') },
    ]);
    const words = (n: number) => Array.from({ length: n }, () => 'word').join(' ');
    expect(textWidth(labelled(words(12)))).toEqual([]); // two lines at most, in both languages
    const three = textWidth(labelled(words(30)));
    expect(three.length).toBeGreaterThan(0);
    for (const v of three) expect(v.detail).toMatch(/^"word word .* needs 3 line\(s\) of .* dp, has 2$/);
  });

  test('a crafted too-long title fails; text the platform sends (a notice) is not the tables\' and is left to the renderer', () => {
    const tree: ScreenTree = { ...labelled('5'), title: text('queue.number', { number: '9'.repeat(60) }) };
    expect(textWidth(tree).map((v) => v.id)).toEqual(['title', 'title']);
    const notice: ScreenTree = { ...labelled('5'), body: [{ role: 'notice', id: 'n', title: text('notice.text', { zh: '长'.repeat(80), en: 'x'.repeat(80) }), body: text('notice.text', { zh: '长', en: 'x' }), expires: text('notice.expires', { date: '2026-12-31' }) }] };
    expect(textWidth(notice)).toEqual([]);
  });

  test('lines: Latin breaks after spaces, CJK between any two characters, greedily; a word wider than a line never fits', () => {
    expect(linesOf('', 5)).toBe(1);
    expect(linesOf('iiii iiii', 100)).toBe(1);
    expect(linesOf('我家我家我家', 3)).toBe(2);
    expect(linesOf('我家我家我家', 2.99)).toBe(3);
    expect(linesOf('Wall Wall Wall', 5)).toBe(2); // "Wall Wall" and "Wall": a space costs nothing at the end of a line
    expect(linesOf('Wall Wall Wall', 2)).toBe(Infinity);
    expect(linesOf('退出 Sign out', 5)).toBe(2);
  });
});
