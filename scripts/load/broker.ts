// The broker a load or soak run talks to: mosquitto started here (when installed) on a free port with a generated
// config, else the embedded aedes, else an external one (--broker URL). Started here, it can be restarted mid-run:
// mosquitto gets SIGTERM (it writes its persistence file on the way out) and starts again on the same port, so
// queued QoS 1 messages of persistent sessions and retained messages survive; aedes stops listening and drops every
// connection, then listens again with the same in-memory sessions.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { Aedes } from 'aedes';

export interface LoadBroker {
  /** mosquitto, aedes or external */
  readonly kind: 'mosquitto' | 'aedes' | 'external';
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stops the broker and starts it again on the same port; resolves when it accepts connections. */
  restart(downMs?: number): Promise<RestartTiming>;
  /** The broker's resident memory in MB, when it is a process we can see (mosquitto). */
  rssMb(): number | undefined;
  close(): Promise<void>;
}

/** How long the broker took to stop (mosquitto: SIGTERM to exit, persistence written) and to start again. */
export interface RestartTiming {
  stopMs: number;
  startMs: number;
}

export type BrokerChoice = 'auto' | 'mosquitto' | 'aedes';

/** mosquitto's path: /usr/sbin/mosquitto or on PATH. */
export function findMosquitto(): string | undefined {
  const candidates = ['/usr/sbin/mosquitto', '/usr/local/sbin/mosquitto', ...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'mosquitto'))];
  return candidates.find((path) => path && existsSync(path));
}

export async function openLoadBroker(options: { broker?: string; use?: BrokerChoice } = {}): Promise<LoadBroker> {
  if (options.broker) return externalBroker(options.broker);
  const use = options.use ?? 'auto';
  const mosquitto = use === 'aedes' ? undefined : findMosquitto();
  if (use === 'mosquitto' && !mosquitto) throw new Error('mosquitto is not installed (/usr/sbin/mosquitto or on PATH)');
  return mosquitto ? startMosquitto(mosquitto) : startAedes();
}

function externalBroker(text: string): LoadBroker {
  const url = new URL(text);
  if (url.protocol !== 'mqtt:') throw new Error(`--broker: only mqtt:// is supported for load runs, got ${url.protocol}//`);
  const port = Number(url.port || 1883);
  return {
    kind: 'external', url: text, host: url.hostname, port,
    restart: () => Promise.reject(new Error('an external broker cannot be restarted from here')),
    rssMb: () => undefined,
    close: () => Promise.resolve(),
  };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

/** Resolves once something accepts TCP connections on host:port. */
export async function waitForPort(host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket: Socket = createConnection({ host, port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > end) throw new Error(`nothing listens on ${host}:${port} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startMosquitto(binary: string): Promise<LoadBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'ct-load-mosquitto-'));
  // Started as root, mosquitto drops to its own user: it must be able to write its persistence file here, or a
  // restart silently forgets every session (and what was queued for the platform).
  if (process.getuid?.() === 0) chmodSync(dir, 0o777);
  const port = await freePort();
  const config = join(dir, 'mosquitto.conf');
  // Unlimited queues for the platform's persistent session: a full queue would drop QoS 1 messages, which is the
  // operator's choice on a real site, not something a loss count should measure.
  writeFileSync(config, [
    `listener ${port} 127.0.0.1`,
    'allow_anonymous true',
    'persistence true',
    `persistence_location ${dir}/`,
    'max_queued_messages 0',
    'max_queued_bytes 0',
    'max_inflight_messages 100',
    'set_tcp_nodelay true',
    // CT_LOAD_MOSQUITTO_LOG=FILE keeps the broker's log (connections, takeovers) for a post-mortem.
    ...(process.env.CT_LOAD_MOSQUITTO_LOG ? [`log_dest file ${process.env.CT_LOAD_MOSQUITTO_LOG}`, 'log_type all', 'log_timestamp_format %H:%M:%S'] : ['log_dest none']),
    '',
  ].join('\n'));
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = spawn(binary, ['-c', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    started.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-2000); });
    const exited = new Promise<never>((_, reject) => started.once('exit', (code) => reject(new Error(`mosquitto exited (${code}): ${stderr}`))));
    exited.catch(() => {});
    child = started;
    await Promise.race([waitForPort('127.0.0.1', port), exited]);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (!running || running.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      running.once('exit', () => resolve());
      running.kill('SIGTERM');
    });
  };
  await launch();
  return {
    kind: 'mosquitto', url: `mqtt://127.0.0.1:${port}`, host: '127.0.0.1', port,
    restart: (downMs = 0) => timedRestart(stop, launch, downMs),
    rssMb() {
      const pid = child?.pid;
      if (pid === undefined) return undefined;
      try {
        const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
        return match ? Number(match[1]) / 1024 : undefined;
      } catch {
        return undefined;
      }
    },
    async close() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function startAedes(): Promise<LoadBroker> {
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  const listen = async () => {
    const created = createServer((socket) => aedes.handle(socket));
    created.on('connection', (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      created.once('error', reject);
      created.listen(port, '127.0.0.1', () => resolve());
    });
    const address = created.address();
    if (address === null || typeof address === 'string') throw new Error('aedes: no TCP address');
    port = address.port;
    server = created;
  };
  const stop = async () => {
    const running = server;
    server = undefined;
    if (!running) return;
    for (const socket of sockets) socket.destroy();
    await new Promise<void>((resolve) => running.close(() => resolve()));
  };
  await listen();
  return {
    kind: 'aedes', url: `mqtt://127.0.0.1:${port}`, host: '127.0.0.1', port,
    restart: (downMs = 0) => timedRestart(stop, listen, downMs),
    rssMb: () => undefined,
    async close() {
      await stop();
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}

/** Stops a broker, keeps it down `downMs`, starts it again; how long stopping and starting took. */
async function timedRestart(stop: () => Promise<void>, start: () => Promise<void>, downMs: number): Promise<{ stopMs: number; startMs: number }> {
  const at = Date.now();
  await stop();
  const stopped = Date.now();
  if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
  const starting = Date.now();
  await start();
  return { stopMs: stopped - at, startMs: Date.now() - starting };
}
