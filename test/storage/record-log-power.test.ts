// Power loss at every write step. A scripted workload (mixed appends and trims, filling the log, trims while
// full, evicting appends, wrap-arounds) runs once to completion as the reference. Then, for every n, it runs
// again on fresh flash with the power cut at the (n+1)-th write or erase — cleanly, or torn (a random prefix of
// the write lands, an erase leaves the block partly erased) — and the log is remounted after powerOn.
//
// Allowed after recovery, with op k the one the cut interrupted (ops before k returned, k did not):
// - `next` is next before k, or after k (an append that did not return may or may not have landed);
// - `first` is between first before k and first after k: a trim or eviction that returned stays; one that
//   did not return may have happened in full, in part (a prefix of the records it drops), or not at all;
// - every seq from `first` to `next` - 1 reads back exactly the bytes that were appended under that seq;
//   nothing else is returned (so no torn record), and iteration yields them in increasing order;
// - the log keeps working: new appends continue at `next`, and survive another remount.
import { PowerLoss, SimulatedFlash } from '../../hal/host/storage/flash.js';
import { RecordLog, RecordLogFull } from '../../firmware/runtime/storage/record-log.js';

const BLOCKS = 4;
const BLOCK_SIZE = 256;

type Op =
  | { kind: 'append' | 'evict'; data: Uint8Array }
  | { kind: 'trim'; pick: (first: number, next: number) => number };

interface State {
  first: number;
  next: number;
  mutations: number;
}

class RecordingFlash extends SimulatedFlash {
  readonly log: string[] = [];
  override write(offset: number, byteLength: number, buffer: ArrayBuffer | Uint8Array): void {
    this.log.push(`write ${offset % BLOCK_SIZE} ${byteLength}`);
    super.write(offset, byteLength, buffer);
  }
  override erase(block: number): void {
    this.log.push('erase');
    super.erase(block);
  }
}

