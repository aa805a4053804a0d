// Helpers for the terminal tests: a process's descendants (from /proc), whether a port is free, tmux sessions.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Every process under `pid` (children, their children...), from /proc (Linux). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    for (const child of children.get(queue.shift()!) ?? []) {
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Whether a process exists (a zombie counts as gone: it holds no port and runs nothing). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** True when something can listen on 127.0.0.1:port (nobody holds it). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** Polls `probe` until it gives a truthy value; on timeout the error carries `show()` (e.g. the screen). */
export async function until<T>(what: string, probe: () => T | undefined | false, timeoutMs: number, show?: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what}${show ? `\n${show()}` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function hasTmux(): boolean {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A tmux server of its own (its own socket), so tests never touch the user's sessions. */
export class Tmux {
  readonly socket = `ct-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  run(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8' });
  }

  /** A detached session of this size running `command` in `cwd`. */
  start(session: string, columns: number, rows: number, cwd: string, command: string): void {
    this.run('new-session', '-d', '-s', session, '-x', String(columns), '-y', String(rows), '-c', cwd, command);
    // Keep the pane when the program exits, so its last screen and exit status can be read.
    this.run('set-option', '-t', session, 'remain-on-exit', 'on');
  }

  /** The visible screen, one string per row. */
  capture(session: string): string[] {
    return this.run('capture-pane', '-p', '-t', session).replace(/\n$/, '').split('\n');
  }

  type(session: string, text: string): void {
    this.run('send-keys', '-t', session, '-l', text);
    this.run('send-keys', '-t', session, 'Enter');
  }

  format(session: string, format: string): string {
    return this.run('display-message', '-p', '-t', session, format).trim();
  }

  kill(): void {
    try {
      this.run('kill-server');
    } catch {
      // already gone
    }
  }
}
