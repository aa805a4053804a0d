// Runs the platform CLI (scripts/platform/cli.ts) as a child process under tsx, as a user would, and collects its
// exit code and output. The environment's site keys and MQTT password are removed: each test says what it gives.
import { execFile } from 'node:child_process';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: readonly string[], timeoutMs = 40_000): Promise<CliRun> {
  const env = { ...process.env };
  delete env.CT_SITE_KEYS;
  delete env.CT_MQTT_PASS;
  return new Promise((resolve, reject) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/platform/cli.ts', ...args], { env, timeout: timeoutMs }, (error, stdout, stderr) => {
      if (error && typeof error.code !== 'number') {
        reject(new Error(`platform ${args.join(' ')}: ${error.message}\n${stderr}`));
        return;
      }
      resolve({ code: error ? (error.code as number) : 0, stdout, stderr });
    });
  });
}

/** Runs several CLI invocations, at most two at a time (the machine has two cores), results in order. */
export async function runAll(argsList: readonly (readonly string[])[]): Promise<CliRun[]> {
  const results: CliRun[] = new Array<CliRun>(argsList.length);
  let next = 0;
  const worker = async () => {
    while (next < argsList.length) {
      const i = next++;
      results[i] = await runCli(argsList[i]!);
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}
