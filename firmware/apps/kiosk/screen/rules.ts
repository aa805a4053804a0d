// Every rule of the screen's mode checked on a laid-out screen: text sizes, target sizes, contrast computed from
// the palette, line spacing, colour never the only cue, no time pressure, choices per page, fit, focus order, and
// every text fitting its box in every language (a laid screen does not change when the language does).
// layout() meets them by construction; this is the proof, and what catches a screen (or a renderer's tweak)
// that does not.
import { PAGE_NEXT, PAGE_PREV, type LaidNode, type LaidScreen } from './layout.js';
import { MODES } from './modes.js';
import { contrast, PALETTES } from './palette.js';
import { LANGUAGES, translate } from './strings/index.js';

export type RuleName = 'bodyText' | 'largestText' | 'target' | 'contrast' | 'lineHeight' | 'colourOnly' | 'timing' | 'paging' | 'fits' | 'focus' | 'textWidth';

export interface Violation {
  readonly rule: RuleName;
  /** The node's id ('screen' for the screen as a whole). */
  readonly id: string;
  readonly detail: string;
}

const INTERACTIVE = new Set(['button', 'key']);

// Text width, estimated so that it is never less than what either renderer draws. Printable ASCII advances in
// 1/40 em, one character each from '0' (0 em): per character the wider of the HTML renderer's font (its CSS
// stack: WenQuanYi Micro Hei where CI runs Chromium) and Piu's Open Sans semibold (wider than its regular),
// measured in Chromium by scripts/kiosk/advances.ts. CJK, full-width and any other character count 1 em: no
// glyph of those fonts is wider.
const ADVANCES = ';<BJGSN:==GG;=;@GGGGGGGGGG;<GGGCTKKJNGFNO><JFUPPIPJFGNIVIHH>@>FBHHIDIH?GJ<<G<WJIIIBD@JFQGFD@G@G';
const ADVANCE_UNITS = 40;
/** What a box takes from its text's width, in em of its font (kiosk-screen.css: a button's padding .5em a side,
 * a status line's .4em; an icon 1.2em and its gap .4em; Piu's icon mark and a space take less). */
const PADDING_EM: Readonly<Partial<Record<LaidNode['role'], number>>> = Object.freeze({ button: 1, status: 0.8 });
const ICON_EM = 1.6;
/** Text the platform sends (notices): not the string tables', it wraps and scrolls as the renderer can. */
const OUTSIDE_TEXT = 'notice.text';

/** A character's estimated advance, in em. */
export const advance = (code: number): number => (code >= 32 && code < 127 ? (ADVANCES.charCodeAt(code - 32) - 48) / ADVANCE_UNITS : 1);

/**
 * The lines `text` takes at `widthEm` em a line: it breaks after spaces and on either side of a CJK character (the
 * way both renderers wrap), filling each line greedily. Infinity when one word alone is wider than a line.
 */
export function linesOf(text: string, widthEm: number): number {
  let lines = 1;
  let line = 0; // the current line's width up to its last break
  let space = 0; // spaces since then, counted only if a word follows on the same line
  let word = 0;
  const place = () => {
    if (word > widthEm) lines = Infinity;
    else if (line > 0 && line + space + word > widthEm) { lines++; line = word; }
    else line += (line > 0 ? space : 0) + word;
    space = 0;
    word = 0;
  };
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 32) {
      if (word > 0) place();
      space += advance(code);
    } else if (code >= 0x2e80) {
      if (word > 0) place();
      word = 1;
      place();
    } else {
      word += advance(code);
    }
  }
  if (word > 0) place();
  return lines;
}
const round = (n: number) => Math.round(n * 100) / 100;

function walk(nodes: readonly LaidNode[], visit: (n: LaidNode) => void): void {
  for (const n of nodes) {
    visit(n);
    if (n.items) walk(n.items, visit);
  }
}

