// The fonts a kiosk build carries, from its manifest's config (they must match the manifest's font resources:
// manifests/kiosk-fonts-ascii.json, kiosk-fonts-cjk.json, kiosk-screens-cjk.json): `kioskFont` (family),
// `kioskSizes` and `kioskStrongSizes` (px, comma-separated), `kioskCoverage`: "ascii" for the SDK's prebuilt
// BMFonts, "tables" for a font generated with every character of the string tables.
import { STRINGS } from '../../../firmware/apps/kiosk/screen/strings/index.js';
import { ASCII, coverageOf, type FontSet } from './fonts.js';

/** Drawn for a character outside the font: listed in the generated fonts' characters; "?" for ASCII fonts. */
export const MISSING_GENERATED = '□';

const sizes = (setting: unknown, fallback: readonly number[]): readonly number[] => {
  if (typeof setting !== 'string') return fallback;
  const list = setting.split(',').map(Number).filter((n) => Number.isInteger(n) && n > 0).sort((a, b) => a - b);
  return list.length ? Object.freeze(list) : fallback;
};

export function manifestFonts(config: Readonly<Record<string, unknown>>): FontSet {
  const tables = config.kioskCoverage === 'tables';
  const covers = tables
    ? coverageOf(ASCII, MISSING_GENERATED, ...Object.values(STRINGS.zh), ...Object.values(STRINGS.en))
    : coverageOf(ASCII);
  return Object.freeze({
    family: typeof config.kioskFont === 'string' ? config.kioskFont : 'Open Sans',
    regular: sizes(config.kioskSizes, [16, 18, 20, 24]),
    strong: sizes(config.kioskStrongSizes, [16, 18, 20, 28]),
    covers,
    missing: tables ? MISSING_GENERATED : '?',
  });
}
