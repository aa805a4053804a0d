// The kiosk on its own board (hal/moddable/entries/kiosk.ts, manifests/kiosk.json): which screen the model lays
// out for on Piu, the fonts the device build carries against the sizes the model asks for on the board's panel,
// and the manifest's display, touch and bus settings against the board's data (one wiring, said twice).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LaidNode } from '../../firmware/apps/kiosk/screen/layout.js';
import { STRINGS } from '../../firmware/apps/kiosk/screen/strings/index.js';
import { esp32s3Kiosk } from '../../hal/boards/esp32s3-kiosk.js';
import { kioskScreen, settingDpi } from '../../hal/moddable/kiosk/display.js';
import { builtSize, drawable, fontPx } from '../../hal/moddable/kiosk/fonts.js';
import { manifestFonts } from '../../hal/moddable/kiosk/manifest-fonts.js';
import { play, tour } from '../xs/entries/kiosk-screen.js';

const manifests = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'manifests');
type Json = Record<string, any>;
const manifest = (name: string): Json => JSON.parse(readFileSync(join(manifests, name), 'utf8')) as Json;

const board = esp32s3Kiosk.screen;

describe('the screen the kiosk lays out for', () => {
  test('on the device: the display Piu has, at the board\'s density', () => {
    expect(kioskScreen(board, { width: 480, height: 320 }, {})).toEqual({ screen: { widthPx: 480, heightPx: 320, dpi: 144 } });
  });

  test('a display the board does not describe (a wrong rotation) is laid out as it is, with a warning', () => {
    const { screen, warning } = kioskScreen(board, { width: 320, height: 480 }, {});
    expect(screen).toEqual({ widthPx: 320, heightPx: 480, dpi: 144 });
    expect(warning).toMatch(/320x480.*480x320.*rotation/);
  });

  test('a build with kioskDpi (the Linux simulator) lays out for its display at that density, silently', () => {
    expect(kioskScreen(board, { width: 240, height: 320 }, { kioskDpi: 100 })).toEqual({ screen: { widthPx: 240, heightPx: 320, dpi: 100 } });
  });

  test('kioskDpi counts as a positive number, or its digits from the mcconfig command line', () => {
    for (const kioskDpi of ['', '12x', '-5', '1e3', 0, -5, Number.NaN, Number.POSITIVE_INFINITY, null]) expect(settingDpi({ kioskDpi })).toBeUndefined();
    expect(settingDpi({ kioskDpi: 144 })).toBe(144);
    expect(settingDpi({ kioskDpi: '120' })).toBe(120);
    expect(settingDpi({})).toBeUndefined();
  });
});

describe('the device build\'s fonts (manifests/kiosk-fonts-cjk.json)', () => {
  const cjk = manifest('kiosk-fonts-cjk.json');
  const fonts = manifestFonts(cjk.config);

  test('carry exactly the pixel sizes the model asks for on the board\'s panel, in both modes', () => {
    const asked = { regular: new Set<number>(), strong: new Set<number>() };
    for (const elderly of [false, true]) {
      for (const view of play(board, tour(elderly), elderly).views) {
        const visit = (n: LaidNode): void => {
          if (n.text || n.icon) asked[n.emphasis === 'strong' || n.role === 'heading' ? 'strong' : 'regular'].add(fontPx(n.fontDp, board.dpi));
          n.items?.forEach(visit);
        };
        [view.title, ...view.body, ...view.actions].forEach(visit);
      }
    }
    const sorted = (sizes: Set<number>) => [...sizes].sort((a, b) => a - b);
    expect(fonts.regular).toEqual(sorted(asked.regular));
    expect(fonts.strong).toEqual(sorted(asked.strong));
    for (const px of asked.strong) expect(builtSize(px, fonts.strong)).toBe(px);
  });

  test('every face is built, from the string tables, under the name the config gives', () => {
    const faces = cjk.resources['*-mask'] as Json[];
    const built = (weight: string) => faces.filter((f) => f.name === `${fonts.family.replace(/ /g, '')}-${weight}`).map((f) => f.size as number);
    expect(built('Regular')).toEqual(fonts.regular);
    expect(built('Semibold')).toEqual(fonts.strong);
    for (const face of faces) {
      expect(face.characterFiles).toEqual(['../firmware/apps/kiosk/screen/strings/zh.ts', '../firmware/apps/kiosk/screen/strings/en.ts']);
      expect(face.characters).toBe(fonts.missing);
    }
  });

  test('cover every string of both tables; anything else is drawn as the missing mark', () => {
    for (const text of [...Object.values(STRINGS.zh), ...Object.values(STRINGS.en)]) expect(drawable(fonts, text)).toBe(text);
    expect(drawable(fonts, '龘')).toBe(fonts.missing);
  });
});

describe('manifests/kiosk.json against the board', () => {
  const kiosk = manifest('kiosk.json');
  const esp32 = kiosk.platforms.esp32;
  const { ili9341, ft6206, spi, i2c } = esp32.defines;

  test('the panel and the touch controller, rotated, are the board\'s screen', () => {
    expect(esp32.config).toMatchObject({ screen: 'ili9341', touch: 'ft6206' });
    const landscape = esp32.config.rotation % 180 === 90;
    const [width, height] = landscape ? [ili9341.height, ili9341.width] : [ili9341.width, ili9341.height];
    expect({ width, height }).toEqual({ width: board.widthPx, height: board.heightPx });
    expect([ft6206.width, ft6206.height]).toEqual([ili9341.width, ili9341.height]);
  });

  test('the display\'s pins and buses are the board\'s', () => {
    const pin = esp32s3Kiosk.pin;
    expect([ili9341.cs_pin, ili9341.dc_pin, ili9341.rst_pin, ili9341.backlight_pin]).toEqual([pin.displaySelect, pin.displayCommand, pin.displayReset, pin.backlight]);
    // One SPI bus (the SDK initialises one): the card reader's options name the display's bus.
    expect([spi.mosi_pin, spi.miso_pin, spi.sck_pin]).toEqual([esp32s3Kiosk.spi.out, esp32s3Kiosk.spi.in, esp32s3Kiosk.spi.clock]);
    expect(ili9341.spi_port).toBe(['SPI1_HOST', 'SPI2_HOST', 'SPI3_HOST'][esp32s3Kiosk.spi.port]);
    expect([i2c.sda_pin, i2c.scl_pin]).toEqual([esp32s3Kiosk.i2c.data, esp32s3Kiosk.i2c.clock]);
  });

  test('no pin does two jobs', () => {
    const { spiOut, spiClock, spiIn, ...own } = esp32s3Kiosk.pin;
    const pins = [...Object.values(own), spiOut, spiClock, spiIn];
    expect(new Set(pins).size).toBe(pins.length);
  });

  test('the display init sequence ends, and its waits are in range', () => {
    const bytes = (ili9341.registers as string[]).join(' ').split(',').map((b) => b.trim()).filter(Boolean).map(Number);
    let at = 0;
    for (;;) {
      const command = bytes[at++]!;
      if (command === 0xff) {
        const ms = bytes[at++]!;
        if (ms === 0) break;
        expect(ms).toBeLessThan(256);
      } else {
        at += 1 + bytes[at]!;
      }
      expect(at).toBeLessThan(bytes.length);
    }
    expect(at).toBe(bytes.length);
  });
});
