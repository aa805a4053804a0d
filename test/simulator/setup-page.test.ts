// The simulator's devices started not set up (`unprovisioned`): each serves its setup page on 127.0.0.1, `code N`
// makes its provisioning code and scans it on a door reader's simulated QR scanner (an SOS button has none: the code
// is pasted on the page), the network is picked on the page, and the device comes online on the embedded broker.
import { afterEach, describe, expect, test } from '@jest/globals';
import { PassThrough } from 'node:stream';
import type { SetupStatus } from '../../firmware/lifecycle/setup-status.js';
import { SIM_NETWORKS, startSimulator, type Simulator } from '../../simulator/simulator.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function status(url: string): Promise<SetupStatus | undefined> {
  const response = await fetch(new URL('/status', url));
  return response.status === 200 ? ((await response.json()) as { status: SetupStatus }).status : undefined; // 503 while it restarts
}

/** Polls the page until its phase is `phase` (bounded: the page answers within a few seconds of real time). */
async function phase(url: string, wanted: SetupStatus['phase']): Promise<SetupStatus> {
  for (let tries = 0; tries < 150; tries++) {
    const seen = await status(url);
    if (seen?.phase === wanted) return seen;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the setup page never reached ${wanted}: ${JSON.stringify(await status(url))}`);
}

const post = (url: string, path: string, body: unknown) => fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

describe('simulated devices being set up', () => {
  test('a door reader by its QR scanner and an SOS button by its page, each with a network picked on its page', async () => {
    const output = new PassThrough();
    output.resume();
    const sim: Simulator = await startSimulator({ fleet: 'door-reader:1,sos-button:1', unprovisioned: 2, platform: false, port: 0, tty: false, output });
    cleanups.push(() => sim.stop());
    const [door, sos] = sim.setupPages;
    expect(sim.setupPages).toHaveLength(2);
    expect(await status(door!.url)).toMatchObject({ phase: 'needs_code' });

    expect(sim.command('code 1')).toMatch(/^scanned on sim-1/);
    await phase(door!.url, 'needs_wifi');
    const sosCode = sim.command('code 2');
    expect(sosCode).toMatch(/paste it on its setup page/);
    expect((await post(sos!.url, '/code', { code: sosCode.split('\n')[1] })).status).toBe(200);
    await phase(sos!.url, 'needs_wifi');

    const wifi = SIM_NETWORKS[0]!;
    for (const { url } of [door!, sos!]) expect((await post(url, '/wifi', { ssid: wifi.ssid, password: wifi.password })).status).toBe(200);
    for (const { url } of [door!, sos!]) expect(await phase(url, 'done')).toMatchObject({ proofs: { wifi: 'ok', broker: 'ok' } });
    expect(sim.devices.map((device) => device.state)).toEqual(['online', 'online']);
    expect(sim.command('code 3')).toMatch(/not started unprovisioned/);
  }, 40_000);
});
