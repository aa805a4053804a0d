// Firmware slots on the host: two app slots (`ota_0`, `ota_1`, flash partitions of the simulated device) and a
// bootloader model of ESP-IDF's app rollback, its state (`otadata`) one atomic key-value record. A simulated image is
// a small record (version, behaviour) in a slot, with a SHA-256 appended as ESP-IDF's build appends one, so the
// simulator can make images that fail their self-test, crash on boot or never reach the broker.
//
// The bootloader, at every power-on: a slot set by finish() (`new`) boots once as `pending`; a `pending` slot that
// boots again (it was reset before markValid(), whatever the reset) is `aborted` and the other slot boots instead.
import { createHash } from 'node:crypto';
import type { BootOutcome, Firmware, ImageState, RunningImage } from '../contract/firmware.js';
import type { FlashPartition, KeyValueStore, Storage } from '../contract/storage.js';
import { sameBytes } from '../../firmware/lib/bytes.js';

export const SLOT_PARTITIONS = Object.freeze(['ota_0', 'ota_1'] as const);
const OTADATA_DOMAIN = 'otadata';
const OTADATA_KEY = 'state';
const MAGIC = 'CTIMG1';
const HASH_BYTES = 32;

/** How a simulated image behaves once booted. */
export type ImageBehaviour = 'ok' | 'fails-self-test' | 'crashes' | 'never-connects';
export const IMAGE_BEHAVIOURS: readonly ImageBehaviour[] = Object.freeze(['ok', 'fails-self-test', 'crashes', 'never-connects'] as ImageBehaviour[]);

export interface SimImage {
  readonly version: string;
  readonly behaviour: ImageBehaviour;
}

export type SlotState = 'valid' | 'new' | 'pending' | 'aborted' | 'empty';

/** The boot choice the bootloader keeps (ESP-IDF's otadata partition). */
export interface OtaData {
  /** The slot to boot. */
  active: 0 | 1;
  states: [SlotState, SlotState];
}

/**
 * The bytes of a simulated image: magic, u16 header length, the JSON header (version, behaviour, size), filler up to
 * `size`, then the SHA-256 of everything before it (`size` includes it; default: just big enough).
 */
export function makeSimImage(image: SimImage, size?: number): Uint8Array {
  const encode = (total: number) => new TextEncoder().encode(JSON.stringify({ version: image.version, behaviour: image.behaviour, size: total }));
  const minimum = MAGIC.length + 2 + encode(999_999_999).length + HASH_BYTES;
  const total = size ?? minimum;
  if (!Number.isSafeInteger(total) || total < minimum) throw new RangeError(`sim image: ${total} bytes is less than the ${minimum} it needs`);
  const header = encode(total);
  const bytes = new Uint8Array(total);
  bytes.set(new TextEncoder().encode(MAGIC), 0);
  new DataView(bytes.buffer).setUint16(MAGIC.length, header.length);
  bytes.set(header, MAGIC.length + 2);
  // Filler that is not all 0xFF, so an erased slot never passes for an image.
  for (let i = MAGIC.length + 2 + header.length; i < total - HASH_BYTES; i++) bytes[i] = (i * 31) & 0xff;
  bytes.set(sha256(bytes.subarray(0, total - HASH_BYTES)), total - HASH_BYTES);
  return bytes;
}

