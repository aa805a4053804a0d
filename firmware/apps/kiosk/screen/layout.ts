// A screen tree sized for one display and mode, and split into pages: every node gets its font, box (dp), colour
// pair and focus order, so a renderer only draws. The sizes come from the mode (modes.ts); rules.ts checks them.
// A screen of several pages gets its page buttons in a column at the body's right (the previous page at the top,
// the next at the bottom), not in the action bar: a bar of five buttons leaves no room for their words in
// elderly mode on a 4" display.
import type { StringKey } from './strings/index.js';
import { MODES, pxToDp, type Mode, type ScreenSpec } from './modes.js';
import type { ColorName, PaletteName } from './palette.js';
import type { ButtonNode, Emphasis, ScreenNode, ScreenTree, StepState, TextRef, Tone } from './tree.js';

export type LaidRole = ScreenNode['role'] | 'key' | 'step';

export interface LaidNode {
  readonly role: LaidRole;
  readonly id: string;
  readonly text?: TextRef;
  readonly icon?: string;
  readonly emphasis: Emphasis;
  readonly fg: ColorName;
  readonly bg: ColorName;
  /** 0: no text of its own (a container, a QR code). */
  readonly fontDp: number;
  readonly lineHeight: number;
  readonly wDp: number;
  readonly hDp: number;
  /** From the top of the body (items: from the top of their container). */
  readonly yDp: number;
  /** Keypad keys: from the keypad's left edge; page buttons: from the body's left edge (other nodes span the body
   * but for the page buttons' column). */
  readonly xDp?: number;
  /** Interactive nodes only: 1, 2, ... in reading order. */
  readonly focus?: number;
  readonly items?: readonly LaidNode[];
  readonly payload?: string;
  readonly state?: StepState | 'offline' | 'queued';
}

export interface LaidScreen {
  readonly screen: string;
  readonly mode: Mode;
  readonly palette: PaletteName;
  readonly widthDp: number;
  readonly heightDp: number;
  readonly title: LaidNode;
  readonly bodyTopDp: number;
  readonly bodyHeightDp: number;
  readonly body: readonly LaidNode[];
  readonly actions: readonly LaidNode[];
  readonly page: number;
  readonly pages: number;
  readonly timing: { readonly idleMs: number; readonly promptMs: number };
  readonly clip: StringKey;
}

/** Step marks: the state is told by the icon as well as the colour. */
export const STEP_ICONS: Readonly<Record<StepState, string>> = Object.freeze({ done: 'check', current: 'arrow', todo: 'circle' });
export const STATUS_ICONS = Object.freeze({ offline: 'offline', queued: 'clock' });
export const PAGE_PREV = 'page.prev';
export const PAGE_NEXT = 'page.next';

type Pair = readonly [ColorName, ColorName];
const TEXT_PAIRS: Readonly<Record<Emphasis, Pair>> = Object.freeze({
  normal: ['ink', 'paper'], strong: ['ink', 'paper'], ok: ['ok', 'paper'], warn: ['warn', 'paper'], alert: ['danger', 'paper'],
});
const BUTTON_PAIRS: Readonly<Record<Tone, Pair>> = Object.freeze({
  primary: ['onPrimary', 'primary'], plain: ['ink', 'surface'], danger: ['onPrimary', 'danger'],
});
const STEP_PAIRS: Readonly<Record<StepState, Pair>> = Object.freeze({ done: ['ok', 'paper'], current: ['primary', 'paper'], todo: ['muted', 'paper'] });
/** 1–9 visitors: no 0 key (ten keys make two rows of five, which fit beside the page buttons in elderly mode). */
const KEYS: readonly string[] = Object.freeze(['1', '2', '3', '4', '5', '6', '7', '8', '9', 'del']);
const QR_MAX_DP = 240;

interface Block {
  readonly node: Omit<LaidNode, 'yDp'>;
  /** Items of the same list stay one list on the page. */
  readonly list?: string;
  readonly targets: number;
}

