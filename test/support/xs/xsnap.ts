// A small driver for the real XS engine: spawns @agoric/xsnap's `xsnap-worker` and speaks its netstring protocol
// on fds 3 (to the worker) and 4 (from the worker) directly — the package's own JS API needs SES, which jest lacks.
//
// Protocol (xsnap-worker.c): we send `e<code>` (indirect eval), `?<bytes>` (calls globalThis.handleCommand with an
// ArrayBuffer) or `q` (quit). While a crank runs, worker code may call `issueCommand(ArrayBuffer)`: the worker
// sends `?<bytes>` and blocks until we answer `/<bytes>`. A crank ends with `.<meter JSON>\x01<reply>` (reply: the
// crank's ArrayBuffer result, or its `.result`) or `!<String(exception)>`. Promise jobs and setImmediate callbacks
// queued by the crank run before it ends. `compute` in the meter JSON is the crank's computron count.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';

export const XSNAP_WORKER = fileURLToPath(
  new URL('../../../node_modules/@agoric/xsnap/xsnap-native/xsnap/build/bin/lin/release/xsnap-worker', import.meta.url),
);

/** Answers one `issueCommand` from worker code. Throwing is fatal: the worker is killed and the crank fails. */
export type CommandHandler = (request: Uint8Array) => Uint8Array | Promise<Uint8Array>;

export interface XsnapOptions {
  /** Shown in errors. */
  name?: string;
  /** Computrons one crank may use before the worker is stopped (xsnap `-l`). */
  meteringLimit?: number;
  handleCommand?: CommandHandler;
  /** Lines the worker `print`s; collected in `printed` as well. */
  onPrint?: (line: string) => void;
}

export interface Meter {
  /** Computrons: XS's deterministic count of work done in the crank. */
  compute: number;
  allocate: number;
  currentHeapCount: number;
}

export interface CrankResult {
  reply: Uint8Array;
  meter: Meter;
}

/** The crank threw: `xsMessage` is the worker's String(exception). */
export class XsException extends Error {
  readonly xsMessage: string;
  constructor(workerName: string, xsMessage: string) {
    super(`uncaught exception in XS worker "${workerName}": ${xsMessage}`);
    this.name = 'XsException';
    this.xsMessage = xsMessage;
  }
}

/** xsnap-worker exit codes (xsnap-worker.c ExitCode). */
const EXIT_MEANING: Record<number, string> = {
  1: 'bad usage',
  2: 'I/O error',
  11: 'not enough memory',
  12: 'stack overflow',
  15: 'unhandled exception',
  16: 'property key space exhausted',
  17: 'too much computation (metering limit)',
};

const DEFAULT_METERING_LIMIT = 1e8;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

const live = new Set<XsnapWorker>();
// A test that forgets close() must not leave an engine behind when its jest worker exits.
process.once('exit', () => {
  for (const worker of live) worker.kill();
});

/** Kills every worker still running (for afterAll hooks). */
export function killAllWorkers(): void {
  for (const worker of live) worker.kill();
}

interface Pending {
  resolve(result: CrankResult): void;
  reject(error: Error): void;
}

export class XsnapWorker {
  readonly name: string;
  /** Everything the worker printed, line by line. */
  readonly printed: string[] = [];
  /** One meter per finished crank, in order. */
  readonly cranks: Meter[] = [];
  #process: ChildProcess;
  #toWorker: Writable;
  #handleCommand: CommandHandler;
  #onPrint: ((line: string) => void) | undefined;
  #stderr = '';
  #stdoutTail = '';
  #inbox: Buffer = Buffer.alloc(0);
  #pending: Pending | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #exit: Promise<void>;
  #exited: Error | undefined;
  #closing = false;
  #fatal: Error | undefined;

