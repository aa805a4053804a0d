// The simulator against an mqtts:// broker (`npm start -- --broker mqtts://… --ca FILE`): its devices and its
// monitor connect over TLS with the given CA; bad TLS options fail at start with a clear message.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { promisify } from 'node:util';
import { startEmbeddedBroker, type EmbeddedBroker } from '../../simulator/broker.js';
import { startSimulator } from '../../simulator/simulator.js';
import { uniqueSite } from '../support/broker.js';
import { makeTestPki, TEST_SERVER_NAME, type TestPki } from '../support/tls.js';

const WAIT_MS = 20_000;
let pki: TestPki;
let broker: EmbeddedBroker;

beforeAll(async () => {
  pki = await makeTestPki();
  broker = await startEmbeddedBroker({ tls: { cert: pki.serverChain, key: pki.serverKey } });
}, 60_000);

afterAll(async () => {
  await broker?.close();
});

describe('simulator over TLS', () => {
  test('devices and the monitor connect to an mqtts:// broker with the CA (by name, on an IP address)', async () => {
    const site = uniqueSite('simtls');
    const output = new PassThrough();
    output.resume();
    const sim = await startSimulator({
      devices: 2, site, tty: false, output, broker: broker.url, ca: pki.ca.der.slice().buffer, tlsName: TEST_SERVER_NAME,
    });
    try {
      await sim.monitor.waitFor((m) => ['sim-1', 'sim-2'].every((id) => m.row(id)?.status === 'online'), WAIT_MS);
      expect(sim.devices.map((device) => device.state)).toEqual(['online', 'online']);
    } finally {
      await sim.stop();
    }
  }, 30_000);

  test('bad TLS options fail at start, naming the problem', async () => {
    const start = (options: Parameters<typeof startSimulator>[0]) => startSimulator({ devices: 1, tty: false, output: new PassThrough(), ...options });
    await expect(start({ broker: broker.url })).rejects.toThrow(/mqtts:\/\/ needs --ca FILE/);
    await expect(start({ broker: broker.url, ca: 'not a certificate' })).rejects.toThrow(/^--ca: PEM text without/);
    await expect(start({ port: 0, ca: pki.ca.cert })).rejects.toThrow(/need an mqtts:\/\/ --broker/);
    await expect(start({ broker: 'mqtt://127.0.0.1:1', ca: pki.ca.cert })).rejects.toThrow(/need an mqtts:\/\/ --broker/);
  });

  test('with the wrong CA the monitor cannot connect, so the simulator does not start', async () => {
    const start = startSimulator({ devices: 1, tty: false, output: new PassThrough(), broker: broker.url, ca: pki.otherCa.cert });
    await expect(start).rejects.toThrow(/monitor: cannot reach the broker at mqtts:.*certificate/);
  });

  test('npm start reads --ca from a file and reports an unreadable one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sim-ca-'));
    try {
      const caFile = join(dir, 'ca.pem');
      writeFileSync(caFile, pki.ca.cert);
      const run = promisify(execFile);
      const cli = (...args: string[]) => run(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'simulator/main.ts', ...args], { timeout: WAIT_MS });
      const { stdout } = await cli('--broker', broker.url, '--ca', caFile, '--devices', '1', '--duration', '2', '--no-tty', '--site', uniqueSite('clitls'));
      expect(stdout).toMatch(/sim-1.*online/);
      await expect(cli('--broker', broker.url, '--ca', join(dir, 'missing.pem'))).rejects.toMatchObject({ stderr: expect.stringMatching(/cannot read .*missing\.pem/) });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
