// Measures, in Debian's Chromium, the advance of each printable ASCII character in the fonts the kiosk's renderers
// draw Latin text with (the HTML renderer's CSS stack, and Open Sans for Piu), regular and bold, and prints the
// wider of them per character as the table rules.ts keeps (ADVANCES). Rerun when a renderer's font changes:
//
//   npx tsx scripts/kiosk/advances.ts
import { readFileSync } from 'node:fs';
import { launch } from '../../test/dashboard/browser.js';

const CSS = new URL('../../simulator/dashboard/client/kiosk-screen.css', import.meta.url);

/** The HTML renderer's font stack (bold for headings) and Piu's Open Sans (600 for headings), with their weights. */
function fonts(): (readonly string[])[] {
  const stack = /\.kiosk \{[^}]*font-family:\s*([^;]+);/.exec(readFileSync(CSS, 'utf8'))?.[1];
  if (!stack) throw new Error(`no font-family for .kiosk in ${CSS.pathname}`);
  return [[stack, 'normal', 'bold'], ['"Open Sans"', 'normal', '600']];
}
/** rules.ts's unit: 1/UNITS em, one character of the table per advance, offset from '0'. */
const UNITS = 40;

async function main(): Promise<void> {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    // Without Open Sans installed (Debian's fonts-open-sans) the canvas would measure a fallback instead.
    const installed = await page.evaluate(() => {
      const canvas = document.createElement('canvas').getContext('2d')!;
      canvas.font = '100px "Open Sans", monospace';
      const open = canvas.measureText('abcdefghij').width;
      canvas.font = '100px monospace';
      return open !== canvas.measureText('abcdefghij').width;
    });
    if (!installed) throw new Error('Open Sans is not installed (Debian: fonts-open-sans)');
    const widths = await page.evaluate(([fonts, units]) => {
      const canvas = document.createElement('canvas').getContext('2d')!;
      const out: number[] = [];
      for (let c = 32; c < 127; c++) {
        let widest = 0;
        for (const [family, ...weights] of fonts) {
          for (const weight of weights) {
            canvas.font = `${weight} 1000px ${family}`;
            widest = Math.max(widest, canvas.measureText(String.fromCharCode(c)).width);
          }
        }
        out.push(Math.ceil((widest / 1000) * units));
      }
      return out;
    }, [fonts(), UNITS] as const);
    const table = widths.map((w) => String.fromCharCode(48 + w)).join('');
    process.stdout.write(`${JSON.stringify(table)}\n${widths.join(',')}\n`);
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`advances: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
