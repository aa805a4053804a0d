// npm run load -- --devices N --duration S [--broker URL]: N devices with the real device runtime against a real
// broker (mosquitto started here when installed, else the embedded aedes; --broker for an external one) and a
// platform-side consumer that deduplicates by (dev, seq). Each device emits a few events after it is online; the
// SOS buttons among them are pressed once each (press → alarm.raised at the platform). With --broker-restart the
// broker is restarted half-way and the time until every device is back online is printed, with a histogram of the
// reconnect times (the runtime's backoff jitter spreads the storm). The last line is
// devices=<n> connected=<c> events=<e> lost=<l> duplicates=<d> event_p99_ms=<x> alarm_p99_ms=<y> rss_mb=<m>
import os, { loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { integer, nonNegative } from '../../simulator/options.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { openLoadBroker, type BrokerChoice } from './broker.js';
import { EventConsumer } from './consumer.js';
import { ensureFdLimit } from './fd-limit.js';
import { LoadFleet } from './fleet.js';
import { histogram, percentile, rssMb, sleep, until } from './stats.js';

export interface LoadOptions {
  devices: number;
  durationS: number;
  broker?: string;
  use?: BrokerChoice;
  /** Events per device over the run. */
  events: number;
  /** Share of the devices that are SOS buttons, pressed once each. */
  sosShare: number;
  /** Seconds over which the devices are switched on. */
  rampS: number;
  brokerRestart: boolean;
  /** Longest wait, after the run, for events still on their way. */
  drainS: number;
  site: string;
  /** Print the devices' warnings too. */
  verbose?: boolean;
  out: (line: string) => void;
}

export interface LoadResult {
  devices: number;
  connected: number;
  events: number;
  lost: number;
  duplicates: number;
  eventP99Ms: number;
  alarmP99Ms: number;
  rssMb: number;
  alarms: number;
  alarmsReceived: number;
  /** With brokerRestart: ms from the broker being back to the last device online again. */
  restartRecoveryMs?: number;
  brokerRssMb?: number;
  line: string;
}

const cores = () => (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length);
const fmt = (value: number) => (Number.isFinite(value) ? String(Math.round(value)) : 'NaN');

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { out } = options;
  const broker = await openLoadBroker({ ...(options.broker ? { broker: options.broker } : {}), ...(options.use ? { use: options.use } : {}) });
  out(`broker: ${broker.kind} ${broker.url}; host load average ${loadavg()[0]!.toFixed(2)} on ${cores()} cores`);
  const consumer = await EventConsumer.start({ url: broker.url, site: options.site });
  // How late this event loop runs its timers: with N devices on one loop, the latencies below include it.
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  loopDelay.enable();
  const sos = Math.round(options.devices * options.sosShare);
  const fleet = new LoadFleet({
    site: options.site, host: broker.host, port: broker.port, devices: options.devices, sos,
    log: (device, level, message) => { if (level === 'error' || options.verbose) out(`${device.id} ${level}: ${message.split('\n')[0]}`); },
  });
  const timers = new Set<NodeJS.Timeout>();
  const later = (ms: number, run: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, Math.max(0, ms));
    timers.add(timer);
  };
  try {
    for (const { topic, payload } of fleet.desiredConfigs()) await consumer.publishRetained(topic, payload);

    // Alarms: each SOS button is pressed once, at a random time after it is first online; latency = press → its
    // alarm.raised at the platform (the button's 30 ms debounce included).
    const pressedAt = new Map<string, number>();
    const alarmLatency: number[] = [];
    const startedAt = Date.now();
    const driveEndAt = startedAt + options.durationS * 800; // nothing new in the last fifth: time to arrive
    let driving = true;
    consumer.onEvent = (event: EventMessage, at: number) => {
      if (event.type === 'alarm.raised') {
        const pressed = pressedAt.get(event.dev);
        if (pressed !== undefined) alarmLatency.push(at - pressed);
      }
    };

    // Boot over the ramp; each device's events start once it is first online.
    const step = fleet.devices.length > 1 ? (options.rampS * 1000) / fleet.devices.length : 0;
    fleet.devices.forEach((device, i) => later(i * step, () => device.boot()));
    const scheduled = new Set<string>();
    const pressScheduled = new Set<string>();
    const poll = setInterval(() => {
      if (!driving) return;
      const now = Date.now();
      for (const device of fleet.devices) {
        if (device.state !== 'online') continue;
        const sos = fleet.isSos(device);
        if (!scheduled.has(device.id)) {
          scheduled.add(device.id);
          for (let n = 0; n < options.events; n++) later(Math.random() * (driveEndAt - now), () => { if (driving) fleet.emit(device, { n }); });
        }
        if (sos && !pressScheduled.has(device.id)) {
          pressScheduled.add(device.id);
          later(Math.random() * (driveEndAt - now), () => {
            // Pressed whatever the connection is doing (a broker restart): the alarm waits for the reconnect.
            if (!driving || !device.runtime) return;
            pressedAt.set(device.id, Date.now());
            device.world.holdButton(200);
          });
        }
      }
    }, 100);

    let restartRecoveryMs: number | undefined;
    if (options.brokerRestart) {
      // Half-way, or once everyone is online if that comes later (so the storm is the whole fleet's).
      await sleep((options.durationS * 1000) / 2);
      await until(() => fleet.online === fleet.devices.length, 60_000, 100);
      out(`broker restart: ${fleet.online}/${fleet.devices.length} online; stopping ${broker.kind}`);
      // Back online = the device's new birth reached the platform (a live, not retained, online status).
      const back = new Map<string, number>();
      consumer.onBirth = (dev, at) => { if (!back.has(dev)) back.set(dev, at); };
      const timing = await broker.restart();
      const upAt = Date.now();
      out(`broker restart: stopped in ${timing.stopMs} ms, listening again after ${timing.startMs} ms`);
      await until(() => back.size === fleet.devices.length, 120_000, 50);
      consumer.onBirth = undefined;
      const times = [...back.values()].map((at) => Math.max(0, at - upAt));
      restartRecoveryMs = back.size === fleet.devices.length ? Math.max(...times) : Number.NaN;
      out(`broker restart: ${back.size}/${fleet.devices.length} births at the platform; all back ${fmt(restartRecoveryMs)} ms after the broker listened again (p50 ${fmt(percentile(times, 50))} ms, p99 ${fmt(percentile(times, 99))} ms)`);
      out('reconnect times after the broker was up (ms → devices):');
      for (const line of histogram(times, 12)) out(`  ${line}`);
    }

    const left = startedAt + options.durationS * 1000 - Date.now();
    if (left > 0) await sleep(left);
    driving = false;
    clearInterval(poll);
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
    const connected = fleet.online;
    if (connected < fleet.devices.length) {
      const states = new Map<string, number>();
      for (const device of fleet.devices) states.set(device.state, (states.get(device.state) ?? 0) + 1);
      out(`device states: ${[...states].map(([state, n]) => `${state} ${n}`).join(', ')}`);
    }
    const rss = rssMb();
    const brokerRss = broker.rssMb();

    // Drain: what was emitted should arrive; wait a while for the tail.
    await until(() => fleet.emitted.every((e) => consumer.seen(e.dev, e.seq) !== undefined), options.drainS * 1000, 100);
    const eventLatency: number[] = [];
    let lost = 0;
    for (const e of fleet.emitted) {
      const seen = consumer.seen(e.dev, e.seq);
      if (seen === undefined) lost++;
      else eventLatency.push(seen - e.at);
    }
    loopDelay.disable();
    out(`event loop delay: p50 ${fmt(loopDelay.percentile(50) / 1e6)} ms, p99 ${fmt(loopDelay.percentile(99) / 1e6)} ms, max ${fmt(loopDelay.max / 1e6)} ms; host load average ${loadavg()[0]!.toFixed(2)}`);
    const alarms = pressedAt.size;
    out(`alarms: ${alarms} pressed, ${alarmLatency.length} raised at the platform; panics: ${fleet.panics}`);
    out(`platform: ${consumer.distinct} distinct events (${consumer.received} copies); event p50 ${fmt(percentile(eventLatency, 50))} ms; alarm p50 ${fmt(percentile(alarmLatency, 50))} ms`);
    if (brokerRss !== undefined) out(`broker rss_mb=${brokerRss.toFixed(1)} (${((brokerRss * 1024) / Math.max(1, connected)).toFixed(1)} KB per connected device)`);
    const result: Omit<LoadResult, 'line'> = {
      devices: fleet.devices.length, connected, events: fleet.emitted.length, lost, duplicates: consumer.duplicates,
      eventP99Ms: percentile(eventLatency, 99), alarmP99Ms: percentile(alarmLatency, 99), rssMb: rss,
      alarms, alarmsReceived: alarmLatency.length,
      ...(restartRecoveryMs === undefined ? {} : { restartRecoveryMs }),
      ...(brokerRss === undefined ? {} : { brokerRssMb: brokerRss }),
    };
    const line = `devices=${result.devices} connected=${connected} events=${result.events} lost=${lost} duplicates=${result.duplicates} `
      + `event_p99_ms=${fmt(result.eventP99Ms)} alarm_p99_ms=${fmt(result.alarmP99Ms)} rss_mb=${fmt(rss)}`;
    return { ...result, line };
  } finally {
    for (const timer of timers) clearTimeout(timer);
    fleet.stop();
    await consumer.close();
    await broker.close();
  }
}

