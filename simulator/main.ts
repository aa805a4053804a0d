// `npm start`: the desktop simulator. See `npm start -- --help`.
import { readFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { helpLines } from './commands.js';
import { DEFAULT_FLEET, DEVICE_KINDS } from './kinds/index.js';
import { integer, positive } from './options.js';
import { startSimulator } from './simulator.js';

/** A CA file as a device stores it: PEM as text, anything else as DER bytes. */
function readCa(path: string): string | ArrayBuffer {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InvalidArgumentError(`cannot read ${path}: ${(error as Error).message}`);
  }
  if (bytes.includes('-----BEGIN')) return bytes.toString('utf8');
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

const program = new Command()
  .name('npm start --')
  .description('Runs simulated community terminals (the real device runtime on the host HAL) against an MQTT broker and shows their live status.\n'
    + 'Type commands while it runs (listed below; `h` shows them too). SIGINT/SIGTERM stop it cleanly (exit code 0).')
  .option('-f, --fleet <list>', `device kinds and counts, e.g. "door-reader:2,sos-button" (default "${DEFAULT_FLEET}"; kinds: ${Object.keys(DEVICE_KINDS).join(', ')})`)
  .option('-n, --devices <count>', 'shorthand for a fleet of this many generic devices', integer(1, 999))
  .option('-s, --site <id>', 'site id the devices are provisioned with', 'demo')
  .option('-p, --port <port>', 'port of the embedded broker on 127.0.0.1 (0: any free port)', integer(0, 65535), 1883)
  .option('-b, --broker <url>', 'use this external broker (mqtt://host:port, or mqtts://host:port with --ca) instead of the embedded one')
  .option('--ca <file>', 'for an mqtts:// broker: the CA certificate (PEM or DER) its certificate must chain to', readCa)
  .option('--tls-name <name>', 'for an mqtts:// broker: the name its certificate carries, if not the URL\'s host')
  .option('--insecure', 'lab only: devices may use a --broker outside loopback without their own credentials (and TLS); prov/insecure, reported in their births')
  .option('--speed <factor>', 'virtual time per real time, e.g. 10 runs ten times faster', positive, 1)
  .option('-d, --duration <seconds>', 'stop by itself after this many seconds', positive)
  .option('--data-dir <dir>', 'keep each device\'s flash and settings here across runs (default: in memory, fresh every run)')
  .option('--health-interval <seconds>', 'health telemetry period the platform asks for (≥ 10)', integer(10, 86_400), 10)
  .option('--unprovisioned <count>', 'the first N devices start not set up: each serves its setup page on 127.0.0.1 ("code N" makes its provisioning code); embedded broker only', integer(1, 999))
  .option('--no-tty', 'one log line per change even on a terminal')
  .option('--http <port>', 'port of the browser dashboard on 127.0.0.1 (0: any free port)', integer(0, 65535), 8080)
  .option('--no-http', 'no browser dashboard')
  .showHelpAfterError()
  .addHelpText('after', `\nCommands while running (every kind):\n${helpLines(Object.values(DEVICE_KINDS), Math.max(80, process.stdout.columns || 100)).join('\n')}`);

program.parse();
const options = program.opts<{
  fleet?: string; devices?: number; site: string; port: number; broker?: string; ca?: string | ArrayBuffer; tlsName?: string; insecure?: boolean;
  speed: number; duration?: number; dataDir?: string; healthInterval: number; tty: boolean; http: number | false; unprovisioned?: number;
}>();

// SIGINT / SIGTERM / SIGHUP (npm forwards the first two; a supervisor sends SIGTERM): a clean stop, exit code 0.
// Listening from the start, so a signal during start-up stops it too; a second signal, or a stop that hangs, exits.
let requestStop: (() => void) | undefined;
/** Host ms of the first stop signal, 0 before. */
let stopRequested = 0;
const STOP_LIMIT_MS = 5000;
const exitNow = (code: number): never => {
  if (process.stdin.isTTY) process.stdin.setRawMode?.(false);
  if (options.tty && process.stdout.isTTY) process.stdout.write('\x1b[?1049l'); // leave the table's screen
  process.exit(code);
};
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    // Ctrl-C without raw mode reaches both npm and us, and npm forwards it: a repeat within 1 s is that echo.
    if (stopRequested) {
      if (Date.now() - stopRequested > 1000) exitNow(signal === 'SIGINT' ? 130 : 143);
      return;
    }
    stopRequested = Date.now();
    setTimeout(() => {
      console.error(`simulator: did not stop within ${STOP_LIMIT_MS / 1000} s of ${signal}; exiting`);
      exitNow(0);
    }, STOP_LIMIT_MS).unref();
    requestStop?.();
  });
}

try {
  const tty = options.tty && process.stdout.isTTY === true;
  const simulator = await startSimulator({
    site: options.site,
    ...(options.fleet === undefined ? {} : { fleet: options.fleet }),
    ...(options.devices === undefined ? {} : { devices: options.devices }),
    port: options.port,
    speed: options.speed,
    healthIntervalS: options.healthInterval,
    tty,
    input: process.stdin,
    ...(options.broker === undefined ? {} : { broker: options.broker }),
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    ...(options.tlsName === undefined ? {} : { tlsName: options.tlsName }),
    ...(options.insecure ? { insecure: true } : {}),
    ...(options.unprovisioned === undefined ? {} : { unprovisioned: options.unprovisioned }),
    ...(options.duration === undefined ? {} : { durationS: options.duration }),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.http === false ? {} : { http: options.http }),
  });
  requestStop = () => void simulator.stop();
  if (stopRequested) requestStop();
  await simulator.finished;
  process.exit(0);
} catch (error) {
  // A stop asked for during start-up may break it (a supervisor signalling the process group also stops helpers
  // such as esbuild's service): that is still the requested stop.
  if (stopRequested) {
    console.error(`simulator: stopped during start-up (${error instanceof Error ? error.message : String(error)})`);
    exitNow(0);
  }
  console.error(`simulator: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
