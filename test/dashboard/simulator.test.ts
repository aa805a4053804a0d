// The dashboard on a running simulator (in-process, broker and dashboard on free ports, 20× speed) in Chromium:
// the fleet loads; a badged card shows its grant on the door reader's page; an SOS press goes through the
// operator console (accept → dispatch → on site → resolve → close) and every step reaches the device; a fall
// replay raises an alarm and plots its acceleration with the detection and the alarm marked.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import type { Dashboard } from '../../simulator/dashboard/index.js';
import type { SosWorld } from '../../simulator/kinds/sos-button.js';
import type { ReferencePlatform } from '../../simulator/platform/index.js';
import type { Simulator } from '../../simulator/simulator.js';
import { haveChromium, openPage, startDashboardRig, stopDashboardRig, type DashboardRig } from './browser.js';

const maybe = haveChromium || process.env.CI ? describe : describe.skip;

maybe('dashboard on the simulator (Chromium)', () => {
  let rig: DashboardRig | undefined;
  let browser: Browser;
  let sim: Simulator;
  let platform: ReferencePlatform;
  let dashboard: Dashboard;

  beforeAll(async () => {
    const t0 = Date.now();
    // Synthetic traces only (the shared recordings are random and slow to read).
    rig = await startDashboardRig('door-reader:1,sos-button:2', (started) => {
      for (const device of started.devices) if (device.kind.model === 'sos-button') (device.world as SosWorld).dataDir = '/nonexistent';
    });
    ({ sim, browser } = rig);
    platform = sim.platform!;
    dashboard = sim.dashboard!;
    expect(platform).toBeDefined();
    expect(dashboard).toBeDefined();
    console.log(`dashboard test: simulator, platform, dashboard and Chromium up in ${Date.now() - t0} ms`);
  }, 40_000); // Chromium's first start and three device boots on a loaded 2-core machine

  afterAll(() => stopDashboardRig(rig));

  async function devicePage(page: Page, index: number): Promise<void> {
    await page.goto(`${dashboard.url}#/device/${index}`);
    await page.locator(`[data-testid="device-page"][data-device="sim-${index}"]`).waitFor();
  }

  test('the fleet loads', async () => {
    const { page, foreign, errors } = await openPage(browser, dashboard.url);
    page.setDefaultTimeout(10_000);
    await page.getByTestId('fleet-count').filter({ hasText: '3 of 3 devices' }).waitFor();
    await page.locator('[data-testid="fleet-row"][data-device="sim-1"]').filter({ hasText: 'door-reader' }).waitFor();
    await page.locator('[data-testid="fleet-row"][data-device="sim-1"]').filter({ hasText: 'online' }).waitFor();
    await page.locator('[data-testid="fleet-row"][data-device="sim-2"]').filter({ hasText: 'sos-button' }).waitFor();
    // A row opens the device page.
    await page.locator('[data-testid="fleet-row"][data-device="sim-3"]').click();
    await page.locator('[data-testid="device-page"][data-device="sim-3"]').waitFor();
    expect(foreign).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  test('badging a demo card shows the grant on the door reader\'s page', async () => {
    const { page, errors } = await openPage(browser, dashboard.url);
    page.setDefaultTimeout(10_000);
    await devicePage(page, 1);
    await page.getByTestId('card').selectOption('alice');
    await page.getByTestId('badge').click();
    await page.getByTestId('door-decision').filter({ hasText: 'access.granted' }).waitFor();
    await page.getByTestId('device-events').filter({ hasText: 'access.granted' }).waitFor();
    await page.getByTestId('results').filter({ hasText: 'card alice on the reader' }).waitFor();
    // A network cut from the page reaches the device.
    await page.getByTestId('net-toggle').click();
    await page.getByTestId('net-toggle').filter({ hasText: 'Restore network' }).waitFor();
    expect(sim.devices[0]!.networkUp).toBe(false);
    await page.getByTestId('net-toggle').click();
    await page.getByTestId('net-toggle').filter({ hasText: 'Cut network' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  });

  test('an SOS press goes through the console, and every step reaches the device', async () => {
    const { page, errors } = await openPage(browser, dashboard.url);
    page.setDefaultTimeout(10_000);
    await devicePage(page, 2);
    await page.getByTestId('sos-press').click();
    await page.getByTestId('sos-alarm').filter({ hasText: /^raised/ }).waitFor(); // after the 3 s confirmation window

    const console = await browser.newPage();
    console.setDefaultTimeout(10_000);
    await console.goto(`${dashboard.url}#/console`);
    const row = console.locator('[data-testid="alarm"][data-device="sim-2"]');
    await row.getByTestId('alarm-state').filter({ hasText: 'raised' }).waitFor();
    const steps: [string, string, string][] = [
      ['accept', 'accepted', 'accepted'], ['dispatch', 'dispatched', 'dispatched'], ['arrive', 'onsite', 'onsite'], ['resolve', 'resolved', 'resolved'],
    ];
    for (const [button, platformState, deviceState] of steps) {
      await row.getByTestId(`step-${button}`).click();
      await row.getByTestId('alarm-state').filter({ hasText: platformState }).waitFor();
      // The device shows the step (its page reads the app's own alarm state), or, once resolved, no alarm.
      await page.getByTestId('sos-alarm').filter({ hasText: deviceState === 'resolved' ? /^(resolved|none)/ : new RegExp(`^${deviceState}`) }).waitFor();
    }
    await row.getByTestId('step-close').click();
    await row.getByTestId('alarm-state').filter({ hasText: 'closed' }).waitFor();
    const incident = platform.alarms({ dev: 'sim-2' })[0]!;
    expect(incident.staff).toBe('Sam Guard');
    expect(incident.steps.map((step) => step.state)).toEqual(['raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'closed']);
    expect(errors).toEqual([]);
    await console.close();
    await page.close();
  }, 30_000); // the press window, then five steps each a round trip device ↔ broker ↔ platform at 20×

  test('a fall replay raises an alarm, plotted with the detection and the alarm marked', async () => {
    const { page, errors } = await openPage(browser, dashboard.url);
    page.setDefaultTimeout(10_000);
    await devicePage(page, 3);
    await page.getByTestId('sos-fall').click();
    await page.getByTestId('motion-plot').waitFor();
    await page.locator('[data-testid="motion-plot"] canvas').waitFor();
    await page.getByTestId('plot-detect').waitFor({ timeout: 15_000 });
    await page.getByTestId('sos-alarm').filter({ hasText: /^raised/ }).waitFor({ timeout: 15_000 }); // the 30 s cancel window
    await page.getByTestId('plot-alert').filter({ hasText: 'alarm.raised (fall)' }).waitFor();
    await page.goto(`${dashboard.url}#/console`);
    await page.locator('[data-testid="alarm"][data-device="sim-3"]').filter({ hasText: 'fall' }).waitFor();
    await page.goto(`${dashboard.url}#/events`);
    await page.getByTestId('events').filter({ hasText: 'alarm.raised' }).waitFor();
    expect(errors).toEqual([]);
    await page.close();
  }, 30_000); // a 5 s lead-in, the fall, 2.5 s to decide and a 30 s cancel window: ~2.5 s at 20×, more on a loaded machine
});
