// The XS harness itself: it runs code on the real engine, meters it deterministically, and reports failures
// with the engine's own words.
import { afterAll, describe, expect, test } from '@jest/globals';
import { runOnXs, XsSession } from '../support/xs/session.js';
import { killAllWorkers, XsException, XsnapWorker } from '../support/xs/xsnap.js';

const SANITY = 'test/xs/entries/sanity.ts';

afterAll(() => killAllWorkers());

describe('XsnapWorker', () => {
  test('evaluates code, returns ArrayBuffer replies and meters each crank', async () => {
    const worker = new XsnapWorker({ name: 'raw' });
    try {
      const { reply, meter } = await worker.evaluate('new TextEncoder().encode(String(6 * 7)).buffer');
      expect(new TextDecoder().decode(reply)).toBe('42');
      expect(meter.compute).toBeGreaterThan(0);
      expect(worker.cranks).toHaveLength(1);
    } finally {
      await worker.close();
    }
    expect(worker.running).toBe(false);
  });

  test('the same code costs the same computrons, in a fresh worker and again in the same one', async () => {
    const code = '{ let x = 0; for (let i = 0; i < 5000; i++) x += i % 7; x }';
    const counts: number[] = [];
    for (let round = 0; round < 2; round++) {
      const worker = new XsnapWorker({ name: `determinism-${round}` });
      try {
        counts.push((await worker.evaluate(code)).meter.compute, (await worker.evaluate(code)).meter.compute);
      } finally {
        await worker.close();
      }
    }
    expect(new Set(counts).size).toBe(1);
    const bigger = new XsnapWorker({ name: 'determinism-bigger' });
    try {
      const twice = (await bigger.evaluate(code.replace('5000', '10000'))).meter.compute;
      expect(twice).toBeGreaterThan(counts[0]! * 1.8);
    } finally {
      await bigger.close();
    }
  });

  test('an exception fails the crank with the XS exception text, and the worker lives on', async () => {
    const worker = new XsnapWorker({ name: 'throws' });
    try {
      const failure = worker.evaluate('null.property');
      await expect(failure).rejects.toBeInstanceOf(XsException);
      await expect(failure).rejects.toThrow(/TypeError.*null/);
      const { reply } = await worker.evaluate('new TextEncoder().encode("still here").buffer');
      expect(new TextDecoder().decode(reply)).toBe('still here');
    } finally {
      await worker.close();
    }
  });

  test('issueCommand is answered synchronously by the host callback', async () => {
    const seen: string[] = [];
    const worker = new XsnapWorker({
      name: 'commands',
      handleCommand: (request) => {
        const text = new TextDecoder().decode(request);
        seen.push(text);
        return new TextEncoder().encode(text.toUpperCase());
      },
    });
    try {
      const code = `{
        const ask = (text) => new TextDecoder().decode(issueCommand(new TextEncoder().encode(text).buffer));
        const answers = [ask('one'), ask('two')];
        new TextEncoder().encode(answers.join('+')).buffer;
      }`;
      expect(new TextDecoder().decode((await worker.evaluate(code)).reply)).toBe('ONE+TWO');
      expect(seen).toEqual(['one', 'two']);
    } finally {
      await worker.close();
    }
  });

  test('a runaway crank is stopped by the metering limit with a clear error', async () => {
    const worker = new XsnapWorker({ name: 'runaway', meteringLimit: 100_000 });
    await expect(worker.evaluate('for (;;) {}')).rejects.toThrow(/"runaway" exited with code 17 \(too much computation/);
    expect(worker.running).toBe(false);
    await expect(worker.evaluate('1')).rejects.toThrow(/exited with code 17/);
  });

  test('a host handler that throws stops the worker and names the request', async () => {
    const worker = new XsnapWorker({
      name: 'bad-host',
      handleCommand: () => {
        throw new Error('host exploded');
      },
    });
    await expect(worker.evaluate('issueCommand(new TextEncoder().encode("ping").buffer)')).rejects.toThrow(
      /issueCommand\("ping"\) threw: Error: host exploded/,
    );
    await expect(worker.evaluate('1')).rejects.toThrow(/host exploded/);
    await worker.close();
    expect(worker.running).toBe(false);
  });

  test('print goes to the printed lines, not to the test output', async () => {
    const lines: string[] = [];
    const worker = new XsnapWorker({ name: 'printer', onPrint: (line) => lines.push(line) });
    try {
      await worker.evaluate('print("hello", 1 + 1)');
    } finally {
      await worker.close();
    }
    expect(worker.printed).toEqual(['hello 2']);
    expect(lines).toEqual(['hello 2']);
  });
});

describe('runOnXs and XsSession', () => {
  test('a bundled entry runs on XS with identical computrons on every run', async () => {
    const first = await runOnXs<number>({ entry: SANITY, exportName: 'sumTo', args: [1000] });
    const second = await runOnXs<number>({ entry: SANITY, exportName: 'sumTo', args: [1000] });
    expect(first.result).toBe(500500);
    expect(second.computrons).toEqual(first.computrons);
    expect(first.computrons.load).toBeGreaterThan(0);
    expect(first.computrons.run).toBeGreaterThan(first.computrons.call);
    const larger = await runOnXs<number>({ entry: SANITY, exportName: 'sumTo', args: [2000] });
    expect(larger.computrons.call).toBeGreaterThan(first.computrons.call * 1.8);
  });

  test('the bundle is the XS engine, not Node: no console, no process', async () => {
    const { result } = await runOnXs({ entry: SANITY, exportName: 'engine' });
    expect(result).toEqual({ hasConsole: false, hasProcess: false });
  });

  test('exceptions carry the XS message and stack; promises that settle in the crank resolve', async () => {
    const session = await XsSession.start({ entry: SANITY });
    try {
      await expect(session.call('fail', 'out of range')).rejects.toThrow(/fail\(\) threw on XS.*RangeError: out of range/s);
      await expect(session.call('nope')).rejects.toThrow(/exports no function "nope"/);
      expect((await session.call('later', 21)).value).toBe(42);
      expect((await session.call('sumTo', 3)).value).toBe(6);
    } finally {
      await session.close();
    }
  });

  test('callHost reaches the test\'s host handlers; a missing handler is an error inside XS', async () => {
    const questions: unknown[] = [];
    const { result } = await runOnXs({
      entry: SANITY,
      exportName: 'askHost',
      args: ['life'],
      hostHandlers: {
        answer: (payload) => {
          questions.push(payload);
          return { answer: 42 };
        },
      },
    });
    expect(result).toEqual({ answer: 42 });
    expect(questions).toEqual([{ question: 'life' }]);
    await expect(runOnXs({ entry: SANITY, exportName: 'askHost', args: ['x'] })).rejects.toThrow(/no host handler "answer"/);
  });
});