async function main(): Promise<void> {
  const program = new Command('load')
    .description('N devices with the real runtime against a real broker and a platform consumer; prints the figures last')
    .option('--devices <n>', 'number of devices', integer(1), 100)
    .option('--duration <s>', 'length of the run in seconds (events are driven in the first 80 %)', integer(1), 60)
    .option('--broker <url>', 'an external broker (mqtt://host:port); default: mosquitto started here if installed, else aedes')
    .option('--use <broker>', 'with no --broker: auto, mosquitto or aedes', 'auto')
    .option('--events <n>', 'events each device emits over the run', nonNegative, 3)
    .option('--sos-share <f>', 'share of the devices that are SOS buttons, each pressed once', nonNegative, 0.1)
    .option('--ramp <s>', 'seconds over which the devices are switched on (default: 1 s per 250 devices)', nonNegative)
    .option('--broker-restart', 'restart the broker half-way and report the reconnect storm', false)
    .option('--drain <s>', 'longest wait after the run for events still on their way', nonNegative, 30)
    .option('--site <id>', 'site id', 'load')
    .option('--verbose', 'print the devices\' warnings too', false)
    .parse();
  const o = program.opts<{ devices: number; duration: number; broker?: string; use: string; events: number; sosShare: number; ramp?: number; brokerRestart: boolean; drain: number; site: string; verbose: boolean }>();
  if (!['auto', 'mosquitto', 'aedes'].includes(o.use)) program.error('--use: auto, mosquitto or aedes');
  if (o.sosShare > 1) program.error('--sos-share: 0 to 1');
  // This process holds one socket per device, plus the consumer, plus aedes's side of every connection when it
  // runs here; a margin for files, pipes and the event loop.
  const inProcessBroker = !o.broker && (o.use === 'aedes' || (o.use === 'auto' && !(await import('./broker.js')).findMosquitto()));
  if (!(await ensureFdLimit(o.devices * (inProcessBroker ? 2 : 1) + 256))) return;
  const result = await runLoad({
    devices: o.devices, durationS: o.duration, events: o.events, sosShare: o.sosShare,
    rampS: o.ramp ?? o.devices / 250, brokerRestart: o.brokerRestart, drainS: o.drain, site: o.site, verbose: o.verbose,
    ...(o.broker ? { broker: o.broker } : {}), use: o.use as BrokerChoice,
    out: (line) => console.log(line),
  });
  console.log(result.line);
  if (result.lost > 0 || result.connected < result.devices) process.exitCode = 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  });
}
