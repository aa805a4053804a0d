// Icons as marks drawn in the text's font. The marks that carry meaning without colour (a step done, current or
// to do; offline; queued; alert; paging; the keypad) each have plain-ASCII stand-ins, so even a build whose font is
// ASCII only (the Linux preview) tells the states apart. Other icons (category pictures) are decoration and are
// drawn only when the build's fonts carry them.
import type { FontSet } from './fonts.js';

const DIGITS = Object.freeze(Object.fromEntries(Array.from({ length: 10 }, (_, d) => [`digit${d}`, Object.freeze([String(d)])])));

/** Candidates per icon name, preferred first. */
export const ICON_MARKS: Readonly<Record<string, readonly string[]>> = Object.freeze({
  ...DIGITS,
  check: Object.freeze(['✓', '+']),
  arrow: Object.freeze(['▶', '>']),
  circle: Object.freeze(['○', 'o']),
  offline: Object.freeze(['✕', 'x']),
  clock: Object.freeze(['◷', '~']),
  alert: Object.freeze(['⚠', '!']),
  backspace: Object.freeze(['⌫', '<']),
  up: Object.freeze(['▲', '^']),
  down: Object.freeze(['▼', 'v']),
});

/** The mark for an icon, or '' when there is none the fonts can draw. */
export function iconMark(fonts: FontSet, icon: string | undefined): string {
  const candidates = icon && Object.hasOwn(ICON_MARKS, icon) ? ICON_MARKS[icon]! : [];
  for (const mark of candidates) if ([...mark].every((c) => fonts.covers(c))) return mark;
  return '';
}
