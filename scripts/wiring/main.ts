// npm run wiring — draws docs/wiring/<board>.svg for every board a device entry point starts, from the board data
// and the app's parts table (drawings.ts), and writes the pin tables of docs/installing.md (markdown.ts).
// `npm run wiring -- --check` writes nothing and fails when a committed drawing or table differs.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { drawings, guide, GUIDE } from './drawings.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');

try {
  let stale = 0;
  const all = await drawings(root);
  for (const drawing of all) {
    const upToDate = drawing.committed === drawing.generated;
    if (!upToDate && !check) {
      mkdirSync(dirname(join(root, drawing.path)), { recursive: true });
      writeFileSync(join(root, drawing.path), drawing.generated);
    }
    if (!upToDate) stale++;
    const state = upToDate ? 'up to date' : check ? 'STALE (run npm run wiring)' : 'updated';
    console.log(`${drawing.path}: ${state} (${drawing.wiring.mcu.length} pins, ${drawing.wiring.parts.length} parts)`);
  }
  const tables = guide(root, all);
  if (tables.generated !== tables.committed) {
    stale++;
    if (!check) writeFileSync(join(root, GUIDE), tables.generated);
  }
  console.log(`${GUIDE}: pin tables ${tables.generated === tables.committed ? 'up to date' : check ? 'STALE (run npm run wiring)' : 'updated'}`);
  if (check && stale > 0) process.exitCode = 1;
} catch (error) {
  // Board data that cannot be drawn (a pin wired to nothing, two parts on one GPIO): nothing is written.
  console.error(`wiring: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
