// Repeated denied reads are rate-limited as events (each is a flash write and a publish): a token bucket lets
// deniedPerMinute through, the rest are counted and reported in one access.denied.held_back; the reader still
// shows every denial, grants are never limited, and the chain stays intact.
import { DenialLimit, type HeldBackDenials } from '../../firmware/apps/door-reader/denial-limit.js';
import { SteppedClock } from '../../hal/host/clock.js';
import { ChainVerifier } from '../../scripts/platform/event-chain.js';
import { DoorReaderDevice, PIN, uid } from './door-reader-device.js';

describe('DenialLimit', () => {
  function limit(perMinute: number) {
    const clock = new SteppedClock();
    const summaries: HeldBackDenials[] = [];
    let rate = perMinute;
    const l = new DenialLimit({ clock, timers: clock.timers, perMinute: () => rate, onHeldBack: (s) => summaries.push(s) });
    return { clock, summaries, l, setRate: (n: number) => { rate = n; } };
  }

  test('lets a burst of perMinute through, counts the rest, and reports them once a token is back', () => {
    const { clock, summaries, l } = limit(3);
    const admitted = ['unknown', 'unknown', 'expired', 'unknown', 'expired', 'unknown'].map((reason) => {
      clock.advance(100);
      return l.admit(reason);
    });
    expect(admitted).toEqual([true, true, true, false, false, false]);
    expect(l.heldBack).toBe(3);
    expect(summaries).toEqual([]);
    clock.advance(20_000); // one token back (3 a minute)
    expect(summaries).toEqual([{ count: 3, reasons: { unknown: 2, expired: 1 }, fromUp: 400, toUp: 600 }]);
    expect(l.heldBack).toBe(0);
    // The summary used that token: the next denial waits for another one.
    expect(l.admit('unknown')).toBe(false);
    clock.advance(20_000);
    expect(summaries).toHaveLength(2);
    clock.advance(60_000);
    expect([l.admit('unknown'), l.admit('unknown'), l.admit('unknown'), l.admit('unknown')]).toEqual([true, true, true, false]);
  });

  test('a steady stream of denials is recorded at the limit, never faster', () => {
    const { clock, summaries, l } = limit(6);
    let recorded = 0;
    for (let i = 0; i < 600; i++) { // one denial a second for ten minutes
      if (l.admit('unknown')) recorded++;
      clock.advance(1000);
    }
    clock.advance(60_000);
    const writes = recorded + summaries.length;
    expect(writes).toBeLessThanOrEqual(6 + 6 * 11); // the first burst plus 6 a minute
    expect(writes).toBeGreaterThanOrEqual(6 * 10);
    expect(recorded + summaries.reduce((sum, s) => sum + s.count, 0)).toBe(600); // every denial accounted for
  });

  test('a lower limit applies at once; close() reports what is held back at once, and only once', () => {
    const { clock, summaries, l, setRate } = limit(10);
    setRate(1);
    expect(l.admit('unknown')).toBe(true); // tokens clip to the new capacity: one left
    expect(l.admit('unknown')).toBe(false);
    l.close();
    expect(summaries).toEqual([{ count: 1, reasons: { unknown: 1 }, fromUp: 0, toUp: 0 }]);
    clock.advance(120_000);
    expect(summaries).toHaveLength(1);
  });
});

describe('the door reader under a flood of denied reads', () => {
  test('shows every denial, records deniedPerMinute of them, reports the rest once, and still grants', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ deniedPerMinute: 5 });
    const stranger = uid('nobody');
    const buzzer = d.hal.io.pin(PIN.buzzer!);
    const chirpsBefore = buzzer.history.filter((change) => change.level === 1).length;
    for (let i = 0; i < 20; i++) d.tap(stranger); // 20 s of someone trying a card
    // Every read still gets its "denied" (three chirps), limited or not.
    expect(buzzer.history.filter((change) => change.level === 1).length - chirpsBefore).toBe(20 * 3);
    d.tap(uid('valid'));
    expect(d.relayHistory.at(-1)!.some((change) => change.level === 1)).toBe(true);
    expect(d.runtime.health()).toMatchObject({ denied: 20, granted: 1 });
    const heldBefore = d.runtime.health().deniedHeldBack as number;
    expect(heldBefore).toBeGreaterThan(0);
    d.advance(120_000);
    d.ack();
    const denied = d.events('access.denied');
    const held = d.events('access.denied.held_back');
    expect(denied.length).toBeLessThan(10);
    expect(held.length).toBeGreaterThanOrEqual(1);
    expect(denied.length + held.reduce((sum, e) => sum + (e.data.count as number), 0)).toBe(20);
    expect(held[0]!.data.reasons).toEqual({ unknown: held[0]!.data.count });
    expect(d.events('access.granted')).toHaveLength(1);
    expect(d.runtime.health().deniedHeldBack).toBe(0);
    const verifier = new ChainVerifier();
    for (const payload of d.eventPayloads()) verifier.add(payload);
    expect(verifier.findings).toEqual([]);
  });

  test('a clean stop right after a flood still reports the held-back denials', () => {
    const d = new DoorReaderDevice().boot();
    d.configure({ deniedPerMinute: 3 });
    for (let i = 0; i < 10; i++) d.tap(uid('nobody'));
    d.runtime.stop(); // e.g. a restart command
    d.powerCycle();
    d.advance(5000);
    d.ack();
    const held = d.events('access.denied.held_back');
    expect(d.events('access.denied').length + held.reduce((sum, e) => sum + (e.data.count as number), 0)).toBe(10);
  });
});
