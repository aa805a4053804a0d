// Debian's Chromium driven by playwright-core (no browser download). CI installs it (.ci/run); elsewhere a
// missing /usr/bin/chromium skips the browser suites, and with CI set it fails them.
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

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
