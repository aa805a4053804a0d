// The kiosk's live screen on a dashboard page (Chromium): wait for a screen, and tap an element as a resident would,
// paging forward to it first. Shared by the kiosk's browser tests.
import type { Page } from 'playwright-core';

export function liveScreen(page: () => Page) {
  const live = () => page().getByTestId('kiosk-live');
  const screenIs = (screen: string) => live().locator(`.kiosk[data-screen="${screen}"]`).waitFor();
  /** Taps `id`, paging forward to it first; then waits for `screen`. */
  async function tap(id: string, screen: string): Promise<void> {
    const target = live().locator(`button[data-id="${id}"]`);
    while (!(await target.count())) {
      const shown = await live().locator('.kiosk').getAttribute('data-page');
      await live().locator('button[data-id="page.next"]').click();
      await live().locator(`.kiosk:not([data-page="${shown}"])`).waitFor();
    }
    await target.click();
    await screenIs(screen);
  }
  return { live, screenIs, tap };
}
