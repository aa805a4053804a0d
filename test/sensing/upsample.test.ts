// The history a wake on impact reads at the chip's sleep rate reaches the detector at 50 Hz (upsample in
// firmware/sensing/impact-wake.ts): each interval filled linearly, the newest sample held, nothing read past the count.
import { expect, test } from '@jest/globals';
import { upsample } from '../../firmware/sensing/impact-wake.js';

test('factor 2: each sample, then the rounded midpoint to the next; the newest held', () => {
  const from = Int16Array.from([0, 1000, -7, 100, 1001, -8, 300, 0, 0, 999, 999, 999]); // the 4th is not counted
  const into = new Int16Array(6 * 3).fill(123);
  expect(upsample(from, 3, 2, into)).toBe(6);
  expect(Array.from(into)).toEqual([
    0, 1000, -7, 50, 1001, -7, // Math.round(1000.5) = 1001, Math.round(-7.5) = -7
    100, 1001, -8, 200, 501, -4,
    300, 0, 0, 300, 0, 0,
  ]);
});

test('factor 5 (10 Hz): four steps between samples; factor 1 copies', () => {
  const into = new Int16Array(10 * 3);
  expect(upsample(Int16Array.from([0, 0, 0, 500, -500, 1000]), 2, 5, into)).toBe(10);
  expect(Array.from(into.filter((_, i) => i % 3 === 0))).toEqual([0, 100, 200, 300, 400, 500, 500, 500, 500, 500]);
  const copy = new Int16Array(6);
  upsample(Int16Array.from([1, 2, 3, 4, 5, 6]), 2, 1, copy);
  expect(Array.from(copy)).toEqual([1, 2, 3, 4, 5, 6]);
});

test('nothing to do for no samples; a wrong factor or a short output is refused', () => {
  expect(upsample(new Int16Array(0), 0, 2, new Int16Array(0))).toBe(0);
  expect(() => upsample(new Int16Array(6), 2, 1.5, new Int16Array(18))).toThrow(RangeError);
  expect(() => upsample(new Int16Array(6), 2, 0, new Int16Array(18))).toThrow(RangeError);
  expect(() => upsample(new Int16Array(6), 2, 2, new Int16Array(11))).toThrow(RangeError);
  expect(() => upsample(new Int16Array(6), 3, 2, new Int16Array(18))).toThrow(RangeError); // more than given
  expect(() => upsample(new Int16Array(6), -1, 2, new Int16Array(18))).toThrow(RangeError);
});
