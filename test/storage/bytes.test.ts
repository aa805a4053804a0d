// Engine-neutral byte helpers against known vectors, and UTF-8 against Node's WHATWG TextEncoder/TextDecoder.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../firmware/lib/crc32.js';
import { fromHex, toHex } from '../../firmware/lib/hex.js';
import { isUnicodeText, utf8Decode, utf8DecodeStrict, utf8Encode, utf8Length } from '../../firmware/lib/utf8.js';

const ascii = (text: string) => Uint8Array.from(text, (c) => c.charCodeAt(0));

describe('utf8Encode', () => {
  test.each([
    ['', ''],
    ['A', '41'],
    ['é', 'c3a9'],
    ['€', 'e282ac'],
    ['𝄞', 'f09d849e'],
    ['a€𝄞é', '61e282acf09d849ec3a9'],
    ['\u07ff\u0800\uffff', 'dfbfe0a080efbfbf'],
  ])('%j → %s', (text, hex) => {
    expect(toHex(utf8Encode(text))).toBe(hex);
    expect(utf8Length(text)).toBe(hex.length / 2);
  });

  test('a lone or reversed surrogate becomes U+FFFD', () => {
    expect(toHex(utf8Encode('\ud800'))).toBe('efbfbd');
    expect(toHex(utf8Encode('x\udc00y'))).toBe('78efbfbd79');
    expect(toHex(utf8Encode('\udc00\ud800'))).toBe('efbfbdefbfbd');
    expect(utf8Length('\ud800')).toBe(3);
  });

  test('matches TextEncoder on random strings with surrogates', () => {
    const random = seeded(7);
    const encoder = new TextEncoder();
    for (let round = 0; round < 300; round++) {
      let text = '';
      for (let i = random() * 40; i > 0; i--) {
        const pick = random();
        const unit =
          pick < 0.3 ? Math.floor(random() * 0x80) : pick < 0.6 ? Math.floor(random() * 0x10000) : 0xd800 + Math.floor(random() * 0x800);
        text += String.fromCharCode(unit);
      }
      expect(toHex(utf8Encode(text))).toBe(toHex(encoder.encode(text)));
    }
  });
});

describe('utf8Decode', () => {
  test.each([
    ['61e282acf09d849ec3a9', 'a€𝄞é'],
    ['c3', '\ufffd'],
    ['e282', '\ufffd'],
    ['f09d84', '\ufffd'],
    ['c080', '\ufffd\ufffd'],
    ['eda080', '\ufffd\ufffd\ufffd'],
    ['f4908080', '\ufffd\ufffd\ufffd\ufffd'],
    ['e28241', '\ufffdA'],
    ['ff41', '\ufffdA'],
  ])('%s → %j', (hex, text) => {
    expect(utf8Decode(fromHex(hex))).toBe(text);
  });

  test('accepts an ArrayBuffer and round-trips long text', () => {
    const text = 'ж𝄞'.repeat(3000);
    const bytes = utf8Encode(text);
    expect(utf8Decode(bytes.buffer as ArrayBuffer)).toBe(text);
  });

  test('matches TextDecoder on random bytes', () => {
    const random = seeded(11);
    const decoder = new TextDecoder();
    for (let round = 0; round < 500; round++) {
      const bytes = new Uint8Array(Math.floor(random() * 24));
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() < 0.5 ? 0x80 + Math.floor(random() * 0x80) : Math.floor(random() * 256);
      expect(utf8Decode(bytes)).toBe(decoder.decode(bytes));
    }
  });
});

