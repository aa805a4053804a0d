// The network as ECMA-419 shapes it (https://419.ecma-international.org, "IO class pattern" and "Network
// socket"): a TCP socket class plus a DNS resolver class, each handed over as a configuration `{ io, ...options }`
// whose other properties are spread into the constructor's options. The Moddable binding hands the SDK's own
// `embedded:io/socket/tcp`, its TLS socket over TCP and its UDP DNS resolver; the host binding hands classes of
// the same shape over node:net, node:tls and node:dns. Firmware (the MQTT client) sees only these types.

/** Options the socket user adds to a socket configuration's own. */
export interface TcpSocketOptions {
  /** IP address to connect to (resolve names with the DNS resolver first). */
  address: string;
  port: number;
  /** The name `address` was resolved from: a TLS socket sends it as SNI and checks the certificate against it. */
  host?: string;
  nodelay?: boolean;
  /** Bytes are waiting: read at most `count` (reading more throws). */
  onReadable?(count: number): void;
  /** Connected, or room freed: write at most `count` bytes. */
  onWritable?(count: number): void;
  /** The connection failed or ended. A binding may pass an Error saying why (a TLS binding prefixes "TLS: "). */
  onError?(error?: unknown): void;
}

export interface TcpSocket {
  /** `count` bytes (at most what onReadable offered, else it throws), or every byte waiting without a count. */
  read(count?: number): ArrayBuffer | undefined;
  /** Writes all of `data` or throws (not yet connected, more than the room left). Returns the room left. */
  write(data: ArrayBuffer | ArrayBufferView): number;
  close(): void;
}

export type TcpSocketConstructor = new (options: TcpSocketOptions & Record<string, unknown>) => TcpSocket;

/** A socket configuration: the class and its fixed options (a TLS socket's `secure`, `TCP`, ...). */
export interface SocketConfig {
  io: TcpSocketConstructor;
  [option: string]: unknown;
}

export interface DnsResolveOptions {
  host: string;
  onResolved(host: string, address: string): void;
  onError(error?: unknown): void;
}

export interface DnsResolver {
  resolve(options: DnsResolveOptions): void;
  close?(): void;
}

/** A DNS resolver configuration: the class and its options (servers, socket). */
export interface DnsConfig {
  io: new (options: Record<string, unknown>) => DnsResolver;
  [option: string]: unknown;
}
