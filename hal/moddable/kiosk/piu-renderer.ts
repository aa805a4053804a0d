// The kiosk's screens drawn with Piu (Moddable's UI framework) from the screen model's laid-out tree: every size,
// position and colour comes from the tree (dp, turned into pixels with the board's DPI), so the rules the model
// enforces (text and target sizes, contrast, items per page) hold on the glass as laid out. Touch is reported as
// the touched node's id; the caller hands it to the model (input.ts). Rebuilt whole on every view: a kiosk screen
// changes on a tap, not per frame, and a fresh tree leaves nothing of the previous resident on screen.
import {} from 'piu/MC'; // Piu's globals (Container, Label, ...)
import type { Application, BehaviorConstructor, Container, Content, Skin, Style } from 'piu/MC';
import {} from 'piu/QRCode';
import type { KioskView } from '../../../firmware/apps/kiosk/screen/machine.js';
import type { LaidNode } from '../../../firmware/apps/kiosk/screen/layout.js';
import { PALETTES, type ColorName, type Palette } from '../../../firmware/apps/kiosk/screen/palette.js';
import { translate } from '../../../firmware/apps/kiosk/screen/strings/index.js';
import { dpToPx, drawable, fontFor, fontPx, type FontSet } from './fonts.js';
import { iconMark } from './icons.js';

export interface PiuKioskOptions {
  /** The display's density: dp → px. */
  readonly dpi: number;
  readonly fonts: FontSet;
  /** A node was touched and released on it: a button's id, or a keypad key's `key.<k>`. */
  readonly onTouch: (id: string) => void;
}

/** The Piu application the kiosk draws into: one per run (the device's entry, the preview tour). */
export function createKioskApplication(): Application {
  return new Application(null, {
    skin: new Skin({ fill: '#FFFFFF' }),
    // A screen holds a few dozen contents; the default lists are sized for small demos.
    displayListLength: 8192, commandListLength: 4096, touchCount: 1,
  });
}

/** Largest QR version tried: a pass or ticket payload fits well below it, and the modules stay large enough to scan. */
const QR_MAX_VERSION = 10;

export class PiuKioskRenderer {
  #root: Container;
  #o: PiuKioskOptions;
  #skins = new Map<string, Skin>();
  #styles = new Map<string, Style>();
  #Touch: BehaviorConstructor;

  /** Draws into `root` (the application, or a container that fills the screen). */
  constructor(root: Container, options: PiuKioskOptions) {
    this.#root = root;
    this.#o = options;
    const onTouch = options.onTouch;
    // A touch counts when it ends on the node it began on (a finger sliding off cancels, as on any touch UI).
    this.#Touch = class extends Behavior {
      #id = '';
      onCreate(_content: Content, data: object) { this.#id = (data as { id: string }).id; }
      onTouchEnded(content: Content, _touch: number, x: number, y: number) {
        if (x >= content.x && y >= content.y && x < content.x + content.width && y < content.y + content.height) onTouch(this.#id);
      }
    } as unknown as BehaviorConstructor;
  }

  /** Replaces what is on screen with this view. */
  show(view: KioskView): void {
    const palette = PALETTES[view.palette];
    const px = (dp: number) => dpToPx(dp, this.#o.dpi);
    const margin = (view.widthDp - view.title.wDp) / 2;
    const draw = (n: LaidNode, leftDp: number, topDp: number): Content => this.#content(view, palette, n, leftDp, topDp);

    const actionTop = view.heightDp - margin - (view.actions[0]?.hDp ?? 0);
    const screen = new Container(null, {
      left: 0, top: 0, width: px(view.widthDp), height: px(view.heightDp), skin: this.#skin(palette.paper),
      contents: [
        draw(view.title, margin, margin),
        new Container(null, {
          left: px(margin), top: px(view.bodyTopDp), width: px(view.title.wDp), height: px(view.bodyHeightDp), clip: true,
          contents: view.body.map((n) => draw(n, n.xDp ?? 0, n.yDp)), // the pager column sits at the body's right
        }),
        ...view.actions.map((n, i) => draw(n, margin + i * (n.wDp + margin), actionTop)),
      ],
    });
    this.#root.empty();
    this.#root.add(screen);
  }

  #content(view: KioskView, palette: Palette, n: LaidNode, leftDp: number, topDp: number): Content {
    const px = (dp: number) => dpToPx(dp, this.#o.dpi);
    const box = { left: px(leftDp), top: px(topDp), width: px(n.wDp), height: px(n.hDp) };
    if (n.items) {
      return new Container(null, { ...box, contents: n.items.map((item) => this.#content(view, palette, item, item.xDp ?? 0, item.yDp)) });
    }
    if (n.role === 'qr') {
      // A quiet zone of paper around dark modules, whatever the mode's colours.
      return new QRCode(null, { ...box, skin: this.#skin(palette.paper, palette.ink), string: n.payload ?? '', maxVersion: QR_MAX_VERSION });
    }
    const fonts = this.#o.fonts;
    const mark = iconMark(fonts, n.icon);
    const words = n.text ? drawable(fonts, translate(view.lang, n.text.key, n.text.params)) : '';
    const string = mark && words ? `${mark} ${words}` : mark || words;
    const textPx = fontPx(n.fontDp, this.#o.dpi);
    const strong = n.emphasis === 'strong' || n.role === 'heading';
    if (n.role === 'button' || n.role === 'key') {
      const style = this.#style(fontFor(fonts, textPx, strong), palette[n.fg], 'center', textPx, n.lineHeight);
      return new Container({ id: n.id }, {
        ...box, active: true, Behavior: this.#Touch, skin: this.#skin(palette[n.bg], palette.line),
        // A Text, not a Label: a label may take two lines (the model's width rule allows it). Without top or bottom,
        // Piu centres it vertically in the button at the height of its lines.
        contents: [new Text(null, { left: 0, right: 0, style, string })],
      });
    }
    const style = this.#style(fontFor(fonts, textPx, strong), palette[n.fg], 'left', textPx, n.lineHeight);
    const filled = n.bg !== ('paper' satisfies ColorName);
    return new Text(null, { ...box, ...(filled ? { skin: this.#skin(palette[n.bg]) } : {}), style, string });
  }

  // Skins and styles are shared by every node that looks the same (Piu keeps them by reference).
  #skin(fill: string, stroke?: string): Skin {
    const key = `${fill}/${stroke ?? ''}`;
    let skin = this.#skins.get(key);
    if (!skin) {
      skin = new Skin(stroke ? { fill, stroke, borders: { left: 1, right: 1, top: 1, bottom: 1 } } : { fill });
      this.#skins.set(key, skin);
    }
    return skin;
  }

  #style(font: string, color: string, horizontal: 'left' | 'center', fontPx: number, lineHeight: number): Style {
    const leading = Math.round(fontPx * lineHeight);
    const key = `${font}/${color}/${horizontal}/${leading}`;
    let style = this.#styles.get(key);
    if (!style) {
      style = new Style({ font, color, horizontal, vertical: 'middle', leading });
      this.#styles.set(key, style);
    }
    return style;
  }
}
