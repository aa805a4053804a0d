// Decoding one Wiegand frame (the bits between two pauses), MSB first as sent.
// - 26 bits: even parity over bits 0–12, 8-bit facility + 16-bit card number, odd parity over bits 13–25.
// - 34 bits: even parity over bits 0–16, 32 data bits (16-bit facility + 16-bit card), odd parity over 17–33.
// - 4-bit keypad burst: one key, 0–9, 10 = '*', 11 = '#'.
// - 8-bit keypad burst: the key in the low nibble, its complement in the high nibble as a check.

export type WiegandKey = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#';

export type WiegandFrame =
  | { kind: 'card'; bits: 26 | 34; id: Uint8Array }
  | { kind: 'key'; key: WiegandKey };

/** Why a frame was dropped: a failed check, or a length or key code this decoder does not know. */
export type WiegandError = 'parity' | 'framing';

const KEYS = '0123456789*#';

/** Decodes the first `count` entries of `bits` (each 0 or 1). */
export function decodeWiegand(bits: Uint8Array, count: number): WiegandFrame | WiegandError {
  if (count === 26 || count === 34) return decodeCard(bits, count);
  if (count === 4) return keyOf(valueOf(bits, 0, 4));
  if (count === 8) {
    const value = valueOf(bits, 0, 8);
    if (value >> 4 !== (~value & 0x0f)) return 'parity';
    return keyOf(value & 0x0f);
  }
  return 'framing';
}

function decodeCard(bits: Uint8Array, count: 26 | 34): WiegandFrame | WiegandError {
  const half = count / 2;
  if (ones(bits, 0, half) % 2 !== 0 || ones(bits, half, count) % 2 !== 1) return 'parity';
  const id = new Uint8Array((count - 2) / 8);
  for (let i = 0; i < id.length; i++) id[i] = valueOf(bits, 1 + 8 * i, 9 + 8 * i);
  return { kind: 'card', bits: count, id };
}

function keyOf(value: number): WiegandFrame | WiegandError {
  const key = KEYS[value] as WiegandKey | undefined;
  return key === undefined ? 'framing' : { kind: 'key', key };
}

function valueOf(bits: Uint8Array, from: number, to: number): number {
  let value = 0;
  for (let i = from; i < to; i++) value = (value << 1) | bits[i]!;
  return value;
}

function ones(bits: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) count += bits[i]!;
  return count;
}
