// `platform bin-open | bin-tare | bin-calibrate` (smart-bin commands: printed, or sent with --broker and their
// result awaited; bin-open is signed with the site command key) and `platform deposits-csv` (the reference
// platform's credited deposits, or its credits ledger, from its data dir).
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { signCommand } from '../../door/visitor-pass.js';
import { ReferencePlatform } from '../../../simulator/platform/platform.js';
import { toCsv } from '../../../simulator/platform/csv.js';
import {
  commandMessage, intOption, loadKeys, printOrSend, reqIdOption, requireKeys, UsageError, type BrokerOptions, type KeyOptions,
} from './common.js';
import { brokerFlags, keyFlags } from './flags.js';

/** Compartments are numbered 0–3 (a station has 1–4). */
const MAX_C = 3;

interface BinOptions extends KeyOptions, BrokerOptions {
  c: string;
  s?: string;
  grams?: string;
  reqId?: string;
  ttl: string;
  json?: boolean;
}

interface BinVerb {
  verb: string;
  name: string;
  description: string;
  options(command: Command): void;
  /** The command's args (signed ones get their sig after this). */
  args(options: BinOptions, c: number): Record<string, number>;
  signed?: { amount?: string };
}

const VERBS: readonly BinVerb[] = [
  {
    verb: 'bin-open', name: 'smart-bin.open', signed: { amount: 's' },
    description: 'open a compartment\'s lid for maintenance (signed with the site command key); print the command, or send it with --broker',
    options: (command) => command.option('--s <seconds>', 'how long the lid stays open, 5–600 (default on the device: 60)'),
    args: (options, c) => ({ c, ...(options.s === undefined ? {} : { s: intOption(options.s, '--s', 5, 600) }) }),
  },
  {
    verb: 'bin-tare', name: 'smart-bin.tare',
    description: 'zero a compartment\'s scale (the result says it started; bin.tared reports the drift)',
    options: () => {},
    args: (_options, c) => ({ c }),
  },
  {
    verb: 'bin-calibrate', name: 'smart-bin.calibrate',
    description: 'calibrate a compartment\'s scale with a known weight lying on its emptied, tared floor (bin.calibrated reports it)',
    options: (command) => command.requiredOption('--grams <g>', 'the known weight, 100–100000 g'),
    args: (options, c) => ({ c, grams: intOption(options.grams ?? '', '--grams', 100, 100_000) }),
  },
];

export function binCommands(program: Command): void {
  for (const spec of VERBS) {
    const command = program.command(spec.verb)
      .description(spec.description)
      .requiredOption('--c <n>', `the compartment, 0–${MAX_C}`)
      .option('--req-id <id>', 'the command\'s reqId (default: a fresh one); resending the same reqId never acts twice')
      .option('--ttl <s>', 'seconds until the command expires (§7.5)', '30')
      .option('--json', 'with --broker: print the result as JSON');
    spec.options(command);
    if (spec.signed) keyFlags(command, ['command']);
    brokerFlags(command);
    command.addHelpText('after', '\nWithout --broker it prints the command JSON to publish on ct/v1/SITE/DEVICE/command (QoS 1, never retained).');
    command.action(async (options: BinOptions) => {
      const c = intOption(options.c, '--c', 0, MAX_C);
      const args: Record<string, unknown> = spec.args(options, c);
      const reqId = reqIdOption(options.reqId);
      const ttl = intOption(options.ttl, '--ttl', 1, 3600);
      const exp = Date.now() + ttl * 1000;
      const keys = spec.signed ? loadKeys(options) : undefined;
      if (spec.signed) {
        const { commandKey } = requireKeys(keys!, 'commandKey');
        const amount = spec.signed.amount !== undefined ? args[spec.signed.amount] as number | undefined : undefined;
        args.sig = signCommand(commandKey, spec.name, reqId, exp, c, amount);
      }
      await printOrSend(options, keys, commandMessage(spec.name, reqId, exp, args), ttl * 1000);
    });
  }
}

interface DepositsOptions {
  dataDir: string;
  dev?: string;
  resident?: string;
  ledger?: boolean;
  out?: string;
}

export function depositsCsvCommand(program: Command): void {
  program.command('deposits-csv')
    .description('the credited deposits of smart bins (one row per deposit id), or with --ledger the credits per resident and category, as CSV')
    .requiredOption('--data-dir <dir>', 'the reference platform\'s data dir (holding platform.db)')
    .option('--dev <id>', 'only this device\'s deposits')
    .option('--resident <hash>', 'only this resident (the 64-hex keyed hash)')
    .option('--ledger', 'the credits ledger instead: resident, category, credits, grams, deposits')
    .option('--out <file>', 'write the CSV there instead of stdout')
    .action(async (options: DepositsOptions) => {
      if (!existsSync(join(options.dataDir, 'platform.db'))) throw new UsageError(`--data-dir: no platform.db in ${options.dataDir}`);
      if (options.resident !== undefined && !/^[0-9a-f]{64}$/.test(options.resident)) throw new UsageError('--resident: expected 64 lowercase hex digits (a keyed hash)');
      if (options.ledger && options.dev !== undefined) throw new UsageError('--dev: the ledger is per resident across devices; leave --dev out with --ledger');
      const platform = new ReferencePlatform({ url: 'mqtt://127.0.0.1:1', site: 'cli', dataDir: options.dataDir });
      try {
        const filter = { ...(options.dev !== undefined ? { dev: options.dev } : {}), ...(options.resident !== undefined ? { resident: options.resident } : {}) };
        const csv = options.ledger
          ? toCsv(['resident', 'category', 'credits', 'grams', 'deposits'],
            platform.credits(filter).map((row) => [row.resident, row.category, row.credits, row.grams, row.deposits]))
          : platform.depositsCsv(filter);
        if (options.out !== undefined) writeFileSync(options.out, csv);
        else process.stdout.write(csv);
      } finally {
        await platform.stop();
      }
    });
}
