// The kiosk on the dashboard (in-process simulator, Chromium): its page draws the kiosk's live screen, and taps on
// it go through the kind's world to the app, as a finger would. A resident switches to elderly mode and taps through
// a repair report (card on the reader from the page); the kiosk sends it and says so (it speaks in elderly mode); a queue number taken on the screen comes out of
// the simulated printer and shows among the page's receipts. One page, the tests in order on one kiosk.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import { translate } from '../../firmware/apps/kiosk/screen/strings/index.js';
import type { KioskWorld } from '../../simulator/kinds/kiosk.js';
import { startSimulator, type Simulator } from '../../simulator/simulator.js';
import { haveChromium, launch, openPage, requireChromium } from '../dashboard/browser.js';
import { liveScreen } from './live-screen.js';

const maybe = haveChromium || process.env.CI ? describe : describe.skip;

maybe('the kiosk on the dashboard (Chromium)', () => {
  let browser: Browser | undefined;
  let sim: Simulator | undefined;
  let world: KioskWorld;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    requireChromium();
    const output = new Writable({ write: (_chunk, _encoding, done) => done() });
    // 5×, not the rig's 20×: the kiosk asks "more time?" after 120 s of no input (elderly mode), 24 s here, well
    // beyond a slow tap's round trip through the dashboard.
    sim = await startSimulator({ fleet: 'kiosk:1', port: 0, http: 0, speed: 5, tty: false, output });
    browser = await launch();
    await sim.monitor.waitFor((monitor) => monitor.row('sim-1')?.status !== undefined, 15_000);
    world = sim.devices[0]!.world as KioskWorld;
    const url = sim.dashboard!.url;
    ({ page, errors } = await openPage(browser, url));
    page.setDefaultTimeout(10_000);
    await page.goto(`${url}#/device/1`);
    await page.getByTestId('kiosk-controls').waitFor();
  }, 40_000); // Chromium's first start and a boot on a loaded 2-core machine

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
  });

  const { live, screenIs, tap } = liveScreen(() => page);


  test('a repair report tapped through on the page in elderly mode is sent, and the kiosk says so', async () => {
    await screenIs('home');
    await live().locator('button[data-id="mode"]').click();
    await live().locator('.kiosk-elderly').waitFor();
    await tap('svc.repair', 'identify');
    await page.getByTestId('kiosk-card').selectOption(world.cards[0]!.name);
    await page.getByTestId('kiosk-card-present').click();
    await screenIs('repair.category');
    await tap('cat.water', 'repair.location');
    const unit = await live().locator('button[data-id="loc.unit"]').count();
    await tap(unit ? 'loc.unit' : 'loc.corridor', 'repair.phrase');
    await tap('phrase.leak', 'repair.confirm');
    await tap('repair.send', 'repair.done');
    await live().locator('[data-id="repair.sent"]').waitFor();
    await page.getByTestId('kiosk-spoken').filter({ hasText: translate('zh', 'say.repairSent') }).waitFor();
    await page.getByTestId('device-events').filter({ hasText: 'kiosk.repair' }).waitFor();
    expect(world.spoken.at(-1)?.clip).toBe('say.repairSent');
    expect(errors).toEqual([]);
  }, 20_000);

  test('a queue number taken on the page is printed by the simulated printer and listed on the page', async () => {
    await tap('nav.home', 'home');
    await tap('svc.queue', 'queue');
    const before = world.receipts().length;
    await tap('queue.take', 'queue.ticket');
    await page.getByTestId('kiosk-printed').filter({ hasText: String(before + 1) }).waitFor();
    const shown = await live().locator('[data-id="queue.number"]').textContent();
    const receipt = await page.getByTestId('kiosk-receipt').first().textContent();
    expect(shown).toMatch(/\d+/);
    expect(receipt).toContain(shown!.match(/\d+/)![0]);
    expect(errors).toEqual([]);
  }, 20_000);
});
