// A site for platform tests: an embedded aedes broker (simulator/broker.ts), the reference platform and real
// SimDevices (the device runtime and apps, on host sockets) on the real-time clock at a high speed.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type MqttClient } from 'mqtt';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../simulator/broker.js';
import { SimDevice } from '../../simulator/device.js';
import type { SimDeviceKind } from '../../simulator/kinds/kind.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { ReferencePlatform, type PlatformOptions } from '../../simulator/platform/platform.js';
import { uniqueSite } from '../support/broker.js';

export const SPEED = 20;

export class Rig {
  readonly site = uniqueSite('plat');
  readonly devices: SimDevice<any>[] = [];
  broker!: EmbeddedBroker;
  platform!: ReferencePlatform;
  #cleanups: (() => unknown)[] = [];
  #dirs: string[] = [];

  async start(options: Partial<PlatformOptions> = {}): Promise<this> {
    this.broker = await startEmbeddedBroker();
    this.platform = await this.startPlatform(options);
    return this;
  }

  async startPlatform(options: Partial<PlatformOptions> = {}): Promise<ReferencePlatform> {
    const platform = await ReferencePlatform.start({ url: this.broker.url, site: this.site, keys: DEMO_KEYS, commandRetryMs: 1000, ...options });
    this.#cleanups.push(() => platform.stop());
    return platform;
  }

  tempDir(): string {
    const dir = mkdtempSync(join(tmpdir(), 'platform-'));
    this.#dirs.push(dir);
    return dir;
  }

  device<World>(kind: SimDeviceKind<World>, id: string, partitions?: Record<string, number>): SimDevice<World> {
    const device = new SimDevice<World>({
      kind, index: this.devices.length + 1,
      provisioning: { site: this.site, device: id, host: '127.0.0.1', port: this.broker.port },
      clock: { mode: 'real', speed: SPEED }, record: true,
      ...(partitions ? { partitions } : {}),
    });
    this.devices.push(device);
    this.#cleanups.push(() => {
      device.stop();
      device.storage.close();
    });
    return device.boot();
  }

  /** A plain MQTT client, to play a broker redelivery or a forger. */
  async client(): Promise<MqttClient> {
    const client = connect(this.broker.url, { protocolVersion: 4, clientId: `t-${Math.random().toString(36).slice(2)}`, reconnectPeriod: 0 });
    await new Promise<void>((resolve, reject) => {
      client.once('connect', () => resolve());
      client.once('error', reject);
    });
    this.#cleanups.push(() => client.endAsync());
    return client;
  }

  async stop(): Promise<void> {
    for (const cleanup of this.#cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch {
        // already stopped
      }
    }
    await this.broker?.close();
    for (const dir of this.#dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  }
}
