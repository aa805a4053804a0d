// Device start-up on Moddable: Wi-Fi first (its MAC is the hardware id), then the HAL, then the runtime.
// Each device's entry module (hal/moddable/entries/) calls startDevice() with its device and board.
// A device in setup (firmware/lifecycle/setup.ts) boots without the ECMA-419 WifiLink: the setup access point, its
// scan and the station for the proofs use the SDK's old `wifi` module instead (setup-boot.ts), as `hal.setup`.
import config from 'mc/config';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { PROVISIONING_DOMAIN } from '../../firmware/runtime/provisioning.js';
import { effectiveWifi } from '../../firmware/lifecycle/settings-trial.js';
import { parseProvisioningKey } from '../../firmware/lifecycle/provisioning-code.js';
import { setupNeeded } from '../../firmware/lifecycle/setup.js';
import { ModdableFirmware, type OtaSlotsNative } from './firmware.js';
import type { BoardFor, DeviceDefinition } from '../../firmware/parts/device.js';
import type { PartsTable } from '../../firmware/parts/part.js';
import type { Hal, KeyValueStore } from '../contract/index.js';
import { createModdableHal } from './index.js';
import { ESP32_UART0, openSetupBoot, setupHardwareId } from './setup-boot.js';
import type { ConsolePins } from './setup.js';
import { ModdableStorage } from './storage.js';
import { SntpSync } from './sntp.js';
import type { NativeIoClasses } from './device.js';
import { traceLog, type DeepSleepNative } from './system.js';
import type { WifiCredentials } from './wifi.js';
import { WifiLink } from './wifi.js';
import { createTimers } from './time.js';

export interface DeviceOptions<T extends PartsTable> {
  /** What runs: the model reported in the birth message, the parts table and the app (undefined: the runtime alone). */
  device: DeviceDefinition<T, DeviceApp | undefined>;
  /** Pin map: it must have every pin, bus and serial port the device's parts name, or this does not type-check. */
  board: NoInfer<BoardFor<T>>;
  /** The build's deep-sleep native (manifest module "deep-sleep"); absent or undefined: no deep sleep. */
  deepSleep?: DeepSleepNative | undefined;
  /**
   * IO classes over the build's own natives, added to the SDK's: `{ HX711: nativeHX711(hx711) }` with the manifest
   * module "hx711" (hal/moddable/hx711.ts). Imported by the entry that needs them, so other builds carry none.
   */
  natives?: NativeIoClasses;
  /**
   * The build's OTA native (manifest module "ota-slots": hal/moddable/esp32/ota-slots.js, or the Linux stand-in's
   * undefined), for a partition table with OTA slots; absent or undefined: no updates.
   */
  otaSlots?: OtaSlotsNative | undefined;
  /** UART0's pins for the setup console (release builds only); absent: the ESP32's (TX 1, RX 3). */
  consolePins?: ConsolePins;
}

/** Wi-Fi credentials live beside the MQTT provisioning (kv `prov`), written by the installer. */
export const WIFI_KEYS = Object.freeze({ ssid: 'wifiSsid', password: 'wifiPass' } as const);

const FALLBACK_HARDWARE_ID = '000000000000';

export function startDevice<T extends PartsTable>(options: DeviceOptions<T>): DeviceRuntime {
  const log = traceLog;
  // Only kv is read: whether this boot is for setup decides which Wi-Fi module may start.
  if (setupNeeded({ storage: new ModdableStorage(log) })) return startForSetup(options);
  const link = new WifiLink(createTimers(log), log);
  const hal = createHal(options, link.hardwareId);
  const sntp = new SntpSync(sntpHosts(), hal.wallClock, hal.timers, log);
  const credentials = wifiCredentials(hal.storage.kv);
  if (credentials) link.start(credentials, () => sntp.sync());
  else log('warn', `Wi-Fi: no credentials (kv ${PROVISIONING_DOMAIN}/${WIFI_KEYS.ssid}); using the host network if any`);
  if (!credentials || link.online) sntp.sync();
  const runtime = createRuntime(options, hal);
  runtime.start();
  return runtime;
}

/**
 * The setup boot: scan, then the runtime (whose setup session opens the access point and the console), then the
 * station, joined in APSTA beside the access point when the installer already gave a network (the proofs).
 */
function startForSetup<T extends PartsTable>(options: DeviceOptions<T>): DeviceRuntime {
  const log = traceLog;
  const base = createHal(options, setupHardwareId());
  const boot = openSetupBoot({ serial: base.device.io.Serial, consolePins: options.consolePins ?? ESP32_UART0, log });
  const hal: Hal = Object.freeze({ ...base, setup: boot.setup });
  const sntp = new SntpSync(sntpHosts(), hal.wallClock, hal.timers, log);
  const runtime = createRuntime(options, hal);
  log('info', 'setup: this device is not set up; scanning for networks before the setup access point opens');
  boot.scanFirst(() => {
    runtime.start();
    const credentials = wifiCredentials(hal.storage.kv);
    if (credentials) boot.station.join(credentials, () => sntp.sync());
  });
  return runtime;
}

function createHal<T extends PartsTable>(options: DeviceOptions<T>, hardwareId: string | undefined): Hal {
  const firmwareVersion = stringSetting(config.firmware) ?? '0.0.0';
  return createModdableHal({
    board: options.board,
    hardwareId: hardwareId ?? FALLBACK_HARDWARE_ID,
    firmwareVersion,
    log: traceLog,
    ...(options.otaSlots ? { firmware: new ModdableFirmware(options.otaSlots, firmwareVersion) } : {}),
    ...(options.deepSleep ? { deepSleep: options.deepSleep } : {}),
    ...(options.natives ? { natives: options.natives } : {}),
  });
}

function createRuntime<T extends PartsTable>(options: DeviceOptions<T>, hal: Hal): DeviceRuntime {
  const app = options.device.createApp();
  // The firmware signing key (130 hex digits, the provisioning key's form): updates need it (docs/protocol.md §18).
  const firmwareKey = parseProvisioningKey(config.firmwareKey);
  // The platform's provisioning key (§17): an unprovisioned device takes a code by QR or serial only when it has one.
  const provisioningKey = parseProvisioningKey(config.provisioningKey);
  return new DeviceRuntime({
    hal, model: options.device.model, ...(app ? { app } : {}), ...(firmwareKey ? { firmwareKey } : {}), ...(provisioningKey ? { provisioningKey } : {}),
  });
}

/**
 * Installer-written credentials first (new ones while on trial: firmware/lifecycle/settings-trial.ts); the build's
 * `ssid=`/`password=` mcconfig arguments as a fallback.
 */
function wifiCredentials(kv: KeyValueStore): WifiCredentials | undefined {
  let ssid: string | undefined;
  let password: string | undefined;
  try {
    ({ ssid, password } = effectiveWifi(kv));
  } catch {
    // Unreadable NVS: fall back to the build's settings.
  }
  if (!ssid) {
    ssid = stringSetting(config.ssid);
    password = stringSetting(config.password);
  }
  if (!ssid) return undefined;
  return password ? { ssid, password } : { ssid };
}

/** manifest config `sntp`: one host or a comma-separated list. */
function sntpHosts(): string[] {
  return (stringSetting(config.sntp) ?? 'pool.ntp.org').split(',').map((host) => host.trim());
}

function stringSetting(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}
