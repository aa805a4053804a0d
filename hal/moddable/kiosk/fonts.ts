// Which font a laid-out node is drawn with on Piu, and what happens to characters the font lacks. Piu (MC) looks a
// font up as a resource named after the style: "600 20px Open Sans" → OpenSans-Semibold-20.bf4, so a build lists
// the sizes it carries and the renderer picks among them. Pure data and arithmetic: tested on Node.

/** The fonts one build carries: a family, the pixel sizes per weight, and the characters they cover. */
export interface FontSet {
  /** Piu family name ("Open Sans" → resources OpenSans-*). */
  readonly family: string;
  /** Pixel sizes built at regular weight (body text) and at semibold (headings, strong text), ascending. */
  readonly regular: readonly number[];
  readonly strong: readonly number[];
  /** Every character the fonts have a glyph for (the build's character list). */
  readonly covers: (char: string) => boolean;
  /** Drawn instead of a character the fonts lack (must itself be covered). */
  readonly missing: string;
}

/** 1 dp = 1 px at 160 DPI (modes.ts); rounded to whole pixels, at least 1. */
export const dpToPx = (dp: number, dpi: number): number => Math.max(1, Math.round((dp * dpi) / 160));

/**
 * A text size in dp as a font's pixel size: rounded up, so text is never smaller than the rule its dp size keeps
 * (16 dp at 144 DPI is 14.4 px: a 14 px font would be 15.6 dp). Float noise (20 dp at 144 DPI) does not round up.
 */
export const fontPx = (dp: number, dpi: number): number => Math.max(1, Math.ceil(Math.round((dp * dpi * 1000) / 160) / 1000));

/**
 * The built size for a wanted pixel size: the smallest that is at least as large (text is never drawn smaller
 * than the mode's rule asks), or the largest there is.
 */
export function builtSize(px: number, sizes: readonly number[]): number {
  if (!sizes.length) throw new Error('font set without sizes');
  for (const size of sizes) if (size >= px) return size;
  return sizes[sizes.length - 1]!;
}

/** The Piu font string for a node's text. */
export function fontFor(fonts: FontSet, px: number, strong: boolean): string {
  return strong ? `600 ${builtSize(px, fonts.strong)}px ${fonts.family}` : `${builtSize(px, fonts.regular)}px ${fonts.family}`;
}

/**
 * Text the fonts can draw: a character without a glyph (a rare hanzi in a pushed notice) becomes `missing`, so the
 * reader sees that something is there instead of a silent gap that changes the meaning.
 */
export function drawable(fonts: FontSet, text: string): string {
  let out = '';
  for (const char of text) out += char === '\n' || fonts.covers(char) ? char : fonts.missing;
  return out;
}

/** A coverage test from character lists (the string tables, printable ASCII...). */
export function coverageOf(...texts: readonly string[]): (char: string) => boolean {
  const chars = new Set<string>();
  for (const text of texts) for (const char of text) chars.add(char);
  return (char) => chars.has(char);
}

/** Printable ASCII, which every built font carries (the SDK's prebuilt BMFonts are exactly this). */
export const ASCII = ((): string => {
  let s = '';
  for (let c = 32; c < 127; c++) s += String.fromCharCode(c);
  return s;
})();
