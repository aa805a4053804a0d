// Engine-neutral byte helpers against known vectors, and UTF-8 against Node's WHATWG TextEncoder/TextDecoder.
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../firmware/lib/crc32.js';
import { fromHex, toHex } from '../../firmware/lib/hex.js';
import { utf8Decode, utf8Encode, utf8Length } from '../../firmware/lib/utf8.js';

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
