// The desktop simulator: a broker (embedded aedes, or an external one), N devices running the real device runtime
// on host HALs, and a platform-side monitor showing what they publish.
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { isValidId } from '../firmware/protocol/topics.js';
import { parseCaCertificate } from '../firmware/runtime/ca-certificate.js';
import { isLoopbackHost, MQTT_PORT, MQTTS_PORT, type Provisioning } from '../firmware/runtime/provisioning.js';
import { createHostStorage } from '../hal/host/storage/index.js';
import { startEmbeddedBroker, type EmbeddedBroker } from './broker.js';
import { runCommand } from './commands.js';
import { SimDevice } from './device.js';
import { startDashboardFor, type Dashboard } from './dashboard/index.js';
import { createDisplay, type Display } from './display.js';
import { attachInput } from './input.js';
import { DEFAULT_FLEET, parseFleet } from './kinds/index.js';
import { Monitor } from './monitor.js';
import { DEMO_KEYS, DEMO_UNITS, demoCredentials } from './kinds/door-reader.js';
import { ReferencePlatform } from './platform/platform.js';
import { startSetupPage, type SetupPage } from './setup-page.js';
import { SETUP_DOMAIN, SETUP_SECRET_KEY } from '../firmware/lifecycle/provisioning-code.js';
import { newSetupSecret } from '../scripts/platform/cli/label.js';
import { makeProvisioningCode, publicKeyHex } from '../scripts/platform/provisioning-code.js';

export interface SimulatorOptions {
  /** Which devices, e.g. "door-reader:2,sos-button". Default DEFAULT_FLEET. */
  fleet?: string;
  /** Shorthand for a fleet of this many generic devices. */
  devices?: number;
  /** Default "demo". */
  site?: string;
  /** Virtual time per real time. Default 1. */
  speed?: number;
  /** Port of the embedded broker. Default 1883; 0 picks a free one. */
  port?: number;
  /** An external broker, e.g. mqtt://127.0.0.1:1883 or mqtts://broker.lan:8883; then none is embedded. */
  broker?: string;
  /** For an mqtts:// broker: the CA certificate its certificate chains to (PEM text or DER bytes). */
  ca?: string | ArrayBuffer;
  /** For an mqtts:// broker: the name its certificate carries, when not the URL's host (e.g. the URL has an IP). */
  tlsName?: string;
  /**
   * Lab only: provision the devices with prov/insecure, so they connect to an external broker outside loopback
   * without per-device credentials (and, over mqtt://, without TLS); their births say `insecure: true`. Required
   * for such a broker: the simulator does not hand out per-device credentials.
   */
  insecure?: boolean;
  /** Stop by itself after this many (real) seconds. */
  durationS?: number;
  /** Keep each device's flash and key-value store here across runs. Default: in memory, fresh every run. */
  dataDir?: string;
  /** Health telemetry period the platform asks devices for (desired config). Default 10 s. */
  healthIntervalS?: number;
  /** Where to show status. Default process.stdout. */
  output?: Writable & { isTTY?: boolean; columns?: number };
  /** Table redrawn in place (true) or a line per change. Default: whether output is a terminal. */
  tty?: boolean;
  /** Where commands come from (`k 2`, `r 2`, …). Default: none. */
  input?: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  /**
   * The reference platform (simulator/platform/) beside the monitor, with the demo site keys. Default true. Its
   * database is `<dataDir>/<site>/platform/platform.db` with a data dir, else in memory.
   */
  platform?: boolean;
  /** Port of the browser dashboard on 127.0.0.1 (0: any free port). Default: no dashboard (`npm start` asks for 8080). */
  http?: number;
  /**
   * The first N devices start not set up (docs/installing.md, "Setting up a device"): each has a label secret, the
   * Wi-Fi networks SIM_NETWORKS around it and its setup page on 127.0.0.1 (`setupPages`); `code N` makes its
   * provisioning code with this run's provisioning key and scans it on a device with a QR scanner. Embedded broker only.
   */
  unprovisioned?: number;
}

