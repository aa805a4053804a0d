// `npm run scenario:door`: the door reader end to end in the simulator, against its embedded MQTT broker. A
// platform client watches the site's events and results while a script plays a morning at the door: residents'
// cards, an unknown card, a card + PIN, a visitor pass (and its replay), a signed remote unlock, a forced door,
// and decisions made while the network is down that arrive once it is back. It ends by verifying the
// tamper-evident access chain over everything received. test/door-reader/scenario.test.ts runs it and checks the
// result.
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import mqtt from 'mqtt';
import { PROTOCOL_VERSION, type CommandMessage, type EventMessage, type ResultMessage } from '../../firmware/protocol/messages.js';
import { startSimulator } from '../../simulator/simulator.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { ChainVerifier, type ChainFinding } from '../platform/event-chain.js';
import { signCommand } from './visitor-pass.js';

export interface ScenarioResult {
  /** Every event received, first copies, in seq order. */
  events: EventMessage[];
  results: ResultMessage[];
  findings: ChainFinding[];
  linked: number;
  /** What describe() showed after each step. */
  states: Record<string, string>;
}

export interface ScenarioOptions {
  site?: string;
  log?: (line: string) => void;
  /** Per wait, in real ms. */
  timeoutMs?: number;
  /**
   * Virtual time per real time (the simulator's --speed). Default 5: the morning is device time (relocks, grace,
   * backoff), 30 s of it, and waiting for it in real time was most of the suite's wall time. The states shown
   * are read when the platform gets an event, so the speed also scales that delay: at 5, a 4 s unlock still
   * leaves 800 ms of real time to read it.
   */
  speed?: number;
}

export async function runDoorScenario(options: ScenarioOptions = {}): Promise<ScenarioResult> {
  const site = options.site ?? `door-demo-${Date.now().toString(36)}`;
  const log = options.log ?? (() => {});
  const timeoutMs = options.timeoutMs ?? 20_000;
  const speed = options.speed ?? 5;
  const output = new PassThrough();
  output.resume();
  const sim = await startSimulator({ fleet: 'door-reader:1', site, port: 0, tty: false, output, speed });
  const platform = await mqtt.connectAsync(sim.brokerUrl, { protocolVersion: 4, reconnectPeriod: 0, clientId: `platform-${site}` });
  const payloads = new Map<number, string>();
  const results: ResultMessage[] = [];
  platform.on('message', (topic, payload) => {
    const text = payload.toString('utf8');
    if (topic.endsWith('/event')) {
      const seq = (JSON.parse(text) as EventMessage).seq;
      if (!payloads.has(seq)) payloads.set(seq, text);
    } else if (topic.endsWith('/result')) results.push(JSON.parse(text) as ResultMessage);
  });
  const device = sim.devices[0]!;
  const prefix = `ct/v1/${site}/${device.id}`;
  await platform.subscribeAsync([`${prefix}/event`, `${prefix}/result`], { qos: 1 });
  const events = () => [...payloads.entries()].sort((a, b) => a[0] - b[0]).map(([, text]) => JSON.parse(text) as EventMessage);
  const states: Record<string, string> = {};

  const waitFor = async (what: string, condition: () => boolean) => {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`scenario: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  };
  const accessCount = () => events().filter((event) => event.type.startsWith('access.')).length;
  const step = async (name: string, command: string, expectAccess = 1): Promise<string> => {
    const before = accessCount();
    const reply = sim.command(command);
    log(`> ${command}: ${reply}`);
    await waitFor(`${expectAccess} access event(s) after "${command}"`, () => accessCount() >= before + expectAccess);
    const last = events().filter((event) => event.type.startsWith('access.')).at(-1);
    states[name] = device.describe();
    if (expectAccess > 0) log(`  ${last!.type} ${String(last!.data.kind)} ${String(last!.data.reason)} · ${states[name]}`);
    return reply;
  };
  /** Lets `ms` of device time pass. */
  const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms / speed));
  const relock = () => pause(4500);

  try {
    await waitFor('the door reader online', () => device.state === 'online');
    log(`simulator on ${sim.brokerUrl}, ${device.id} online; demo: ${sim.command('cards 1')}`);
    await step('alice', 'card 1 alice');
    await relock();
    await step('mallory', 'card 1 mallory');
    await step('bob card', 'card 1 bob', 0);
    await waitFor('the PIN prompt', () => device.describe().includes('PIN?'));
    await step('bob pin', 'pin 1 4321');
    await relock();
    const pass = lastScanned(await step('visitor', 'qr 1 visitor'));
    await relock();
    await step('visitor again', `qr 1 ${pass}`);
    await step('resident', 'qr 1 resident');
    await relock();

    // The platform's clock agrees with the device's, as SNTP keeps them; a sped-up device's runs fast.
    const exp = device.hal!.wallClock.now() + 30_000;
    const unlock = { door: 0, sig: signCommand(DEMO_KEYS.commandKey, 'door.unlock', 'remote-1', exp, 0) };
    log('> platform: signed door.unlock');
    const command: CommandMessage = { v: PROTOCOL_VERSION, msg: 'command', reqId: 'remote-1', name: 'door.unlock', exp, args: unlock };
    await platform.publishAsync(`${prefix}/command`, JSON.stringify(command), { qos: 1 });
    await waitFor('the unlock result', () => results.some((result) => result.reqId === 'remote-1'));
    states.remote = device.describe();
    log(`  result ${results.at(-1)!.code} · ${states.remote}`);
    await relock();
    await pause(1500); // past the relock grace too

    log(`> ${sim.command('door 1 open')} (nobody unlocked it)`);
    await waitFor('door.forced', () => events().some((event) => event.type === 'door.forced'));
    states.forced = device.describe();
    log(`  door.forced · ${states.forced}`);
    log(`> ${sim.command('door 1 close')}`);
    await waitFor('door.forced.cleared', () => events().some((event) => event.type === 'door.forced.cleared'));

    log(`> ${sim.command('k 1')}`);
    await waitFor('the device offline', () => device.state !== 'online');
    const offlineBefore = accessCount();
    for (const who of ['alice', 'carol']) {
      log(`> ${sim.command(`card 1 ${who}`)} (offline)`);
      await pause(1500);
    }
    log(`> ${sim.command('u 1')}`);
    await waitFor('the offline decisions', () => accessCount() >= offlineBefore + 2);

    const verifier = new ChainVerifier();
    for (const [, text] of [...payloads.entries()].sort((a, b) => a[0] - b[0])) verifier.add(text);
    log(`chain: ${verifier.linked} links verified, ${verifier.findings.length} findings; health ${JSON.stringify(device.runtime?.health())}`);
    return { events: events(), results, findings: verifier.findings, linked: verifier.linked, states };
  } finally {
    await platform.endAsync();
    await sim.stop();
  }
}

/** The text a `qr 1 ...` command scanned ("sim-1: scanned TEXT"). */
function lastScanned(reply: string): string {
  return reply.replace(/^.*scanned /, '');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runDoorScenario({ log: (line) => process.stdout.write(`${line}\n`) }).then(
    (result) => {
      process.stdout.write(`${result.events.length} events received; chain ${result.findings.length === 0 ? 'intact' : 'BROKEN'}\n`);
      if (result.findings.length > 0) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
