// The XS side of a fuzz run: one xsnap worker running scripts/fuzz/xs-entry.ts, fed batches of inputs per core.
// Batches run in the worker's own process while Node goes on fuzzing. When an input kills the worker (over its
// computron budget: a hang; any other death, e.g. XS's native stack overflow: a crash), the input that was
// running is known from the index the entry printed before it; it is reported, and the rest of the batch runs
// again on a fresh worker.
import { XsSession } from '../../test/support/xs/session.js';
import type { XsInputResult } from './xs-entry.js';

export const XS_ENTRY = 'scripts/fuzz/xs-entry.ts';

export type XsOutcome =
  | { kind: 'ok'; computrons: number }
  | { kind: 'error'; computrons: number; message: string; stack: string }
  | { kind: 'died'; hang: boolean; message: string };

export interface XsItem {
  input: Uint8Array;
  runSeed: number;
  done(outcome: XsOutcome): void;
}

export class XsRunner {
  #session: Promise<XsSession> | undefined;
  #queue: Promise<void> = Promise.resolve();
  /** Worker starts (1 + one per death). */
  starts = 0;

  #start(): Promise<XsSession> {
    if (!this.#session) {
      this.starts++;
      this.#session = XsSession.start({ entry: XS_ENTRY, name: 'fuzz' });
    }
    return this.#session;
  }

  /** Queues a batch; its items' done() are called when it has run. */
  submit(core: string, items: XsItem[], budget: number): void {
    this.#queue = this.#queue.then(() => this.#run(core, items, budget));
  }

  /** Waits until every batch submitted so far has run. */
  drain(): Promise<void> {
    return this.#queue;
  }

  async close(): Promise<void> {
    await this.#queue.catch(() => {});
    const session = this.#session;
    this.#session = undefined;
    if (session) await (await session).close();
  }

  async #run(core: string, items: XsItem[], budget: number): Promise<void> {
    let pending = items;
    while (pending.length > 0) {
      let session: XsSession;
      try {
        session = await this.#start();
      } catch (error) {
        this.#session = undefined;
        for (const item of pending) item.done({ kind: 'died', hang: false, message: `XS worker did not start: ${String(error)}` });
        return;
      }
      const printedBefore = session.worker.printed.length;
      try {
        const { value } = await session.call<XsInputResult[]>(
          'runBatch', core, pending.map((item) => Buffer.from(item.input).toString('base64')), pending.map((item) => item.runSeed), budget);
        value.forEach((result, i) => {
          const item = pending[i]!;
          if (result.e === undefined) item.done({ kind: 'ok', computrons: result.c });
          else item.done({ kind: 'error', computrons: result.c, message: result.e, stack: result.s ?? '' });
        });
        return;
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (session.worker.running) {
          // Not a death: the batch itself was refused (a programming error in the entry or its caller).
          for (const item of pending) item.done({ kind: 'died', hang: false, message: `runBatch failed: ${message}` });
          return;
        }
        // The worker died in the middle of the batch: the last index printed names the input.
        this.#session = undefined;
        session.worker.kill();
        await session.close().catch(() => {});
        let culprit = 0;
        for (const line of session.worker.printed.slice(printedBefore)) {
          const match = /^fuzz-input (\d+)$/.exec(line);
          if (match) culprit = Number(match[1]);
        }
        const hang = /metering limit|too much computation|code 17\b/.test(message);
        pending[culprit]!.done({ kind: 'died', hang, message: hang ? `over the XS computron budget of ${budget}` : `the XS worker died: ${message}` });
        pending = pending.filter((_, i) => i !== culprit);
      }
    }
  }
}
