// Storage for a simulated device: one key-value store and named flash partitions on a single power supply,
// so a test can cut the power at the n-th write counted across all of them.
import { join } from 'node:path';
import type { Storage } from '../../contract/storage.js';
import { SimulatedFlash } from './flash.js';
import { MemoryKeyValueStore } from './kv.js';
import { type FailOptions, PowerRail } from './power.js';

export { SimulatedFlash } from './flash.js';
export { MemoryKeyValueStore } from './kv.js';
export { PowerLoss, PowerRail } from './power.js';
export type { FailOptions } from './power.js';

export interface PartitionSpec {
  byteLength: number;
  blockSize?: number;
}

export interface HostStorageOptions {
  /** Partition name → size in bytes (or size and block size). */
  partitions?: Record<string, number | PartitionSpec>;
  /** Default erase unit; 4096 as on ESP32. */
  blockSize?: number;
  /** Seed for torn writes. */
  seed?: number;
  /** Keep the storage in this directory (kv.json, <partition>.bin) so it outlives the process. */
  directory?: string;
  /** Throw on writes that would need erased bits (see SimulatedFlash). */
  strict?: boolean;
}

export interface HostStorage extends Storage {
  readonly kv: MemoryKeyValueStore;
  readonly power: PowerRail;
  readonly partitions: ReadonlyMap<string, SimulatedFlash>;
  partition(name: string): SimulatedFlash | undefined;
  /** Cuts the power at the (count+1)-th write, erase, set or delete from now, across kv and partitions. */
  failAfterWrites(count: number, options?: FailOptions): void;
  powerOn(): void;
  /** Releases backing files. */
  close(): void;
}

export function createHostStorage(options: HostStorageOptions = {}): HostStorage {
  const power = new PowerRail({ seed: options.seed ?? 1 });
  const directory = options.directory;
  const kv = directory ? MemoryKeyValueStore.open(join(directory, 'kv.json'), { power }) : new MemoryKeyValueStore({ power });
  const partitions = new Map<string, SimulatedFlash>();
  for (const [name, spec] of Object.entries(options.partitions ?? {})) {
    if (!/^[A-Za-z0-9_-]{1,16}$/.test(name)) throw new RangeError(`storage: bad partition name "${name}"`);
    const { byteLength, blockSize = options.blockSize ?? 4096 } = typeof spec === 'number' ? { byteLength: spec } : spec;
    const flashOptions = { power, strict: options.strict ?? false };
    partitions.set(
      name,
      directory
        ? SimulatedFlash.open(join(directory, `${name}.bin`), byteLength, blockSize, flashOptions)
        : new SimulatedFlash({ byteLength, blockSize, ...flashOptions }),
    );
  }
  return {
    kv,
    power,
    partitions,
    partition: (name) => partitions.get(name),
    failAfterWrites: (count, failOptions) => power.failAfterWrites(count, failOptions),
    powerOn: () => power.powerOn(),
    close: () => {
      for (const flash of partitions.values()) flash.close();
    },
  };
}