export function layout(tree: ScreenTree, screen: ScreenSpec, mode: Mode, page = 0): LaidScreen {
  const m = MODES[mode];
  const widthDp = pxToDp(screen.widthPx, screen.dpi);
  const heightDp = pxToDp(screen.heightPx, screen.dpi);
  const inner = widthDp - 2 * m.gapDp;
  const line = (font: number) => font * m.lineHeight;
  let bodyWidth = inner; // less the page buttons' column when the screen has pages
  const leaf = (role: LaidRole, id: string, textRef: TextRef | undefined, pair: Pair, fontDp: number, hDp: number, extra: Partial<LaidNode> = {}) => ({
    role, id, ...(textRef ? { text: textRef } : {}), emphasis: 'normal' as Emphasis, fg: pair[0], bg: pair[1], fontDp, lineHeight: m.lineHeight, wDp: bodyWidth, hDp, ...extra,
  });
  const buttonNode = (b: ButtonNode, wDp = bodyWidth): Omit<LaidNode, 'yDp'> =>
    leaf('button', b.id, b.text, BUTTON_PAIRS[b.tone ?? 'plain'], m.bodyDp, Math.max(m.targetDp, line(m.bodyDp) + m.gapDp), { wDp, ...(b.icon ? { icon: b.icon } : {}) });
  const stack = (items: Omit<LaidNode, 'yDp'>[], gap: number): LaidNode[] => {
    let y = 0;
    return items.map((n) => {
      const placed = { ...n, yDp: y };
      y += n.hDp + gap;
      return placed;
    });
  };
  const height = (items: readonly LaidNode[]) => items.reduce((h, n) => Math.max(h, n.yDp + n.hDp), 0);

  const titleHeight = line(m.titleDp) + 2 * m.gapDp;
  const bodyHeightDp = heightDp - titleHeight - (m.targetDp + 2 * m.gapDp);

  const build = (): Block[] => {
    const blocks: Block[] = [];
    for (const node of tree.body) {
      switch (node.role) {
        case 'heading':
          blocks.push({ node: leaf('heading', node.id, node.text, TEXT_PAIRS.strong, m.titleDp, line(m.titleDp), { emphasis: 'strong' }), targets: 0 });
          break;
        case 'text':
          blocks.push({
            node: leaf('text', node.id, node.text, TEXT_PAIRS[node.emphasis ?? 'normal'], m.bodyDp, line(m.bodyDp) * (node.lines ?? 1), {
              emphasis: node.emphasis ?? 'normal', ...(node.icon ? { icon: node.icon } : {}),
            }),
            targets: 0,
          });
          break;
        case 'status':
          blocks.push({
            node: leaf('status', node.id, node.text, ['ink', 'warnBg'], m.bodyDp, line(m.bodyDp) + m.gapDp, { emphasis: 'warn', state: node.state, icon: STATUS_ICONS[node.state] }),
            targets: 0,
          });
          break;
        case 'button':
          blocks.push({ node: buttonNode(node), targets: 1 });
          break;
        case 'list':
          for (const item of node.items) blocks.push({ node: buttonNode(item), list: node.id, targets: 1 });
          break;
        case 'keypad': {
          const columns = Math.max(3, Math.min(KEYS.length, Math.floor((bodyWidth + m.gapDp) / (m.targetDp + m.gapDp))));
          const entryHeight = line(m.bodyDp);
          const keys = KEYS.map((k, i) => ({
            ...leaf('key', `key.${k}`, undefined, BUTTON_PAIRS.plain, m.bodyDp, m.targetDp, { wDp: m.targetDp, icon: k === 'del' ? 'backspace' : `digit${k}` }),
            xDp: (i % columns) * (m.targetDp + m.gapDp),
            yDp: entryHeight + m.gapDp + Math.floor(i / columns) * (m.targetDp + m.gapDp),
          }));
          const entry = {
            ...(node.alert
              ? leaf('text', `${node.id}.entry`, node.entry, TEXT_PAIRS.alert, m.bodyDp, entryHeight, { emphasis: 'alert', icon: 'alert' })
              : leaf('text', `${node.id}.entry`, node.entry, TEXT_PAIRS.strong, m.bodyDp, entryHeight, { emphasis: 'strong' })),
            yDp: 0,
          };
          const items = [entry, ...keys];
          blocks.push({ node: leaf('keypad', node.id, undefined, TEXT_PAIRS.normal, 0, height(items), { items }), targets: 1 });
          break;
        }
        case 'qr': {
          const caption = line(m.bodyDp) * 2;
          const side = Math.max(120, Math.min(QR_MAX_DP, bodyHeightDp - caption - m.gapDp, bodyWidth));
          const items = stack([
            leaf('qr', `${node.id}.code`, undefined, ['ink', 'paper'], 0, side, { wDp: side, payload: node.payload }),
            leaf('text', `${node.id}.caption`, node.caption, TEXT_PAIRS.normal, m.bodyDp, caption),
          ], m.gapDp);
          blocks.push({ node: leaf('qr', node.id, undefined, ['ink', 'paper'], 0, height(items), { items, payload: node.payload }), targets: 0 });
          break;
        }
        case 'steps': {
          const items = stack(node.steps.map((s, i) => leaf('step', `${node.id}.${i}`, s.text, STEP_PAIRS[s.state], m.bodyDp, line(m.bodyDp), {
            state: s.state, icon: STEP_ICONS[s.state], emphasis: s.state === 'current' ? 'strong' : 'normal',
          })), 0);
          blocks.push({ node: leaf('steps', node.id, undefined, TEXT_PAIRS.normal, 0, height(items), { items }), targets: 0 });
          break;
        }
        case 'notice': {
          const items = stack([
            leaf('text', `${node.id}.title`, node.title, TEXT_PAIRS.strong, m.bodyDp, line(m.bodyDp), { emphasis: 'strong' }),
            leaf('text', `${node.id}.body`, node.body, TEXT_PAIRS.normal, m.bodyDp, line(m.bodyDp) * 4),
            leaf('text', `${node.id}.expires`, node.expires, ['muted', 'paper'], m.bodyDp, line(m.bodyDp)),
          ], m.gapDp / 2);
          blocks.push({ node: leaf('notice', node.id, undefined, TEXT_PAIRS.normal, 0, height(items), { items }), targets: 0 });
          break;
        }
      }
    }

    return blocks;
  };

  // Pages: as many blocks as fit the body's height, and no more choices than the mode allows on one page (the page
  // buttons are not counted: they are the way between pages, not a choice on one).
  const paginate = (blocks: readonly Block[]): Block[][] => {
    const pages: Block[][] = [[]];
    let used = 0;
    let targets = 0;
    for (const block of blocks) {
      const current = pages[pages.length - 1]!;
      const needed = block.node.hDp + (current.length ? m.gapDp : 0);
      if (current.length && (used + needed > bodyHeightDp || targets + block.targets > m.maxItems)) {
        pages.push([block]);
        used = block.node.hDp;
        targets = block.targets;
      } else {
        current.push(block);
        used += needed;
        targets += block.targets;
      }
    }
    return pages;
  };
  let pages = paginate(build());
  if (pages.length > 1) {
    // Narrower for the page buttons' column: laid out again (a keypad may take more rows, so paged again).
    bodyWidth = inner - m.pagerDp - m.gapDp;
    pages = paginate(build());
  }
  const shown = Math.max(0, Math.min(page, pages.length - 1));

  // The page's nodes, a list's items regrouped into their list.
  const body: LaidNode[] = [];
  let y = 0;
  for (const block of pages[shown]!) {
    const last = body[body.length - 1];
    if (block.list && last?.role === 'list' && last.id === block.list) {
      const items = [...last.items!, { ...block.node, yDp: last.hDp + m.gapDp }];
      body[body.length - 1] = { ...last, items, hDp: height(items) };
    } else if (block.list) {
      body.push({ ...leaf('list', block.list, undefined, TEXT_PAIRS.normal, 0, block.node.hDp), yDp: y, items: [{ ...block.node, yDp: 0 }] });
    } else {
      body.push({ ...block.node, yDp: y });
    }
    const top = body[body.length - 1]!;
    y = top.yDp + top.hDp + m.gapDp;
  }
  // The page buttons: the previous page's first in focus order (it is at the top), the next page's last (at the bottom).
  const pager = (id: string, key: 'page.prev' | 'page.next', yDp: number): LaidNode =>
    ({ ...buttonNode({ role: 'button', id, text: { key } }, m.pagerDp), hDp: m.targetDp, xDp: bodyWidth + m.gapDp, yDp });
  if (shown > 0) body.unshift(pager(PAGE_PREV, 'page.prev', 0));
  if (shown < pages.length - 1) body.push(pager(PAGE_NEXT, 'page.next', bodyHeightDp - m.targetDp));

  const count = tree.actions.length;
  const share = count ? (inner - m.gapDp * (count - 1)) / count : inner;
  const actions = tree.actions.map((b) => ({ ...buttonNode(b, share), hDp: m.targetDp, yDp: 0 }));

  // Focus in reading order: the body's targets top to bottom, then the action bar.
  let order = 0;
  const focus = (n: LaidNode): LaidNode => {
    if (n.role === 'button' || n.role === 'key') return { ...n, focus: ++order };
    return n.items ? { ...n, items: n.items.map(focus) } : n;
  };
  const focusedBody = body.map(focus);
  const focusedActions = actions.map(focus);

  return {
    screen: tree.screen,
    mode,
    palette: m.palette,
    widthDp,
    heightDp,
    title: { ...leaf('heading', 'title', tree.title, TEXT_PAIRS.strong, m.titleDp, line(m.titleDp), { emphasis: 'strong', wDp: inner }), yDp: 0 },
    bodyTopDp: titleHeight,
    bodyHeightDp,
    body: focusedBody,
    actions: focusedActions,
    page: shown,
    pages: pages.length,
    timing: { idleMs: m.idleMs, promptMs: m.promptMs },
    clip: tree.clip,
  };
}

/** The ids of everything tappable on a laid-out screen (keypad keys come as key(), not taps). */
export function tapIds(laid: Pick<LaidScreen, 'body' | 'actions'>): string[] {
  const out: string[] = [];
  const walk = (nodes: readonly LaidNode[]) => nodes.forEach((n) => {
    if (n.role === 'button') out.push(n.id);
    if (n.items) walk(n.items);
  });
  walk([...laid.body, ...laid.actions]);
  return out;
}
