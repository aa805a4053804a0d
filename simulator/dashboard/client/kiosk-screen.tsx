// The kiosk's screen in the browser: the laid-out tree the screen model gives (firmware/apps/kiosk/screen/layout.ts)
// drawn at the positions and sizes it says, the same tree the device's Piu renderer draws, as semantic HTML (buttons,
// headings, lists, live status) so that an accessibility checker sees what a resident would. Every tap reports the
// tapped node's id; a keypad key reports `key.<digit|del>` (keypadKey() gives what the model's key() takes).
import { encode } from 'uqr';
import type { KioskView } from '../../../firmware/apps/kiosk/screen/machine.js';
import type { LaidNode } from '../../../firmware/apps/kiosk/screen/layout.js';
import { PALETTES, type Palette } from '../../../firmware/apps/kiosk/screen/palette.js';
import { translate, type Language } from '../../../firmware/apps/kiosk/screen/strings/index.js';
import './kiosk-screen.css';

export interface KioskScreenProps {
  view: KioskView;
  /** CSS px per dp: the board's dpi / 160 shows the screen at its own pixels. */
  scale: number;
  onTap: (id: string) => void;
}

/** Text glyphs (DejaVu and the CJK fonts have them) for the model's icon names; digit keys show their digit. */
const GLYPHS: Readonly<Record<string, string>> = Object.freeze({
  wrench: '⚒', clipboard: '☰', visitor: '☺', ticket: '№', megaphone: '✆', sos: '☎', water: '☔', bolt: '⚡', door: '⌂',
  lift: '⇅', bulb: '☀', more: '…', stairs: '⌸', building: '⌂', car: '⛟', tree: '♣', broken: '✖', drop: '☂', sound: '♫',
  nose: '☁', alert: '⚠', clock: '⌚', calendar: '☷', home: '⌂', back: '←', forward: '→', globe: '⚐', eye: '◉', logout: '⇥',
  person: '☻', card: '▭', send: '➤', check: '✔', arrow: '➜', circle: '○', offline: '⚠', qr: '▦', star: '★', up: '▲',
  down: '▼', backspace: '⌫',
});

/**
 * Names for the icons that carry meaning no text beside them says (a step's state, the keypad's delete): the
 * device draws them without words, a screen reader needs the words.
 */
const ICON_NAMES: Readonly<Record<Language, Readonly<Record<string, string>>>> = Object.freeze({
  zh: Object.freeze({ check: '已完成', arrow: '进行中', circle: '未开始', backspace: '删除' }),
  en: Object.freeze({ check: 'done', arrow: 'in progress', circle: 'to come', backspace: 'delete' }),
});

const KEY_PREFIX = 'key.';

/** What the model's key() takes for a tapped keypad key's id, or undefined for any other id. */
export function keypadKey(id: string): string | undefined {
  return id.startsWith(KEY_PREFIX) ? id.slice(KEY_PREFIX.length) : undefined;
}

const glyph = (icon: string): string => (icon.startsWith('digit') ? icon.slice('digit'.length) : GLYPHS[icon] ?? '•');

interface Draw {
  lang: Language;
  palette: Palette;
  scale: number;
  onTap: (id: string) => void;
}

export function KioskScreen({ view, scale, onTap }: KioskScreenProps) {
  const d: Draw = { lang: view.lang, palette: PALETTES[view.palette], scale, onTap };
  const gapDp = (view.widthDp - view.title.wDp) / 2;
  const px = (dp: number) => toPx(dp, scale);
  return (
    <div class={`kiosk kiosk-${view.mode}`} lang={view.lang === 'zh' ? 'zh-CN' : 'en'} data-screen={view.screen} data-page={view.page}
      style={{ width: px(view.widthDp), height: px(view.heightDp), background: d.palette.paper, color: d.palette.ink }}>
      <h1 class="kiosk-node" data-id="title" style={box(view.title, d, gapDp, gapDp)}>{words(view.title, d)}</h1>
      <div class="kiosk-body" style={{ left: px(gapDp), top: px(view.bodyTopDp), width: px(view.title.wDp), height: px(view.bodyHeightDp) }}>
        {view.body.map((n) => <Node n={n} d={d} key={n.id} />)}
      </div>
      <div class="kiosk-actions" style={{ left: px(gapDp), top: px(view.bodyTopDp + view.bodyHeightDp + gapDp), width: px(view.title.wDp) }}>
        {view.actions.map((n, i) => <Button n={n} d={d} key={n.id} style={box(n, d, i * (n.wDp + gapDp), 0)} />)}
      </div>
    </div>
  );
}

const toPx = (dp: number, scale: number): string => `${dp * scale}px`;

/** A node's box, in its colours and font: at its own place in its container unless told another. */
function box(n: LaidNode, d: Draw, x = n.xDp ?? 0, y = n.yDp): Record<string, string> {
  const px = (dp: number) => toPx(dp, d.scale);
  return {
    left: px(x), top: px(y), width: px(n.wDp), height: px(n.hDp), color: d.palette[n.fg], background: d.palette[n.bg],
    ...(n.fontDp ? { fontSize: px(n.fontDp), lineHeight: String(n.lineHeight) } : {}),
  };
}

