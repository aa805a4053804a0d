// The setup services on the host (hal/contract/setup.ts) for one boot of a simulated device: an access point whose
// page the simulator serves on loopback (simulator/setup-page.ts) and tests call directly, a console that tests and
// the simulator type lines into, and Wi-Fi networks around the device that the station joins at boot when the
// name and password match.
import type {
  Setup, SetupAccessPoint, SetupConsole, SetupNetwork, SetupRequest, SetupResponse, StationState,
} from '../contract/setup.js';
import type { Timers } from '../contract/time.js';

/** A Wi-Fi network near the simulated device. No password: an open one. */
export interface SimWifiNetwork {
  readonly ssid: string;
  readonly password?: string;
  readonly rssi?: number;
}

export interface HostSetupOptions {
  readonly networks: readonly SimWifiNetwork[];
  /** The network the device's settings name at this boot. */
  readonly wifi: { readonly ssid?: string; readonly password?: string };
  /** The boot's timers: console lines arrive through them, as from the chip's event loop. */
  readonly timers: Timers;
}

export class HostAccessPoint implements SetupAccessPoint {
  #networks: readonly SetupNetwork[];
  #handler: ((request: SetupRequest) => SetupResponse) | undefined;
  /** The open access point's name and password, undefined while it is down. */
  open: { readonly ssid: string; readonly password: string } | undefined;

  constructor(networks: readonly SimWifiNetwork[]) {
    this.#networks = Object.freeze(networks.map((network) => Object.freeze({ ssid: network.ssid, rssi: network.rssi ?? -60, secure: network.password !== undefined })));
  }

  start(ssid: string, password: string): void {
    if (password.length < 8 || password.length > 63) throw new RangeError('setup access point: the password has 8 to 63 characters');
    this.open = { ssid, password };
  }

  stop(): void {
    this.open = undefined;
    this.#handler = undefined;
  }

  scan(): readonly SetupNetwork[] {
    return this.#networks;
  }

  serve(handler: (request: SetupRequest) => SetupResponse): void {
    this.#handler = handler;
  }

  /** A request from a phone on the access point; undefined while nothing serves (the AP is down). */
  request(request: SetupRequest): SetupResponse | undefined {
    return this.open ? this.#handler?.(request) : undefined;
  }
}

export class HostConsole implements SetupConsole {
  #timers: Timers;
  #onLine: ((line: string) => void) | undefined;
  /** Everything the device wrote, line by line. */
  readonly output: string[] = [];
  #partial = '';

  constructor(timers: Timers) {
    this.#timers = timers;
  }

  onLine(callback: (line: string) => void): void {
    this.#onLine = callback;
  }

  write(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = lines.pop()!;
    this.output.push(...lines);
  }

  close(): void {
    this.#onLine = undefined;
  }

  /** A line typed at the bench; it reaches the device on its next timer turn. */
  type(line: string): void {
    this.#timers.set(() => this.#onLine?.(line), 0);
  }
}

export class HostSetup implements Setup {
  readonly accessPoint: HostAccessPoint;
  readonly console: HostConsole;
  #station: StationState;

  constructor(options: HostSetupOptions) {
    this.accessPoint = new HostAccessPoint(options.networks);
    this.console = new HostConsole(options.timers);
    this.#station = join(options.networks, options.wifi);
  }

  station(): StationState {
    return this.#station;
  }

  /** Whether the device has a network this boot: only through a network it joined, as on the chip. */
  get online(): boolean {
    return this.#station.state === 'joined';
  }
}

function join(networks: readonly SimWifiNetwork[], wifi: HostSetupOptions['wifi']): StationState {
  const ssid = wifi.ssid;
  if (ssid === undefined) return { state: 'none' };
  const network = networks.find((candidate) => candidate.ssid === ssid);
  if (!network) return { state: 'failed', ssid, reason: 'network not found' };
  if ((network.password ?? '') !== (wifi.password ?? '')) return { state: 'failed', ssid, reason: 'wrong password' };
  return { state: 'joined', ssid };
}
