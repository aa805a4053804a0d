// A fleet for load and soak runs: N SimDevices (simulator/device.ts) running the real device runtime on host HALs,
// real-time clock, each with its own MQTT client (HostMqttTransport over node:net) to the broker. A share of them
// are SOS buttons (the real app on a simulated LIS3DH and button), the rest the generic kind. It keeps what the
// run emitted, keyed (dev, seq), so the platform side can be checked against it.
import { PROTOCOL_VERSION, type DesiredConfigMessage } from '../../firmware/protocol/messages.js';
import { topicFor } from '../../firmware/protocol/topics.js';
import { Backoff } from '../../firmware/runtime/backoff.js';
import type { LogLevel } from '../../hal/host/index.js';
import { SimDevice } from '../../simulator/device.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import { sosButtonKind, type SosWorld } from '../../simulator/kinds/sos-button.js';
import type { AnyDeviceKind } from '../../simulator/kinds/kind.js';

export interface FleetOptions {
  site: string;
  host: string;
  port: number;
  devices: number;
  /** How many of them are SOS buttons (the rest generic). */
  sos: number;
  /** Reconnect backoff cap; default the runtime's own policy. */
  backoffMaxMs?: number;
  /** Called with a device's warnings and errors (panics). */
  log?: (device: SimDevice, level: LogLevel, message: string) => void;
}

const SOS_LOAD_CONFIG = { ...sosButtonKind.desiredConfig, pressConfirmS: 0, awakeS: 3600 };

export interface Emitted {
  dev: string;
  seq: number;
  at: number;
}

export class LoadFleet {
  readonly devices: SimDevice[] = [];
  readonly site: string;
  /** Events this run emitted, in order. */
  readonly emitted: Emitted[] = [];
  /** Devices that panicked (an uncaught exception reset them). */
  panics = 0;
  readonly #configVersion = Math.floor(Date.now() / 1000);

  constructor(options: FleetOptions) {
    this.site = options.site;
    const { backoffMaxMs } = options;
    for (let index = 1; index <= options.devices; index++) {
      const kind: AnyDeviceKind = index <= options.sos ? sosButtonKind : genericKind;
      const device: SimDevice = new SimDevice({
        kind,
        index,
        provisioning: { site: options.site, device: `load-${index}`, host: options.host, port: options.port },
        clock: { mode: 'real' },
        ...(backoffMaxMs === undefined ? {} : { backoff: () => new Backoff({ initialMs: Math.min(1000, backoffMaxMs), maxMs: backoffMaxMs }) }),
        log: (device, level, message) => {
          if (level === 'error' && message.startsWith('panic')) this.panics++;
          if (level === 'error' || level === 'warn') options.log?.(device, level, message);
        },
      });
      // A terminal in the field has had its configuration since an earlier life: written where the runtime keeps
      // the applied document (firmware/runtime/config.ts), so it is in force from the first boot. (Applied over
      // MQTT instead, awakeS would count only from the next connection: the radio would sleep 15 s after the first.)
      if (kind === sosButtonKind) device.storage.kv.set('cfg', 'doc', JSON.stringify({ version: this.#configVersion, values: SOS_LOAD_CONFIG }));
      this.devices.push(device);
    }
  }

  /**
   * SOS buttons: press → alarm at once (no 3 s confirmation), so press → platform is the network path; and the
   * radio stays up for the run (awakeS at its maximum, as while an alarm is open), so every device holds a broker
   * connection as a mains-powered terminal does, instead of the battery duty cycle (radio off 15 s after connecting).
   */
  desiredConfigs(): { topic: string; payload: string }[] {
    const version = this.#configVersion;
    return this.devices.filter((device) => device.kind === sosButtonKind).map((device) => {
      const message: DesiredConfigMessage = {
        v: PROTOCOL_VERSION, msg: 'config.desired', version,
        config: SOS_LOAD_CONFIG,
      };
      return { topic: topicFor({ site: this.site, device: device.id }, 'config/desired'), payload: JSON.stringify(message) };
    });
  }

  isSos(device: SimDevice): device is SimDevice<SosWorld> {
    return device.kind === sosButtonKind;
  }

  get online(): number {
    let count = 0;
    for (const device of this.devices) if (device.state === 'online') count++;
    return count;
  }

  /** Emits one durable event on `device` if it runs; returns whether it did. */
  emit(device: SimDevice, data: Record<string, unknown> = {}): boolean {
    const state = device.state;
    if (!device.runtime || state === 'rebooting' || state === 'crashed' || state === 'deep-sleep') return false;
    const seq = device.emit('load.tick', data);
    this.emitted.push({ dev: device.id, seq, at: Date.now() });
    return true;
  }

  stop(): void {
    for (const device of this.devices) device.stop();
    for (const device of this.devices) device.storage.close();
  }
}