/** The Wi-Fi networks around the simulated devices being set up. */
export const SIM_NETWORKS = Object.freeze([{ ssid: 'Demo Estate Staff', password: 'demo-staff-wifi', rssi: -52 }, { ssid: 'Demo Guest', rssi: -71 }]);

export interface Simulator {
  readonly brokerUrl: string;
  readonly site: string;
  readonly devices: readonly SimDevice[];
  readonly monitor: Monitor;
  /** The reference platform (absent with `platform: false`). */
  readonly platform?: ReferencePlatform;
  /** The browser dashboard, when `http` was given. */
  readonly dashboard?: Dashboard;
  /** Setup pages of the devices started not set up (`unprovisioned`). */
  readonly setupPages: readonly { readonly device: SimDevice; readonly url: string }[];
  /** Runs one command line; returns what it did. */
  command(line: string): string;
  stop(): Promise<void>;
  /** Settles when the simulator has stopped (duration over, `q`, or stop()). */
  readonly finished: Promise<void>;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  if (options.fleet !== undefined && options.devices !== undefined) throw new RangeError('give either a fleet or a device count, not both');
  const fleet = parseFleet(options.fleet ?? (options.devices === undefined ? DEFAULT_FLEET : `generic:${options.devices}`));
  const count = fleet.reduce((sum, entry) => sum + entry.count, 0);
  const site = options.site ?? 'demo';
  const speed = options.speed ?? 1;
  const healthIntervalS = options.healthIntervalS ?? 10;
  if (count > 999) throw new RangeError(`at most 999 devices, got ${count}`);
  if (!isValidId(site)) throw new RangeError(`site "${site}" is not a valid id (1–64 of A–Z a–z 0–9 _ -)`);
  if (!(speed > 0 && speed <= 1000)) throw new RangeError(`speed must be > 0 and ≤ 1000, got ${speed}`);
  if (!Number.isInteger(healthIntervalS) || healthIntervalS < 10) throw new RangeError('health interval must be an integer ≥ 10 s');

  const { embedded, url, host, port, tls } = await openBroker(options);
  const output = options.output ?? process.stdout;
  let monitor: Monitor;
  try {
    monitor = await Monitor.start({ url, site, ...(tls ? { tls: tls.monitor } : {}) });
  } catch (error) {
    await embedded?.close();
    throw error;
  }
  let platform: ReferencePlatform | undefined;
  if (options.platform !== false) {
    try {
      platform = await ReferencePlatform.start({
        url, site, keys: DEMO_KEYS,
        ...(options.dataDir ? { dataDir: resolve(options.dataDir, site, 'platform') } : {}), ...(tls ? { tls: tls.monitor } : {}),
      });
      for (const card of demoCredentials(0).cards) {
        const unit = DEMO_UNITS[card.name];
        if (unit) platform.setResidentUnit({ card: card.uid }, unit);
      }
    } catch (error) {
      await monitor.close();
      await embedded?.close();
      throw error;
    }
  }

