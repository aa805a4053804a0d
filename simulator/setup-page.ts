// The setup page of a simulated device, reachable from the browser: an HTTP server on 127.0.0.1 that hands each
// request to whatever the device serves on its setup access point this boot (hal/host/setup.ts), as a phone on the
// access point would reach it. The device reboots under it (a restart after the Wi-Fi step): while no boot serves
// a page the server answers 503, and the page's script keeps polling until the new boot answers.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SETUP_BODY_MAX_BYTES } from '../hal/contract/setup.js';
import type { SimDevice } from './device.js';

export interface SetupPage {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `device`'s setup page on 127.0.0.1:`port` (0: any free port). */
export async function startSetupPage(device: SimDevice, port = 0): Promise<SetupPage> {
  const server: Server = createServer((request, response) => {
    void readBody(request).then((body) => {
      const path = new URL(request.url ?? '/', 'http://device').pathname;
      const answer = body === undefined
        ? { status: 413, type: 'text/plain', body: 'too large' }
        : device.setup?.accessPoint.request({ method: request.method ?? 'GET', path, body }) ?? { status: 503, type: 'text/plain', body: 'the device is not serving its setup page (restarting, or set up)' };
      response.writeHead(answer.status, {
        'content-type': answer.type, 'cache-control': 'no-store', ...('location' in answer && answer.location ? { location: answer.location } : {}),
      });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** The body as text, or undefined past SETUP_BODY_MAX_BYTES (as the device's binding caps it). */
function readBody(request: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= SETUP_BODY_MAX_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve(size > SETUP_BODY_MAX_BYTES ? undefined : Buffer.concat(chunks).toString('utf8')));
    request.on('error', () => resolve(undefined));
  });
}
