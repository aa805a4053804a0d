// An in-process MQTT broker (aedes) for the simulator and tests. Listens on 127.0.0.1 only.
import { createServer, type Server, type Socket } from 'node:net';
import { Aedes } from 'aedes';

export interface EmbeddedBroker {
  /** mqtt://127.0.0.1:<port> */
  readonly url: string;
  readonly port: number;
  readonly aedes: Aedes;
  close(): Promise<void>;
}

export interface EmbeddedBrokerOptions {
  /** Default 0: an ephemeral port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export async function startEmbeddedBroker(options: EmbeddedBrokerOptions = {}): Promise<EmbeddedBroker> {
  const host = options.host ?? '127.0.0.1';
  const aedes = await Aedes.createBroker();
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    aedes.handle(socket);
  });
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
    url: `mqtt://${host}:${address.port}`,
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
