// MQTT 3.1.1 transport. Outgoing payloads are text (our protocol is JSON), encoded as UTF-8 by the transport;
// incoming payloads are handed over as the bytes that arrived, so the receiver decides what malformed UTF-8 means
// (the protocol answers it `invalid`, docs/protocol.md §3.3). The transport does no retrying and no persistence:
// reconnect policy and the durable outbox live in the runtime.

export type QoS = 0 | 1;

export interface MqttWill {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
}

/**
 * TLS for the broker connection (MQTT over TLS, port 8883 by convention). The broker is authenticated: its
 * certificate must chain to `ca` and name `serverName` (or `host`); bindings never skip that check.
 */
export interface MqttTlsOptions {
  /** DER bytes of the one CA certificate to trust. Absent: the binding's built-in roots (see docs/protocol.md). */
  ca?: Uint8Array;
  /** Name the broker's certificate must carry (DNS name or IPv4), also sent as SNI. Default: `host`. */
  serverName?: string;
}

export interface MqttConnectOptions {
  host: string;
  port: number;
  clientId: string;
  username?: string;
  password?: string;
  keepAliveSeconds: number;
  cleanSession: boolean;
  will?: MqttWill;
  /** Present: connect over TLS. Absent: plain TCP. */
  secure?: MqttTlsOptions;
}

export interface MqttHandlers {
  /** CONNACK accepted. */
  onConnect(sessionPresent: boolean): void;
  /** The connection ended or could not be made. Fires once per connect() call that had succeeded or failed. */
  onClose(reason: string): void;
  /**
   * A PUBLISH that arrived whole. `payload` is its bytes (zero-length when the publisher cleared a retained
   * topic) and valid only during the call; `retained` is the PUBLISH's retain flag.
   */
  onMessage(topic: string, payload: Uint8Array, retained: boolean): void;
  /** PUBACK for a QoS 1 publish, by the packet id publish() returned. */
  onPublishAck(packetId: number): void;
}

export interface MqttTransport {
  connect(options: MqttConnectOptions, handlers: MqttHandlers): void;
  /** Returns the packet id of a QoS 1 publish, 0 for QoS 0. Throws when not connected. */
  publish(topic: string, payload: string, qos: QoS, retain: boolean): number;
  subscribe(filters: readonly { topic: string; qos: QoS }[]): void;
  /**
   * Disconnects cleanly (no will). No handler of this connection is called afterwards. Packets still waiting for
   * the socket go out first, for at most CLOSE_DRAIN_MS; whoever powers the radio down waits that long.
   */
  close(): void;
}

/** Longest a clean close() keeps handing queued packets (a last status) to the network. */
export const CLOSE_DRAIN_MS = 3000;
