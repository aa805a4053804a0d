// UTF-8 without TextEncoder/TextDecoder, which XS does not have. Behaves like the WHATWG encoder and decoder:
// a lone surrogate encodes as U+FFFD, and each maximal invalid byte sequence decodes as one U+FFFD
// (`utf8Decode`). `utf8DecodeStrict` is the fatal decoder: malformed input gives undefined, never a guess.

const REPLACEMENT = 0xfffd;

/** Bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) length += 1;
    else if (unit < 0x800) length += 2;
    else if (unit >= 0xd800 && unit <= 0xdbff && isLowSurrogate(text.charCodeAt(i + 1))) {
      length += 4;
      i++;
    } else length += 3;
  }
  return length;
}

export function utf8Encode(text: string): Uint8Array {
  const bytes = new Uint8Array(utf8Length(text));
  let at = 0;
  for (let i = 0; i < text.length; i++) {
    let point = text.charCodeAt(i);
    if (point >= 0xd800 && point <= 0xdfff) {
      const low = text.charCodeAt(i + 1);
      if (point <= 0xdbff && isLowSurrogate(low)) {
        point = 0x10000 + ((point - 0xd800) << 10) + (low - 0xdc00);
        i++;
      } else point = REPLACEMENT;
    }
    if (point < 0x80) bytes[at++] = point;
    else if (point < 0x800) {
      bytes[at++] = 0xc0 | (point >> 6);
      bytes[at++] = 0x80 | (point & 0x3f);
    } else if (point < 0x10000) {
      bytes[at++] = 0xe0 | (point >> 12);
      bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
      bytes[at++] = 0x80 | (point & 0x3f);
    } else {
      bytes[at++] = 0xf0 | (point >> 18);
      bytes[at++] = 0x80 | ((point >> 12) & 0x3f);
      bytes[at++] = 0x80 | ((point >> 6) & 0x3f);
      bytes[at++] = 0x80 | (point & 0x3f);
    }
  }
  return bytes;
}

/** Lenient: each maximal invalid byte sequence becomes U+FFFD (WHATWG "replacement" mode). */
export function utf8Decode(bytes: Uint8Array | ArrayBuffer): string {
  return decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), false)!;
}

/**
 * Strict (WHATWG "fatal" mode): undefined when the bytes are not well-formed UTF-8 — an overlong form, a surrogate
 * (U+D800–U+DFFF) encoded as UTF-8, a point above U+10FFFF, a truncated sequence, a stray continuation byte or a
 * byte that never occurs in UTF-8 (C0, C1, F5–FF). A byte order mark is kept as U+FEFF.
 */
export function utf8DecodeStrict(bytes: Uint8Array | ArrayBuffer): string | undefined {
  return decode(bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes), true);
}

/** True when `text` has no lone surrogate, i.e. it is Unicode text that UTF-8 can carry unchanged. */
export function isUnicodeText(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit > 0xdbff || !isLowSurrogate(text.charCodeAt(i + 1))) return false;
    i++;
  }
  return true;
}

function decode(input: Uint8Array, fatal: boolean): string | undefined {
  const units: number[] = [];
  let text = '';
  let i = 0;
  while (i < input.length) {
    const lead = input[i++]!;
    let point = REPLACEMENT;
    if (lead < 0x80) point = lead;
    else {
      // Continuation count and the allowed range of the first continuation byte (rejects overlong forms,
      // surrogates and points above U+10FFFF), per the WHATWG decoder.
      let needed = 0;
      let lower = 0x80;
      let upper = 0xbf;
      if (lead >= 0xc2 && lead <= 0xdf) {
        needed = 1;
        point = lead & 0x1f;
      } else if (lead >= 0xe0 && lead <= 0xef) {
        needed = 2;
        point = lead & 0x0f;
        if (lead === 0xe0) lower = 0xa0;
        if (lead === 0xed) upper = 0x9f;
      } else if (lead >= 0xf0 && lead <= 0xf4) {
        needed = 3;
        point = lead & 0x07;
        if (lead === 0xf0) lower = 0x90;
        if (lead === 0xf4) upper = 0x8f;
      }
      if (needed === 0) {
        if (fatal) return undefined;
        point = REPLACEMENT;
      }
      while (needed > 0) {
        const next = input[i];
        if (next === undefined || next < lower || next > upper) {
          if (fatal) return undefined;
          point = REPLACEMENT;
          break;
        }
        point = (point << 6) | (next & 0x3f);
        lower = 0x80;
        upper = 0xbf;
        i++;
        needed--;
      }
    }
    if (point >= 0x10000) {
      point -= 0x10000;
      units.push(0xd800 + (point >> 10), 0xdc00 + (point & 0x3ff));
    } else units.push(point);
    // Flush in chunks: fromCharCode takes its arguments on the stack.
    if (units.length >= 1024) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode(...units);
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}
