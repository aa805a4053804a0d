import { Dispatcher, type CommandOutcome } from '../../firmware/runtime/dispatcher.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';
import type { WallClock } from '../../hal/contract/index.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';

const NOW = 1_800_000_000_000;

function clock(valid = true): WallClock {
  return { now: () => NOW, valid, set() {} };
}

function command(reqId: string, name = 'unlock', exp = NOW + 30_000, args?: Record<string, unknown>): CommandMessage {
  return { v: 1, msg: 'command', reqId, name, exp, ...(args ? { args } : {}) };
}

function setup(kv = new MemoryKeyValueStore(), wallClock = clock()) {
  const results: { reqId: string; outcome: CommandOutcome }[] = [];
  const dispatcher = new Dispatcher({ wallClock, kv, send: (reqId, outcome) => results.push({ reqId, outcome }) });
  let unlocks = 0;
  dispatcher.register('unlock', {
    validate: (args) => (args.door === undefined || typeof args.door === 'string' ? undefined : 'door: expected a string'),
    run: () => ({ code: 'ok', data: { unlocks: ++unlocks } }),
  });
  dispatcher.register('explode', { run: () => { throw new Error('relay driver fault'); } });
  return { dispatcher, results, kv, unlocks: () => unlocks };
}

describe('Dispatcher', () => {
  it('runs a valid command once and answers ok', () => {
    const { dispatcher, results, unlocks } = setup();
    dispatcher.dispatch(command('r1'));
    expect(results).toEqual([{ reqId: 'r1', outcome: { code: 'ok', data: { unlocks: 1 } } }]);
    expect(unlocks()).toBe(1);
  });

  it('answers a repeated reqId with the first result and does not execute again', () => {
    const { dispatcher, results, unlocks } = setup();
    dispatcher.dispatch(command('r1'));
    dispatcher.dispatch(command('r1'));
    dispatcher.dispatch(command('r1', 'unlock', NOW - 1));
    expect(unlocks()).toBe(1);
    expect(results.map((r) => r.outcome)).toEqual([
      { code: 'ok', data: { unlocks: 1 } }, { code: 'ok', data: { unlocks: 1 } }, { code: 'ok', data: { unlocks: 1 } },
    ]);
  });

  it('remembers executed commands across a restart', () => {
    const kv = new MemoryKeyValueStore();
    setup(kv).dispatcher.dispatch(command('r9'));
    const after = setup(kv);
    after.dispatcher.dispatch(command('r9'));
    expect(after.unlocks()).toBe(0);
    expect(after.results[0]!.outcome).toEqual({ code: 'ok', data: { unlocks: 1 } });
  });

  it('rejects an expired command without running it', () => {
    const { dispatcher, results, unlocks } = setup();
    dispatcher.dispatch(command('r2', 'unlock', NOW - 1));
    expect(results[0]!.outcome.code).toBe('expired');
    expect(unlocks()).toBe(0);
  });

  it('rejects every command while the clock is not set', () => {
    const { dispatcher, results, unlocks } = setup(new MemoryKeyValueStore(), clock(false));
    dispatcher.dispatch(command('r3'));
    expect(results[0]!.outcome).toMatchObject({ code: 'rejected' });
    expect(unlocks()).toBe(0);
  });

  it('answers unknown commands unsupported, bad arguments invalid, and a throwing handler failed', () => {
    const { dispatcher, results } = setup();
    dispatcher.dispatch(command('r5', 'selfdestruct'));
    dispatcher.dispatch(command('r6', 'unlock', NOW + 1000, { door: 7 }));
    dispatcher.dispatch(command('r7', 'explode'));
    expect(results.map((r) => r.outcome)).toEqual([
      { code: 'unsupported', reason: 'unknown command "selfdestruct"' },
      { code: 'invalid', reason: 'door: expected a string' },
      { code: 'failed', reason: 'relay driver fault' },
    ]);
  });

  it('refuses a malformed command by reqId, and keeps refusing the same reqId', () => {
    const { dispatcher, results, unlocks } = setup();
    dispatcher.refuse('r8', 'invalid', 'command.exp: expected integer');
    dispatcher.dispatch(command('r8'));
    expect(results.map((r) => r.outcome.code)).toEqual(['invalid', 'invalid']);
    expect(unlocks()).toBe(0);
  });

  it('answers a retained copy with rejected even when its reqId already ran, and does not remember that refusal', () => {
    const kv = new MemoryKeyValueStore();
    const first = setup(kv);
    first.dispatcher.dispatch(command('r7'));
    first.dispatcher.refuse('r7', 'rejected', 'command: retained commands are refused');
    // After a restart too (the ok is persisted), and for a reqId that never ran.
    const after = setup(kv);
    after.dispatcher.refuse('r7', 'rejected', 'command: retained commands are refused');
    after.dispatcher.refuse('r6', 'rejected', 'command: retained commands are refused');
    after.dispatcher.dispatch(command('r7'));
    expect(first.results.map((r) => r.outcome.code)).toEqual(['ok', 'rejected']);
    expect(after.results.map((r) => `${r.reqId}:${r.outcome.code}`)).toEqual(['r7:rejected', 'r6:rejected', 'r7:ok']);
    expect(after.results[2]!.outcome).toEqual({ code: 'ok', data: { unlocks: 1 } });
    expect(first.unlocks() + after.unlocks()).toBe(1);
  });

  it('does not write flash for refusals', () => {
    const { dispatcher, kv } = setup();
    for (let i = 0; i < 50; i++) dispatcher.dispatch(command(`bad${i}`, 'nope'));
    expect(kv.get('cmd', 'recent')).toBeUndefined();
  });

  it('keeps the stored history within one key-value record', () => {
    const { dispatcher, kv } = setup();
    dispatcher.register('big', { run: () => ({ code: 'ok', data: { blob: 'x'.repeat(1500) } }) });
    for (let i = 0; i < 40; i++) dispatcher.dispatch(command(`b${i}`, 'big'));
    const stored = kv.get('cmd', 'recent');
    expect(typeof stored).toBe('string');
    expect(Buffer.byteLength(stored as string)).toBeLessThanOrEqual(4000);
  });
});

