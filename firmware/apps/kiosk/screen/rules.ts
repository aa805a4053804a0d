// Every rule of the screen's mode checked on a laid-out screen: text sizes, target sizes, contrast computed from
// the palette, line spacing, colour never the only cue, no time pressure, choices per page, fit, focus order.
// layout() meets them by construction; this is the proof, and what catches a screen (or a renderer's tweak)
// that does not.
import type { LaidNode, LaidScreen } from './layout.js';
import { MODES } from './modes.js';
import { contrast, PALETTES } from './palette.js';

export type RuleName = 'bodyText' | 'largestText' | 'target' | 'contrast' | 'lineHeight' | 'colourOnly' | 'timing' | 'paging' | 'fits' | 'focus';

export interface Violation {
  readonly rule: RuleName;
  /** The node's id ('screen' for the screen as a whole). */
  readonly id: string;
  readonly detail: string;
}

const INTERACTIVE = new Set(['button', 'key']);
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
  walk(laid.body, (n) => { if (INTERACTIVE.has(n.role) && n.role !== 'key') targets++; });
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
