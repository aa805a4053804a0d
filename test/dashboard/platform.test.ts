// The device page's platform side on a running simulator (in-process, 20× speed) in Chromium: a credential list
// synced from the page's CSV adds a new card, which the door then grants; a visitor pass issued on the page and
// scanned on the door is granted; a signed unlock opens the lock; a desired config sent from the page is applied.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { Dashboard } from '../../simulator/dashboard/index.js';
import type { ReferencePlatform } from '../../simulator/platform/index.js';
import type { Simulator } from '../../simulator/simulator.js';
import { haveChromium, openPage, startDashboardRig, stopDashboardRig, type DashboardRig } from './browser.js';

const maybe = haveChromium || process.env.CI ? describe : describe.skip;
const NEW_CARD = '04c0ffee000009';

maybe('dashboard: platform actions on a device page (Chromium)', () => {
  let rig: DashboardRig | undefined;
  let browser: Browser;
  let sim: Simulator;
  let platform: ReferencePlatform;
  let dashboard: Dashboard;

  beforeAll(async () => {
    rig = await startDashboardRig('door-reader:1');
    ({ sim, browser } = rig);
    platform = sim.platform!;
    dashboard = sim.dashboard!;
  }, 40_000); // Chromium's first start and a device boot on a loaded 2-core machine

  afterAll(() => stopDashboardRig(rig));

  async function doorPage(): Promise<{ page: Page; errors: string[] }> {
    const { page, errors } = await openPage(browser, `${dashboard.url}#/device/1`);
    page.setDefaultTimeout(10_000);
    await page.locator('[data-testid="device-page"][data-device="sim-1"]').waitFor();
    await page.getByTestId('door-platform').waitFor();
    return { page, errors };
  }

  /** Waits for an access decision newer than `before` and returns it. */
  async function nextDecision(page: Page, before: string): Promise<string> {
    const decision = page.getByTestId('door-decision');
    const deadline = Date.now() + 10_000;
    for (;;) {
      const text = (await decision.count()) > 0 ? (await decision.textContent()) ?? '' : '';
      if (text !== before) return text;
      if (Date.now() > deadline) throw new Error(`no access decision after "${before}"`);
      await page.waitForTimeout(100);
    }
  }

  test('a credential list synced from the page adds a card, which the door then grants', async () => {
    const { page, errors } = await doorPage();
    await page.getByTestId('card-uid').fill(NEW_CARD);
    await page.getByTestId('badge-uid').click();
    let decision = await nextDecision(page, '');
    expect(decision).toContain('access.denied');

    const csv = page.getByTestId('credentials-csv');
    const list = await csv.inputValue();
    expect(list).toContain('04a11ce0000001'); // alice, from the demo list
    await csv.fill(`${list.trimEnd()}\ncard,${NEW_CARD},,,0,,\n`);
    await page.getByTestId('credentials-sync').click();
    await page.getByTestId('sync-status').filter({ hasText: /^✓ .*synced/ }).waitFor({ timeout: 15_000 });
    expect(platform.credentialList('sim-1')?.credentials.length).toBe(8);

    await page.getByTestId('badge-uid').click();
    decision = await nextDecision(page, decision);
    expect(decision).toContain('access.granted');
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000); // a denial, a sync (status, begin, chunks, commit: each a round trip) and a grant at 20×

  test('a visitor pass issued on the page and scanned on the door is granted; a signed unlock opens the lock', async () => {
    const { page, errors } = await doorPage();
    const before = await page.getByTestId('door-decision').count() > 0 ? (await page.getByTestId('door-decision').textContent()) ?? '' : '';
    await page.getByTestId('issue-pass').click();
    const text = (await page.getByTestId('pass-text').textContent()) ?? '';
    expect(platform.passes().map((pass) => pass.text)).toContain(text);
    await page.getByTestId('scan-pass').click();
    expect(await nextDecision(page, before)).toContain('access.granted');

    await page.getByTestId('signed-unlock').click();
    await page.getByTestId('unlock-result').filter({ hasText: '✓ sim-1: door.unlock → ok' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  test('a desired config sent from the page is applied, and telemetry is plotted', async () => {
    const { page, errors } = await doorPage();
    const config = page.getByTestId('desired-config');
    await config.fill('{ "unlockMs": ');
    await page.getByTestId('config-error').filter({ hasText: /\S/ }).waitFor();
    expect(await page.getByTestId('config-send').isDisabled()).toBe(true);
    await config.fill('{ "unlockMs": 6000, "healthIntervalS": 10 }'); // health telemetry every 0.5 s at 20×
    await page.getByTestId('config-send').click();
    await page.getByTestId('config-outcome').filter({ hasText: /^✓ .*desired config version \d+ sent/ }).waitFor();
    const version = platform.config('sim-1').desired!.version;
    await page.getByTestId('config-reported').filter({ hasText: `version ${version}` }).waitFor({ timeout: 15_000 });
    expect(platform.config('sim-1').reported?.config.unlockMs).toBe(6000);
    expect(sim.devices[0]!.runtime?.config.values.unlockMs).toBe(6000);
    // The health telemetry plot, once the device has sent two points at the new interval.
    await page.locator('[data-testid="telemetry-plot"] canvas').waitFor();
    expect(platform.telemetry('sim-1').history.length).toBeGreaterThan(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