/** The image in a slot, or undefined when the slot holds no valid image (erased, torn, corrupted), as ESP-IDF's image check. */
export function readSimImage(slot: FlashPartition): SimImage | undefined {
  const head = new Uint8Array(slot.read(0, Math.min(slot.byteLength, 512)));
  if (new TextDecoder().decode(head.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  const headerLength = new DataView(head.buffer).getUint16(MAGIC.length);
  const header = tryParse(new TextDecoder().decode(head.subarray(MAGIC.length + 2, MAGIC.length + 2 + headerLength)));
  if (!header || typeof header.version !== 'string' || !IMAGE_BEHAVIOURS.includes(header.behaviour as ImageBehaviour)) return undefined;
  const size = header.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < MAGIC.length + 2 + headerLength + HASH_BYTES || size > slot.byteLength) return undefined;
  const bytes = new Uint8Array(slot.read(0, size));
  if (!sameBytes(bytes.subarray(size - HASH_BYTES), sha256(bytes.subarray(0, size - HASH_BYTES)))) return undefined;
  return { version: header.version, behaviour: header.behaviour as ImageBehaviour };
}

/** Installs `image` in slot 0 as the valid one (flashing over serial at the factory); slot 1 empty. */
export function flashFactoryImage(storage: Storage, image: SimImage | Uint8Array): void {
  const slot = slotPartition(storage, 0);
  const bytes = image instanceof Uint8Array ? image : makeSimImage(image);
  for (let block = 0; block < Math.ceil(bytes.length / slot.blockSize); block++) slot.erase(block);
  slot.write(0, bytes.length, bytes);
  writeOtaData(storage.kv, { active: 0, states: ['valid', 'empty'] });
}

/** What the bootloader chose at one power-on. */
export interface BootChoice {
  readonly slot: 0 | 1;
  readonly image: SimImage;
  readonly state: ImageState;
  readonly outcome: BootOutcome;
}

/**
 * One power-on of the bootloader: the otadata state machine, then the image. Undefined when nothing can boot (no
 * valid image in either slot: the state this model exists to prove never happens).
 */
export function bootloader(storage: Storage): BootChoice | undefined {
  const data = readOtaData(storage.kv);
  if (!data) return undefined;
  let outcome: BootOutcome = { rolledBack: false };
  let active = data.active;
  const state = data.states[active];
  if (state === 'new') {
    data.states[active] = 'pending';
    writeOtaData(storage.kv, data);
  } else if (state === 'pending') {
    const failed = readSimImage(slotPartition(storage, active));
    data.states[active] = 'aborted';
    active = other(active);
    data.active = active;
    writeOtaData(storage.kv, data);
    outcome = { rolledBack: true, version: failed?.version ?? 'unknown' };
  }
  if (data.states[active] !== 'valid' && data.states[active] !== 'pending') return undefined;
  const image = readSimImage(slotPartition(storage, active));
  if (!image) return undefined;
  return { slot: active, image, state: data.states[active] === 'pending' ? 'pending' : 'valid', outcome };
}

/** The Firmware of one boot, over the slots and otadata of `storage`. */
export class HostFirmware implements Firmware {
  readonly capacity: number;
  #storage: Storage;
  #choice: BootChoice;

  constructor(storage: Storage, choice: BootChoice) {
    this.#storage = storage;
    this.#choice = choice;
    this.capacity = this.#next().byteLength;
  }

  running(): RunningImage {
    const data = readOtaData(this.#storage.kv);
    const state = data?.states[this.#choice.slot] === 'pending' ? 'pending' : 'valid';
    return { version: this.#choice.image.version, state };
  }

  lastBoot(): BootOutcome {
    return this.#choice.outcome;
  }

  begin(size: number): void {
    if (!Number.isSafeInteger(size) || size <= 0 || size > this.capacity) throw new RangeError(`firmware: image of ${size} bytes does not fit the slot (${this.capacity})`);
    const data = this.#otaData();
    if (data.states[this.#choice.slot] === 'pending') throw new Error('firmware: the running image is pending: it must confirm itself first');
    const inactive = other(this.#choice.slot);
    // No longer a fallback from here on: the bootloader must never boot a half-written slot.
    if (data.states[inactive] !== 'empty') {
      data.states[inactive] = 'empty';
      writeOtaData(this.#storage.kv, data);
    }
    const slot = this.#next();
    for (let block = 0; block < Math.ceil(size / slot.blockSize); block++) slot.erase(block);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.#next().write(offset, bytes.length, bytes);
  }

  read(offset: number, byteLength: number): Uint8Array {
    return new Uint8Array(this.#next().read(offset, byteLength));
  }

  finish(): void {
    if (!readSimImage(this.#next())) throw new Error('firmware: the inactive slot holds no valid image');
    const data = this.#otaData();
    const inactive = other(this.#choice.slot);
    data.states[inactive] = 'new';
    data.active = inactive;
    writeOtaData(this.#storage.kv, data);
  }

  markValid(): void {
    const data = this.#otaData();
    if (data.states[this.#choice.slot] !== 'pending') return;
    data.states[this.#choice.slot] = 'valid';
    writeOtaData(this.#storage.kv, data);
  }

  #next(): FlashPartition {
    return slotPartition(this.#storage, other(this.#choice.slot));
  }

  #otaData(): OtaData {
    const data = readOtaData(this.#storage.kv);
    if (!data) throw new Error('firmware: otadata is gone');
    return data;
  }
}

/** The slot states as the bootloader keeps them (tests look). */
export function otaData(storage: Storage): Readonly<OtaData> | undefined {
  return readOtaData(storage.kv);
}

function slotPartition(storage: Storage, slot: 0 | 1): FlashPartition {
  const partition = storage.partition(SLOT_PARTITIONS[slot]);
  if (!partition) throw new Error(`firmware: no partition ${SLOT_PARTITIONS[slot]}`);
  return partition;
}

function other(slot: 0 | 1): 0 | 1 {
  return slot === 0 ? 1 : 0;
}

const SLOT_STATES: readonly string[] = Object.freeze(['valid', 'new', 'pending', 'aborted', 'empty']);

function readOtaData(kv: KeyValueStore): OtaData | undefined {
  const raw = kv.get(OTADATA_DOMAIN, OTADATA_KEY);
  const parsed = typeof raw === 'string' ? tryParse(raw) : undefined;
  if (!parsed) return undefined;
  const { active, states } = parsed as { active?: unknown; states?: unknown };
  if ((active !== 0 && active !== 1) || !Array.isArray(states) || states.length !== 2 || !states.every((s) => SLOT_STATES.includes(s as string))) return undefined;
  return { active, states: [states[0] as SlotState, states[1] as SlotState] };
}

/** One atomic key-value write: a power cut leaves the old state or the new one. */
function writeOtaData(kv: KeyValueStore, data: OtaData): void {
  kv.set(OTADATA_DOMAIN, OTADATA_KEY, JSON.stringify(data));
}

function tryParse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? value as Record<string, unknown> : undefined;
  } catch {
    return undefined;
  }
}

function sha256(bytes: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(bytes).digest());
}
