// The pin table of each board for docs/installing.md, from the same Wiring as the drawing, so the table and the
// picture cannot disagree. The document marks where each table goes:
//   <!-- wiring-table esp32-door-reader -->  ...generated...  <!-- /wiring-table -->
import type { Wiring } from './model.js';

export function pinTable(wiring: Wiring): string {
  const rows = wiring.mcu.map((pin) => {
    const ends = wiring.parts.flatMap((part) => part.pins.filter((p) => p.net === pin.net).map((p) => `${part.name} ${p.label}`));
    const notes = [...pin.flags, ...pin.notes.map((n) => wiring.notes[n - 1] ?? '')];
    return `| ${pin.net} | ${pin.names.map((name) => `\`${name}\``).join(', ') || '—'} | ${ends.join(', ')} | ${notes.join('; ') || ''} |`;
  });
  const own = wiring.parts.flatMap((part) => part.pins.filter((p) => p.own !== undefined).map((p) => `${part.name} ${p.label} ← ${p.own}`));
  if (own.length > 0) rows.push(`| — | own supplies | ${own.join(', ')} | not from the ESP32; grounds joined |`);
  return ['| ESP32 pin | name in the board file | goes to (part, module pin) | mind |', '|---|---|---|---|', ...rows].join('\n');
}

const BLOCK = /<!-- wiring-table ([\w-]+) -->\n[\s\S]*?<!-- \/wiring-table -->/g;

/** `doc` with every marked table replaced; throws on a marker naming a board that has no drawing. */
export function fillTables(doc: string, wirings: readonly Wiring[]): string {
  return doc.replace(BLOCK, (_, board: string) => {
    const wiring = wirings.find((w) => w.board === board);
    if (wiring === undefined) throw new Error(`docs/installing.md: wiring-table ${board} names no drawn board`);
    return `<!-- wiring-table ${board} -->\n${pinTable(wiring)}\n<!-- /wiring-table -->`;
  });
}
