// Signed commands: a command that moves something (a door's lock, a bin's lid) carries a signature by the site's
// command key over what it does:
//
//   sig = hex(HMAC-SHA256(command key, name + "\n" + reqId + "\n" + exp + "\n" + target + "\n" + (amount ?? "")))
//
// `target` is what it acts on (a door's number, a bin's compartment) and `amount` the one optional number that
// says how much (a door's release ms, a lid's open seconds). The runtime already refuses expired, replayed (same
// reqId) and retained commands; the signature makes the broker alone unable to act, and binding the name keeps
// one signed command from being replayed as another. Devices check in a command's validate(), so forgeries are
// refused from RAM and never write flash. The platform signs over the same signedText().
import { sameBytes } from '../lib/bytes.js';
import { fromHex, isHex64 } from '../lib/hex.js';
import { childPath } from './fields.js';
import type { CommandMessage } from './messages.js';

/** What a signature covers (`amount` empty when absent). The one layout: devices verify over it, the platform signs. */
export function signedText(name: string, reqId: string, exp: number, target: number, amount?: number): string {
  return `${name}\n${reqId}\n${exp}\n${target}\n${amount ?? ''}`;
}

export interface SignedCommandRules {
  /** The argument naming what the command acts on: `door`, `c`. */
  target: string;
  /** The optional numeric argument that is signed too: `ms`, `s`. Its range is the command's own check. */
  amount?: string;
  /** Why this device does not act on `target` (another door, no such compartment); undefined when it does. */
  checkTarget(target: number): string | undefined;
  /** The site command key, or undefined when none was provisioned. */
  commandKey(): Uint8Array | undefined;
  sign(key: Uint8Array, text: string): Uint8Array;
}

/** The first problem of a signed command's args (only target, amount and sig allowed), or undefined. */
export function checkSignedCommand(args: Record<string, unknown>, command: CommandMessage, rules: SignedCommandRules): string | undefined {
  // childPath quotes (escapes, shortens) an odd key: the text goes out as the result's reason.
  for (const key of Object.keys(args)) {
    if (key !== rules.target && key !== rules.amount && key !== 'sig') return `${childPath('args', key)}: not allowed`;
  }
  const target = args[rules.target];
  if (!Number.isInteger(target)) return `args.${rules.target}: expected an integer`;
  const wrong = rules.checkTarget(target as number);
  if (wrong !== undefined) return wrong;
  const sig = args.sig;
  if (!isHex64(sig)) return 'args.sig: expected 64 lowercase hex digits';
  const key = rules.commandKey();
  if (!key) return 'no command key provisioned: signed commands cannot be checked';
  const amount = rules.amount !== undefined && typeof args[rules.amount] === 'number' ? args[rules.amount] as number : undefined;
  const expected = rules.sign(key, signedText(command.name, command.reqId, command.exp, target as number, amount));
  return sameBytes(expected, fromHex(sig)) ? undefined : 'args.sig: signature does not match';
}
