// MQTT 3.1.1 transport. Payloads are text (our protocol is JSON); the binding converts to and from bytes.
// The transport does no retrying and no persistence: reconnect policy and the durable outbox live in the runtime.

export type QoS = 0 | 1;

export interface MqttWill {
  topic: string;
  payload: string;
  qos: QoS;
  retain: boolean;
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
  /** TLS when the binding supports it. */
  secure?: boolean;
}

export interface MqttHandlers {
  /** CONNACK accepted. */
  onConnect(sessionPresent: boolean): void;
  /** The connection ended or could not be made. Fires once per connect() call that had succeeded or failed. */
  onClose(reason: string): void;
  onMessage(topic: string, payload: string, retained: boolean): void;
  /** PUBACK for a QoS 1 publish, by the packet id publish() returned. */
  onPublishAck(packetId: number): void;
}

export interface MqttTransport {
  connect(options: MqttConnectOptions, handlers: MqttHandlers): void;
  /** Returns the packet id of a QoS 1 publish, 0 for QoS 0. Throws when not connected. */
  publish(topic: string, payload: string, qos: QoS, retain: boolean): number;
  subscribe(filters: readonly { topic: string; qos: QoS }[]): void;
  /** Disconnects cleanly (no will). No handler of this connection is called afterwards. */
  close(): void;
}