  let display: Display | undefined;
  const devices: SimDevice[] = [];
  const log = (device: SimDevice, level: string, message: string) => {
    if (level !== 'debug') display?.note(`${device.id} ${level}: ${message}`);
  };
  // The platform wants frequent health reports so the table is live; a newer version each run wins.
  const version = Math.floor(Date.now() / 1000);
  const kinds = fleet.flatMap((entry) => Array.from({ length: entry.count }, () => entry.kind));
  const unprovisioned = options.unprovisioned ?? 0;
  if (unprovisioned > 0 && !embedded) throw new Error('unprovisioned devices need the embedded broker');
  const provisioningKey = unprovisioned > 0 ? generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey : undefined;
  for (const [offset, kind] of kinds.entries()) {
    const index = offset + 1;
    const id = `sim-${index}`;
    await monitor.sendDesiredConfig(site, id, version, { ...kind.desiredConfig, healthIntervalS });
    const directory = options.dataDir ? resolve(options.dataDir, site, id) : undefined;
    if (directory) mkdirSync(directory, { recursive: true });
    const storage = createHostStorage({ partitions: { ...kind.partitions }, ...(directory ? { directory } : {}) });
    const provisioning: Provisioning = {
      site, device: id, host, port,
      ...(tls ? { tls: true, ...tls.device } : {}),
      ...(options.insecure ? { insecure: true } : {}),
    };
    if (offset < unprovisioned && provisioningKey) {
      if (storage.kv.get(SETUP_DOMAIN, SETUP_SECRET_KEY) === undefined) storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, newSetupSecret());
      const setup = { networks: SIM_NETWORKS, provisioningKey: new Uint8Array(Buffer.from(publicKeyHex(provisioningKey), 'hex')) };
      devices.push(new SimDevice({ kind, index, provisioning: false, storage, clock: { mode: 'real', speed }, log, setup: { networks: setup.networks }, provisioningKey: setup.provisioningKey }));
    } else devices.push(new SimDevice({ kind, index, provisioning, storage, clock: { mode: 'real', speed }, log }));
  }

  const startedAt = Date.now();
  const where = embedded ? `embedded broker ${url}` : `broker ${url}`;
  const storageNote = options.dataDir ? `data in ${join(resolve(options.dataDir), site)}` : 'data in memory';
  const tty = options.tty ?? output.isTTY === true;
  display = createDisplay(output, {
    monitor, devices, startedAt,
    header: `simulator: ${count} device(s) · site ${site} · ${where} · speed ${speed}× · ${storageNote}`,
  }, tty);
  for (const device of devices) device.boot();
  const setupPages: { device: SimDevice; url: string; page: SetupPage }[] = [];
  for (const device of devices.slice(0, unprovisioned)) {
    const page = await startSetupPage(device);
    setupPages.push({ device, url: page.url, page });
    display.note(`sim-${device.index} is not set up: its setup page is on ${page.url} ("code ${device.index}" makes its setup code)`);
  }
  let dashboard: Dashboard | undefined;
  if (options.http !== undefined) {
    try {
      dashboard = await startDashboardFor({ site, devices, monitor }, { port: options.http, ...(platform ? { platform } : {}) });
    } catch (error) {
      for (const device of devices) device.stop();
      display.close();
      await platform?.stop();
      await monitor.close();
      await embedded?.close();
      for (const device of devices) device.storage.close();
      throw (error as NodeJS.ErrnoException).code === 'EADDRINUSE'
        ? new Error(`dashboard: port ${options.http} is in use: pass --http 0 for a free one, or --no-http`) : error;
    }
    display.note(`dashboard on ${dashboard.url}`);
  }

  let stopping: Promise<void> | undefined;
  let finish!: () => void;
  const finished = new Promise<void>((resolveFinished) => { finish = resolveFinished; });
  let durationTimer: NodeJS.Timeout | undefined;
  let detachInput: (() => void) | undefined;

  const stop = () => {
    stopping ??= (async () => {
      clearTimeout(durationTimer);
      detachInput?.();
      await dashboard?.close();
      for (const { page } of setupPages) await page.close();
      for (const device of devices) device.stop();
      display?.note('stopped');
      display?.close();
      await platform?.stop();
      await monitor.close();
      await embedded?.close();
      for (const device of devices) device.storage.close();
      finish();
    })();
    return stopping;
  };

  const setupCode = (index: number) => {
    const device = devices[index - 1];
    const secret = device?.storage.kv.get(SETUP_DOMAIN, SETUP_SECRET_KEY);
    if (!device || !provisioningKey || typeof secret !== 'string' || index > unprovisioned) return `device ${index} was not started unprovisioned`;
    const now = Math.floor(Date.now() / 1000);
    const { text } = makeProvisioningCode({
      model: device.kind.model, site, device: `sim-${index}`, host, port, tls: false, user: '', pass: '', keys: DEMO_KEYS, setupSecret: secret, issuedAt: now - 60, expiresAt: now + 24 * 3600,
    }, provisioningKey);
    const scanner = device.kind.commands?.qr;
    if (scanner) return `scanned on sim-${index}: ${scanner.run(device.world, [text])}`;
    return `sim-${index}'s setup code (paste it on its setup page):\n${text}`;
  };
  const command = (line: string) => {
    const setup = /^code\s+(\d+)$/.exec(line.trim());
    return setup ? setupCode(Number(setup[1])) : runCommand(line, devices, () => void stop());
  };
  if (options.input) {
    detachInput = attachInput(options.input, {
      onLine: (line) => {
        const result = display?.command?.(line) ?? command(line); // the view's own commands (help, filter, page) first
        if (result) display?.note(result);
      },
      onEdit: (text) => display?.setInput(text),
    }, tty);
  }
  if (options.durationS !== undefined) durationTimer = setTimeout(() => void stop(), options.durationS * 1000);

  return { brokerUrl: url, site, devices, setupPages: setupPages.map(({ device, url: pageUrl }) => ({ device, url: pageUrl })), monitor, ...(platform ? { platform } : {}), ...(dashboard ? { dashboard } : {}), command, stop, finished };
}