describe('Dispatcher persistence opt-out', () => {
  it('keeps results of persist:false commands in RAM only, still answering repeats without re-running', () => {
    const kv = new MemoryKeyValueStore();
    const { dispatcher, results } = setup(kv);
    let chunks = 0;
    dispatcher.register('chunk', { persist: false, run: () => ({ code: 'ok', data: { chunks: ++chunks } }) });
    dispatcher.dispatch(command('c1', 'chunk'));
    dispatcher.dispatch(command('c1', 'chunk'));
    expect(chunks).toBe(1);
    expect(results.map((r) => r.outcome)).toEqual([{ code: 'ok', data: { chunks: 1 } }, { code: 'ok', data: { chunks: 1 } }]);
    expect(kv.get('cmd', 'recent')).toBeUndefined();
    dispatcher.dispatch(command('u1'));
    for (let i = 0; i < 40; i++) dispatcher.dispatch(command(`c${i + 2}`, 'chunk'));
    const stored = JSON.parse(kv.get('cmd', 'recent') as string) as { reqId: string }[];
    expect(stored.map((entry) => entry.reqId)).toEqual(['u1']);
    dispatcher.dispatch(command('u1'));
    expect(results.at(-1)!.outcome).toEqual({ code: 'ok', data: { unlocks: 1 } });
  });
});

describe('Dispatcher replay protection', () => {
  it('refuses commands that expire too far ahead', () => {
    const { dispatcher, results, unlocks } = setup();
    dispatcher.dispatch(command('far', 'unlock', NOW + 2 * 3_600_000));
    expect(results[0]!.outcome).toMatchObject({ code: 'rejected' });
    expect(unlocks()).toBe(0);
  });

  it('forgets expired results before live ones, so a live command cannot be replayed', () => {
    let now = NOW;
    const wallClock: WallClock = { now: () => now, valid: true, set() {} };
    const { dispatcher, unlocks } = setup(new MemoryKeyValueStore(), wallClock);
    dispatcher.dispatch(command('live', 'unlock', NOW + 600_000));
    for (let i = 0; i < 30; i++) {
      dispatcher.dispatch(command(`short${i}`, 'unlock', now + 1000));
      now += 2000;
    }
    expect(unlocks()).toBe(31);
    dispatcher.dispatch(command('live', 'unlock', NOW + 600_000));
    expect(unlocks()).toBe(31);
  });
});
