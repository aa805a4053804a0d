// The lifecycle and firmware update commands' args check as the examples meet it: the device's own checks of
// ota.begin's manifest (its form: the signature itself is test/lifecycle's), ota.chunk's args, and the validate() of
// ota.apply, ota.status and lifecycle.resume. Engine-neutral: used by test/protocol and the XS validators entry alike.
import type { Hal, KeyValueStore } from '../../hal/contract/index.js';
import { BootGuard, RESUME, resumeCommand } from '../../firmware/lifecycle/boot-guard.js';
import { OtaAgent } from '../../firmware/lifecycle/ota.js';
import { checkOtaChunkArgs, checkOtaManifest, OTA_APPLY, OTA_BEGIN, OTA_CHUNK, OTA_STATUS } from '../../firmware/lifecycle/ota-manifest.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';

// validate() of ota.apply reads nothing of the HAL.
const COMMANDS = new OtaAgent({ hal: {} as Hal, model: 'any', key: undefined, emit: () => {} }).commands();
// Nor does lifecycle.resume's: a guard over an empty store.
const RESUME_SPEC = resumeCommand(new BootGuard({ get: () => undefined } as unknown as KeyValueStore));

/** Why an ota.* or lifecycle.resume command's args are refused (`command.args…`), or undefined; undefined for any other command. */
export function lifecycleArgsError(command: CommandMessage): string | undefined {
  const { name, args } = command;
  const plain = typeof args === 'object' && args !== null && !Array.isArray(args) ? args : {};
  let error: string | undefined;
  if (name === OTA_BEGIN) {
    const manifest = checkOtaManifest(plain);
    error = typeof manifest === 'string' ? manifest : undefined;
  } else if (name === OTA_CHUNK) {
    const chunk = checkOtaChunkArgs(plain);
    error = typeof chunk === 'string' ? chunk : undefined;
  } else if (name === OTA_APPLY || name === OTA_STATUS) error = COMMANDS[name]!.validate?.(plain, command);
  else if (name === RESUME) error = RESUME_SPEC.validate?.(plain, command);
  return error === undefined ? undefined : `command.${error}`;
}
