// The setup services of a boot in setup on the chip (firmware/lifecycle/setup.ts), wired for the runtime as
// `hal.setup`. Such a boot never constructs the ECMA-419 WifiLink: the SDK's old `wifi` module the access point
// needs keeps Wi-Fi state of its own, and the two must not meet in one boot (hal/moddable/setup.ts). So the old
// module also joins the station for the proofs, and the hardware id comes from `net`. NOT VERIFIED ON HARDWARE.
import Net from 'net';
import Timer from 'timer';
import WiFi from 'wifi';
import type { SerialConstructor, Setup, SetupAccessPoint, SetupConsole, StationState } from '../contract/index.js';
import { ModdableAccessPoint, ModdableSetupConsole, type ConsolePins } from './setup.js';
import type { LogLevel } from './system.js';
import type { WifiCredentials } from './wifi.js';

/** UART0 on the ESP32 (the DevKitC's USB bridge). */
export const ESP32_UART0: ConsolePins = Object.freeze({ transmit: 1, receive: 3 });
/** UART0 on the ESP32-S3 (the DevKitC-1's "UART" USB port). */
export const ESP32S3_UART0: ConsolePins = Object.freeze({ transmit: 43, receive: 44 });

/** Past this a scan that has not answered is given up: setup opens without a network list. */
const SCAN_GIVE_UP_MS = 15_000;
const REJOIN_MS = 10_000;

type Log = (level: LogLevel, message: string) => void;

/** The station MAC as 12 lower-case hex digits (the normal boot's WifiLink.hardwareId), or undefined. */
export function setupHardwareId(): string | undefined {
  try {
    const mac = Net.get('MAC');
    return typeof mac === 'string' && mac.length > 0 ? mac.replaceAll(':', '').toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** The station the proofs need, joined with the old module once the access point is up (APSTA). */
export class SetupStation {
  #state: StationState = { state: 'none' };
  #wifi: WiFi | undefined;
  #rejoin: Timer | undefined;
  #log: Log;

  constructor(log: Log) {
    this.#log = log;
  }

  state(): StationState {
    return this.#state;
  }

  /** `onAddress` runs each time an address is obtained (the SNTP sync: the time proof). */
  join(credentials: WifiCredentials, onAddress: () => void): void {
    const { ssid } = credentials;
    this.#state = { state: 'joining', ssid };
    this.#log('info', `setup: joining "${ssid}" for the proofs`);
    const options = credentials.password ? { ssid, password: credentials.password } : { ssid };
    const notify = (message: string) => {
      if (message === WiFi.gotIP) {
        this.#state = { state: 'joined', ssid };
        onAddress();
      } else if (message === WiFi.disconnected || message === WiFi.lostIP) {
        // The old module does not say why; the session shows this, and the settings trial reverts in the end.
        this.#state = { state: 'failed', ssid, reason: 'the network refused the password or did not answer' };
        this.#rejoin ??= Timer.set(() => {
          this.#rejoin = undefined;
          this.#wifi?.close();
          this.#wifi = new WiFi(options, notify);
        }, REJOIN_MS);
      }
    };
    // Kept: the instance carries the notifications.
    this.#wifi = new WiFi(options, notify);
  }
}

export interface SetupBootOptions {
  /** The build's serial class (device.io.Serial), absent on builds without one. */
  serial: SerialConstructor | undefined;
  consolePins: ConsolePins;
  log: Log;
}

export interface SetupBoot {
  readonly setup: Setup;
  readonly station: SetupStation;
  /** Calls `ready` once the networks around were scanned (or the scan failed): the access point may start then. */
  scanFirst(ready: () => void): void;
}

export function openSetupBoot(options: SetupBootOptions): SetupBoot {
  const { log } = options;
  const access = new ModdableAccessPoint((message) => log('warn', message));
  const station = new SetupStation(log);
  const lineConsole = openConsole(options);
  const setup: Setup = Object.freeze({
    accessPoint: guarded(access, log),
    ...(lineConsole ? { console: lineConsole } : {}),
    station: () => station.state(),
  });
  return Object.freeze({
    setup,
    station,
    scanFirst(ready: () => void): void {
      let done = false;
      const once = () => {
        if (done) return;
        done = true;
        Timer.clear(giveUp);
        ready();
      };
      const giveUp = Timer.set(() => {
        log('warn', 'setup: the Wi-Fi scan did not answer; no network list');
        once();
      }, SCAN_GIVE_UP_MS);
      try {
        access.scanFirst(once);
      } catch (error) {
        log('warn', `setup: Wi-Fi scan: ${error instanceof Error ? error.message : String(error)}`);
        once();
      }
    },
  });
}

/** UART0 is xsbug's in debug builds (opening it throws "in use"): such a build has no console. */
function openConsole(options: SetupBootOptions): SetupConsole | undefined {
  if (!options.serial) return undefined;
  try {
    return new ModdableSetupConsole(options.serial, options.consolePins);
  } catch (error) {
    options.log('warn', `setup: no serial console (${error instanceof Error ? error.message : String(error)}; debug builds keep UART0 for xsbug)`);
    return undefined;
  }
}

/** An access point that could not open (no radio, port 80 taken) leaves the console and the QR path working. */
function guarded(access: SetupAccessPoint, log: Log): SetupAccessPoint {
  return Object.freeze({
    start(ssid: string, password: string): void {
      try {
        access.start(ssid, password);
        log('info', `setup: access point "${ssid}" open`);
      } catch (error) {
        log('error', `setup: the access point did not open: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    stop: () => access.stop(),
    scan: () => access.scan(),
    serve: (handler) => access.serve(handler),
  });
}
