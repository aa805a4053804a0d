// The MQTT transport on the device: the project's own MQTT 3.1.1 client (firmware/net/mqtt), the same code the
// simulator runs, over the SDK's sockets (network.ts). The SDK's example client is not used: it wedges on a
// zero-length PUBLISH, has no size limit and does not report the retain flag (docs/moddable.md).
import type { Timers } from '../contract/time.js';
import { MqttClient, type MqttNetwork } from '../../firmware/net/mqtt/client.js';

export interface ModdableMqttOptions {
  network: MqttNetwork;
  timers: Timers;
  log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export function createModdableMqtt(options: ModdableMqttOptions): MqttClient {
  return new MqttClient({ network: options.network, timers: options.timers, log: options.log });
}
