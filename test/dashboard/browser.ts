// Debian's Chromium driven by playwright-core (no browser download). CI installs it (.ci/run); elsewhere a
// missing /usr/bin/chromium skips the browser suites, and with CI set it fails them.
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startSimulator, type Simulator } from '../../simulator/simulator.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM);

export function requireChromium(): void {
  if (!haveChromium && process.env.CI) throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium`);
}

export async function launch(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
}

/** A page that records every request that leaves `origin` (the dashboard must work offline). */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; foreign: string[]; errors: string[] }> {
  const page = await browser.newPage();
  const origin = new URL(url).origin;
  const foreign: string[] = [];
  const errors: string[] = [];
  page.on('request', (request) => {
    const target = request.url();
    if (!target.startsWith(origin) && !target.startsWith(origin.replace('http', 'ws')) && !target.startsWith('data:')) foreign.push(target);
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, foreign, errors };
}

/** A running simulator (in-process, broker and dashboard on free ports, 20× speed, output dropped) and Chromium. */
export interface DashboardRig {
  sim: Simulator;
  browser: Browser;
}

/**
 * Starts the simulator with `fleet` and Chromium, and waits until every device has reported its status to the
 * monitor. `prepare` runs on the simulator before the wait (e.g. to pick synthetic traces).
 */
export async function startDashboardRig(fleet: string, prepare?: (sim: Simulator) => void): Promise<DashboardRig> {
  requireChromium();
  const output = new Writable({ write: (_chunk, _encoding, done) => done() });
  const sim = await startSimulator({ fleet, port: 0, http: 0, speed: 20, tty: false, output });
  prepare?.(sim);
  const browser = await launch();
  const count = sim.devices.length;
  await sim.monitor.waitFor((monitor) => [...monitor.rows.values()].filter((row) => row.status !== undefined).length === count, 15_000);
  return { sim, browser };
}

export async function stopDashboardRig(rig: DashboardRig | undefined): Promise<void> {
  await rig?.browser.close();
  await rig?.sim.stop();
}