describe('utf8DecodeStrict', () => {
  test.each([
    ['', ''],
    ['61e282acf09d849ec3a9', 'a€𝄞é'],
    ['7f', '\u007f'],
    ['c280', '\u0080'],
    ['dfbf', '\u07ff'],
    ['e0a080', '\u0800'],
    ['ed9fbf', '\ud7ff'],
    ['ee8080', '\ue000'],
    ['efbbbf41', '\ufeffA'],
    ['efbfbf', '\uffff'],
    ['f0908080', '\u{10000}'],
    ['f48fbfbf', '\u{10FFFF}'],
  ])('well-formed %s → %j', (hex, text) => {
    expect(utf8DecodeStrict(fromHex(hex))).toBe(text);
  });

  test.each([
    ['overlong 2-byte', 'c0af'],
    ['overlong 2-byte (C1)', 'c1bf'],
    ['overlong 3-byte', 'e080af'],
    ['overlong 4-byte', 'f08080af'],
    ['UTF-8-encoded high surrogate', 'eda080'],
    ['UTF-8-encoded low surrogate', 'edbfbf'],
    ['surrogate pair as two 3-byte forms (CESU-8)', 'eda0bdedb2a9'],
    ['above U+10FFFF', 'f4908080'],
    ['F5 lead', 'f5808080'],
    ['5-byte form', 'f888808080'],
    ['6-byte form', 'fc8480808080'],
    ['FE', 'fe'],
    ['FF', 'ff'],
    ['stray continuation', '80'],
    ['stray continuation after ASCII', '41bf42'],
    ['truncated 2-byte at the end', '41c3'],
    ['truncated 3-byte at the end', 'e282'],
    ['truncated 4-byte at the end', 'f09d84'],
    ['truncated sequence before ASCII', 'e28241'],
    ['lead byte followed by a lead byte', 'c3c3a9'],
  ])('%s (%s) → undefined', (_what, hex) => {
    expect(utf8DecodeStrict(fromHex(hex))).toBeUndefined();
    // The lenient decoder still reads it, with U+FFFD for what is not UTF-8.
    expect(utf8Decode(fromHex(hex))).toContain('\ufffd');
  });

  test('agrees with a fatal TextDecoder on random bytes, and with the lenient decoder whenever it succeeds', () => {
    const random = seeded(13);
    const fatal = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    let valid = 0;
    for (let round = 0; round < 3000; round++) {
      const bytes = new Uint8Array(Math.floor(random() * 12));
      for (let i = 0; i < bytes.length; i++) {
        const pick = random();
        bytes[i] = pick < 0.4 ? Math.floor(random() * 0x80) : pick < 0.7 ? 0x80 + Math.floor(random() * 0x40) : 0xc0 + Math.floor(random() * 0x40);
      }
      let expected: string | undefined;
      try {
        expected = fatal.decode(bytes);
      } catch {
        expected = undefined;
      }
      expect(utf8DecodeStrict(bytes)).toBe(expected);
      if (expected !== undefined) {
        valid++;
        expect(utf8Decode(bytes)).toBe(expected);
      }
    }
    expect(valid).toBeGreaterThan(300);
  });

  test('accepts an ArrayBuffer and long text', () => {
    const text = 'ж𝄞a'.repeat(3000);
    expect(utf8DecodeStrict(utf8Encode(text).buffer as ArrayBuffer)).toBe(text);
  });
});

describe('isUnicodeText', () => {
  test.each([['', true], ['a€𝄞', true], ['\ud83d\ude91', true], ['\ud800', false], ['a\udc00', false], ['\ude91\ud83d', false], ['\ud83d', false], ['\ud83dx', false]])(
    '%j → %s', (text, expected) => {
      expect(isUnicodeText(text)).toBe(expected);
    },
  );
});

describe('crc32', () => {
  test.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('%j → %d', (text, expected) => {
    expect(crc32(ascii(text))).toBe(expected);
  });

  test('chains over pieces', () => {
    const whole = ascii('The quick brown fox jumps over the lazy dog');
    expect(crc32(whole.subarray(10), crc32(whole.subarray(0, 10)))).toBe(crc32(whole));
  });

  test('matches zlib on random data', () => {
    const random = seeded(3);
    for (let round = 0; round < 50; round++) {
      const bytes = Uint8Array.from({ length: Math.floor(random() * 2000) }, () => Math.floor(random() * 256));
      expect(crc32(bytes)).toBe(zlibCrc32(bytes));
    }
  });

  test('detects a single flipped bit', () => {
    const data = ascii('123456789');
    const original = crc32(data);
    data[4]! ^= 0x10;
    expect(crc32(data)).not.toBe(original);
  });
});

describe('hex', () => {
  test('round-trips and accepts upper case', () => {
    expect(toHex(new Uint8Array([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(Array.from(fromHex('0001ABff'))).toEqual([0, 1, 0xab, 0xff]);
  });

  test('rejects odd length and non-hex characters', () => {
    expect(() => fromHex('abc')).toThrow(SyntaxError);
    expect(() => fromHex('zz')).toThrow(SyntaxError);
  });
});

function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 4294967296;
  };
}
