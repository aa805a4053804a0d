// The colours a renderer may use, by name, one palette per mode, and WCAG 2.x contrast computed from their sRGB
// values, so that the contrast rule is checked on the numbers, not on a claim.
export type ColorName = 'paper' | 'ink' | 'muted' | 'surface' | 'primary' | 'onPrimary' | 'danger' | 'ok' | 'warn' | 'warnBg' | 'line';
export type Palette = Readonly<Record<ColorName, string>>;
export type PaletteName = 'standard' | 'highContrast';

export const PALETTES: Readonly<Record<PaletteName, Palette>> = Object.freeze({
  standard: Object.freeze({
    paper: '#FFFFFF', ink: '#1B1F24', muted: '#4A5560', surface: '#E8EDF2', primary: '#0B57D0', onPrimary: '#FFFFFF',
    danger: '#B3261E', ok: '#1E6B34', warn: '#8A4B00', warnBg: '#FFE08A',
    line: '#C9D1D9', // dividers only: never text
  }),
  // Elderly mode: black on white, darker accents (each text pair ≥ 7:1, WCAG AAA).
  highContrast: Object.freeze({
    paper: '#FFFFFF', ink: '#000000', muted: '#333333', surface: '#E0E0E0', primary: '#003A8C', onPrimary: '#FFFFFF',
    danger: '#8C1D18', ok: '#0B4F23', warn: '#6B3A00', warnBg: '#FFE08A',
    line: '#767676',
  }),
});

function channel(hex: string, at: number): number {
  const c = parseInt(hex.slice(at, at + 2), 16) / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG relative luminance of '#RRGGBB'. */
export function luminance(hex: string): number {
  return 0.2126 * channel(hex, 1) + 0.7152 * channel(hex, 3) + 0.0722 * channel(hex, 5);
}

/** WCAG contrast ratio, 1 to 21. */
export function contrast(a: string, b: string): number {
  const la = luminance(a);
  const lb = luminance(b);
  return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
}
