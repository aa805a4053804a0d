// The firmware slots on the ESP32 (hal/contract/firmware.ts): image bytes through the SDK's `flash` module opened on
// "nextota" (the app slot not running: raw writes, so a download cut by a restart resumes where it stopped, which
// the SDK's `ota` and `embedded:update` cannot: they erase from byte 0 at every open), and ESP-IDF's rollback through
// our native (esp32/ota-slots.c): the running image's state, confirming it, the last image rolled back, and the
// switch (esp_ota_set_boot_partition, which validates the image's own SHA-256). Not run on a chip yet.
import Flash from 'flash';
import type { BootOutcome, Firmware, RunningImage } from '../contract/firmware.js';

/** The native's shape (module "ota-slots"). */
export interface OtaSlotsNative {
  runningState(): number;
  markValid(): number;
  lastInvalidVersion(): string | undefined;
  activateNext(): number;
}

const PENDING = 1;
const NOT_OTA = -1;

export class ModdableFirmware implements Firmware {
  readonly capacity: number;
  #native: OtaSlotsNative;
  #next: Flash;
  #version: string;

  /** `version`: the running build's (config `firmware`). */
  constructor(native: OtaSlotsNative, version: string) {
    this.#native = native;
    this.#version = version;
    this.#next = new Flash('nextota');
    this.capacity = this.#next.byteLength;
  }

  running(): RunningImage {
    return { version: this.#version, state: this.#native.runningState() === PENDING ? 'pending' : 'valid' };
  }

  lastBoot(): BootOutcome {
    const version = this.#native.lastInvalidVersion();
    return version === undefined ? { rolledBack: false } : { rolledBack: true, version };
  }

  begin(size: number): void {
    if (!Number.isSafeInteger(size) || size <= 0 || size > this.capacity) throw new RangeError(`firmware: image of ${size} bytes does not fit the slot (${this.capacity})`);
    const state = this.#native.runningState();
    if (state === PENDING) throw new Error('firmware: the running image is pending: it must confirm itself first');
    if (state === NOT_OTA) throw new Error('firmware: running from the factory slot: this partition table has no OTA slots');
    // Only the first block now: the rest is erased as writes reach it (an erase of the whole slot takes seconds, past
    // the task watchdog). Without its header the old image there is no longer bootable.
    this.#next.erase(0);
  }

  write(offset: number, bytes: Uint8Array): void {
    const blockSize = this.#next.blockSize;
    if (!Number.isSafeInteger(offset) || offset < 0 || offset + bytes.length > this.capacity) throw new RangeError(`firmware: write at ${offset} of ${bytes.length} bytes`);
    // Each block whose start this write covers is erased first (writes come in ascending order).
    for (let block = Math.ceil(offset / blockSize); block * blockSize < offset + bytes.length; block++) this.#next.erase(block);
    this.#next.write(offset, bytes.length, bytes.slice().buffer as ArrayBuffer);
  }

  read(offset: number, byteLength: number): Uint8Array {
    return new Uint8Array(this.#next.read(offset, byteLength) as ArrayBuffer);
  }

  finish(): void {
    const err = this.#native.activateNext();
    if (err !== 0) throw new Error(`firmware: the image was not accepted (esp_err ${err})`);
  }

  markValid(): void {
    if (this.#native.runningState() !== PENDING) return;
    const err = this.#native.markValid();
    if (err !== 0) throw new Error(`firmware: could not confirm the running image (esp_err ${err})`);
  }
}
