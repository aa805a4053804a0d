// The kiosk's closed loops through the reference platform, in Chromium on the dashboard (in-process simulator: a
// kiosk and a door reader, the embedded broker, the platform): a resident files a repair report at "my home" by
// tapping the kiosk's live screen; the staff accept, dispatch, arrive and resolve it on the operator console; the
// kiosk shows each step, and the resident rates it there. A visitor pass asked for on the kiosk is signed by the
// platform, shown as a QR code and printed, and the door reader grants it. A queue ticket comes out of the printer;
// a notice published from the page reaches the kiosk's notice board.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { Writable } from 'node:stream';
import type { Browser, Page } from 'playwright-core';
import type { KioskWorld } from '../../simulator/kinds/kiosk.js';
import type { ReferencePlatform } from '../../simulator/platform/index.js';
import { startSimulator, type Simulator } from '../../simulator/simulator.js';
import { haveChromium, launch, openPage, requireChromium } from '../dashboard/browser.js';
import { liveScreen } from './live-screen.js';

const maybe = haveChromium || process.env.CI ? describe : describe.skip;

maybe('the kiosk through the platform (Chromium)', () => {
  let browser: Browser | undefined;
  let sim: Simulator | undefined;
  let platform: ReferencePlatform;
  let kiosk: KioskWorld;
  let page: Page;
  let errors: string[];

  beforeAll(async () => {
    requireChromium();
    const output = new Writable({ write: (_chunk, _encoding, done) => done() });
    // 5×: the kiosk forgets the resident after 60 s without input (12 s here), beyond a tap's round trip.
    sim = await startSimulator({ fleet: 'kiosk:1,door-reader:1', port: 0, http: 0, speed: 5, tty: false, output });
    platform = sim.platform!;
    browser = await launch();
    await sim.monitor.waitFor((monitor) => monitor.row('sim-1')?.status !== undefined && monitor.row('sim-2')?.status !== undefined, 15_000);
    await platform.waitFor((p) => p.device('sim-1')?.state === 'online' && p.device('sim-2')?.state === 'online', 15_000);
    kiosk = sim.devices[0]!.world as KioskWorld;
    ({ page, errors } = await openPage(browser, sim.dashboard!.url));
    page.setDefaultTimeout(10_000);
  }, 40_000); // Chromium's first start and two boots on a loaded 2-core machine

  afterAll(async () => {
    await browser?.close();
    await sim?.stop();
  });

  const { live, screenIs, tap } = liveScreen(() => page);

  async function kioskPage(): Promise<void> {
    await page.goto(`${sim!.dashboard!.url}#/device/1`);
    await page.getByTestId('kiosk-controls').waitFor();
  }


  /** Home, then a service that asks for a card: alice's card on the reader (unless the kiosk still knows her). */
  async function asAlice(service: string, screen: string): Promise<void> {
    if (!(await live().locator('.kiosk[data-screen="home"]').count())) await tap('nav.home', 'home');
    await live().locator(`button[data-id="${service}"]`).click();
    await live().locator(`.kiosk[data-screen="identify"], .kiosk[data-screen="${screen}"]`).waitFor();
    if (await live().locator('.kiosk[data-screen="identify"]').count()) {
      await page.getByTestId('kiosk-card').selectOption('alice');
      await page.getByTestId('kiosk-card-present').click();
    }
    await screenIs(screen);
  }

  test('a repair report filed at "my home" is moved by the staff on the console, followed on the kiosk, and rated there', async () => {
    await kioskPage();
    await asAlice('svc.repair', 'repair.category');
    await tap('cat.water', 'repair.location');
    await tap('loc.home', 'repair.phrase');
    await tap('phrase.leak', 'repair.confirm');
    await tap('repair.send', 'repair.done');
    await platform.waitFor((p) => p.repairs().length === 1, 10_000);
    const filed = platform.repairs()[0]!;
    expect(filed).toMatchObject({ dev: 'sim-1', category: 'cat.water', location: 'loc.home', unit: '3-1502', phrase: 'phrase.leak', stage: 'submitted' });

    // The staff's side: the console's repair list, one step after the other, each shown on the kiosk.
    await page.goto(`${sim!.dashboard!.url}#/console`);
    const row = page.locator(`[data-testid="repair"][data-ref="${filed.ref}"]`);
    await row.waitFor();
    for (const [step, stage] of [['accept', 'accepted'], ['dispatch', 'dispatched'], ['arrive', 'onsite'], ['resolve', 'resolved']] as const) {
      await row.getByTestId(`repair-${step}`).click();
      await row.getByTestId('repair-stage').filter({ hasText: stage }).waitFor();
      await row.getByTestId('repair-shown').filter({ hasText: stage }).waitFor({ timeout: 15_000 });
    }
    expect(platform.repair('sim-1', filed.ref)).toMatchObject({ stage: 'resolved', shown: 'resolved', staff: 'Sam Guard' });

    // The resident comes back: "my reports" shows it resolved and asks for a rating.
    await kioskPage();
    await asAlice('svc.reports', 'reports');
    await tap(`report.${filed.ref}`, 'report');
    // The stars are offered only for a resolved report.
    await tap('rate.5', 'report.rated');
    await platform.waitFor((p) => p.repair('sim-1', filed.ref)?.stars === 5, 10_000);
    await page.goto(`${sim!.dashboard!.url}#/console`);
    await page.locator(`[data-testid="repair"][data-ref="${filed.ref}"]`).getByTestId('repair-stars').filter({ hasText: '★★★★★' }).waitFor();
    expect(errors).toEqual([]);
  }, 90_000);

  test('a visitor pass asked for on the kiosk is signed by the platform, shown, printed, and opens the door', async () => {
    await kioskPage();
    await asAlice('svc.visitor', 'visitor.count');
    await live().locator('button[data-id="key.2"]').click();
    await live().locator('[data-id="visitor.keypad.entry"]').filter({ hasText: '2' }).waitFor();
    await tap('visitor.next', 'visitor.time');
    await tap('time.4h', 'visitor.confirm');
    const printed = kiosk.receipts().length;
    // "Waiting for the pass", or already the pass: the platform may answer before the page shows the wait.
    await live().locator('button[data-id="visitor.request"]').click();
    await screenIs('visitor.pass');
    const payload = await live().locator('[data-payload]').getAttribute('data-payload');
    const request = platform.passRequests().at(-1)!;
    expect(request).toMatchObject({ dev: 'sim-1', visitors: 2, hours: 4, delivered: true });
    expect(payload).toBe(request.payload);
    expect(platform.passes().find((pass) => pass.passId === request.passId)).toMatchObject({ doors: [0], maxUses: 2 });
    await page.getByTestId('kiosk-printed').filter({ hasText: String(printed + 1) }).waitFor();
    expect(await page.getByTestId('kiosk-receipt').first().textContent()).toContain(`[QR ${payload}]`);

    // The visitor shows the printed code at the door.
    sim!.command(`qr 2 ${payload}`);
    await platform.waitFor((p) => p.events({ dev: 'sim-2', type: 'access.granted' }).length > 0, 10_000);
    expect(platform.events({ dev: 'sim-2', type: 'access.granted' }).at(-1)!.data).toMatchObject({ kind: 'pass' });
    expect(errors).toEqual([]);
  }, 60_000);

  test('a queue ticket is printed and reaches the platform; a notice published from the page shows on the kiosk', async () => {
    await kioskPage();
    if (!(await live().locator('.kiosk[data-screen="home"]').count())) await tap('nav.home', 'home');
    await tap('svc.queue', 'queue');
    const printed = kiosk.receipts().length;
    await tap('queue.take', 'queue.ticket');
    const number = Number(((await live().locator('[data-id="queue.number"]').textContent()) ?? '').match(/\d+/)![0]);
    await page.getByTestId('kiosk-printed').filter({ hasText: String(printed + 1) }).waitFor();
    await platform.waitFor((p) => p.tickets().some((t) => t.number === number && t.printed), 10_000);

    await page.getByTestId('notice-en').fill('Lift service');
    await page.getByTestId('notice-zh').fill('电梯检修');
    await page.getByTestId('notice-publish').click();
    await page.getByTestId('notice-outcome').filter({ hasText: /^✓ notices version 1: sim-1 ok/ }).waitFor();
    await page.getByTestId('notices-taken').filter({ hasText: 'version 1' }).waitFor();
    await tap('nav.home', 'home');
    await tap('svc.notices', 'notices');
    await live().filter({ hasText: '电梯检修' }).waitFor();
    expect(errors).toEqual([]);
  }, 40_000);
});
