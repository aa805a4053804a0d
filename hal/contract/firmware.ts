// The firmware slots (optional: builds and hosts without OTA slots have none). Two app slots and a bootloader, as
// ESP-IDF lays them out: the running image, and the inactive slot an update is written into. finish() sets the new
// image to boot next, once, as `pending`; it stays only if markValid() is called before the next reset of any kind
// (crash, watchdog, power cut, restart), otherwise the bootloader goes back to the previous image.

export type ImageState = 'valid' | 'pending';

export interface RunningImage {
  /** The image's version, as its build states it (e.g. "1.4.2"). */
  readonly version: string;
  /** `pending`: booted once after an update, not confirmed yet. */
  readonly state: ImageState;
}

/**
 * What the bootloader did: rolled back from `version` (a binding that cannot tell this boot's from an older rollback
 * says so while the record lasts; the caller matches it with the update it tried).
 */
export type BootOutcome =
  | { readonly rolledBack: false }
  /** It went back to this image because `version` (the newer one) was reset before it confirmed itself. */
  | { readonly rolledBack: true; readonly version: string };

export interface Firmware {
  running(): RunningImage;
  lastBoot(): BootOutcome;
  /** Bytes the inactive slot holds. */
  readonly capacity: number;
  /**
   * Prepares the inactive slot for an image of `size` bytes: it is erased and no longer a fallback. Throws while the
   * running image is pending (it must confirm itself first) or when `size` exceeds capacity.
   */
  begin(size: number): void;
  /**
   * Writes image bytes into the inactive slot (after a begin(), in this boot or an earlier one), in ascending order:
   * a binding may erase each erase block when a write reaches its start. A write may be repeated (after a cut).
   */
  write(offset: number, bytes: Uint8Array): void;
  read(offset: number, byteLength: number): Uint8Array;
  /** Checks the image in the inactive slot (its header and the hash its build appended) and sets it to boot next. Throws when it is not a valid image. */
  finish(): void;
  /** The running image stays (cancels the rollback). Does nothing when it is valid already. */
  markValid(): void;
}
