// The SDK's ECMA-419 MQTT client ($(MODDABLE)/examples/io/tcp/mqttclient/mqttclient.js, module
// "embedded:network/mqtt/client") as far as hal/moddable/mqtt.ts uses it, checked against SDK 8.2.3. Declared here
// rather than taken from @moddable/typings, whose declaration differs from the source (onControl there takes
// (opcode, message); the client calls it with the message alone).

/** Operation codes, as the client's static members name them. */
export const MqttOperation = Object.freeze({
  CONNACK: 2,
  PUBLISH: 3,
  PUBACK: 4,
  SUBSCRIBE: 8,
  SUBACK: 9,
  DISCONNECT: 14,
} as const);

export interface Mqtt419ControlMessage {
  operation: number;
  id?: number;
  /** SUBACK: granted QoS per filter, 0x80 for a refused one. */
  payload?: number[];
}

export interface Mqtt419ReadableOptions {
  more: boolean;
  topic?: string;
  byteLength?: number;
  QoS?: number;
}

export interface Mqtt419WriteOptions {
  operation?: number;
  id?: number;
  topic?: string;
  QoS?: number;
  retain?: boolean;
  byteLength?: number;
  items?: { topic: string; QoS: number }[];
}

/** The SDK client instance, as far as this adapter uses it. */
export interface Mqtt419Client {
  write(data: Uint8Array | null, options?: Mqtt419WriteOptions): number;
  read(count: number): ArrayBuffer | undefined;
  close(): void;
}

export interface Mqtt419Will {
  topic: string;
  message: ArrayBuffer;
  QoS: number;
  retain: boolean;
}

export interface Mqtt419Options {
  host: string;
  port: number;
  id: string;
  clean: boolean;
  /** Milliseconds; the client sends whole seconds in CONNECT. */
  keepalive: number;
  user?: string;
  password?: string;
  will?: Mqtt419Will;
  dns: unknown;
  socket: unknown;
  onControl(this: Mqtt419Client, message: Mqtt419ControlMessage): void;
  onReadable(this: Mqtt419Client, count: number, options: Mqtt419ReadableOptions): void;
  onWritable(this: Mqtt419Client, count: number): void;
  onError(this: Mqtt419Client): void;
}

/**
 * The `secure` options of the SDK's ECMA-419 TLS socket (examples/io/tcp/tlssocket, "embedded:io/socket/tcp/tls"),
 * which hands them to its TLS session (modules/crypt/ssl): `certificate` is registered as a trusted CA (DER, an
 * ArrayBuffer), `serverName` is sent as SNI and checked against the server certificate's subjectAltName (the
 * socket defaults it to the host name it connects to). Verification is on unless `verify: false`, never set here.
 */
export interface Tls419SecureOptions {
  certificate?: ArrayBuffer;
  serverName?: string;
}

export type Mqtt419ClientConstructor = new (options: Mqtt419Options) => Mqtt419Client;

/**
 * ECMA-419 network configuration: `device.network.mqtt` in Moddable's host provider, or `device.network.mqtts`
 * whose `socket` is `{ io: TLSSocket, TCP: { io: TCP } }`; the client spreads `socket` into the socket's options.
 */
export interface Mqtt419Network {
  io: Mqtt419ClientConstructor;
  dns: unknown;
  socket: object;
}
