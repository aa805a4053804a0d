// Remote door commands. Each carries a signature by the site's command key over what it does:
//
//   sig = hex(HMAC-SHA256(command key, name + "\n" + reqId + "\n" + exp + "\n" + door + "\n" + (ms ?? "")))
//
// The runtime already refuses expired, replayed (same reqId) and retained commands; the signature makes the
// broker alone unable to open a door, and binding the name keeps a signed unlock from being replayed as a
// hold-open. Checks run in validate(), so a flood of forged commands is refused from RAM and never writes flash;
// the relay never moves for a command that is malformed, unsigned or signed wrongly.
import { fromHex } from '../../lib/hex.js';
import { childPath } from '../../protocol/fields.js';
import type { CommandMessage } from '../../protocol/messages.js';
import type { CommandOutcome, CommandSpec } from '../../runtime/dispatcher.js';
import { isHex64 } from './command-args.js';
import type { DoorMode } from './door.js';
import { sameBytes } from './visitor-pass.js';

type DoorCommand = 'door.unlock' | 'door.hold_open' | 'door.lockdown' | 'door.normal';

export interface DoorCommandTarget {
  door(): number;
  /** The site command key, or undefined when none was provisioned. */
  commandKey(): Uint8Array | undefined;
  sign(key: Uint8Array, text: string): Uint8Array;
  unlock(ms: number | undefined, reqId: string): CommandOutcome;
  setMode(mode: DoorMode, reqId: string): CommandOutcome;
}

/**
 * What a signature covers: every argument that changes what the door does (`ms` empty when absent). The one
 * layout: the device verifies over it, the platform signs over it (scripts/door/visitor-pass.ts).
 */
export function signedText(name: string, reqId: string, exp: number, door: number, ms?: number): string {
  return `${name}\n${reqId}\n${exp}\n${door}\n${ms ?? ''}`;
}

export function doorCommands(target: DoorCommandTarget): Record<DoorCommand, CommandSpec> {
  const signed = (extra?: (args: Record<string, unknown>) => string | undefined) =>
    (args: Record<string, unknown>, command: CommandMessage) => checkSigned(target, args, command) ?? extra?.(args);
  return {
    'door.unlock': {
      validate: signed((args) => {
        const ms = args.ms;
        if (ms === undefined) return undefined;
        return Number.isInteger(ms) && (ms as number) >= 500 && (ms as number) <= 60_000 ? undefined : 'args.ms: an integer 500–60000';
      }),
      run: (args, command) => target.unlock(args.ms as number | undefined, command.reqId),
    },
    'door.hold_open': { validate: signed(), run: (_args, command) => target.setMode('hold_open', command.reqId) },
    'door.lockdown': { validate: signed(), run: (_args, command) => target.setMode('lockdown', command.reqId) },
    'door.normal': { validate: signed(), run: (_args, command) => target.setMode('normal', command.reqId) },
  };
}

const ALLOWED_ARGS = new Set(['door', 'sig', 'ms']);

function checkSigned(target: DoorCommandTarget, args: Record<string, unknown>, command: CommandMessage): string | undefined {
  // childPath quotes (escapes, shortens) an odd key: the text goes out as the result's reason.
  for (const key of Object.keys(args)) if (!ALLOWED_ARGS.has(key)) return `${childPath('args', key)}: not allowed`;
  const { door, sig } = args;
  if (!Number.isInteger(door)) return 'args.door: expected this door\'s number';
  if (door !== target.door()) return `args.door: this is door ${target.door()}, not ${String(door)}`;
  if (!isHex64(sig)) return 'args.sig: expected 64 lowercase hex digits';
  const key = target.commandKey();
  if (!key) return 'no command key provisioned: signed commands cannot be checked';
  const ms = typeof args.ms === 'number' ? args.ms : undefined;
  const expected = target.sign(key, signedText(command.name, command.reqId, command.exp, door as number, ms));
  if (!sameBytes(expected, fromHex(sig))) return 'args.sig: signature does not match';
  return undefined;
}
