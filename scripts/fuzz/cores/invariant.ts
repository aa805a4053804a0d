// What a fuzz target throws when an input broke a property it asserts (as opposed to an exception that escaped
// the device's code). Engine-neutral: the XS cores throw it too.

export class InvariantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantError';
  }
}

export function check(condition: unknown, message: string | (() => string)): asserts condition {
  if (!condition) throw new InvariantError(typeof message === 'string' ? message : message());
}

/**
 * Strict UTF-8 validity (what a fatal TextDecoder accepts), without TextDecoder: XS has none that is fatal. Written
 * apart from firmware/lib/utf8.ts on purpose: an oracle that shared the decoder under test could not catch its bugs.
 */
export function isValidUtf8(bytes: Uint8Array): boolean {
  let i = 0;
  while (i < bytes.length) {
    const lead = bytes[i++]!;
    if (lead < 0x80) continue;
    let needed: number;
    let lower = 0x80;
    let upper = 0xbf;
    if (lead >= 0xc2 && lead <= 0xdf) needed = 1;
    else if (lead >= 0xe0 && lead <= 0xef) {
      needed = 2;
      if (lead === 0xe0) lower = 0xa0;
      if (lead === 0xed) upper = 0x9f;
    } else if (lead >= 0xf0 && lead <= 0xf4) {
      needed = 3;
      if (lead === 0xf0) lower = 0x90;
      if (lead === 0xf4) upper = 0x8f;
    } else return false;
    for (; needed > 0; needed--) {
      const next = bytes[i++];
      if (next === undefined || next < lower || next > upper) return false;
      lower = 0x80;
      upper = 0xbf;
    }
  }
  return true;
}
