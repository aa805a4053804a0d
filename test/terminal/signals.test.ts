// `npm start` stops cleanly on SIGINT and SIGTERM sent to the process the user started: npm itself, node run
// directly, or a supervisor's SIGTERM (`timeout`). Clean: exit code 0, "stopped" printed, the broker's port free
// again, and no process of the tree left behind.
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { alive, descendants, portFree, until } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
// One device and no table: the point is the process tree, not the devices. The dashboard on a free port too.
const ARGS = ['--port', '0', '--http', '0', '--no-tty', '--fleet', 'generic:1'];
// npm, node and tsx loading plus a device coming online: 2–4 s quiet, several times that under load.
const START_MS = 20_000;
// A clean stop closes the devices, the monitor and the broker: well under a second; the simulator gives itself 5 s.
const STOP_MS = 8000;

interface Run {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function start(command: string, args: string[], detached = false): Run {
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' }, detached });
  let text = '';
  child.stdout!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  child.stderr!.on('data', (chunk: Buffer) => { text += chunk.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => {
    child.once('exit', (code, signal) => done({ code, signal }));
  });
  return { child, output: () => text, exited };
}

/** Waits until the device is online; returns the embedded broker's port and the processes under the child. */
async function running(run: Run): Promise<{ port: number; tree: number[] }> {
  const port = await until('the simulator to start', () => {
    const match = /embedded broker mqtt:\/\/127\.0\.0\.1:(\d+)/.exec(run.output());
    return match && /sim-1 status online/.test(run.output()) ? Number(match[1]) : undefined;
  }, START_MS, run.output);
  // The dashboard (--http 0) starts after the devices: a signal should find it running too, so wait for it.
  await until('the dashboard', () => /dashboard on http/.test(run.output()), 5000).catch(() => undefined);
  return { port, tree: descendants(run.child.pid!) };
}

async function expectCleanStop(run: Run, port: number, tree: number[]): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  let timer: NodeJS.Timeout | undefined;
  const result = await Promise.race([
    run.exited,
    new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`did not exit within ${STOP_MS} ms:\n${run.output()}`)), STOP_MS); }),
  ]).finally(() => clearTimeout(timer));
  if (result.code !== 0) throw new Error(`exit ${result.code ?? result.signal}:\n${run.output()}`);
  // Stopped running, or (a signal during start-up) stopped before it ran.
  expect(run.output()).toMatch(/ stopped\n|stopped during start-up/);
  // Nothing of the tree outlives it (a left-over node would still hold the port).
  await until('every process of the tree to end', () => tree.every((pid) => !alive(pid)), 3000,
    () => `still running: ${tree.filter(alive).join(', ')}`);
  expect(await portFree(port)).toBe(true);
  const dashboard = /dashboard on http:\/\/127\.0\.0\.1:(\d+)/.exec(run.output());
  if (dashboard) expect(await portFree(Number(dashboard[1]))).toBe(true);
  return result;
}

const runs: Run[] = [];
// A failed test leaves nothing behind: what it started is killed by pid.
afterAll(() => {
  for (const run of runs) {
    for (const pid of [...descendants(run.child.pid!), run.child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
});

describe('npm start stops cleanly on a signal', () => {
  // Each test starts npm → node with the simulator (up to ~10 s under load) and stops it: 40 s.
  test.each(['SIGINT', 'SIGTERM'] as const)('%s to the npm process', async (signal) => {
    const run = start('npm', ['start', '--', ...ARGS]);
    runs.push(run);
    const { port, tree } = await running(run);
    expect(tree.length).toBeGreaterThan(0);
    run.child.kill(signal);
    const result = await expectCleanStop(run, port, tree);
    expect(result).toEqual({ code: 0, signal: null });
  }, 40_000);

  // As above.
  test('SIGTERM to node run without npm', async () => {
    const run = start(process.execPath, ['--import', 'tsx', 'simulator/main.ts', ...ARGS]);
    runs.push(run);
    const { port, tree } = await running(run);
    run.child.kill('SIGTERM');
    expect(await expectCleanStop(run, port, tree)).toEqual({ code: 0, signal: null });
  }, 40_000);

  // Under a supervisor that relays a stop: SIGTERM to `timeout`, which passes it on to npm. 40 s as above.
  test('SIGTERM through a supervisor (timeout)', async () => {
    const run = start('timeout', ['60', 'npm', 'start', '--', ...ARGS]);
    runs.push(run);
    const { port, tree } = await running(run);
    run.child.kill('SIGTERM');
    expect(await expectCleanStop(run, port, tree)).toEqual({ code: 0, signal: null });
  }, 40_000);

  // A supervisor that signals the whole process group (systemd's default): npm and node both get SIGTERM, and
  // npm forwards its own, so node sees it twice. 40 s as above.
  test('SIGTERM to the whole process group', async () => {
    const run = start('npm', ['start', '--', ...ARGS], true);
    runs.push(run);
    const { port, tree } = await running(run);
    process.kill(-run.child.pid!, 'SIGTERM');
    expect(await expectCleanStop(run, port, tree)).toEqual({ code: 0, signal: null });
  }, 40_000);
});
