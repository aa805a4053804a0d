// Writes one PNG per kiosk screen × language × mode, as the board's display shows it, drawn by the browser
// renderer in Debian's Chromium (no browser download, no server): OUTDIR/<screen>-<zh|en>-<standard|elderly>.png.
//
//   npm run kiosk:screens -- OUTDIR
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { LANGUAGES } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { launch } from '../../test/dashboard/browser.js';
import { galleryViews, KIOSK_SCREEN, MODE_NAMES, openGallery, showView } from './gallery.js';

async function main(outdir: string): Promise<void> {
  mkdirSync(outdir, { recursive: true });
  const browser = await launch();
  try {
    const page = await openGallery(browser, KIOSK_SCREEN);
    let written = 0;
    for (const mode of MODE_NAMES) {
      for (const { name, view } of galleryViews(KIOSK_SCREEN, mode)) {
        for (const lang of LANGUAGES) {
          await showView(page, KIOSK_SCREEN, view, lang);
          await page.screenshot({ path: join(outdir, `${name}-${lang}-${mode}.png`) });
          written++;
        }
      }
    }
    process.stdout.write(`kiosk:screens: ${written} PNGs in ${outdir} (${KIOSK_SCREEN.widthPx}×${KIOSK_SCREEN.heightPx} at ${KIOSK_SCREEN.dpi} dpi)\n`);
  } finally {
    await browser.close();
  }
}

new Command('kiosk:screens')
  .argument('<outdir>', 'where the PNGs go')
  .action((outdir: string) => main(outdir))
  .parseAsync()
  .catch((error: unknown) => {
    process.stderr.write(`kiosk:screens: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
