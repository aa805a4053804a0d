// The station's commands. Weighing takes a second, and a command's result goes out at once, so tare and
// calibrate answer `ok` when the weighing starts and report what came of it in a durable event (`bin.tared`,
// `bin.calibrated`). Opening a lid moves something a hand may be under: it is signed with the site's command key
// (firmware/protocol/signed-command.ts), checked in validate() so forgeries never reach flash or a servo.
import { childPath } from '../../protocol/fields.js';
import { checkSignedCommand } from '../../protocol/signed-command.js';
import type { CommandOutcome, CommandSpec } from '../../runtime/dispatcher.js';

export interface BinCommandTarget {
  compartments(): number;
  /** Why compartment `c` cannot be used now, or undefined. */
  unavailable(c: number): string | undefined;
  commandKey(): Uint8Array | undefined;
  sign(key: Uint8Array, text: string): Uint8Array;
  status(): Record<string, unknown>;
  tare(c: number): CommandOutcome;
  calibrate(c: number, grams: number): CommandOutcome;
  open(c: number, seconds: number): CommandOutcome;
  measure(c: number | undefined): CommandOutcome;
}

export const MAINTENANCE_OPEN_S = 60;
export const MAX_OPEN_S = 600;

export function binCommands(target: BinCommandTarget): Record<string, CommandSpec> {
  const compartment = (args: Record<string, unknown>, allowed: readonly string[]): string | undefined => {
    for (const key of Object.keys(args)) if (!allowed.includes(key)) return `${childPath('args', key)}: not allowed`;
    return checkCompartment(target, args.c);
  };
  return {
    'smart-bin.status': { persist: false, run: () => ({ code: 'ok', data: target.status() }) },
    'smart-bin.measure': {
      persist: false,
      validate: (args) => (args.c === undefined && Object.keys(args).length === 0 ? undefined : compartment(args, ['c'])),
      run: (args) => target.measure(args.c as number | undefined),
    },
    'smart-bin.tare': { validate: (args) => compartment(args, ['c']), run: (args) => target.tare(args.c as number) },
    'smart-bin.calibrate': {
      validate(args) {
        const wrong = compartment(args, ['c', 'grams']);
        if (wrong) return wrong;
        const grams = args.grams;
        return Number.isInteger(grams) && (grams as number) >= 100 && (grams as number) <= 100_000 ? undefined : 'args.grams: the known weight, an integer 100–100000';
      },
      run: (args) => target.calibrate(args.c as number, args.grams as number),
    },
    'smart-bin.open': {
      validate(args, command) {
        const wrong = checkSignedCommand(args, command, {
          target: 'c', amount: 's',
          checkTarget: (c) => checkCompartment(target, c),
          commandKey: () => target.commandKey(),
          sign: (key, text) => target.sign(key, text),
        });
        if (wrong) return wrong;
        const s = args.s;
        return s === undefined || (Number.isInteger(s) && (s as number) >= 5 && (s as number) <= MAX_OPEN_S) ? undefined : `args.s: seconds, an integer 5–${MAX_OPEN_S}`;
      },
      run: (args) => target.open(args.c as number, (args.s as number | undefined) ?? MAINTENANCE_OPEN_S),
    },
  };
}

function checkCompartment(target: BinCommandTarget, c: unknown): string | undefined {
  if (!Number.isInteger(c)) return 'args.c: expected a compartment number';
  const n = target.compartments();
  if ((c as number) < 0 || (c as number) >= n) return `args.c: this station has compartments 0–${n - 1}`;
  return target.unavailable(c as number);
}
