// A run needs one descriptor per device socket (two when aedes runs in this process), so it checks the limit first.
// Node already raises its soft RLIMIT_NOFILE to the hard limit at start-up, but it has no setrlimit to go beyond:
// when the limit is still too low, the run re-executes itself under `sh -c 'ulimit -n N; exec …'`, which raises
// the hard limit where that is allowed (root, or CAP_SYS_RESOURCE, as in many containers) and otherwise takes the
// hard limit with a warning on how to raise it. An environment flag stops a second round. A broker started here
// (mosquitto) inherits the limit too.
import { execFileSync, spawn } from 'node:child_process';

const FLAG = 'CT_LOAD_FD_RAISED';

function shellLimit(option: '-Sn' | '-Hn'): number {
  const text = execFileSync('sh', ['-c', `ulimit ${option}`], { encoding: 'utf8' }).trim();
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

/**
 * Makes sure this process may open `need` descriptors. Returns true when the caller should go on here; false when
 * a child with the raised limit took over (its exit code becomes this process's).
 */
export async function ensureFdLimit(need: number, log: (line: string) => void = (line) => console.error(line)): Promise<boolean> {
  const soft = shellLimit('-Sn');
  if (soft >= need) return true;
  const hard = shellLimit('-Hn');
  if (process.env[FLAG]) {
    log(`fd limit: still ${soft} after raising it (need ${need}); going on, connections may fail`);
    return true;
  }
  log(`fd limit: ${soft} (hard ${hard}), need ${need}: re-exec under sh -c 'ulimit -n ${need}'`);
  const command = [process.execPath, ...process.execArgv, ...process.argv.slice(1)].map(quote).join(' ');
  const fallback = Number.isFinite(hard) ? `{ echo 'fd limit: cannot pass the hard limit ${hard}: raise it (ulimit -Hn as root, /etc/security/limits.conf, LimitNOFILE=) for this many devices' >&2; ulimit -n ${hard}; }` : 'true';
  const child = spawn('sh', ['-c', `{ ulimit -n ${need} 2>/dev/null || ${fallback}; } && exec ${command}`], { stdio: 'inherit', env: { ...process.env, [FLAG]: '1' } });
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  const code = await new Promise<number>((resolve) => child.once('exit', (exit, signal) => resolve(exit ?? (signal ? 1 : 0))));
  process.exitCode = code;
  return false;
}
