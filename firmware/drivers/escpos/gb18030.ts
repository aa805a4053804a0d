// Text for the printer's own Chinese font. Chinese-market ESC/POS printers take GB18030 (GBK) two-byte codes in
// Chinese mode (FS &), not UTF-8. A full Unicode → GB2312 table is ≈ 7,500 entries × 4 bytes ≈ 30 KB of flash, and
// a raster font costs 72 bytes a glyph (24 × 24 dots) plus 72 bytes a glyph on the wire (GS v 0). The ticket's
// Chinese comes from the kiosk's own string table, so a table of only the characters those strings use is enough:
// 2 bytes a character on the wire, the printer's 24-dot font, one frozen property a character in flash (a slot
// and a key, tens of bytes; 49 characters now). Limit: a character outside the table (a resident's name, text
// from a notice) prints as '?' and is counted, never sent as UTF-8 (which GB18030-only printers print as garbage).

/** Character → its two-byte GB18030 code (lead byte high). Frozen: XS keeps it in flash. */
export type GlyphTable = Readonly<Record<string, number>>;

/** The characters of the queue ticket's strings (test/drivers/escpos.test.ts checks each code against GB18030). */
export const TICKET_GLYPHS: GlyphTable = Object.freeze({
  '—': 0xa1aa, '业': 0xd2b5, '中': 0xd6d0, '位': 0xcebb, '修': 0xd0de, '候': 0xbaf2, '前': 0xc7b0, '务': 0xcef1,
  '区': 0xc7f8, '取': 0xc8a1, '叫': 0xbdd0, '台': 0xcca8, '号': 0xbac5, '客': 0xbfcd, '年': 0xc4ea, '度': 0xb6c8,
  '待': 0xb4fd, '心': 0xd0c4, '您': 0xc4fa, '扫': 0xc9a8, '报': 0xb1a8, '排': 0xc5c5, '日': 0xc8d5, '时': 0xcab1,
  '月': 0xd4c2, '有': 0xd3d0, '服': 0xb7fe, '查': 0xb2e9, '物': 0xceef, '的': 0xb5c4, '看': 0xbfb4, '码': 0xc2eb,
  '社': 0xc9e7, '稍': 0xc9d4, '等': 0xb5c8, '行': 0xd0d0, '访': 0xb7c3, '证': 0xd6a4, '请': 0xc7eb, '谢': 0xd0bb,
  '还': 0xbbb9, '进': 0xbdf8, '通': 0xcda8, '间': 0xbce4, '队': 0xb6d3, '面': 0xc3e6, '（': 0xa3a8, '）': 0xa3a9,
  '：': 0xa3ba,
});

const UNPRINTABLE = 0x3f; // '?'

/**
 * Appends `text` as the printer's bytes: printable ASCII as is, table characters as two bytes, anything else as
 * '?'. Returns how many characters became '?'.
 */
export function encodeText(out: number[], text: string, glyphs: GlyphTable): number {
  let unprintable = 0;
  for (const character of text) {
    const code = character.charCodeAt(0);
    if (code >= 0x20 && code <= 0x7e) {
      out.push(code);
      continue;
    }
    const gb = Object.hasOwn(glyphs, character) ? glyphs[character] : undefined;
    if (gb === undefined) {
      out.push(UNPRINTABLE);
      unprintable++;
    } else {
      out.push(gb >> 8, gb & 0xff);
    }
  }
  return unprintable;
}
