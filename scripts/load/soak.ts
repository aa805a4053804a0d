// npm run soak: broker restarts and device power cuts (SimDevice.powerCycle) during event bursts, against the same
// broker and platform consumer as the load run; at the end every emitted event must have reached the platform.
// Prints last: events=<e> lost=<l> duplicates=<d>
//
// Each round every running device emits a burst of events spread over `burstMs`; within that burst the broker is
// restarted (while rounds ≤ restarts) and one device loses its power (while rounds ≤ power cuts). The round ends
// once every device is online again. The device's reconnect backoff grows until a connection has lasted 30 s; a
// restart every few seconds would push it to its 120 s cap, so the soak caps it (--backoff-max-ms, default 2 s):
// the only change from the device's own policy.
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { integer } from '../../simulator/options.js';
import { openLoadBroker, type BrokerChoice } from './broker.js';
import { EventConsumer } from './consumer.js';
import { ensureFdLimit } from './fd-limit.js';
import { LoadFleet } from './fleet.js';
import { sleep, until } from './stats.js';

export interface SoakOptions {
  devices: number;
  restarts: number;
  powerCuts: number;
  /** Events each running device emits per round. */
  burst: number;
  burstMs: number;
  backoffMaxMs: number;
  broker?: string;
  use?: BrokerChoice;
  drainS: number;
  site: string;
  out: (line: string) => void;
}

export interface SoakResult {
  events: number;
  lost: number;
  duplicates: number;
  restarts: number;
  powerCuts: number;
  line: string;
}

export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const { out } = options;
  const broker = await openLoadBroker({ ...(options.broker ? { broker: options.broker } : {}), ...(options.use ? { use: options.use } : {}) });
  if (options.restarts > 0 && broker.kind === 'external') throw new Error('broker restarts need a broker started here (no --broker), or --restarts 0');
  out(`broker: ${broker.kind} ${broker.url}`);
  const consumer = await EventConsumer.start({ url: broker.url, site: options.site });
  const fleet = new LoadFleet({
    site: options.site, host: broker.host, port: broker.port, devices: options.devices, sos: 0, backoffMaxMs: options.backoffMaxMs,
    log: (device, level, message) => { if (level === 'error') out(`${device.id} ${level}: ${message.split('\n')[0]}`); },
  });
  let restarts = 0;
  let powerCuts = 0;
  const pending: Promise<unknown>[] = [];
  try {
    for (const device of fleet.devices) device.boot();
    if (!(await until(() => fleet.online === fleet.devices.length, 60_000, 50))) throw new Error(`only ${fleet.online}/${fleet.devices.length} devices came online`);
    const rounds = Math.max(options.restarts, options.powerCuts);
    const startedAt = Date.now();
    for (let round = 1; round <= rounds; round++) {
      pending.length = 0;
      for (const device of fleet.devices) {
        for (let n = 0; n < options.burst; n++) {
          pending.push(sleep(Math.random() * options.burstMs).then(() => fleet.emit(device, { round, n })));
        }
      }
      if (round <= options.restarts) {
        pending.push(sleep(Math.random() * options.burstMs).then(async () => {
          await broker.restart();
          restarts++;
        }));
      }
      if (round <= options.powerCuts) {
        pending.push(sleep(Math.random() * options.burstMs).then(() => {
          const running = fleet.devices.filter((device) => device.state !== 'rebooting');
          const victim = running[Math.floor(Math.random() * running.length)];
          if (!victim) return;
          victim.powerCycle(100 + Math.random() * 400);
          powerCuts++;
        }));
      }
      await Promise.all(pending);
      if (!(await until(() => fleet.online === fleet.devices.length, 60_000, 20))) {
        out(`round ${round}: only ${fleet.online}/${fleet.devices.length} online after 60 s`);
      }
      if (round % 10 === 0 || round === rounds) {
        out(`round ${round}/${rounds}: ${restarts} broker restarts, ${powerCuts} power cuts, ${fleet.emitted.length} events emitted, ${consumer.distinct} received (${Math.round((Date.now() - startedAt) / 1000)} s)`);
      }
    }
    await until(() => fleet.emitted.every((e) => consumer.seen(e.dev, e.seq) !== undefined), options.drainS * 1000, 100);
    const missing = fleet.emitted.filter((e) => consumer.seen(e.dev, e.seq) === undefined);
    const lost = missing.length;
    for (const e of missing.slice(0, 10)) {
      const device = fleet.devices.find((d) => d.id === e.dev);
      const outbox = device?.runtime?.outbox;
      out(`lost: ${e.dev} seq ${e.seq} (emitted ${Date.now() - e.at} ms ago); device ${device?.state}, boots ${device?.boots}, outbox first ${outbox?.firstSeq} next ${outbox?.nextSeq} depth ${outbox?.depth}`);
    }
    if (fleet.panics > 0) out(`panics: ${fleet.panics}`);
    const line = `events=${fleet.emitted.length} lost=${lost} duplicates=${consumer.duplicates}`;
    return { events: fleet.emitted.length, lost, duplicates: consumer.duplicates, restarts, powerCuts, line };
  } finally {
    await Promise.allSettled(pending);
    fleet.stop();
    await consumer.close();
    await broker.close();
  }
}

async function main(): Promise<void> {
  const program = new Command('soak')
    .description('broker restarts and device power cuts during event bursts; prints events=, lost=, duplicates= last')
    .option('--devices <n>', 'number of devices', integer(0), 50)
    .option('--restarts <n>', 'broker restarts', integer(0), 100)
    .option('--power-cuts <n>', 'device power cuts', integer(0), 100)
    .option('--burst <n>', 'events each device emits per round', integer(0), 3)
    .option('--burst-ms <ms>', 'length of a burst', integer(0), 500)
    .option('--backoff-max-ms <ms>', 'cap on the devices\' reconnect backoff', integer(0), 2000)
    .option('--broker <url>', 'an external broker (then --restarts 0)')
    .option('--use <broker>', 'with no --broker: auto, mosquitto or aedes', 'auto')
    .option('--drain <s>', 'longest wait at the end for events still on their way', integer(0), 60)
    .option('--site <id>', 'site id', 'soak')
    .parse();
  const o = program.opts<{ devices: number; restarts: number; powerCuts: number; burst: number; burstMs: number; backoffMaxMs: number; broker?: string; use: string; drain: number; site: string }>();
  if (o.devices < 1) program.error('--devices: at least 1');
  if (o.backoffMaxMs < 100) program.error('--backoff-max-ms: at least 100');
  if (!['auto', 'mosquitto', 'aedes'].includes(o.use)) program.error('--use: auto, mosquitto or aedes');
  if (!(await ensureFdLimit(o.devices * 2 + 256))) return;
  const result = await runSoak({
    devices: o.devices, restarts: o.restarts, powerCuts: o.powerCuts, burst: o.burst, burstMs: o.burstMs,
    backoffMaxMs: o.backoffMaxMs, drainS: o.drain, site: o.site, use: o.use as BrokerChoice,
    ...(o.broker ? { broker: o.broker } : {}),
    out: (line) => console.log(line),
  });
  console.log(`broker restarts=${result.restarts} power_cuts=${result.powerCuts}`);
  console.log(result.line);
  if (result.lost > 0) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
