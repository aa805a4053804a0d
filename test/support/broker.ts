// The broker integration tests talk to: the one named by TEST_BROKER_URL (CI runs Debian's mosquitto on
// mqtt://127.0.0.1:1883), else an aedes broker started here on an ephemeral port. An external broker is shared,
// so tests must keep to their own topics (unique site ids: uniqueSite()).
import { randomBytes } from 'node:crypto';
import { startEmbeddedBroker } from '../../simulator/broker.js';

export interface TestBroker {
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** True when this is an external broker that other tests may be using at the same time. */
  readonly shared: boolean;
  close(): Promise<void>;
}

export async function startTestBroker(): Promise<TestBroker> {
  const external = process.env.TEST_BROKER_URL;
  if (external) {
    const url = new URL(external);
    return { url: external, host: url.hostname, port: Number(url.port || 1883), shared: true, close: async () => {} };
  }
  const broker = await startEmbeddedBroker();
  return { url: broker.url, host: '127.0.0.1', port: broker.port, shared: false, close: () => broker.close() };
}

/** A site id no other test run uses. */
export function uniqueSite(prefix = 'test'): string {
  return `${prefix}-${randomBytes(6).toString('hex')}`;
}
