// Seeds and helpers the inbound-channel targets share: the protocol's own valid examples (docs/examples/valid),
// messages built for the fuzzed devices (signed door and lid commands, a credential sync), and the fix-ups their
// structure-aware mutations apply after a generic mutation (a fresh reqId, a valid exp, a signature recomputed
// over what the mutation left, so that mutated arguments get past the signature check).
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHmac } from 'node:crypto';
import { manifestSigningText, type CredSyncBeginArgs } from '../../../firmware/protocol/cred-sync.js';
import { signCommand } from '../../door/visitor-pass.js';
import { isValidUtf8 } from '../cores/invariant.js';
import type { Prng } from '../prng.js';
import type { MutateContext } from '../target.js';
import { BIN_KEYS, DOOR_KEYS, FuzzDevice, WALL_TIME, type DeviceKind } from '../device-harness.js';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const encoder = new TextEncoder();

export function bytesOf(value: unknown): Uint8Array {
  return encoder.encode(typeof value === 'string' ? value : JSON.stringify(value));
}

/** docs/examples/valid/<prefix>*.json, as bytes. */
export function examples(prefix: string): Uint8Array[] {
  const dir = join(REPO_ROOT, 'docs/examples/valid');
  return readdirSync(dir).filter((file) => file.startsWith(prefix) && file.endsWith('.json')).sort()
    .map((file) => new Uint8Array(readFileSync(join(dir, file))));
}

/** A command's exp the fuzzed devices accept: their wall clocks start at WALL_TIME and move on by minutes. */
export const LIVE_EXP = WALL_TIME + 40 * 60_000;

/** A JSON object from bytes that are UTF-8, or undefined. */
export function objectOf(bytes: Uint8Array): Record<string, unknown> | undefined {
  if (!isValidUtf8(bytes)) return undefined;
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(bytes));
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * A generic mutation, then, with probability `chance`, `edit` on the JSON object it left (when it still is one):
 * the structure-aware step every inbound-channel target takes.
 */
export function mutateObject(
  input: Uint8Array, rng: Prng, context: MutateContext, chance: number, edit: (object: Record<string, unknown>) => void,
): Uint8Array {
  const out = context.generic(input);
  if (!rng.chance(chance)) return out;
  const object = objectOf(out);
  if (!object) return out;
  edit(object);
  return bytesOf(object);
}

/** One fuzzed device per kind, made on first use. */
export class DevicePool {
  readonly #devices = new Map<DeviceKind, FuzzDevice>();

  get(kind: DeviceKind): FuzzDevice {
    let found = this.#devices.get(kind);
    if (!found) this.#devices.set(kind, (found = new FuzzDevice(kind)));
    return found;
  }

  /**
   * Runs `body` on the kind's device. When it throws, the device is dropped: after a crash its state is unknown
   * (a boot that failed, a half-run handler), and the next input gets a fresh one instead of the same finding.
   */
  use(kind: DeviceKind, body: (device: FuzzDevice) => void): void {
    const device = this.get(kind);
    try {
      body(device);
    } catch (error) {
      this.#devices.delete(kind);
      try {
        device.dispose();
      } catch {
        // already broken: the finding is the error above
      }
      throw error;
    }
  }

  dispose(): void {
    for (const device of this.#devices.values()) device.dispose();
    this.#devices.clear();
  }
}

/** How a signed command is signed: by which key, over which argument (what it acts on) and which amount. */
export interface Signing {
  key: Uint8Array;
  target: string;
  amount: string;
}

/** The signing of command `name` on the fuzzed devices (door.* on the door reader, a bin's lid open), if signed. */
export function signingOf(name: unknown): Signing | undefined {
  if (typeof name !== 'string') return undefined;
  if (name.startsWith('door.')) return { key: DOOR_KEYS.commandKey, target: 'door', amount: 'ms' };
  if (name === 'smart-bin.open') return { key: BIN_KEYS.commandKey, target: 'c', amount: 's' };
  return undefined;
}

/** The signature `signing` makes for a command's fields, or undefined when they lack the types a device reads. */
export function signatureOf(command: Record<string, unknown>, signing: Signing): string | undefined {
  const { name, reqId, exp, args } = command;
  if (typeof name !== 'string' || typeof reqId !== 'string' || typeof exp !== 'number' || args === null || typeof args !== 'object') return undefined;
  const a = args as Record<string, unknown>;
  const target = a[signing.target];
  if (typeof target !== 'number') return undefined;
  const amount = a[signing.amount];
  return signCommand(signing.key, name, reqId, exp, target, typeof amount === 'number' ? amount : undefined);
}

/** Re-signs a signed command over its (possibly mutated) fields, when they have the types the device reads. */
export function resignCommand(command: Record<string, unknown>): void {
  const signing = signingOf(command.name);
  const sig = signing && signatureOf(command, signing);
  if (sig !== undefined) (command.args as Record<string, unknown>).sig = sig;
}

/** Re-MACs a cred.sync.begin manifest over its (possibly mutated) fields. */
export function resignManifest(args: Record<string, unknown>): void {
  const fields = args as unknown as Omit<CredSyncBeginArgs, 'mac'>;
  args.mac = createHmac('sha256', DOOR_KEYS.syncKey).update(manifestSigningText(fields), 'utf8').digest('hex');
}

/** The fix-ups of a mutated command (in place): fresh reqId, live exp, signatures. */
export function fixCommand(command: Record<string, unknown>, rng: Prng): void {
  if (rng.chance(0.6)) command.reqId = `f-${rng.next().toString(36)}`;
  if (rng.chance(0.4)) command.exp = LIVE_EXP - rng.below(600_000);
  const name = command.name;
  if (signingOf(name) && rng.chance(0.8)) resignCommand(command);
  if (name === 'cred.sync.begin' && command.args !== null && typeof command.args === 'object' && rng.chance(0.7)) {
    resignManifest(command.args as Record<string, unknown>);
  }
}
