// The MQTT transport on Node: mqtt.js speaking MQTT 3.1.1 (protocol version 4). One mqtt.js client per
// connect() call, with mqtt.js's own reconnect off: the device runtime owns reconnect policy and the outbox.
//
// Packet ids: after CONNACK mqtt.js sends a publish synchronously (its offline store is empty and we never
// publish before 'connect'), so the id it allocated is getLastMessageId(); we check that against the pending
// entry our callback sits in before returning it. The QoS 1 callback fires on PUBACK, which we report by that id.
//
// TLS: mqtts with rejectUnauthorized, the provisioned CA as the only trust anchor (Node wants PEM; the contract
// hands DER) and the server name checked against the certificate. A rejected certificate closes the attempt
// with a reason starting "TLS:".
import { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';
import { checkServerIdentity, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { UniqueMessageIdProvider, connect, type IClientOptions, type MqttClient } from 'mqtt';
import type { MqttConnectOptions, MqttHandlers, MqttTlsOptions, MqttTransport, QoS } from '../contract/mqtt.js';

export interface HostMqttOptions {
  /** How long to wait for CONNACK. Default 10 s. */
  connectTimeoutMs?: number;
  /** Receives errors thrown by the handlers (they must not break the client). Default: console.error. */
  onHandlerError?: (error: unknown) => void;
}

/** One connect() call: its client, its handlers, and whether onClose was already reported. */
interface Attempt {
  /** Absent when the attempt failed before a socket existed. */
  readonly client: MqttClient | undefined;
  readonly handlers: MqttHandlers;
  connected: boolean;
  closed: boolean;
  lastError: string | undefined;
}

export class HostMqttTransport implements MqttTransport {
  #options: HostMqttOptions;
  #attempt: Attempt | undefined;
  #networkUp = true;
  #connects = 0;

  constructor(options: HostMqttOptions = {}) {
    this.#options = options;
  }

  get connected(): boolean {
    return this.#attempt?.connected ?? false;
  }

  /** Number of connect() calls so far. */
  get connectCount(): number {
    return this.#connects;
  }

  /** False while the simulated network is down. */
  get networkUp(): boolean {
    return this.#networkUp;
  }

  /**
   * Simulates the network going away (false: the socket dies without DISCONNECT, so the broker sends the will,
   * and every connect() fails) or coming back (true).
   */
  setNetworkUp(up: boolean): void {
    this.#networkUp = up;
    if (!up) this.dropConnection();
  }

  /** Kills the socket as a lost link would: no DISCONNECT, so the broker publishes the will. */
  dropConnection(): void {
    this.#attempt?.client?.stream?.destroy();
  }

  connect(options: MqttConnectOptions, handlers: MqttHandlers): void {
    this.#discard();
    this.#connects++;
    if (!this.#networkUp) {
      this.#failLater(handlers, 'network unreachable');
      return;
    }
    let client: MqttClient;
    try {
      client = connect(this.#clientOptions(options));
    } catch (error) {
      this.#failLater(handlers, `cannot connect: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    const attempt: Attempt = { client, handlers, connected: false, closed: false, lastError: undefined };
    this.#attempt = attempt;
    client.on('connect', (connack) => {
      if (this.#attempt !== attempt) return;
      attempt.connected = true;
      this.#call(() => handlers.onConnect(connack.sessionPresent));
    });
    client.on('message', (topic, payload, packet) => {
      if (this.#attempt !== attempt) return;
      this.#call(() => handlers.onMessage(topic, payload.toString('utf8'), packet.retain));
    });
    client.on('error', (error) => {
      attempt.lastError = options.secure && !attempt.connected && isTlsError(error) ? `TLS: ${error.message}` : error.message;
    });
    client.on('close', () => {
      attempt.connected = false;
      client.end(true);
      this.#reportClose(attempt, attempt.lastError ?? 'connection lost');
    });
  }

  publish(topic: string, payload: string, qos: QoS, retain: boolean): number {
    const attempt = this.#attempt;
    if (attempt?.client === undefined || !attempt.connected) throw new Error('MQTT publish: not connected');
    if (qos !== 0 && qos !== 1) throw new RangeError(`MQTT publish: unsupported QoS ${String(qos)}`);
    if (qos === 0) {
      attempt.client.publish(topic, payload, { qos, retain });
      return 0;
    }
    const { client, handlers } = attempt;
    let packetId = 0;
    const onAck = (error?: Error) => {
      if (error || this.#attempt !== attempt || packetId === 0) return;
      this.#call(() => handlers.onPublishAck(packetId));
    };
    client.publish(topic, payload, { qos, retain }, onAck);
    const lastId = client.getLastMessageId();
    if (client.outgoing[lastId]?.cb !== onAck) {
      throw new Error('MQTT publish: mqtt.js deferred the packet, so its id is unknown');
    }
    packetId = lastId;
    return packetId;
  }

  subscribe(filters: readonly { topic: string; qos: QoS }[]): void {
    const attempt = this.#attempt;
    if (attempt?.client === undefined || !attempt.connected) throw new Error('MQTT subscribe: not connected');
    const map: Record<string, { qos: QoS }> = {};
    for (const { topic, qos } of filters) map[topic] = { qos };
    attempt.client.subscribe(map, (error) => {
      if (error) attempt.lastError = `subscribe failed: ${error.message}`;
    });
  }

  close(): void {
    this.#discard();
  }

  /** Ends the current client cleanly (DISCONNECT, no will); its handlers hear nothing more. */
  #discard(): void {
    const attempt = this.#attempt;
    this.#attempt = undefined;
    if (attempt === undefined) return;
    attempt.closed = true;
    const client = attempt.client;
    if (client === undefined) return;
    if (attempt.connected) {
      // mqtt.js would hold DISCONNECT back until every QoS 1 publish is acknowledged; the runtime's outbox
      // resends those anyway, so forget them and disconnect now.
      for (const id of Object.keys(client.outgoing)) delete client.outgoing[Number(id)];
      client.end(false);
    } else {
      client.end(true); // no session yet to close cleanly
    }
    attempt.connected = false;
  }

  /** A connect() that fails before any socket exists still reports, but never from inside connect(). */
  #failLater(handlers: MqttHandlers, reason: string): void {
    const attempt: Attempt = { client: undefined, handlers, connected: false, closed: false, lastError: reason };
    this.#attempt = attempt;
    setImmediate(() => this.#reportClose(attempt, reason));
  }

  #reportClose(attempt: Attempt, reason: string): void {
    if (attempt.closed) return;
    attempt.closed = true;
    if (this.#attempt === attempt) this.#attempt = undefined;
    this.#call(() => attempt.handlers.onClose(reason));
  }

  #clientOptions(options: MqttConnectOptions): IClientOptions {
    const clientOptions: IClientOptions = {
      protocol: options.secure ? 'mqtts' : 'mqtt',
      ...(options.secure ? tlsClientOptions(options.secure, options.host) : {}),
      host: options.host,
      port: options.port,
      clientId: options.clientId,
      protocolVersion: 4,
      keepalive: options.keepAliveSeconds,
      clean: options.cleanSession,
      reconnectPeriod: 0,
      connectTimeout: this.#options.connectTimeoutMs ?? 10_000,
      queueQoSZero: false,
      resubscribe: false,
      messageIdProvider: new UniqueMessageIdProvider(),
    };
    if (options.username !== undefined) clientOptions.username = options.username;
    if (options.password !== undefined) clientOptions.password = options.password;
    if (options.will) {
      const { topic, payload, qos, retain } = options.will;
      clientOptions.will = { topic, payload: Buffer.from(payload, 'utf8'), qos, retain };
    }
    return clientOptions;
  }

  #call(action: () => void): void {
    try {
      action();
    } catch (error) {
      (this.#options.onHandlerError ?? ((e) => console.error('MQTT handler failed:', e)))(error);
    }
  }
}

/** mqtt.js passes its options on to tls.connect(), including those its type does not list. */
type TlsClientOptions = IClientOptions & Pick<ConnectionOptions, 'checkServerIdentity'>;

function tlsClientOptions(tls: MqttTlsOptions, host: string): TlsClientOptions {
  const options: TlsClientOptions = { rejectUnauthorized: true };
  if (tls.ca !== undefined) options.ca = new X509Certificate(tls.ca).toString();
  const name = tls.serverName ?? host;
  // SNI cannot carry an IP address: then only the certificate check uses the name.
  if (isIP(name) === 0) options.servername = name;
  else options.checkServerIdentity = (_host: string, certificate: PeerCertificate) => checkServerIdentity(name, certificate);
  return options;
}

/** Certificate and handshake failures, as Node's TLS layer reports them (OpenSSL verify codes, ERR_TLS_*, ERR_SSL_*). */
function isTlsError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  return /^ERR_(TLS|SSL)_|CERT|UNABLE_TO_|SELF_SIGNED|ISSUER/.test(code) || /certificate|handshake|\bSSL\b|\bTLS\b/i.test(error.message);
}
