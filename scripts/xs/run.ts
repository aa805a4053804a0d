// Runs one export of a TypeScript entry on the real XS engine and prints its result and computrons.
//   npx tsx scripts/xs/run.ts test/xs/entries/sanity.ts sumTo --args '[1000]'
import { Command } from 'commander';
import { runOnXs } from '../../test/support/xs/session.js';

const program = new Command()
  .name('xs-run')
  .description('Bundle an entry with esbuild, call one of its exports on xsnap, report computrons')
  .argument('<entry>', 'TypeScript entry file (repo-relative)')
  .argument('[export]', 'exported function to call', 'main')
  .option('--args <json>', 'JSON array of arguments', '[]')
  .action(async (entry: string, exportName: string, options: { args: string }) => {
    const args: unknown = JSON.parse(options.args);
    if (!Array.isArray(args)) throw new Error('--args must be a JSON array');
    const run = await runOnXs({ entry, exportName, args, onPrint: (line) => process.stderr.write(`[xs] ${line}\n`) });
    process.stdout.write(`${JSON.stringify({ result: run.result, computrons: run.computrons }, null, 2)}\n`);
  });

program.parseAsync().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
