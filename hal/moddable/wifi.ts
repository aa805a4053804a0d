// Wi-Fi station over the ECMA-419 network interface ("embedded:network/interface/wifi"). Unlike the SDK's
// setup/network (which manifests/shared.json removes) this never blocks start-up: the device works offline and
// the MQTT transport simply fails to connect until there is an address. Reconnects with capped backoff.
import WiFi from 'embedded:network/interface/wifi';
import type { TimerId, Timers } from '../contract/time.js';
import type { LogLevel } from './system.js';

export interface WifiCredentials {
  ssid: string;
  password?: string;
}

const CONNECTED_WITH_ADDRESS = 500;
const CONNECTING = 300;
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

export class WifiLink {
  #wifi: WiFi;
  #timers: Timers;
  #log: (level: LogLevel, message: string) => void;
  #credentials: WifiCredentials | undefined;
  #retry: TimerId | undefined;
  #retryMs = RETRY_MIN_MS;
  #hadAddress = false;
  #onAddress: ((address: string) => void) | undefined;

  constructor(timers: Timers, log: (level: LogLevel, message: string) => void) {
    this.#timers = timers;
    this.#log = log;
    // Creating the interface starts the Wi-Fi driver, which is what makes the MAC readable.
    this.#wifi = new WiFi({ onChanged: () => this.#changed() });
  }

  /** Station MAC as 12 lower-case hex digits, or undefined when the driver does not report one. */
  get hardwareId(): string | undefined {
    const mac = this.#wifi.MAC;
    return mac ? mac.replaceAll(':', '').toLowerCase() : undefined;
  }

  get online(): boolean {
    return this.#wifi.connection >= CONNECTED_WITH_ADDRESS;
  }

  /** Joins the network and keeps rejoining; `onAddress` runs each time an address is obtained. */
  start(credentials: WifiCredentials, onAddress: (address: string) => void): void {
    this.#credentials = credentials;
    this.#onAddress = onAddress;
    this.#connect();
  }

  #connect(): void {
    this.#timers.clear(this.#retry);
    this.#retry = undefined;
    const credentials = this.#credentials;
    if (!credentials) return;
    if (this.#wifi.connection >= CONNECTING) return;
    try {
      this.#wifi.connect(credentials.password ? { SSID: credentials.ssid, password: credentials.password } : { SSID: credentials.ssid });
      this.#log('info', `Wi-Fi: joining "${credentials.ssid}"`);
    } catch (error) {
      this.#log('warn', `Wi-Fi: ${error instanceof Error ? error.message : String(error)}`);
      this.#scheduleRetry();
    }
  }

  #changed(): void {
    const connection = this.#wifi.connection;
    if (connection >= CONNECTED_WITH_ADDRESS) {
      if (this.#hadAddress) return;
      this.#hadAddress = true;
      this.#retryMs = RETRY_MIN_MS;
      const address = this.#wifi.address ?? '';
      this.#log('info', `Wi-Fi: address ${address}`);
      this.#onAddress?.(address);
      return;
    }
    this.#hadAddress = false;
    if (connection < CONNECTING) {
      this.#log('warn', 'Wi-Fi: disconnected');
      this.#scheduleRetry();
    }
  }

  #scheduleRetry(): void {
    if (this.#retry !== undefined) return;
    const delay = this.#retryMs;
    this.#retryMs = Math.min(RETRY_MAX_MS, this.#retryMs * 2);
    this.#retry = this.#timers.set(() => this.#connect(), delay);
  }
}