interface BrokerTls {
  /** What each device is provisioned with. */
  device: Pick<Provisioning, 'ca' | 'tlsName'>;
  monitor: { ca: string; serverName?: string };
}

interface OpenedBroker {
  embedded?: EmbeddedBroker;
  url: string;
  host: string;
  port: number;
  tls?: BrokerTls;
}

async function openBroker(options: SimulatorOptions): Promise<OpenedBroker> {
  if (options.broker) {
    let url: URL;
    try {
      url = new URL(options.broker);
    } catch {
      throw new Error(`--broker: "${options.broker}" is not a URL (expected mqtt://host:port or mqtts://host:port)`);
    }
    if (url.protocol !== 'mqtt:' && url.protocol !== 'mqtts:') throw new Error(`--broker: only mqtt:// and mqtts:// are supported, got ${url.protocol}//`);
    const secure = url.protocol === 'mqtts:';
    if (!secure && (options.ca !== undefined || options.tlsName !== undefined)) throw new Error('--ca and --tls-name need an mqtts:// --broker');
    const port = Number(url.port || (secure ? MQTTS_PORT : MQTT_PORT));
    // A device refuses a broker on the network without its own credentials and TLS (docs/protocol.md §11).
    if (!isLoopbackHost(url.hostname) && options.insecure !== true) {
      throw new Error(`--broker: ${url.hostname} is not loopback, where devices need TLS and their own credentials, which the simulator does not hand out: pass --insecure for a lab broker (the devices' births then say insecure)`);
    }
    return { url: options.broker, host: url.hostname, port, ...(secure ? { tls: brokerTls(options) } : {}) };
  }
  if (options.ca !== undefined || options.tlsName !== undefined) throw new Error('--ca and --tls-name need an mqtts:// --broker');
  const port = options.port ?? 1883;
  try {
    const embedded = await startEmbeddedBroker({ port });
    return { embedded, url: embedded.url, host: '127.0.0.1', port: embedded.port };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      throw new Error(`port ${port} is in use (another broker?): pass --port 0 for a free one, or --broker mqtt://127.0.0.1:${port} to use it`);
    }
    throw error;
  }
}

/** Checks the CA the way a device would (so a bad file fails here, once, not on every device). */
function brokerTls(options: SimulatorOptions): BrokerTls {
  if (options.ca === undefined) throw new Error('--broker mqtts:// needs --ca FILE: the CA certificate (PEM or DER) the broker\'s certificate chains to');
  const der = parseCaCertificate(options.ca);
  if (typeof der === 'string') throw new Error(`--ca: ${der}`);
  const serverName = options.tlsName;
  return {
    device: { ca: options.ca, ...(serverName ? { tlsName: serverName } : {}) },
    monitor: { ca: new X509Certificate(der).toString(), ...(serverName ? { serverName } : {}) },
  };
}
