// Runs a bundled TypeScript entry on the real XS engine with a host-backed HAL, and measures it.
// XsSession: interactive (call exports, step the clock, play the broker). runOnXs: one call, then close.
import { bundleForXs, ENTRY_GLOBAL } from './bundle.js';
import { HalServer, type HostHandlers } from './hal-server.js';
import { TestHal, type TestHalOptions } from './test-hal.js';
import { XsnapWorker, type Meter } from './xsnap.js';

export interface XsSessionOptions {
  /** Entry file (repo-relative or absolute). Its exports become callable by name. */
  entry: string;
  /** Answers `callHost(name, payload)` from worker code. */
  hostHandlers?: HostHandlers;
  /** The host side of the HAL; pass `previous.host.rebooted()` to restart a device on the same storage. */
  host?: TestHal;
  hostOptions?: TestHalOptions;
  name?: string;
  meteringLimit?: number;
  /** Receives the worker's `print` lines as they come. */
  onPrint?: (line: string) => void;
}

export interface CallResult<T> {
  value: T;
  /** Computrons of the whole crank: the call, the promise jobs it queued, and the JSON glue around it. */
  computrons: number;
  /** Computrons of the exported function's synchronous run alone (no glue, no later promise jobs). */
  callComputrons: number;
  /** XS heap slots in use when the crank ended (after the last collection; deterministic). */
  heapSlots: number;
  /** Bytes the XS machine has taken from the system for chunks and slots so far; grows only when its heap must. */
  allocatedBytes: number;
}

/** Installed once per worker: calls an export with JSON arguments and metes out its synchronous cost. */
const CALL_GLUE = `
globalThis.__xsCall = function (name, argsText) {
  const encode = (value) => new TextEncoder().encode(JSON.stringify(value)).buffer;
  const fn = globalThis.${ENTRY_GLOBAL}[name];
  if (typeof fn !== 'function') return encode({ state: 'missing' });
  const args = JSON.parse(argsText);
  const limit = currentMeterLimit();
  const before = resetMeter(limit, 0);
  let outcome;
  try {
    const value = fn(...args);
    if (value !== null && typeof value === 'object' && typeof value.then === 'function') {
      outcome = { state: 'pending' };
      globalThis.__xsSettled = outcome;
      value.then(
        (result) => { globalThis.__xsSettled = { state: 'fulfilled', value: result }; },
        (error) => { globalThis.__xsSettled = { state: 'rejected', error: String(error), stack: String(error && error.stack) }; });
    } else outcome = { state: 'fulfilled', value };
  } catch (error) {
    outcome = { state: 'rejected', error: String(error), stack: String(error && error.stack) };
  }
  const used = resetMeter(limit, 0);
  resetMeter(limit, before + used);
  outcome.used = used;
  return encode(outcome);
};
globalThis.__xsSettledReply = function () {
  return new TextEncoder().encode(JSON.stringify(globalThis.__xsSettled)).buffer;
};
`;

type Outcome = { used?: number } & (
  | { state: 'fulfilled'; value: unknown }
  | { state: 'rejected'; error: string; stack: string }
  | { state: 'pending' }
  | { state: 'missing' }
);

const decoder = new TextDecoder();

export class XsSession {
  readonly worker: XsnapWorker;
  readonly host: TestHal;
  readonly server: HalServer;
  readonly entry: string;
  /** Computrons spent evaluating the bundle (module top level included). */
  loadComputrons = 0;

  private constructor(options: XsSessionOptions) {
    this.entry = options.entry;
    this.host = options.host ?? new TestHal(options.hostOptions);
    this.server = new HalServer(this.host, options.hostHandlers);
    this.worker = new XsnapWorker({
      name: options.name ?? `xs:${options.entry}`,
      handleCommand: this.server.handle,
      ...(options.meteringLimit !== undefined && { meteringLimit: options.meteringLimit }),
      ...(options.onPrint && { onPrint: options.onPrint }),
    });
    this.server.attach((event) => this.worker.deliver(JSON.stringify(event)));
    this.host.mqtt.afterControl = () => this.server.flush();
  }

  static async start(options: XsSessionOptions): Promise<XsSession> {
    const code = await bundleForXs(options.entry);
    const session = new XsSession(options);
    try {
      await session.worker.evaluate(CALL_GLUE);
      session.loadComputrons = (await session.worker.evaluate(code)).meter.compute;
      await session.server.flush();
    } catch (error) {
      await session.close();
      throw error;
    }
    return session;
  }

  /** Calls an exported function with JSON-able arguments; it must settle within the crank. */
  async call<T = unknown>(name: string, ...args: unknown[]): Promise<CallResult<T>> {
    const crank = await this.worker.evaluate(`__xsCall(${JSON.stringify(name)}, ${JSON.stringify(JSON.stringify(args))})`);
    let outcome = parse(crank.reply);
    const used = outcome.used ?? 0;
    if (outcome.state === 'pending') outcome = { ...parse((await this.worker.evaluate('__xsSettledReply()')).reply), used };
    await this.server.flush();
    switch (outcome.state) {
      case 'fulfilled':
        return {
          value: outcome.value as T, computrons: crank.meter.compute, callComputrons: used,
          heapSlots: crank.meter.currentHeapCount, allocatedBytes: crank.meter.allocate,
        };
      case 'rejected':
        throw new Error(`${name}() threw on XS (${this.entry}): ${outcome.stack.includes(outcome.error) ? outcome.stack : `${outcome.error}\n${outcome.stack}`}`);
      case 'missing':
        throw new Error(`${this.entry} exports no function "${name}"`);
      default:
        throw new Error(`${name}() returned a promise that did not settle within its crank (it waits on a timer or a host event): call a synchronous starter, then advance()/flush()`);
    }
  }

  /** Steps the host clock, firing due timers inside the worker. */
  advance(ms: number): Promise<void> {
    return this.server.advance(ms);
  }

  /** Delivers queued host events (MQTT, edges) to the worker. */
  flush(): Promise<void> {
    return this.server.flush();
  }

  /** Meters of every crank so far (bundle load, calls, events). */
  get cranks(): readonly Meter[] {
    return this.worker.cranks;
  }

  async close(): Promise<void> {
    this.server.attach(undefined);
    this.host.mqtt.afterControl = async () => {};
    await this.worker.close();
  }
}

function parse(reply: Uint8Array): Outcome {
  const text = decoder.decode(reply);
  if (!text) throw new Error('XS call glue returned no reply');
  return JSON.parse(text) as Outcome;
}

export interface RunOnXsOptions extends Omit<XsSessionOptions, 'entry'> {
  entry: string;
  /** Export to call. Default "main". */
  exportName?: string;
  args?: unknown[];
}

export interface RunOnXsResult<T> {
  result: T;
  computrons: {
    /** Evaluating the bundle. */
    load: number;
    /** The call's whole crank (see CallResult.computrons). */
    run: number;
    /** The exported function's synchronous run alone. */
    call: number;
  };
  printed: string[];
}

/** Bundles `entry`, starts a worker, calls one export, closes the worker (also on failure). */
export async function runOnXs<T = unknown>(options: RunOnXsOptions): Promise<RunOnXsResult<T>> {
  const session = await XsSession.start(options);
  try {
    const call = await session.call<T>(options.exportName ?? 'main', ...(options.args ?? []));
    return {
      result: call.value,
      computrons: { load: session.loadComputrons, run: call.computrons, call: call.callComputrons },
      printed: [...session.worker.printed],
    };
  } finally {
    await session.close();
  }
}
