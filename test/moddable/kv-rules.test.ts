// The NVS rules the Moddable key-value store enforces before calling Preference (firmware/lib/kv-rules.ts).
import { checkName, checkValue } from '../../firmware/lib/kv-rules.js';

describe('checkName', () => {
  test.each(['a', 'prov', 'wifiPass', 'x'.repeat(15), 'with space', 'a.b-c_d~'])('accepts %j', (name) => {
    expect(() => checkName('key', name)).not.toThrow();
  });

  test.each(['', 'x'.repeat(16), 'tab\there', 'é', 'nul\u0000'])('rejects %j', (name) => {
    expect(() => checkName('key', name)).toThrow(RangeError);
  });

  test('names the offending part', () => {
    expect(() => checkName('domain', 'far-too-long-domain')).toThrow(/domain/);
  });
});

describe('checkValue', () => {
  test('keeps booleans, int32 numbers and strings as they are', () => {
    for (const value of [true, false, 0, -1, 0x7fff_ffff, -0x8000_0000, '', 'héllo']) expect(checkValue(value)).toBe(value);
  });

  test.each([0.5, 2 ** 31, -(2 ** 31) - 1, Number.NaN, Number.POSITIVE_INFINITY])('rejects the number %p (NVS stores i32)', (value) => {
    expect(() => checkValue(value)).toThrow(/32-bit integers/);
  });

  test('strings may take 3999 UTF-8 bytes, counted as bytes, and no NUL', () => {
    expect(checkValue('x'.repeat(3999))).toHaveLength(3999);
    expect(() => checkValue('x'.repeat(4000))).toThrow(/4000 UTF-8 bytes exceeds 3999/);
    expect(() => checkValue('é'.repeat(2000))).toThrow(/4000 UTF-8 bytes/);
    expect(() => checkValue('a\u0000b')).toThrow(/NUL/);
  });

  test('ArrayBuffers up to 4000 bytes; a view becomes a copy of just its bytes', () => {
    const buffer = new ArrayBuffer(4000);
    expect(checkValue(buffer)).toBe(buffer);
    expect(() => checkValue(new ArrayBuffer(4001))).toThrow(/4001 bytes/);
    const backing = Uint8Array.of(9, 1, 2, 3, 9);
    const copied = checkValue(backing.subarray(1, 4) as unknown as ArrayBuffer);
    expect(copied).toBeInstanceOf(ArrayBuffer);
    expect([...new Uint8Array(copied as ArrayBuffer)]).toEqual([1, 2, 3]);
  });

  test('rejects other types', () => {
    expect(() => checkValue({} as unknown as string)).toThrow(TypeError);
    expect(() => checkValue(undefined as unknown as string)).toThrow(TypeError);
  });
});
