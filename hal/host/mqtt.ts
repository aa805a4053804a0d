// The MQTT transport on Node: the device's own MQTT client (firmware/net/mqtt) over host sockets
// (hal/host/socket.ts), so the simulator and the tests run exactly the client code the device runs. mqtt.js stays
// where the platform side is played (monitor, tests, tools).
import type { Timers } from '../contract/time.js';
import { MqttClient } from '../../firmware/net/mqtt/client.js';
import type { MqttConnectOptions, MqttHandlers } from '../contract/mqtt.js';
import { HostNetwork } from './socket.js';

export interface HostMqttOptions {
  /** How long to wait for CONNACK. Default 10 s. */
  connectTimeoutMs?: number;
  /** Receives errors thrown by the handlers (they must not break the client). Default: console.error. */
  onHandlerError?: (error: unknown) => void;
  /** Keep-alive, CONNACK and drain timers. Default: Node's (real time). */
  timers?: Timers;
  /** Default: a network of its own. */
  network?: HostNetwork;
  /** Largest incoming packet kept (default the client's). */
  maxPacketBytes?: number;
  log?: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
}

export class HostMqttTransport extends MqttClient {
  readonly network: HostNetwork;
  #connects = 0;

  constructor(options: HostMqttOptions = {}) {
    const network = options.network ?? new HostNetwork();
    super({
      network: network.mqttNetwork(),
      timers: options.timers ?? nodeTimers,
      connectTimeoutMs: options.connectTimeoutMs ?? 10_000,
      onHandlerError: options.onHandlerError ?? ((error) => console.error('MQTT handler failed:', error)),
      ...(options.maxPacketBytes === undefined ? {} : { maxPacketBytes: options.maxPacketBytes }),
      ...(options.log ? { log: options.log } : {}),
    });
    this.network = network;
  }

  /** Number of connect() calls so far. */
  get connectCount(): number {
    return this.#connects;
  }

  /** False while the simulated network is down. */
  get networkUp(): boolean {
    return this.network.up;
  }

  /**
   * Simulates the network going away (false: the socket dies without DISCONNECT, so the broker sends the will,
   * and every connect() fails) or coming back (true).
   */
  setNetworkUp(up: boolean): void {
    this.network.setUp(up);
  }

  /** Kills the socket as a lost link would: no DISCONNECT, so the broker publishes the will. */
  dropConnection(): void {
    this.network.dropAll();
  }

  override connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#connects++;
    super.connect(options, handlers);
  }
}

/** Timers in real time on Node's event loop. */
const nodeTimers: Timers = {
  set: (callback, ms) => setTimeout(callback, ms),
  repeat: (callback, ms) => setInterval(callback, ms),
  clear: (id) => {
    if (id !== undefined) clearTimeout(id as ReturnType<typeof setTimeout>);
  },
};
