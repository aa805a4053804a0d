// The firmware update commands' args check as the examples meet it: the device's own checks of ota.begin's manifest
// (its form: the signature itself is test/lifecycle's), ota.chunk's args and ota.apply's validate(). Engine-neutral:
// used by test/protocol and the XS validators entry alike.
import type { Hal } from '../../hal/contract/index.js';
import { OtaAgent } from '../../firmware/lifecycle/ota.js';
import { checkOtaChunkArgs, checkOtaManifest, OTA_APPLY, OTA_BEGIN, OTA_CHUNK } from '../../firmware/lifecycle/ota-manifest.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';

// validate() of ota.apply reads nothing of the HAL.
const COMMANDS = new OtaAgent({ hal: {} as Hal, model: 'any', key: undefined, emit: () => {} }).commands();

/** Why an ota.begin / ota.chunk / ota.apply command's args are refused (`command.args…`), or undefined; undefined for any other command. */
export function otaArgsError(command: CommandMessage): string | undefined {
  const { name, args } = command;
  const plain = typeof args === 'object' && args !== null && !Array.isArray(args) ? args : {};
  let error: string | undefined;
  if (name === OTA_BEGIN) {
    const manifest = checkOtaManifest(plain);
    error = typeof manifest === 'string' ? manifest : undefined;
  } else if (name === OTA_CHUNK) {
    const chunk = checkOtaChunkArgs(plain);
    error = typeof chunk === 'string' ? chunk : undefined;
  } else if (name === OTA_APPLY) error = COMMANDS[OTA_APPLY]!.validate?.(plain, command);
  return error === undefined ? undefined : `command.${error}`;
}
