// An in-process MQTT broker (aedes) for the simulator and tests. Listens on 127.0.0.1 only; plain TCP, or TLS
// when given a certificate and key (then its URL is mqtts://).
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port>, or mqtts:// with TLS */
  readonly url: string;
  readonly port: number;
  readonly aedes: Aedes;
  close(): Promise<void>;
}

export interface EmbeddedBrokerTls {
  /** PEM: the broker's certificate followed by the rest of its chain (devices on Moddable need the chain). */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface EmbeddedBrokerOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Listen on TLS instead of plain TCP. */
  tls?: EmbeddedBrokerTls;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const handle = (stream: Socket) => aedes.handle(stream);
  let server: Server;
  try {
    server = options.tls
      ? createTlsServer({ cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' }, handle)
      : createServer(handle);
  } catch (error) {
    aedes.close();
    throw new Error(`broker: bad TLS certificate or key: ${error instanceof Error ? error.message : String(error)}`);
  }
  // Raw sockets, TLS or not, so close() can end connections mid-handshake too.
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  if (options.tls) server.on('tlsClientError', () => {}); // a client refusing our certificate is its business
  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) => {
      aedes.close();
      reject(error);
    });
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('broker: no TCP address');
  let closing: Promise<void> | undefined;
  return {
    url: `${options.tls ? 'mqtts' : 'mqtt'}://${host}:${address.port}`,
    port: address.port,
    aedes,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => aedes.close(() => resolve()));
      });
      return closing;
    },
  };
}
