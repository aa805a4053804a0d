// Device start-up on Moddable: Wi-Fi first (its MAC is the hardware id), then the HAL, then the runtime.
// Each device's entry module (hal/moddable/entries/) calls startDevice() with its model, app and board.
import config from 'mc/config';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { PROVISIONING_DOMAIN } from '../../firmware/runtime/provisioning.js';
import { esp32DevkitC } from '../boards/esp32-devkitc.js';
import type { Board, KeyValueStore } from '../contract/index.js';
import { createModdableHal } from './index.js';
import { SntpSync } from './sntp.js';
import { traceLog, type DeepSleepNative } from './system.js';
import type { WifiCredentials } from './wifi.js';
import { WifiLink } from './wifi.js';
import { createTimers } from './time.js';

export interface DeviceOptions {
  /** Device model reported in the birth message, e.g. "door-reader". */
  model: string;
  app?: DeviceApp;
  /** Pin map; the ESP32-DevKitC profile by default. */
  board?: Board;
  /** The build's deep-sleep native (manifest module "deep-sleep"); absent or undefined: no deep sleep. */
  deepSleep?: DeepSleepNative | undefined;
}

/** Wi-Fi credentials live beside the MQTT provisioning (kv `prov`), written by the installer. */
export const WIFI_KEYS = Object.freeze({ ssid: 'wifiSsid', password: 'wifiPass' } as const);

const FALLBACK_HARDWARE_ID = '000000000000';

export function startDevice(options: DeviceOptions): DeviceRuntime {
  const log = traceLog;
  const link = new WifiLink(createTimers(log), log);
  const hal = createModdableHal({
    board: options.board ?? esp32DevkitC,
    hardwareId: link.hardwareId ?? FALLBACK_HARDWARE_ID,
    firmwareVersion: stringSetting(config.firmware) ?? '0.0.0',
    log,
    ...(options.deepSleep ? { deepSleep: options.deepSleep } : {}),
  });

  const sntp = new SntpSync(sntpHosts(), hal.wallClock, hal.timers, log);
  const credentials = wifiCredentials(hal.storage.kv);
  if (credentials) link.start(credentials, () => sntp.sync());
  else log('warn', `Wi-Fi: no credentials (kv ${PROVISIONING_DOMAIN}/${WIFI_KEYS.ssid}); using the host network if any`);
  if (!credentials || link.online) sntp.sync();

  const runtime = new DeviceRuntime({ hal, model: options.model, ...(options.app ? { app: options.app } : {}) });
  runtime.start();
  return runtime;
}

/** Installer-written credentials first; the build's `ssid=`/`password=` mcconfig arguments as a fallback. */
function wifiCredentials(kv: KeyValueStore): WifiCredentials | undefined {
  let ssid: string | undefined;
  let password: string | undefined;
  try {
    ssid = stringSetting(kv.get(PROVISIONING_DOMAIN, WIFI_KEYS.ssid));
    password = stringSetting(kv.get(PROVISIONING_DOMAIN, WIFI_KEYS.password));
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
