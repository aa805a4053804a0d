// The kiosk's screens in Chromium without a server: every screen of the model's tour, laid out for the board's
// display in each mode, shown one at a time in a static page (the browser renderer, bundled by esbuild) in either
// language. Used by `npm run kiosk:screens` and test/kiosk/screens-browser.test.ts.
import type { Browser, Page } from 'playwright-core';
import { tapIds } from '../../firmware/apps/kiosk/screen/layout.js';
import { KioskScreens, type KioskView } from '../../firmware/apps/kiosk/screen/machine.js';
import { MODES, type Mode, type ScreenSpec } from '../../firmware/apps/kiosk/screen/modes.js';
import type { LaidNode } from '../../firmware/apps/kiosk/screen/layout.js';
import type { Language } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { esp32s3Kiosk } from '../../hal/boards/esp32s3-kiosk.js';
import { buildClient } from '../../simulator/dashboard/bundle.js';
import { apply, MemoryFake, tour } from '../../test/xs/entries/kiosk-screen.js';

/** The kiosk board's display (4", 480 × 320 at 144 dpi). */
export const KIOSK_SCREEN: ScreenSpec = esp32s3Kiosk.screen;

export const MODE_NAMES = Object.freeze(Object.keys(MODES) as Mode[]);

export interface GalleryView {
  /** The screen's name, `.p2`... for later pages. */
  name: string;
  mode: Mode;
  view: KioskView;
}

const size = (nodes: readonly LaidNode[]): number => nodes.reduce((n, node) => n + 1 + size(node.items ?? []), 0);

/**
 * Every screen (and page) the tour visits in one mode; of a screen's several states, the one with the most on it
 * (a report with its rating, home with a resident signed in, a screen with its offline status).
 */
export function galleryViews(screen: ScreenSpec, mode: Mode): GalleryView[] {
  const kiosk = new KioskScreens({ screen, memory: new MemoryFake() });
  if (mode === 'elderly') kiosk.tap('mode');
  const kept = new Map<string, KioskView>();
  const keep = () => {
    const view = kiosk.view;
    const name = view.page ? `${view.screen}.p${view.page + 1}` : view.screen;
    const before = kept.get(name);
    if (!before || size([...view.body, ...view.actions]) > size([...before.body, ...before.actions])) kept.set(name, view);
  };
  keep();
  for (const step of tour(mode === 'elderly')) {
    if (step[0] === 'find') {
      // Page forward as a resident would, keeping each page on the way.
      while (!tapIds(kiosk.view).includes(step[1]) && tapIds(kiosk.view).includes('page.next')) {
        kiosk.tap('page.next');
        keep();
      }
    }
    apply(kiosk, step);
    keep();
  }
  return [...kept].sort(([a], [b]) => a.localeCompare(b)).map(([name, view]) => ({ name, mode, view }));
}

/** The static page: the kiosk renderer's bundle inline, nothing fetched. */
export async function galleryHtml(): Promise<string> {
  const { js, css } = await buildClient('kiosk-page.tsx');
  const script = js.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>Kiosk screens</title><style>body{margin:0}${css}</style></head>`
    + `<body><div id="root"></div><script>${script}</script></body></html>`;
}

/** What simulator/dashboard/client/kiosk-page.tsx puts on the page's window. */
export interface GalleryWindow {
  showKiosk(view: KioskView, scale: number): void;
  /** Every tapped node's id, oldest first. */
  kioskTaps: string[];
}

/** A Chromium page the size of the board's display, ready to show views. */
export async function openGallery(browser: Browser, screen: ScreenSpec): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: screen.widthPx, height: screen.heightPx } });
  await page.setContent(await galleryHtml());
  return page;
}

/** Shows a view in a language at the board's own pixels (1 dp = dpi / 160 px). */
export async function showView(page: Page, screen: ScreenSpec, view: KioskView, lang: Language): Promise<void> {
  await page.evaluate(([v, scale]) => (window as unknown as GalleryWindow).showKiosk(v, scale), [{ ...view, lang }, screen.dpi / 160] as const);
}