const words = (n: LaidNode, d: Draw): string => (n.text ? translate(d.lang, n.text.key, n.text.params) : '');

/** An icon beside words that say the same: hidden from screen readers. */
const Decor = ({ icon }: { icon: string | undefined }) => (icon ? <span class="kiosk-icon" aria-hidden="true">{glyph(icon)}</span> : null);

function Button({ n, d, style }: { n: LaidNode; d: Draw; style: Record<string, string> }) {
  const label = n.text ? undefined : ICON_NAMES[d.lang][n.icon ?? ''];
  return (
    <button type="button" class={`kiosk-node kiosk-${n.role}`} data-id={n.id} data-focus={n.focus} style={style} aria-label={label}
      onClick={() => d.onTap(n.id)}>
      {n.text ? <><Decor icon={n.icon} />{words(n, d)}</> : label ? <Decor icon={n.icon} /> : glyph(n.icon ?? '')}
    </button>
  );
}

function Node({ n, d }: { n: LaidNode; d: Draw }) {
  const style = box(n, d);
  const data = { class: `kiosk-node kiosk-${n.role} kiosk-${n.emphasis}`, 'data-id': n.id, style };
  switch (n.role) {
    case 'button':
    case 'key':
      return <Button n={n} d={d} style={style} />;
    case 'heading':
      return <h2 {...data}>{words(n, d)}</h2>;
    case 'text':
      return <p {...data}><Decor icon={n.icon} />{words(n, d)}</p>;
    case 'status':
      return <p {...data} role="status" data-state={n.state}><Decor icon={n.icon} />{words(n, d)}</p>;
    case 'list':
      return <ul {...data}>{(n.items ?? []).map((item) => <li key={item.id}><Node n={item} d={d} /></li>)}</ul>;
    case 'steps':
      return <ol {...data}>{(n.items ?? []).map((item) => <li key={item.id}><Step n={item} d={d} /></li>)}</ol>;
    case 'step':
      return <Step n={n} d={d} />;
    case 'keypad': {
      const [entry, ...keys] = n.items ?? [];
      return (
        <div {...data} role="group" aria-label={entry ? words(entry, d) : undefined}>
          {entry ? <output class="kiosk-node kiosk-entry" data-id={entry.id} aria-live="polite" style={box(entry, d)}>{words(entry, d)}</output> : null}
          {keys.map((k) => <Button n={k} d={d} style={box(k, d)} key={k.id} />)}
        </div>
      );
    }
    case 'qr':
      // The code and its caption, or the code itself (a leaf with the payload).
      if (!n.items) return <QrCode n={n} d={d} label={n.payload ?? ''} />;
      return <figure {...data}>{n.items.map((item) => (item.role === 'qr'
        ? <QrCode n={item} d={d} key={item.id} label={words(n.items!.find((c) => c.text) ?? item, d) || (item.payload ?? '')} />
        : <figcaption key={item.id}><Node n={item} d={d} /></figcaption>))}</figure>;
    case 'notice': {
      const [title, ...rest] = n.items ?? [];
      return (
        <article {...data}>
          {title ? <h2 class="kiosk-node" data-id={title.id} style={box(title, d)}>{words(title, d)}</h2> : null}
          {rest.map((item) => <Node n={item} d={d} key={item.id} />)}
        </article>
      );
    }
  }
}

/** A progress step: its state told by the icon (named for screen readers) as well as the colour. */
function Step({ n, d }: { n: LaidNode; d: Draw }) {
  return (
    <p class={`kiosk-node kiosk-step kiosk-${n.emphasis}`} data-id={n.id} data-state={n.state} aria-current={n.state === 'current' ? 'step' : undefined} style={box(n, d)}>
      <span class="kiosk-icon" role="img" aria-label={ICON_NAMES[d.lang][n.icon ?? ''] ?? n.state}>{glyph(n.icon ?? '')}</span>
      {words(n, d)}
    </p>
  );
}

/** The payload as an SVG QR code, one path of dark modules, named by its caption (the payload alone says nothing). */
function QrCode({ n, d, label }: { n: LaidNode; d: Draw; label: string }) {
  const code = encode(n.payload ?? '', { ecc: 'M', border: 2 });
  let path = '';
  code.data.forEach((row, y) => row.forEach((dark, x) => {
    if (dark) path += `M${x} ${y}h1v1h-1z`;
  }));
  return (
    <svg class="kiosk-node kiosk-code" data-id={n.id} data-payload={n.payload} role="img" aria-label={label} viewBox={`0 0 ${code.size} ${code.size}`}
      shape-rendering="crispEdges" style={{ ...box(n, d), background: '#FFFFFF' }}>
      <path d={path} fill="#000000" />
    </svg>
  );
}
