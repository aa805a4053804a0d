// A complete list in a slot, opened for reading: header checked, tables and profiles at the layout's offsets.
import type { Crypto } from '../../../../hal/contract/crypto.js';
import type { FlashPartition } from '../../../../hal/contract/storage.js';
import { decodeProfile, type Profile, PROFILE_BYTES } from './format.js';
import { decodeHeader, HEADER_BYTES, slotLayout, type SlotHeader, type SlotLayout } from './layout.js';
import { Table } from './table.js';

export class Slot {
  readonly name: string;
  readonly flash: FlashPartition;
  readonly header: SlotHeader;
  readonly layout: SlotLayout;
  readonly main: Table;
  readonly pins: Table;
  #profiles = new Map<number, Profile>();

  private constructor(name: string, flash: FlashPartition, header: SlotHeader) {
    this.name = name;
    this.flash = flash;
    this.header = header;
    this.layout = slotLayout(header, flash.blockSize);
    this.main = new Table(flash, this.layout.main);
    this.pins = new Table(flash, this.layout.pins);
  }

  /** The list in `flash`, or why there is none usable. */
  static open(name: string, flash: FlashPartition, crypto: Crypto): Slot | string {
    const header = decodeHeader(new Uint8Array(flash.read(0, HEADER_BYTES)), flash.blockSize, crypto);
    if (typeof header === 'string') return header;
    if (slotLayout(header, flash.blockSize).end > flash.byteLength) return 'list header describes more than the partition holds';
    return new Slot(name, flash, header);
  }

  get version(): number {
    return this.header.version;
  }

  /** Profile `n` (cached: the table is small and read often). */
  profile(n: number): Profile | undefined {
    if (!Number.isInteger(n) || n < 0 || n >= this.header.profiles) return undefined;
    let profile = this.#profiles.get(n);
    if (!profile) {
      profile = decodeProfile(new Uint8Array(this.flash.read(this.layout.profiles + n * PROFILE_BYTES, PROFILE_BYTES)));
      this.#profiles.set(n, profile);
    }
    return profile;
  }
}
