// Remote door commands, signed (firmware/protocol/signed-command.ts) over name, reqId, exp, the door's number and
// the release ms: the relay never moves for a command that is malformed, unsigned or signed wrongly.
import type { CommandMessage } from '../../protocol/messages.js';
import { checkSignedCommand, type SignedCommandRules } from '../../protocol/signed-command.js';
import type { CommandOutcome, CommandSpec } from '../../runtime/dispatcher.js';
import type { DoorMode } from './door.js';

type DoorCommand = 'door.unlock' | 'door.hold_open' | 'door.lockdown' | 'door.normal';

export interface DoorCommandTarget {
  door(): number;
  /** The site command key, or undefined when none was provisioned. */
  commandKey(): Uint8Array | undefined;
  sign(key: Uint8Array, text: string): Uint8Array;
  unlock(ms: number | undefined, reqId: string): CommandOutcome;
  setMode(mode: DoorMode, reqId: string): CommandOutcome;
}

export function doorCommands(target: DoorCommandTarget): Record<DoorCommand, CommandSpec> {
  const rules: SignedCommandRules = {
    target: 'door', amount: 'ms', commandKey: () => target.commandKey(), sign: (key, text) => target.sign(key, text),
    checkTarget: (door) => (door === target.door() ? undefined : `args.door: this is door ${target.door()}, not ${door}`),
  };
  const signed = (extra?: (args: Record<string, unknown>) => string | undefined) =>
    (args: Record<string, unknown>, command: CommandMessage) => checkSignedCommand(args, command, rules) ?? extra?.(args);
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
