// A last resort for an input that never returns on Node (an endless loop cannot be timed from the thread that
// runs it): a small worker thread watches a shared heartbeat, and when one input has run for `limitMs` it saves
// that input, prints the hang and the summary line, and kills the process. Inputs that merely run over the
// per-input budget are counted as hangs by the runner itself.
import { Worker } from 'node:worker_threads';

const MAX_INPUT = 256 * 1024;
/** [state (1 = running), input length, run seed, started (ms since the watchdog began), inputs, crashes, hangs, targets] */
const CONTROL = 8;

const WATCHER = `
const { workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const control = new Int32Array(workerData.control);
const data = new Uint8Array(workerData.data);
const names = new Uint8Array(workerData.names);
const { limitMs, crashDir, origin } = workerData;
setInterval(() => {
  if (Atomics.load(control, 0) !== 1) return;
  const started = Atomics.load(control, 3);
  if (Date.now() - origin - started < limitMs) return;
  const length = Atomics.load(control, 1);
  const runSeed = Atomics.load(control, 2) >>> 0;
  const label = new TextDecoder().decode(names).replace(/\\0+$/, '');
  let where = '';
  try {
    fs.mkdirSync(crashDir, { recursive: true });
    const base = path.join(crashDir, label.replace(/[^A-Za-z0-9_.-]/g, '_') + '-node-hang');
    fs.writeFileSync(base + '.bin', data.slice(0, length));
    const [target, index] = label.split('#');
    fs.writeFileSync(base + '.json', JSON.stringify({ target, index: Number(index), kind: 'hang', engine: 'node', runSeed,
      message: 'ran for ' + limitMs + ' ms without returning', file: base + '.bin' }, null, 2));
    where = ' (saved as ' + base + '.bin)';
  } catch {}
  fs.writeSync(2, 'fuzz: HANG: ' + label + ' has not returned after ' + limitMs + ' ms' + where + '\\n');
  const [inputs, crashes, hangs, targets] = [4, 5, 6, 7].map((i) => Atomics.load(control, i));
  fs.writeSync(1, 'hang: ' + label + ' (node, run seed ' + runSeed + ')\\n' +
    'inputs=' + (inputs + 1) + ' crashes=' + crashes + ' hangs=' + (hangs + 1) + ' targets=' + targets + '\\n');
  process.kill(process.pid, 'SIGKILL');
}, 250);
`;

export class Watchdog {
  readonly #control: Int32Array;
  readonly #data: Uint8Array;
  readonly #names: Uint8Array;
  readonly #origin = Date.now();
  readonly #worker: Worker;
  readonly #encoder = new TextEncoder();

  constructor(limitMs: number, crashDir: string) {
    const control = new SharedArrayBuffer(CONTROL * 4);
    const data = new SharedArrayBuffer(MAX_INPUT);
    const names = new SharedArrayBuffer(256);
    this.#control = new Int32Array(control);
    this.#data = new Uint8Array(data);
    this.#names = new Uint8Array(names);
    this.#worker = new Worker(WATCHER, { eval: true, workerData: { control, data, names, limitMs, crashDir, origin: this.#origin } });
    this.#worker.unref();
  }

  /** An input starts: remember it where the watcher can see it. */
  begin(label: string, input: Uint8Array, runSeed: number): void {
    const length = Math.min(input.length, MAX_INPUT);
    this.#data.set(input.subarray(0, length));
    this.#names.fill(0);
    this.#encoder.encodeInto(label.slice(0, 200), this.#names);
    Atomics.store(this.#control, 1, length);
    Atomics.store(this.#control, 2, runSeed | 0);
    Atomics.store(this.#control, 3, Date.now() - this.#origin);
    Atomics.store(this.#control, 0, 1);
  }

  /** The counts the watcher prints if it has to stop the run. */
  progress(inputs: number, crashes: number, hangs: number, targets: number): void {
    Atomics.store(this.#control, 4, inputs);
    Atomics.store(this.#control, 5, crashes);
    Atomics.store(this.#control, 6, hangs);
    Atomics.store(this.#control, 7, targets);
  }

  end(): void {
    Atomics.store(this.#control, 0, 0);
  }

  async close(): Promise<void> {
    this.end();
    await this.#worker.terminate();
  }
}