function workload(): Op[] {
  let state = 42;
  const random = () => (state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 4294967296;
  let made = 0;
  const data = (length: number) => {
    made++;
    return Uint8Array.from({ length }, (_, i) => (made * 13 + i * 101 + (i >> 3)) & 0xff);
  };
  const ops: Op[] = [];
  const append = (length: number) => ops.push({ kind: 'append', data: data(length) });
  const evict = (length: number) => ops.push({ kind: 'evict', data: data(length) });
  const trim = (pick: (first: number, next: number) => number) => ops.push({ kind: 'trim', pick });
  for (let i = 0; i < 24; i++) {
    append(Math.floor(random() * 48));
    if (i % 6 === 5) trim((first, next) => first + Math.floor((next - first) / 2));
  }
  for (let i = 0; i < 16; i++) append(40); // until full: the last ones throw RecordLogFull
  for (let i = 0; i < 5; i++) trim((first) => first); // full: one record at a time
  for (let i = 0; i < 30; i++) evict(Math.floor(random() * 48));
  trim((_, next) => next - 1);
  for (let i = 0; i < 30; i++) {
    append(Math.floor(random() * 60));
    if (i % 4 === 3) trim((_, next) => next - 1);
  }
  for (let i = 0; i < 16; i++) append(40);
  trim((first) => first + 6); // full, and past the oldest block
  evict(0);
  evict(200);
  return ops;
}

const OPS = workload();

/** Runs one op; returns the seq an append got. */
function run(log: RecordLog, op: Op): number | undefined {
  if (op.kind === 'trim') {
    log.trim(op.pick(log.first, log.next));
    return undefined;
  }
  if (op.kind === 'evict') return log.appendEvicting(op.data).seq;
  try {
    return log.append(op.data);
  } catch (error) {
    if (error instanceof RecordLogFull) return undefined;
    throw error;
  }
}

function reference() {
  const flash = new RecordingFlash({ byteLength: BLOCKS * BLOCK_SIZE, blockSize: BLOCK_SIZE, strict: true });
  const log = new RecordLog(flash);
  const states: State[] = [{ first: log.first, next: log.next, mutations: 0 }];
  const payloads = new Map<number, Uint8Array>();
  for (const op of OPS) {
    const seq = run(log, op);
    if (seq !== undefined && op.kind !== 'trim') payloads.set(seq, op.data);
    states.push({ first: log.first, next: log.next, mutations: flash.power.mutations });
  }
  return { states, payloads, mutations: flash.log };
}

const REFERENCE = reference();

function expectConsistent(log: RecordLog, before: State, after: State, payloads: Map<number, Uint8Array>): void {
  expect([before.next, after.next]).toContain(log.next);
  expect(log.first).toBeGreaterThanOrEqual(before.first);
  expect(log.first).toBeLessThanOrEqual(after.first);
  expect(log.count).toBe(log.next - log.first);
  const seqs: number[] = [];
  for (const entry of log) {
    seqs.push(entry.seq);
    expectSame(entry.payload, payloads.get(entry.seq));
  }
  expect(seqs).toEqual(Array.from({ length: log.next - log.first }, (_, i) => log.first + i));
  if (log.first > 1) expect(log.read(log.first - 1)).toBeUndefined();
  expect(log.read(log.next)).toBeUndefined();
}

/** toEqual, but cheap when equal: this runs for every record of hundreds of recoveries. */
function expectSame(actual: Uint8Array, expected: Uint8Array | undefined): void {
  if (!expected || actual.length !== expected.length || actual.some((byte, i) => byte !== expected[i]))
    expect(actual).toEqual(expected);
}

test('the workload covers the interesting paths', () => {
  const { states, mutations } = REFERENCE;
  const final = states[states.length - 1]!;
  expect(mutations.filter((m) => m === 'erase').length).toBeGreaterThan(3 * BLOCKS);
  // Trims while full use the head's bitmap, partly (1 byte) and for a whole eviction (4 bytes).
  expect(mutations).toContain('write 20 1');
  expect(mutations).toContain('write 20 4');
  // Some plain appends found the log full.
  expect(OPS.filter((op) => op.kind === 'append').length).toBeGreaterThan(final.next - 1 - OPS.filter((op) => op.kind === 'evict').length);
  expect(mutations.length).toBe(final.mutations);
});

describe.each([false, true])('power cut at every write step (torn: %s)', (torn) => {
  // About 300 replays; generous for a slow shared machine.
  test('recovers a consistent log that keeps working', () => {
    const { states, payloads } = REFERENCE;
    const total = states[states.length - 1]!.mutations;
    const outcomes = { appendLanded: 0, appendLost: 0, trimPartial: 0 };
    for (let n = 0; n < total; n++) {
      const flash = new SimulatedFlash({ byteLength: BLOCKS * BLOCK_SIZE, blockSize: BLOCK_SIZE, seed: n * 7 + 1, strict: true });
      let log = new RecordLog(flash);
      flash.failAfterWrites(n, { torn });
      let k = 0;
      let failure: unknown;
      try {
        for (; k < OPS.length; k++) run(log, OPS[k]!);
      } catch (error) {
        failure = error;
      }
      expect(failure).toBeInstanceOf(PowerLoss);
      const before = states[k]!;
      const after = states[k + 1]!;
      expect(before.mutations).toBeLessThanOrEqual(n);
      expect(after.mutations).toBeGreaterThan(n);

      flash.powerOn();
      log = new RecordLog(flash);
      expectConsistent(log, before, after, payloads);
      if (after.next > before.next) log.next === after.next ? outcomes.appendLanded++ : outcomes.appendLost++;
      if (log.first > before.first && log.first < after.first) outcomes.trimPartial++;

      // Recovery is stable: mounting again finds the same log.
      const again = new RecordLog(flash);
      expect([again.first, again.next, again.count]).toEqual([log.first, log.next, log.count]);

      // It keeps working: appends continue at `next`, trims apply, all of it survives a remount.
      const resumeAt = log.next;
      const extra = new Map(payloads);
      for (let i = 0; i < 6; i++) {
        const data = Uint8Array.from({ length: 10 + i * 9 }, (_, j) => (n + i * 3 + j) & 0xff);
        const { seq } = log.appendEvicting(data);
        expect(seq).toBe(resumeAt + i);
        extra.set(seq, data);
      }
      log.trim(log.first);
      const remounted = new RecordLog(flash);
      expect(remounted.next).toBe(resumeAt + 6);
      expect(remounted.first).toBe(log.first);
      for (const entry of remounted) expectSame(entry.payload, extra.get(entry.seq));
      expect(remounted.count).toBe(remounted.next - remounted.first);
    }
    // Both outcomes of an interrupted append occur; partial trims only when writes can tear.
    expect(outcomes.appendLost).toBeGreaterThan(0);
    if (torn) expect(outcomes.appendLanded).toBeGreaterThan(0);
    if (torn) expect(outcomes.trimPartial).toBeGreaterThan(0);
  }, 120_000);
});
