// The ECMA-419 socket shapes of hal/contract/socket.ts over Node: a TCP socket (node:net), a TLS socket
// (node:tls, the broker authenticated against the provisioned CA and name) and a DNS resolver (node:dns). With
// these the simulator runs the device's own MQTT client (firmware/net/mqtt) unchanged.
//
// A HostNetwork switches a simulated link: down, it destroys every socket it made (no FIN handshake of MQTT, so
// the broker publishes the will) and fails new ones; up, sockets connect again.
import { X509Certificate } from 'node:crypto';
import { lookup } from 'node:dns';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { checkServerIdentity, connect as tlsConnect, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { MqttTlsOptions } from '../contract/mqtt.js';
import { ByteQueue } from './byte-queue.js';
import type { DnsConfig, DnsResolveOptions, DnsResolver, SocketConfig, TcpSocket, TcpSocketOptions } from '../contract/socket.js';

/** What a host socket reports as room: Node buffers without limit, so the socket keeps its own bound. */
const ROOM = 16 * 1024;

export class HostNetwork {
  #up = true;
  readonly #sockets = new Set<HostSocket>();
  /** Sockets created so far. */
  opened = 0;

  get up(): boolean {
    return this.#up;
  }

  setUp(up: boolean): void {
    this.#up = up;
    if (!up) this.dropAll();
  }

  /** Kills every live socket as a lost link would. */
  dropAll(): void {
    for (const socket of [...this.#sockets]) socket.drop(new Error('network down'));
  }

  /** Plain TCP, DNS, and TLS configurations for the device's MQTT client (firmware/net/mqtt MqttNetwork). */
  mqttNetwork(): { dns: DnsConfig; socket: SocketConfig; secureSocket(tls: MqttTlsOptions): SocketConfig } {
    return {
      dns: { io: HostDns, network: this },
      socket: { io: HostSocket, network: this },
      secureSocket: (tls) => ({ io: HostSocket, network: this, secure: tls }),
    };
  }

  /** @internal */
  register(socket: HostSocket): void {
    this.opened++;
    this.#sockets.add(socket);
  }

  /** @internal */
  unregister(socket: HostSocket): void {
    this.#sockets.delete(socket);
  }
}

interface HostSocketOptions extends TcpSocketOptions {
  network?: HostNetwork;
  /** Present: TLS. */
  secure?: MqttTlsOptions;
}

/** An ECMA-419 TCP socket (or, with `secure`, a TLS socket) on Node. */
export class HostSocket implements TcpSocket {
  readonly #options: HostSocketOptions;
  readonly #network: HostNetwork | undefined;
  readonly #socket: Socket | TLSSocket | undefined;
  readonly #inbound = new ByteQueue();
  #ready = false;
  #closed = false;
  #failure: Error | undefined;
  #writablePending = false;

  constructor(options: HostSocketOptions) {
    this.#options = options;
    this.#network = options.network;
    if (this.#network && !this.#network.up) {
      this.#closed = true;
      setImmediate(() => options.onError?.(new Error('network unreachable')));
      return;
    }
    this.#network?.register(this);
    const socket = options.secure ? connectTls(options, options.secure) : netConnect({ host: options.address, port: options.port });
    this.#socket = socket;
    if (options.nodelay) socket.setNoDelay(true);
    socket.on(options.secure ? 'secureConnect' : 'connect', () => {
      if (this.#closed) return;
      this.#ready = true;
      options.onWritable?.(this.#room());
    });
    socket.on('data', (data: Buffer) => {
      if (this.#closed) return;
      this.#inbound.push(new Uint8Array(data.buffer, data.byteOffset, data.byteLength));
      options.onReadable?.(this.#inbound.available);
    });
    socket.on('error', (error) => {
      this.#failure ??= options.secure && !this.#ready && isTlsError(error) ? new Error(`TLS: ${error.message}`) : error;
    });
    socket.on('close', () => this.drop(this.#failure ?? new Error(this.#ready ? 'connection closed by the broker' : 'connection failed')));
  }

  read(count?: number): ArrayBuffer | undefined {
    return this.#inbound.take(count);
  }

  write(data: ArrayBuffer | ArrayBufferView): number {
    if (this.#closed || !this.#socket) return 0;
    if (!this.#ready) throw new Error('not ready');
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    if (bytes.length > this.#room()) throw new Error('would block');
    this.#socket.write(Buffer.from(bytes), () => this.#flushed());
    return this.#room();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#network?.unregister(this);
    // end(): what was written still goes out (a DISCONNECT), then FIN.
    this.#socket?.end();
  }

  /** The link died: no FIN exchange of ours, the user hears onError. @internal */
  drop(error: Error): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#network?.unregister(this);
    this.#socket?.destroy();
    // Later, as a socket event would come: never inside the call that cut the link.
    setImmediate(() => this.#options.onError?.(error));
  }

  #room(): number {
    return Math.max(0, ROOM - (this.#socket?.writableLength ?? 0));
  }

  /** Room came back: say so once per event-loop turn. */
  #flushed(): void {
    if (this.#writablePending) return;
    this.#writablePending = true;
    setImmediate(() => {
      this.#writablePending = false;
      if (!this.#closed && this.#ready) this.#options.onWritable?.(this.#room());
    });
  }
}

function connectTls(options: HostSocketOptions, tls: MqttTlsOptions): TLSSocket {
  const name = tls.serverName ?? options.host ?? options.address;
  return tlsConnect({
    host: options.address,
    port: options.port,
    rejectUnauthorized: true,
    ...(tls.ca ? { ca: new X509Certificate(tls.ca).toString() } : {}),
    // SNI cannot carry an IP address: then only the certificate check uses the name.
    ...(isIP(name) === 0 ? { servername: name } : {}),
    checkServerIdentity: (_host: string, certificate: PeerCertificate) => checkServerIdentity(name, certificate),
  });
}

/** Certificate and handshake failures, as Node's TLS layer reports them (OpenSSL verify codes, ERR_TLS_*, ERR_SSL_*). */
function isTlsError(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  if (/^E(CONNREFUSED|CONNRESET|HOSTUNREACH|NETUNREACH|TIMEDOUT)$/.test(code)) return false;
  return /^ERR_(TLS|SSL)_|CERT|UNABLE_TO_|SELF_SIGNED|ISSUER|HOSTNAME/.test(code) || /certificate|handshake|\bSSL\b|\bTLS\b|altnames/i.test(error.message);
}

/** An ECMA-419 DNS resolver on Node (IPv4, as the device's). */
export class HostDns implements DnsResolver {
  readonly #network: HostNetwork | undefined;

  constructor(options: { network?: HostNetwork }) {
    this.#network = options.network;
  }

  resolve({ host, onResolved, onError }: DnsResolveOptions): void {
    if (this.#network && !this.#network.up) {
      setImmediate(() => onError(new Error('network unreachable')));
      return;
    }
    lookup(host, { family: 4 }, (error, address) => {
      if (error) onError(error);
      else onResolved(host, address);
    });
  }
}
