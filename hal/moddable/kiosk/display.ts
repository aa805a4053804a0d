// Which screen the kiosk lays out for on Piu. On the device, the display Piu has (the SDK's driver, rotated as
// manifests/kiosk.json says) at the board's density; a size other than the board's means the manifest's display
// settings and the board disagree, which the caller logs. A build that sets `kioskDpi` (the Linux simulator,
// whose displays are small boards' screens) lays out for whatever display Piu has, at that density.
import type { ScreenSpec } from '../../../firmware/apps/kiosk/screen/modes.js';

/** What Piu reports of its display (the Application's size). */
export interface PiuDisplay {
  readonly width: number;
  readonly height: number;
}

/** The manifest's `kioskDpi` when it is a positive number, or its digits (mcconfig's `kioskDpi=120` is a string). */
export function settingDpi(config: Readonly<Record<string, unknown>>): number | undefined {
  const setting = config.kioskDpi;
  const dpi = typeof setting === 'string' && /^\d+$/.test(setting) ? Number(setting) : setting;
  return typeof dpi === 'number' && Number.isFinite(dpi) && dpi > 0 ? dpi : undefined;
}

export function kioskScreen(
  board: ScreenSpec,
  display: PiuDisplay,
  config: Readonly<Record<string, unknown>>,
): { readonly screen: ScreenSpec; readonly warning?: string } {
  const dpi = settingDpi(config);
  const screen = Object.freeze({ widthPx: display.width, heightPx: display.height, dpi: dpi ?? board.dpi });
  if (dpi !== undefined || (display.width === board.widthPx && display.height === board.heightPx)) return { screen };
  return {
    screen,
    warning: `kiosk: the display is ${display.width}x${display.height}, the board says ${board.widthPx}x${board.heightPx}` +
      ' (check the rotation and driver size in manifests/kiosk.json); laying out for the display',
  };
}
