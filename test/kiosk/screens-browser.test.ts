// The kiosk's screens drawn by the browser renderer (simulator/dashboard/client/kiosk-screen.tsx) in Chromium:
// axe-core finds no accessibility violation on any screen of the model's tour, in either language and mode; the
// page draws the model's tree (its tap targets, in its focus order, with the table's text) and a tap reports the
// node's id; no text overflows its box (the rules' width estimate checked against a real renderer). One page for all: screens are switched in place (a new Chromium page costs seconds on a loaded
// machine). Skipped without Chromium unless CI.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { createRequire } from 'node:module';
import type { Browser, Page } from 'playwright-core';
import { tapIds } from '../../firmware/apps/kiosk/screen/layout.js';
import { advance } from '../../firmware/apps/kiosk/screen/rules.js';
import type { Mode } from '../../firmware/apps/kiosk/screen/modes.js';
import { LANGUAGES, translate } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { galleryViews, KIOSK_SCREEN, MODE_NAMES, openGallery, showView, type GalleryView, type GalleryWindow } from '../../scripts/kiosk/gallery.js';
import { haveChromium, launch, requireChromium } from '../dashboard/browser.js';

const maybe = haveChromium || process.env.CI ? describe : describe.skip;
const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

interface AxeFinding { id: string; impact: string | null; nodes: string[] }

/**
 * axe-core's violations on the page as it is, each with the selectors of the nodes at fault; and text whose
 * contrast axe could not work out, unless it is an icon glyph (axe leaves symbols to the eye; the glyph has its
 * words' colours).
 */
