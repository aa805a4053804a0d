// The smart bin's command args check as the examples meet it: its commands' validate() on a four-compartment
// station whose signature check accepts any well-formed sig. What is checked is the args' shape; the signature
// itself is test/smart-bin's (and the platform's). Used by test/protocol and the XS validators entry alike.
import { binCommands } from '../../firmware/apps/smart-bin/commands.js';
import { fromHex, isHex64 } from '../../firmware/lib/hex.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';

let sig: unknown;
const BIN_COMMANDS = binCommands({
  compartments: () => 4, unavailable: () => undefined, commandKey: () => new Uint8Array(32),
  sign: () => (isHex64(sig) ? fromHex(sig) : new Uint8Array(32)),
  status: () => ({}), tare: () => ({ code: 'ok' }), calibrate: () => ({ code: 'ok' }), open: () => ({ code: 'ok' }), measure: () => ({ code: 'ok' }),
});

/** Why a smart-bin command's args are refused (`command.args…`), or undefined; undefined for any other command. */
export function binArgsError(command: CommandMessage): string | undefined {
  const { name, args } = command;
  if (typeof name !== 'string' || !Object.hasOwn(BIN_COMMANDS, name)) return undefined;
  const plain = typeof args === 'object' && args !== null && !Array.isArray(args) ? args : {};
  sig = plain.sig;
  const error = BIN_COMMANDS[name]!.validate?.(plain, command);
  return error === undefined ? undefined : `command.${error}`;
}