export function checkRules(laid: LaidScreen): Violation[] {
  const spec = MODES[laid.mode];
  const min = spec.min;
  const palette = PALETTES[laid.palette];
  const out: Violation[] = [];
  const add = (rule: RuleName, id: string, detail: string) => out.push({ rule, id, detail });
  const all: LaidNode[] = [];
  walk([laid.title, ...laid.body, ...laid.actions], (n) => all.push(n));

  let largest = 0;
  const focus: number[] = [];
  const iconOfState = new Map<string, string>();
  for (const n of all) {
    const hasText = n.text !== undefined;
    if (hasText) {
      largest = Math.max(largest, n.fontDp);
      if (n.fontDp < min.bodyDp) add('bodyText', n.id, `${round(n.fontDp)} dp < ${min.bodyDp} dp`);
      if (n.lineHeight < min.lineHeight) add('lineHeight', n.id, `${n.lineHeight} < ${min.lineHeight}`);
    }
    if (hasText || n.role === 'key') {
      const ratio = contrast(palette[n.fg], palette[n.bg]);
      if (ratio < min.contrast) add('contrast', n.id, `${n.fg} on ${n.bg}: ${round(ratio)}:1 < ${min.contrast}:1`);
    }
    if (INTERACTIVE.has(n.role)) {
      if (n.wDp < min.targetDp || n.hDp < min.targetDp) add('target', n.id, `${round(n.wDp)} × ${round(n.hDp)} dp < ${min.targetDp} × ${min.targetDp} dp`);
      if (!hasText && !n.icon) add('colourOnly', n.id, 'a target with neither text nor icon');
      if (n.focus === undefined) add('focus', n.id, 'a target without a focus order');
      else focus.push(n.focus);
    }
    if (n.state !== undefined) {
      if (!n.icon) add('colourOnly', n.id, `state ${n.state} shown by colour alone`);
      else {
        const seen = iconOfState.get(n.state);
        if (seen === undefined) iconOfState.set(n.state, n.icon);
        else if (seen !== n.icon) add('colourOnly', n.id, `state ${n.state} has two icons`);
      }
    }
    if (n.emphasis !== 'normal' && n.emphasis !== 'strong' && !hasText && !n.icon) add('colourOnly', n.id, `${n.emphasis} by colour alone`);
    if (n.wDp > laid.widthDp) add('fits', n.id, `${round(n.wDp)} dp wider than the screen's ${round(laid.widthDp)} dp`);
    if (n.text && n.fontDp > 0 && n.text.key !== OUTSIDE_TEXT) {
      // Its lines: as many as its height holds (a button's label may wrap to a second line where its height allows).
      const lines = Math.max(1, Math.floor((n.hDp + 0.01) / (n.fontDp * n.lineHeight)));
      const roomEm = n.wDp / n.fontDp - (PADDING_EM[n.role] ?? 0) - (n.icon ? ICON_EM : 0);
      for (const lang of LANGUAGES) {
        const words = translate(lang, n.text.key, n.text.params);
        if (words.length <= roomEm) continue; // no character is wider than 1 em: it fits on one line (and cheaply, on XS)
        const needed = linesOf(words, roomEm);
        if (needed > lines) add('textWidth', n.id, `"${words}" needs ${needed} line(s) of ${round(roomEm * n.fontDp)} dp, has ${lines}`);
      }
    }
  }
  // A state's icon must tell it apart from the other states'.
  const icons = [...iconOfState.values()];
  if (new Set(icons).size !== icons.length) add('colourOnly', 'screen', 'two states share one icon');

  if (largest < min.largestDp) add('largestText', 'screen', `largest text ${round(largest)} dp < ${min.largestDp} dp`);
  if (laid.timing.idleMs < min.idleMs) add('timing', 'screen', `idle timeout ${laid.timing.idleMs} ms < ${min.idleMs} ms`);
  if (laid.timing.promptMs < min.promptMs || laid.timing.promptMs >= laid.timing.idleMs) {
    add('timing', 'screen', `"more time" prompt ${laid.timing.promptMs} ms before the timeout, not within ${min.promptMs}–${laid.timing.idleMs} ms`);
  }

  let targets = 0;
  walk(laid.body, (n) => { if (INTERACTIVE.has(n.role) && n.role !== 'key' && n.id !== PAGE_PREV && n.id !== PAGE_NEXT) targets++; });
  targets += laid.body.filter((n) => n.role === 'keypad').length;
  if (targets > spec.maxItems) add('paging', 'screen', `${targets} choices on one page > ${spec.maxItems}`);

  const bottom = laid.body.reduce((h, n) => Math.max(h, n.yDp + n.hDp), 0);
  if (bottom > laid.bodyHeightDp + 0.01) add('fits', 'screen', `body ${round(bottom)} dp taller than its ${round(laid.bodyHeightDp)} dp`);
  const actionWidth = laid.actions.reduce((w, n) => w + n.wDp, 0);
  if (actionWidth > laid.widthDp) add('fits', 'screen', `action bar ${round(actionWidth)} dp wider than the screen`);

  const sorted = [...focus].sort((a, b) => a - b);
  if (sorted.some((f, i) => f !== i + 1)) add('focus', 'screen', `focus order ${sorted.join(',')} is not 1..${sorted.length}`);
  return out;
}
