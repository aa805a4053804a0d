// `npm run platform -- <verb>`: the reference platform's tools from a shell, for integrators and installers without
// a browser. Each verb has --help; output is plain lines, or JSON with --json, so a script can use it.
//
//   sign-command      a signed door command (door.unlock, ...): printed, or sent with --broker and its result awaited
//   push-credentials  a door credential list from CSV, encoded, signed and synced (or --dry-run: the commands)
//   mint-pass         a signed offline visitor pass (QR text; --qr draws it)
//   alarm-update      an alarm step on a device's alarm channel (docs/protocol.md §9)
//   clear-retained    a decommissioned device's retained topics cleared
//   broker-config     the site's Mosquitto configuration (scripts/platform/broker-config.ts)
//   site-keys         a new site keys file
//   bin-open          a signed smart-bin.open (a lid opened for maintenance); bin-tare, bin-calibrate: the scale
//   deposits-csv      smart-bin deposits (or the credits ledger) from the reference platform's data dir
//   provisioning-key  the platform's signing key for provisioning codes (its public key goes into device builds)
//   provisioning-code a device's signed, sealed, single-use provisioning code (QR text; --qr draws it)
//   ota-image         a firmware image signed for updates: manifest and chunks (docs/protocol.md §18)
//
// Exit codes: 0 done; 2 the command line or an input file is wrong (nothing was sent); 1 the operation failed
// (broker unreachable, unknown device, the device refused, no result in time). Keys come from a site keys file
// (--keys FILE or $CT_SITE_KEYS; format in cli/common.ts) or flags, and are never printed (site-keys --print aside).
import { pathToFileURL } from 'node:url';
import { Command, CommanderError } from 'commander';
import { alarmUpdateCommand } from './cli/alarm.js';
import { binCommands, depositsCsvCommand } from './cli/bin.js';
import { FailureError, UsageError } from './cli/common.js';
import { mintPassCommand, signCommandCommand } from './cli/door.js';
import { labelCommand } from './cli/label.js';
import { provisioningCodeCommand, provisioningKeyCommand } from './cli/provisioning.js';
import { otaImageCommand } from './cli/ota.js';
import { pushCredentialsCommand } from './cli/push-credentials.js';
import { clearRetainedCommand } from './cli/retained.js';
import { brokerConfigCommand, siteKeysCommand } from './cli/site.js';

export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export function platformProgram(): Command {
  const program = new Command()
    .name('platform')
    .description('platform tools for a community-terminal site: door and bin commands, credential lists, passes, alarms, deposits, broker')
    .exitOverride()
    .showHelpAfterError('(add --help for usage)')
    .addHelpText('after', `
Exit codes: 0 done, 2 bad command line or input file (nothing sent), 1 the operation failed.
Site keys: --keys FILE (or $CT_SITE_KEYS), JSON: {"site":"S","hashKey":HEX,"syncKey":HEX,"passKey":HEX,"passKeyId":1,"commandKey":HEX}.
Run "platform <verb> --help" for a verb's options.`);
  signCommandCommand(program);
  pushCredentialsCommand(program);
  mintPassCommand(program);
  alarmUpdateCommand(program);
  clearRetainedCommand(program);
  brokerConfigCommand(program);
  siteKeysCommand(program);
  binCommands(program);
  depositsCsvCommand(program);
  provisioningKeyCommand(program);
  provisioningCodeCommand(program);
  otaImageCommand(program);
  labelCommand(program);
  return program;
}

/** Runs the CLI; resolves to the exit code. */
export async function runPlatformCli(argv: readonly string[]): Promise<number> {
  const program = platformProgram();
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has already printed its message (or the help).
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      return EXIT_USAGE;
    }
    const verb = program.args[0];
    const prefix = `platform${verb === undefined ? '' : ` ${verb}`}`;
    process.stderr.write(`${prefix}: ${error instanceof Error ? error.message : String(error)}\n`);
    if (error instanceof UsageError) return EXIT_USAGE;
    if (error instanceof FailureError) return EXIT_FAILURE;
    return EXIT_FAILURE;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runPlatformCli(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  }, (error: unknown) => {
    process.stderr.write(`platform: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
    process.exitCode = EXIT_FAILURE;
  });
}