async function violations(page: Page): Promise<AxeFinding[]> {
  return page.evaluate(async () => {
    type Result = { id: string; impact: string | null; nodes: { target: string[] }[] };
    const axe = (window as unknown as { axe: { run: (context: Node) => Promise<{ violations: Result[]; incomplete: Result[] }> } }).axe;
    const result = await axe.run(document);
    const undetermined = result.incomplete.filter((r) => r.id === 'color-contrast')
      .map((r) => ({ ...r, id: 'color-contrast undetermined', nodes: r.nodes.filter((n) => !document.querySelector(n.target[0]!)?.classList.contains('kiosk-icon')) }))
      .filter((r) => r.nodes.length);
    return [...result.violations, ...undetermined].map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

maybe('the kiosk screens in the browser (Chromium)', () => {
  let browser: Browser | undefined;
  let page: Page;
  const views: Record<Mode, GalleryView[]> = { standard: galleryViews(KIOSK_SCREEN, 'standard'), elderly: galleryViews(KIOSK_SCREEN, 'elderly') };

  beforeAll(async () => {
    requireChromium();
    browser = await launch();
    page = await openGallery(browser, KIOSK_SCREEN);
    await page.addScriptTag({ path: AXE });
  }, 30_000); // Chromium's start and the renderer's bundle, on a loaded machine

  afterAll(async () => {
    await browser?.close();
  });

  test('the tour shows every screen of the model in both modes', () => {
    for (const mode of MODE_NAMES) {
      const screens = new Set(views[mode].map((v) => v.view.screen));
      expect(screens.size).toBeGreaterThanOrEqual(21);
      expect(screens).toContain('visitor.pass');
    }
  });

  for (const mode of MODE_NAMES) {
    for (const lang of LANGUAGES) {
      test(`axe finds no violation on any ${mode} screen in ${lang}`, async () => {
        const found: Record<string, AxeFinding[]> = {};
        for (const { name, view } of views[mode]) {
          await showView(page, KIOSK_SCREEN, view, lang);
          const v = await violations(page);
          if (v.length) found[name] = v;
        }
        expect(found).toEqual({});
      });
    }
  }

  /** The drawn nodes whose text is wider or taller than their box (the platform's notice text aside: it scrolls). */
  async function overflowing(): Promise<string[]> {
    return page.locator('.kiosk-node').evaluateAll((nodes) => nodes
      .filter((n) => n.textContent && !n.closest('article') && (n.scrollWidth > n.clientWidth + 1 || n.scrollHeight > n.clientHeight + 1))
      .map((n) => `${n.getAttribute('data-id')}: ${n.scrollWidth}×${n.scrollHeight} in ${n.clientWidth}×${n.clientHeight}`));
  }

  test('no text overflows its box on any screen, in either language and mode', async () => {
    const found: Record<string, string[]> = {};
    for (const mode of MODE_NAMES) {
      for (const lang of LANGUAGES) {
        for (const { name, view } of views[mode]) {
          await showView(page, KIOSK_SCREEN, view, lang);
          const over = await overflowing();
          if (over.length) found[`${name} ${lang} ${mode}`] = over;
        }
      }
    }
    expect(found).toEqual({});
  }, 60_000);

  test('the rules\' advance table is never narrower than the page\'s own font, regular or bold, for any ASCII character', async () => {
    const measured = await page.locator('.kiosk').evaluate((kiosk) => {
      const family = getComputedStyle(kiosk).fontFamily;
      const canvas = document.createElement('canvas').getContext('2d')!;
      const out: number[] = [];
      for (let c = 32; c < 127; c++) {
        let widest = 0;
        for (const weight of ['normal', 'bold']) {
          canvas.font = `${weight} 1000px ${family}`;
          widest = Math.max(widest, canvas.measureText(String.fromCharCode(c)).width / 1000);
        }
        out.push(widest);
      }
      return out;
    });
    const narrower = measured.map((em, i) => ({ char: String.fromCharCode(32 + i), em, table: advance(32 + i) })).filter((c) => c.table < c.em);
    expect(narrower).toEqual([]);
    expect(measured.filter((em) => em > 0.2).length).toBeGreaterThan(80); // a real font measured, not nothing
  });

  test('the overflow check is live: a label made too long is caught', async () => {
    const home = views.standard.find((v) => v.name === 'home')!;
    await showView(page, KIOSK_SCREEN, home.view, 'en');
    expect(await overflowing()).toEqual([]);
    await page.locator('button[data-id="svc.repair"]').evaluate((b) => { b.lastChild!.textContent = 'Unbreakable'.repeat(12); });
    expect(await overflowing()).toEqual([expect.stringMatching(/^svc\.repair: /)]);
  });

  test('axe is live in the page: a button stripped of its words is reported', async () => {
    const home = views.standard.find((v) => v.name === 'home')!;
    await showView(page, KIOSK_SCREEN, home.view, 'en');
    await page.locator('button[data-id="svc.repair"]').evaluate((b) => { b.textContent = ''; });
    expect((await violations(page)).map((v) => v.id)).toContain('button-name');
  });

  test('each screen draws the model\'s tree: its tap targets in focus order, with the table\'s words', async () => {
    for (const mode of MODE_NAMES) {
      for (const { name, view } of views[mode]) {
        const lang = name.length % 2 ? 'zh' : 'en'; // both languages across the screens, one pass
        await showView(page, KIOSK_SCREEN, view, lang);
        const drawn = await page.locator('.kiosk button').evaluateAll((buttons) => buttons.map((b) => ({ id: b.getAttribute('data-id'), focus: Number(b.getAttribute('data-focus')) })));
        expect(drawn.map((b) => b.focus)).toEqual(drawn.map((_, i) => i + 1));
        expect(drawn.map((b) => b.id).filter((id) => !id!.startsWith('key.'))).toEqual(tapIds(view));
        expect(await page.locator('.kiosk h1').textContent()).toBe(translate(lang, view.title.text!.key, view.title.text!.params));
        expect(await page.locator('.kiosk').getAttribute('data-screen')).toBe(view.screen);
      }
    }
  });

  test('a tap reports the node\'s id; a keypad key reports key.<digit>', async () => {
    const count = views.elderly.find((v) => v.name === 'visitor.count')!;
    await showView(page, KIOSK_SCREEN, count.view, 'zh');
    await page.evaluate(() => { (window as unknown as GalleryWindow).kioskTaps.length = 0; });
    await page.click('button[data-id="key.7"]');
    await page.click('button[data-id="key.del"]');
    await page.click('button[data-id="visitor.next"]');
    expect(await page.evaluate(() => (window as unknown as GalleryWindow).kioskTaps)).toEqual(['key.7', 'key.del', 'visitor.next']);
    expect(await page.getAttribute('button[data-id="key.del"]', 'aria-label')).toBe('删除');
  });

  test('a QR node is drawn as a named SVG code of its payload, at the laid-out size', async () => {
    const pass = views.standard.find((v) => v.name === 'visitor.pass')!;
    await showView(page, KIOSK_SCREEN, pass.view, 'en');
    const code = page.locator('.kiosk svg[role="img"]');
    expect(await code.getAttribute('data-payload')).toBe('PASS:v1.k2.signature');
    expect(await code.getAttribute('aria-label')).toBe(translate('en', 'visitor.passCaption'));
    const laid = pass.view.body.find((n) => n.role === 'qr')!.items![0]!;
    const side = (await code.boundingBox())!.width;
    expect(side).toBeCloseTo((laid.wDp * KIOSK_SCREEN.dpi) / 160, 0);
    expect((await code.locator('path').getAttribute('d'))!.length).toBeGreaterThan(100);
  });
});
