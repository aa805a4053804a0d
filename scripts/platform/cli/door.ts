// `platform sign-command` (a signed door.* command, printed or sent) and `platform mint-pass` (a visitor pass).
// The signatures are scripts/door/visitor-pass.ts's, over the texts the device's own code lays out.
import type { Command } from 'commander';
import { renderUnicodeCompact } from 'uqr';
import { doorMask, mintPass, signCommand } from '../../door/visitor-pass.js';
import {
  commandMessage, intOption, loadKeys, printOrSend, reqIdOption, requireKeys, UsageError, type BrokerOptions, type KeyOptions,
} from './common.js';
import { brokerFlags, keyFlags } from './flags.js';

export const DOOR_COMMANDS = ['door.unlock', 'door.hold_open', 'door.lockdown', 'door.normal'] as const;

interface SignOptions extends KeyOptions, BrokerOptions {
  door: string;
  ms?: string;
  reqId?: string;
  ttl: string;
  json?: boolean;
}

export function signCommandCommand(program: Command): void {
  const command = program.command('sign-command')
    .description('sign a door command with the site command key; print it, or send it with --broker and wait for the result')
    .argument('<name>', DOOR_COMMANDS.join(' | '))
    .option('--door <n>', 'the door number the reader controls (0–31)', '0')
    .option('--ms <n>', 'door.unlock only: how long to release, 500–60000 ms')
    .option('--req-id <id>', 'the command\'s reqId (default: a fresh one); resending the same reqId never acts twice')
    .option('--ttl <s>', 'seconds until the command expires (§7.5: 10–30 for actuation)', '30')
    .option('--json', 'with --broker: print the result as JSON');
  keyFlags(command, ['command']);
  brokerFlags(command);
  command.addHelpText('after', '\nWithout --broker it prints the command JSON to publish on ct/v1/SITE/DEVICE/command (QoS 1, never retained).');
  command.action(async (name: string, options: SignOptions) => {
    if (!(DOOR_COMMANDS as readonly string[]).includes(name)) throw new UsageError(`<name>: ${JSON.stringify(name)} is not a door command (${DOOR_COMMANDS.join(', ')})`);
    const keys = loadKeys(options);
    const { commandKey } = requireKeys(keys, 'commandKey');
    const door = intOption(options.door, '--door', 0, 31);
    if (options.ms !== undefined && name !== 'door.unlock') throw new UsageError('--ms: only door.unlock takes a duration');
    const ms = options.ms === undefined ? undefined : intOption(options.ms, '--ms', 500, 60_000);
    const reqId = reqIdOption(options.reqId);
    const ttl = intOption(options.ttl, '--ttl', 1, 3600);
    const exp = Date.now() + ttl * 1000;
    const sig = signCommand(commandKey, name, reqId, exp, door, ms);
    await printOrSend(options, keys, commandMessage(name, reqId, exp, { door, ...(ms === undefined ? {} : { ms }), sig }), ttl * 1000);
  });
}

interface PassOptions extends KeyOptions {
  pass: string;
  doors: string;
  from?: string;
  hours: string;
  uses: string;
  qr?: boolean;
  json?: boolean;
}

export function mintPassCommand(program: Command): void {
  const command = program.command('mint-pass')
    .description('mint a signed offline visitor pass (the QR text door readers accept)')
    .requiredOption('--pass <id>', 'pass id, unique per site (0–4294967295)')
    .requiredOption('--doors <list>', 'door numbers, e.g. 0,2')
    .option('--from <iso>', 'start of validity, ISO 8601 (default: now)')
    .option('--hours <n>', 'hours of validity (up to 8760)', '4')
    .option('--uses <n>', 'use limit, 0–255 (0 = none)', '1')
    .option('--qr', 'also draw the QR code in the terminal')
    .option('--json', 'print the pass and its fields as JSON');
  keyFlags(command, ['pass']);
  command.action((options: PassOptions) => {
    const keys = loadKeys(options);
    const { passKey } = requireKeys(keys, 'passKey');
    const passId = intOption(options.pass, '--pass', 0, 0xffff_ffff);
    const doorList = options.doors.split(',').map((door) => door.trim());
    const doors = doorMask(doorList.map((door) => intOption(door, '--doors', 0, 31)));
    const from = options.from === undefined ? Date.now() : Date.parse(options.from);
    if (Number.isNaN(from)) throw new UsageError(`--from: not a date: ${JSON.stringify(options.from)}`);
    const hours = Number(options.hours);
    if (!Number.isFinite(hours) || hours <= 0 || hours > 8760) throw new UsageError(`--hours: expected a number of hours above 0, up to 8760, got ${JSON.stringify(options.hours)}`);
    const validFrom = Math.floor(from / 1000);
    const pass = {
      keyId: keys.passKeyId ?? 0, passId, doors, validFrom, validTo: validFrom + Math.round(hours * 3600),
      maxUses: intOption(options.uses, '--uses', 0, 255),
    };
    const text = mintPass(passKey, pass);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ text, ...pass, validFromIso: new Date(pass.validFrom * 1000).toISOString(), validToIso: new Date(pass.validTo * 1000).toISOString() }, null, 2)}\n`);
    } else {
      process.stdout.write(`${text}\n`);
    }
    if (options.qr) process.stdout.write(`${renderUnicodeCompact(text, { border: 2 })}\n`);
  });
}
