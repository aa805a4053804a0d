// Device start-up on Moddable: Wi-Fi first (its MAC is the hardware id), then the HAL, then the runtime.
// Each device's entry module (hal/moddable/entries/) calls startDevice() with its device and board.
import config from 'mc/config';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { PROVISIONING_DOMAIN } from '../../firmware/runtime/provisioning.js';
import { effectiveWifi } from '../../firmware/lifecycle/settings-trial.js';
import { parseProvisioningKey } from '../../firmware/lifecycle/provisioning-code.js';
import { ModdableFirmware, type OtaSlotsNative } from './firmware.js';
import type { BoardFor, DeviceDefinition } from '../../firmware/parts/device.js';
import type { PartsTable } from '../../firmware/parts/part.js';
import type { KeyValueStore } from '../contract/index.js';
import { createModdableHal } from './index.js';
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
}

/** Wi-Fi credentials live beside the MQTT provisioning (kv `prov`), written by the installer. */
export const WIFI_KEYS = Object.freeze({ ssid: 'wifiSsid', password: 'wifiPass' } as const);

const FALLBACK_HARDWARE_ID = '000000000000';

export function startDevice<T extends PartsTable>(options: DeviceOptions<T>): DeviceRuntime {
  const log = traceLog;
  const link = new WifiLink(createTimers(log), log);
  const firmwareVersion = stringSetting(config.firmware) ?? '0.0.0';
  const hal = createModdableHal({
    board: options.board,
    hardwareId: link.hardwareId ?? FALLBACK_HARDWARE_ID,
    firmwareVersion,
    log,
    ...(options.otaSlots ? { firmware: new ModdableFirmware(options.otaSlots, firmwareVersion) } : {}),
    ...(options.deepSleep ? { deepSleep: options.deepSleep } : {}),
    ...(options.natives ? { natives: options.natives } : {}),
  });

  const sntp = new SntpSync(sntpHosts(), hal.wallClock, hal.timers, log);
  const credentials = wifiCredentials(hal.storage.kv);
  if (credentials) link.start(credentials, () => sntp.sync());
  else log('warn', `Wi-Fi: no credentials (kv ${PROVISIONING_DOMAIN}/${WIFI_KEYS.ssid}); using the host network if any`);
  if (!credentials || link.online) sntp.sync();

  const app = options.device.createApp();
  // The firmware signing key (130 hex digits, the provisioning key's form): updates need it (docs/protocol.md §18).
  const firmwareKey = parseProvisioningKey(config.firmwareKey);
  // The platform's provisioning key (§17): an unprovisioned device takes a code by QR or serial only when it has one.
  const provisioningKey = parseProvisioningKey(config.provisioningKey);
  const runtime = new DeviceRuntime({
    hal, model: options.device.model, ...(app ? { app } : {}), ...(firmwareKey ? { firmwareKey } : {}), ...(provisioningKey ? { provisioningKey } : {}),
  });
  runtime.start();
  return runtime;
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
