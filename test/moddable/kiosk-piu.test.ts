// The Piu renderer's pure parts (hal/moddable/kiosk): dp → px, the built font chosen for a size, characters the
// font lacks, icon marks that carry meaning in an ASCII-only font, and touches handed to the screen model.
import { KioskScreens } from '../../firmware/apps/kiosk/screen/machine.js';
import { tapIds } from '../../firmware/apps/kiosk/screen/layout.js';
import { STRINGS } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { ASCII, builtSize, coverageOf, dpToPx, drawable, fontFor, fontPx, type FontSet } from '../../hal/moddable/kiosk/fonts.js';
import { iconMark } from '../../hal/moddable/kiosk/icons.js';
import { deliver, inputFor } from '../../hal/moddable/kiosk/input.js';
import { MemoryFake } from '../xs/entries/kiosk-screen.js';

const asciiFonts: FontSet = {
  family: 'Open Sans', regular: [16, 18, 20, 24], strong: [16, 18, 20, 28], covers: coverageOf(ASCII), missing: '?',
};

describe('sizes', () => {
  test('dp → px: 1 dp is 1 px at 160 DPI, scaled and rounded elsewhere, never 0', () => {
    expect(dpToPx(20, 160)).toBe(20);
    expect(dpToPx(20, 240)).toBe(30);
    expect(dpToPx(16, 100)).toBe(10);
    expect(dpToPx(0.1, 100)).toBe(1);
  });

  test('a text size becomes a font size rounded up, never below the dp rule; exact products stay', () => {
    expect(fontPx(16, 144)).toBe(15); // 14.4 px: 14 would be 15.6 dp
    expect(fontPx(20, 144)).toBe(18); // 18.000000000000004 in floating point
    expect(fontPx(16, 100)).toBe(10);
    expect(fontPx(30, 100)).toBe(19);
    expect(fontPx(0.1, 100)).toBe(1);
    for (const dp of [16, 18, 20, 22, 30]) for (const dpi of [100, 133, 144, 165, 187]) expect((fontPx(dp, dpi) * 160) / dpi).toBeGreaterThanOrEqual(dp);
  });

  test('the built size is the smallest at least as large as asked, else the largest', () => {
    expect(builtSize(17, [16, 18, 20])).toBe(18);
    expect(builtSize(18, [16, 18, 20])).toBe(18);
    expect(builtSize(10, [16, 18, 20])).toBe(16);
    expect(builtSize(40, [16, 18, 20])).toBe(20);
    expect(() => builtSize(16, [])).toThrow();
  });

  test('Piu font strings name the weight, the built size and the family', () => {
    expect(fontFor(asciiFonts, 19, false)).toBe('20px Open Sans');
    expect(fontFor(asciiFonts, 21, true)).toBe('600 28px Open Sans');
  });
});

describe('characters', () => {
  test('a character outside the font is drawn as the missing mark, not dropped; newlines stay', () => {
    expect(drawable(asciiFonts, 'Water 停水\nok')).toBe('Water ??\nok');
    const tables = { ...asciiFonts, covers: coverageOf(ASCII, '□', ...Object.values(STRINGS.zh)), missing: '□' };
    expect(drawable(tables, STRINGS.zh['home.title'])).toBe(STRINGS.zh['home.title']);
    expect(drawable(tables, '龘')).toBe('□');
  });

  test('characters outside the BMP count as one character', () => {
    expect(drawable(asciiFonts, 'a😀b')).toBe('a?b');
  });
});

describe('icon marks', () => {
  test('step and status marks fall back to ASCII stand-ins that still tell the states apart', () => {
    const marks = ['check', 'arrow', 'circle', 'offline', 'clock'].map((icon) => iconMark(asciiFonts, icon));
    expect(marks.every((m) => m !== '')).toBe(true);
    expect(new Set(marks).size).toBe(marks.length);
  });

  test('the preferred mark when the fonts have it; nothing for decorative or unknown icons', () => {
    const symbols = { ...asciiFonts, covers: coverageOf(ASCII, '✓') };
    expect(iconMark(symbols, 'check')).toBe('✓');
    expect(iconMark(asciiFonts, 'check')).toBe('+');
    expect(iconMark(asciiFonts, 'wrench')).toBe('');
    expect(iconMark(asciiFonts, undefined)).toBe('');
    expect(iconMark(asciiFonts, 'toString')).toBe('');
    expect(iconMark(asciiFonts, 'digit7')).toBe('7');
  });
});

describe('touch → model input', () => {
  test('keypad nodes become keys, anything else a tap by id', () => {
    expect(inputFor('key.7')).toEqual({ kind: 'key', key: '7' });
    expect(inputFor('key.del')).toEqual({ kind: 'key', key: 'del' });
    expect(inputFor('svc.repair')).toEqual({ kind: 'tap', id: 'svc.repair' });
  });

  test('a touched button moves the model; an id not on the screen is refused', () => {
    const kiosk = new KioskScreens({ screen: { widthPx: 800, heightPx: 480, dpi: 133 }, memory: new MemoryFake() });
    expect(deliver(kiosk, 'no.such')).toBe(false);
    const first = kiosk.view.screen;
    const target = tapIds(kiosk.view).find((id) => id.startsWith('svc.'))!;
    expect(deliver(kiosk, target)).toBe(true);
    expect(kiosk.view.screen).not.toBe(first);
  });
});