  constructor(options: XsnapOptions = {}) {
    this.name = options.name ?? 'xs';
    this.#handleCommand = options.handleCommand ?? (() => {
      throw new Error('no handleCommand was given for issueCommand');
    });
    this.#onPrint = options.onPrint;
    const limit = options.meteringLimit ?? DEFAULT_METERING_LIMIT;
    this.#process = spawn(XSNAP_WORKER, [this.name, '-l', String(limit)], {
      stdio: ['ignore', 'pipe', 'pipe', 'pipe', 'pipe'],
    });
    live.add(this);
    const stdio = this.#process.stdio;
    this.#toWorker = stdio[3] as Writable;
    // EPIPE after a crash surfaces through the exit handler instead.
    this.#toWorker.on('error', () => {});
    (stdio[4] as Readable).on('data', (chunk: Buffer) => this.#receive(chunk));
    (stdio[1] as Readable).setEncoding('utf8').on('data', (text: string) => this.#printedText(text));
    (stdio[2] as Readable).setEncoding('utf8').on('data', (text: string) => {
      this.#stderr += text;
    });
    this.#exit = new Promise((resolve) => {
      this.#process.once('error', (error) => {
        this.#exited = new Error(`XS worker "${this.name}" could not start (${XSNAP_WORKER}): ${error.message}`);
        live.delete(this);
        this.#pending?.reject(this.#exited);
        resolve();
      });
      this.#process.once('close', (code, signal) => {
        live.delete(this);
        this.#exited = this.#exitError(code, signal);
        this.#pending?.reject(this.#exited);
        this.#pending = undefined;
        resolve();
      });
    });
  }

  /** What the worker wrote to stderr (XS reports unhandled promise rejections there). */
  get stderr(): string {
    return this.#stderr;
  }

  /** False once the worker exited or is being closed or killed. */
  get running(): boolean {
    return this.#exited === undefined && !this.#closing;
  }

  /** Evaluates a script (indirect eval, sloppy global scope) in one crank. */
  evaluate(code: string): Promise<CrankResult> {
    return this.#crank('e', encoder.encode(code));
  }

  /** Delivers a message to `globalThis.handleCommand(ArrayBuffer)` in one crank. */
  deliver(message: Uint8Array | string): Promise<CrankResult> {
    return this.#crank('?', typeof message === 'string' ? encoder.encode(message) : message);
  }

  /** Writes a heap snapshot to `path` (xsnap `w`: a full collection first; reply: its size as text). */
  snapshot(path: string): Promise<CrankResult> {
    return this.#crank('w', encoder.encode(path));
  }

  /** Asks the worker to quit and waits for it to exit. Safe to call twice. */
  async close(): Promise<void> {
    if (this.#closing || this.#exited) return this.#exit;
    this.#closing = true;
    // Cranks already asked for finish first.
    const quit = this.#queue.then(() => {
      if (!this.#exited) this.#send(encoder.encode('q'));
      this.#toWorker.end();
    });
    this.#queue = quit;
    await quit;
    return this.#exit;
  }

  kill(): void {
    this.#closing = true;
    if (!this.#exited) this.#process.kill('SIGKILL');
  }

  #crank(command: string, body: Uint8Array): Promise<CrankResult> {
    const refusal = this.#exited ?? this.#fatal ?? (this.#closing ? new Error(`XS worker "${this.name}" is closing`) : undefined);
    if (refusal) return Promise.reject(refusal);
    const run = async (): Promise<CrankResult> => {
      if (this.#exited) throw this.#exited;
      const result = new Promise<CrankResult>((resolve, reject) => {
        this.#pending = { resolve, reject };
      });
      this.#send(Buffer.concat([encoder.encode(command), body]));
      return result;
    };
    const result = this.#queue.then(run, run);
    this.#queue = result.catch(() => {});
    return result;
  }

  #send(message: Uint8Array): void {
    this.#toWorker.write(Buffer.concat([Buffer.from(`${message.byteLength}:`), message, Buffer.from(',')]));
  }

  #receive(chunk: Buffer): void {
    this.#inbox = this.#inbox.length === 0 ? chunk : Buffer.concat([this.#inbox, chunk]);
    for (;;) {
      const colon = this.#inbox.indexOf(0x3a);
      if (colon < 0) return;
      const length = Number(this.#inbox.subarray(0, colon).toString('latin1'));
      if (!Number.isInteger(length)) return this.#protocolError(`bad netstring length "${this.#inbox.subarray(0, colon)}"`);
      const end = colon + 1 + length;
      if (this.#inbox.length < end + 1) return;
      if (this.#inbox[end] !== 0x2c) return this.#protocolError('netstring without trailing comma');
      const message = this.#inbox.subarray(colon + 1, end);
      this.#inbox = this.#inbox.subarray(end + 1);
      this.#dispatch(message);
    }
  }

  #dispatch(message: Buffer): void {
    const pending = this.#pending;
    const kind = String.fromCharCode(message[0] ?? 0);
    if (kind === '?') {
      void this.#answer(Uint8Array.prototype.slice.call(message, 1));
      return;
    }
    if (!pending) return this.#protocolError(`message "${kind}" outside a crank`);
    this.#pending = undefined;
    if (kind === '.') {
      const separator = message.indexOf(1);
      const meterText = separator < 0 ? '' : message.subarray(1, separator).toString('utf8');
      const meter = meterText ? (JSON.parse(meterText) as Meter) : { compute: 0, allocate: 0, currentHeapCount: 0 };
      const tidy = { compute: meter.compute, allocate: meter.allocate, currentHeapCount: meter.currentHeapCount };
      this.cranks.push(tidy);
      pending.resolve({ reply: Uint8Array.prototype.slice.call(message, separator < 0 ? 1 : separator + 1), meter: tidy });
    } else if (kind === '!') {
      pending.reject(new XsException(this.name, decoder.decode(message.subarray(1))));
    } else {
      pending.reject(new Error(`XS worker "${this.name}" sent an unknown reply "${kind}"`));
      this.kill();
    }
  }

  async #answer(request: Uint8Array): Promise<void> {
    let reply: Uint8Array;
    try {
      reply = await this.#handleCommand(request);
    } catch (error) {
      // The worker is blocked inside issueCommand and cannot be told "failed" in-band: stop it.
      this.#fatal = new Error(
        `host handler for issueCommand(${JSON.stringify(decoder.decode(request).slice(0, 200))}) threw: ${
          error instanceof Error ? error.stack ?? error.message : String(error)
        }`,
      );
      const pending = this.#pending;
      this.#pending = undefined;
      pending?.reject(this.#fatal);
      this.kill();
      return;
    }
    if (!this.#exited) this.#send(Buffer.concat([Buffer.from('/'), reply]));
  }

  #protocolError(text: string): void {
    const error = new Error(`XS worker "${this.name}" protocol error: ${text}`);
    const pending = this.#pending;
    this.#pending = undefined;
    pending?.reject(error);
    this.kill();
  }

  #printedText(text: string): void {
    const lines = (this.#stdoutTail + text).split('\n');
    this.#stdoutTail = lines.pop() ?? '';
    for (const line of lines) {
      this.printed.push(line);
      this.#onPrint?.(line);
    }
  }

  #exitError(code: number | null, signal: NodeJS.Signals | null): Error {
    if (this.#fatal) return this.#fatal;
    const how =
      signal !== null
        ? `was killed by ${signal}`
        : code === 0
          ? 'has exited'
          : `exited with code ${code} (${EXIT_MEANING[code ?? -1] ?? 'unknown error'})`;
    const stderr = this.#stderr.trim();
    return new Error(`XS worker "${this.name}" ${how}${stderr ? `; stderr:\n${stderr.slice(-2000)}` : ''}`);
  }
}
