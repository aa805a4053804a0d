// What each mode lays out (sizes, spacing, items per page, timeouts) and the minimum each rule allows. Sizes are
// in dp (1 dp = 1 px at 160 DPI), converted from the board's screen.
//
// Standard mode: body text 16 dp. Material's body-large is 16 sp for phones read at ~30 cm; a kiosk is read
// standing at 40–60 cm by anyone passing, so the phone's 14 sp body is too small, and 16 dp is the floor.
// Targets 48 dp laid out, 44 × 44 dp the floor (MIIT 2021 outside elder mode, WCAG 2.5.5).
// Elderly mode (MIIT 2021 ageing-friendly rules): body ≥ 18 dp (20 laid out), the largest text ≥ 30 dp (the
// title), targets ≥ 60 × 60 dp (64 laid out), line spacing ≥ 1.3, contrast ≥ 4.5:1 (the palette gives ≥ 7:1),
// three choices a page, and three minutes before going home, with a "more time" prompt a minute before.
import type { PaletteName } from './palette.js';

export type Mode = 'standard' | 'elderly';

export interface ModeSpec {
  readonly palette: PaletteName;
  readonly bodyDp: number;
  readonly titleDp: number;
  readonly targetDp: number;
  readonly gapDp: number;
  readonly lineHeight: number;
  readonly maxItems: number;
  /** The page buttons' column beside the body: two targets wide, "Previous page" fits on two lines (no icon: the
   * words need the room), and the body keeps room for a keypad's five columns on a 4" display. */
  readonly pagerDp: number;
  /** Inactivity until home; the "more time" prompt shows promptMs before it. */
  readonly idleMs: number;
  readonly promptMs: number;
  readonly min: {
    readonly bodyDp: number;
    readonly largestDp: number;
    readonly targetDp: number;
    readonly lineHeight: number;
    readonly contrast: number;
    readonly idleMs: number;
    readonly promptMs: number;
  };
}

export const MODES: Readonly<Record<Mode, ModeSpec>> = Object.freeze({
  standard: Object.freeze({
    palette: 'standard' as const, bodyDp: 16, titleDp: 22, targetDp: 48, gapDp: 8, lineHeight: 1.3, maxItems: 6, pagerDp: 96,
    idleMs: 60_000, promptMs: 20_000,
    min: Object.freeze({ bodyDp: 16, largestDp: 0, targetDp: 44, lineHeight: 1.2, contrast: 4.5, idleMs: 30_000, promptMs: 10_000 }),
  }),
  elderly: Object.freeze({
    palette: 'highContrast' as const, bodyDp: 20, titleDp: 30, targetDp: 64, gapDp: 12, lineHeight: 1.4, maxItems: 3, pagerDp: 128,
    idleMs: 180_000, promptMs: 60_000,
    min: Object.freeze({ bodyDp: 18, largestDp: 30, targetDp: 60, lineHeight: 1.3, contrast: 4.5, idleMs: 120_000, promptMs: 30_000 }),
  }),
});

/** The board's display: its pixels and density. */
export interface ScreenSpec {
  readonly widthPx: number;
  readonly heightPx: number;
  readonly dpi: number;
}

export const pxToDp = (px: number, dpi: number): number => (px * 160) / dpi;
