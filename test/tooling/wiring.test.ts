// npm run wiring: every ESP32 board a device entry starts is drawn from its data, with every pin it names, no two
// parts on one GPIO unless it is a shared bus, as well-formed XML, and the committed drawings are current.
import { describe, expect, it } from '@jest/globals';
import { XMLValidator } from 'fast-xml-parser';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DOOR_READER_PARTS } from '../../firmware/apps/door-reader/parts.js';
import { KIOSK_PARTS } from '../../firmware/apps/kiosk/parts.js';
import { esp32DoorReader } from '../../hal/boards/esp32-door-reader.js';
import { esp32s3Kiosk } from '../../hal/boards/esp32s3-kiosk.js';
import { drawings, guide, type Drawing } from '../../scripts/wiring/drawings.js';
import { fillTables } from '../../scripts/wiring/markdown.js';
import { wiringOf } from '../../scripts/wiring/model.js';
import { renderSvg } from '../../scripts/wiring/svg.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const all: Promise<Drawing[]> = drawings(root);

/** The drawing's text as a reader sees it, one string per <text> element, markup and entities undone. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/gs)].map((match) =>
    (match[1] ?? '').replace(/<[^>]+>/g, '').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&'));
}

describe('wiring drawings', () => {
  it('draws every ESP32 board a device entry starts, and no simulator board', async () => {
    const names = (await all).map((drawing) => drawing.board.name).sort();
    expect(names).toEqual(['esp32-door-reader', 'esp32-smart-bin', 'esp32-sos-button', 'esp32s3-kiosk']);
  });

  it('parses as XML, loads nothing from outside and carries no time', async () => {
    for (const drawing of await all) {
      expect(XMLValidator.validate(drawing.generated)).toBe(true);
      expect(drawing.generated).not.toMatch(/<script|<image|@import|url\(|href=/);
      expect(drawing.generated).not.toMatch(/20\d\d-\d\d-\d\d/);
    }
  });

  it('labels every pin the board names with its GPIO on the ESP32', async () => {
    for (const drawing of await all) {
      const rows = texts(drawing.generated);
      for (const [name, gpio] of Object.entries(drawing.board.pin)) {
        const row = rows.find((text) => text.split(/\s+/).includes(`GPIO${gpio}`) && text.split(/[\s/]+/).includes(name));
        expect({ board: drawing.board.name, name, row }).toEqual({ board: drawing.board.name, name, row: expect.any(String) });
      }
    }
  });

  it('puts two parts on one GPIO only where the board has a shared SPI or I2C bus', async () => {
    for (const drawing of await all) {
      const users = new Map<string, Set<string>>();
      for (const part of drawing.wiring.parts) {
        for (const pin of part.pins) if (pin.net?.startsWith('GPIO')) users.set(pin.net, (users.get(pin.net) ?? new Set()).add(part.name));
      }
      const { spi, i2c } = drawing.board;
      const busGpios = [spi?.out, spi?.in, spi?.clock, i2c?.data, i2c?.clock];
      for (const [net, parts] of users) {
        if (parts.size > 1) expect({ net, shared: busGpios.map((gpio) => `GPIO${gpio}`).includes(net) }).toEqual({ net, shared: true });
      }
    }
    // The kiosk's SPI bus is one lane with two taps: the card reader and the display.
    const kiosk = (await all).find((drawing) => drawing.board.name === 'esp32s3-kiosk');
    const clock = kiosk?.wiring.parts.filter((part) => part.pins.some((pin) => pin.net === 'GPIO12')).map((part) => part.name);
    expect(clock).toEqual(['nfc', 'display']);
    expect(kiosk?.wiring.mcu.filter((pin) => pin.net === 'GPIO12')).toHaveLength(1);
  });

  it('refuses a board that puts two parts on one GPIO that is no bus', () => {
    const clash = { ...esp32DoorReader, pin: { ...esp32DoorReader.pin, exitButton: esp32DoorReader.pin.relay } };
    expect(() => wiringOf(clash, DOOR_READER_PARTS)).toThrow(/GPIO25 is wired to relay and exitButton, and is no shared bus/);
  });

  it('refuses a board pin wired to nothing, and a part kind it cannot draw', () => {
    const spare = { ...esp32DoorReader, pin: { ...esp32DoorReader.pin, spare: 27 } };
    expect(() => wiringOf(spare, DOOR_READER_PARTS)).toThrow(/pin spare \(GPIO27\) is wired to no part or fixture/);
    const noFixtures = { ...esp32s3Kiosk, wiring: { ...esp32s3Kiosk.wiring, fixtures: {} } };
    expect(() => wiringOf(noFixtures, KIOSK_PARTS)).toThrow(/is wired to no part or fixture/);
    const odd = { ...DOOR_READER_PARTS, led: { ...DOOR_READER_PARTS.led, kind: 'laser' } };
    expect(() => wiringOf(esp32DoorReader, odd)).toThrow(/led is a laser, which scripts\/wiring\/modules.ts does not describe/);
  });

  it('carries the board notes and the chip facts that matter for wiring', async () => {
    const door = (await all).find((drawing) => drawing.board.name === 'esp32-door-reader');
    const text = texts(door?.generated ?? '').join('\n');
    expect(text).toContain('10 kΩ pull-down to GND on the transistor stage input');
    expect(text).toContain('5 V → 3.3 V level shifter');
    expect(texts(door?.generated ?? '').filter((line) => line.includes('input only'))).toHaveLength(2);
    const wiring = wiringOf(esp32DoorReader, DOOR_READER_PARTS);
    expect(renderSvg(wiring, ['a', 'b'])).toBe(renderSvg(wiring, ['a', 'b']));
  });

  it('matches the committed drawings and pin tables (npm run wiring -- --check)', async () => {
    for (const drawing of await all) expect({ path: drawing.path, current: drawing.committed === drawing.generated }).toEqual({ path: drawing.path, current: true });
    const tables = guide(root, await all);
    expect(tables.generated).toBe(tables.committed);
  });

  it('gives docs/installing.md each board picture and its pin table, with every pin', async () => {
    const { committed } = guide(root, await all);
    for (const drawing of await all) {
      expect(committed).toContain(`](wiring/${drawing.board.name}.svg)`);
      const table = new RegExp(`<!-- wiring-table ${drawing.board.name} -->\\n([\\s\\S]*?)<!-- /wiring-table -->`).exec(committed)?.[1] ?? '';
      for (const [name, gpio] of Object.entries(drawing.board.pin)) expect(table).toMatch(new RegExp(`\\| GPIO${gpio} \\|[^\\n]*\`${name}\``));
    }
    expect(() => fillTables('<!-- wiring-table esp32-toaster -->\n<!-- /wiring-table -->', [])).toThrow(/esp32-toaster names no drawn board/);
  });
});
