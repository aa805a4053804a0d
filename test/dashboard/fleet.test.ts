// The fleet view with a synthetic 5,000-row feed: it loads, keeps only the visible rows in the DOM, follows
// batched updates, filters, and fetches nothing but its own server (offline).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser } from 'playwright-core';
import { startDashboard, type Dashboard } from '../../simulator/dashboard/index.js';
import type { FleetRow } from '../../simulator/dashboard/wire.js';
import { haveChromium, launch, openPage, requireChromium } from './browser.js';

const ROWS = 5000;
const KINDS = ['door-reader', 'sos-button', 'generic'];

/** 5,000 rows; every call moves ~50 of them on (a new last event), as a busy fleet would. */
function syntheticFeed() {
  const rows: FleetRow[] = Array.from({ length: ROWS }, (_, k) => ({
    i: k + 1, id: `dev-${k + 1}`, kind: KINDS[k % 3]!, state: k % 10 === 0 ? 'connecting' : 'online', status: 'online', net: true,
    last: '', health: 'outbox 0', world: '',
  }));
  let calls = 0;
  return {
    calls: () => calls,
    rows() {
      calls++;
      for (let n = 0; n < 50; n++) {
        const row = rows[(calls * 50 + n) % ROWS]!;
        rows[row.i - 1] = { ...row, last: `sim.tick #${calls}` };
      }
      rows[0] = { ...rows[0]!, last: `sim.tick #${calls}` };
      return rows;
    },
  };
}

const maybe = haveChromium || process.env.CI ? describe : describe.skip;

maybe('dashboard fleet view (synthetic 5,000 rows, Chromium)', () => {
  let browser: Browser;
  let dashboard: Dashboard;
  const feed = syntheticFeed();

  beforeAll(async () => {
    requireChromium();
    dashboard = await startDashboard({ port: 0, source: feed, tickMs: 100, site: 'synthetic' });
    browser = await launch();
  });

  afterAll(async () => {
    await browser?.close();
    await dashboard?.close();
  });

  test('loads all rows, renders only the visible ones, follows updates and filters', async () => {
    const started = Date.now();
    const { page, foreign, errors } = await openPage(browser, dashboard.url);
    page.setDefaultTimeout(8000);
    await page.getByTestId('fleet-count').filter({ hasText: `${ROWS} of ${ROWS} devices` }).waitFor();
    console.log(`dashboard: ${ROWS} rows shown ${Date.now() - started} ms after navigation`);
    const inDom = await page.getByTestId('fleet-row').count();
    expect(inDom).toBeGreaterThan(10);
    expect(inDom).toBeLessThan(100); // virtualised

    // The first row follows the feed's batched updates.
    const first = page.locator('[data-testid="fleet-row"][data-device="dev-1"]');
    const before = await first.textContent();
    await page.waitForFunction((text) => document.querySelector('[data-device="dev-1"]')?.textContent !== text, before);

    // Scroll to the bottom: the last device is rendered, the first is not any more.
    await page.getByTestId('fleet').evaluate((el) => { el.scrollTop = el.scrollHeight; });
    await page.locator(`[data-device="dev-${ROWS}"]`).waitFor();
    expect(await first.count()).toBe(0);
    const frameMs = await page.evaluate(() => new Promise<number>((resolve) => {
      const t0 = performance.now();
      requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now() - t0)));
    }));
    console.log(`dashboard: two frames while updating ${ROWS} rows took ${frameMs.toFixed(1)} ms`);

    // Filters: kind, then text.
    const sos = Array.from({ length: ROWS }, (_, k) => k).filter((k) => KINDS[k % 3] === 'sos-button').length;
    await page.getByTestId('filter-kind').selectOption('sos-button');
    await page.getByTestId('fleet-count').filter({ hasText: `${sos} of ${ROWS} devices` }).waitFor();
    await page.getByTestId('filter-text').fill('dev-4997'); // k = 4996, a sos-button
    await page.getByTestId('fleet-count').filter({ hasText: `1 of ${ROWS} devices` }).waitFor();
    await page.locator('[data-device="dev-4997"]').waitFor();
    await page.getByTestId('filter-kind').selectOption('');
    await page.getByTestId('filter-text').fill('');
    await page.getByTestId('filter-state').selectOption('connecting');
    await page.getByTestId('fleet-count').filter({ hasText: `${ROWS / 10} of ${ROWS} devices` }).waitFor();

    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
