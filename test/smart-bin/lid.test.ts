// The lids on the stepped clock: anti-pinch (an obstacle while closing sends the lid back open at once; tries
// again; after the last try the lid stays OPEN and `lidJammed` goes out; the opening cleared, the next try shuts
// it and alarm.cleared follows), a lid that never closes on a blocked opening, and the maintenance open signed
// with the site's command key.
import { describe, expect, test } from '@jest/globals';
import { JAMMED_RETRY_MS, MAX_TRIES, RETRY_MS } from '../../firmware/apps/smart-bin/lid.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { SmartBinDevice } from './smart-bin-device.js';

function station(): SmartBinDevice {
  const bin = new SmartBinDevice().boot();
  bin.advance(3000);
  return bin;
}

/** Steps 20 ms at a time until `done` holds (at most `limitMs`); fails the test otherwise. */
function until(bin: SmartBinDevice, done: () => boolean, limitMs: number, what: string): void {
  for (let t = 0; t < limitMs; t += 20) {
    if (done()) return;
    bin.advance(20);
  }
  if (!done()) throw new Error(`not within ${limitMs} ms: ${what}`);
}

/** Runs `ms` in 100 ms steps, returning the smallest lid angle seen. */
function lowestAngle(bin: SmartBinDevice, c: number, ms: number): number {
  let lowest = bin.world.lidAngle(c);
  for (let t = 0; t < ms; t += 100) {
    bin.advance(100);
    lowest = Math.min(lowest, bin.world.lidAngle(c));
  }
  return lowest;
}

describe('anti-pinch', () => {
  test('an obstacle while closing reopens at once, retries, then lidJammed with the lid OPEN; cleared, the next try shuts it', () => {
    const bin = station();
    expect(bin.signedOpen(0, 5).code).toBe('ok');
    const lid = bin.app.compartments[0]!.lid;
    until(bin, () => lid.state === 'closing' && bin.world.lidAngle(0) < 60, 10_000, 'the lid closing');
    const angleAtObstacle = bin.world.lidAngle(0);
    bin.world.setObstacle(0, true);
    bin.advance(100);
    // Back open at once: the servo is told to open within the debounce and the horn is already on its way up.
    expect(lid.pinches).toBe(1);
    expect(lid.state).toBe('open');
    bin.advance(600);
    expect(bin.world.lidAngle(0)).toBeGreaterThan(Math.max(angleAtObstacle, 60));
    expect(bin.data('alarm.raised')).toHaveLength(0);

    // The remaining tries find the opening still blocked: the lid does not move down at all.
    const lowest = lowestAngle(bin, 0, MAX_TRIES * RETRY_MS + 1000);
    expect(lowest).toBeGreaterThan(60);
    expect(lid.state).toBe('jammed');
    expect(lid.jammed).toBe(true);
    const raised = bin.data('alarm.raised');
    expect(raised).toEqual([expect.objectContaining({ cause: 'lidJammed', c: 0, detector: { tries: MAX_TRIES } })]);
    expect(bin.world.lidAngle(0)).toBeGreaterThan(60); // left OPEN: a jammed lid must not crush anything

    // A jammed lid keeps trying now and then; while blocked it stays open and raises nothing more.
    expect(lowestAngle(bin, 0, JAMMED_RETRY_MS + 1000)).toBeGreaterThan(60);
    expect(bin.data('alarm.raised')).toHaveLength(1);
    expect(bin.data('alarm.cleared')).toHaveLength(0);

    // The arm is withdrawn: the next try shuts the lid and the alarm is reported cleared.
    bin.world.setObstacle(0, false);
    bin.advance(JAMMED_RETRY_MS + 3000);
    expect(lid.state).toBe('closed');
    expect(lid.jammed).toBe(false);
    expect(bin.world.lidAngle(0)).toBeLessThan(3);
    expect(bin.data('alarm.cleared')).toEqual([
      expect.objectContaining({ alarmId: raised[0]!.alarmId, cause: 'lidJammed', c: 0, shut: true }),
    ]);
    expect(bin.data('alarm.raised')).toHaveLength(1);
  });

  test('the obstacle gone before the last try: the lid shuts on a retry and no alarm is raised', () => {
    const bin = station();
    bin.signedOpen(0, 5);
    const lid = bin.app.compartments[0]!.lid;
    until(bin, () => lid.state === 'closing' && bin.world.lidAngle(0) < 60, 10_000, 'the lid closing');
    bin.world.setObstacle(0, true);
    bin.advance(1000);
    expect(lid.pinches).toBe(1);
    bin.world.setObstacle(0, false);
    bin.advance(RETRY_MS + 2000);
    expect(lid.state).toBe('closed');
    expect(bin.world.lidAngle(0)).toBeLessThan(3);
    expect(bin.data('alarm.raised')).toHaveLength(0);
  });

  test('a closing lid never closes on a blocked opening: a deposit with a bag stuck in it', () => {
    const bin = station();
    bin.deposit('alice', 0, 1000);
    bin.advance(5000);
    expect(bin.app.compartments[0]!.lid.state).toBe('open');
    bin.world.setObstacle(0, true); // the bag sticks in the opening
    // lidOpenS (15 s) runs out, then every try and the jammed retry: the lid never comes down on the bag.
    expect(lowestAngle(bin, 0, 15_000 + MAX_TRIES * RETRY_MS + JAMMED_RETRY_MS + 2000)).toBeGreaterThan(60);
    expect(bin.app.compartments[0]!.lid.shut).toBe(false);
    expect(bin.data('alarm.raised')).toEqual([expect.objectContaining({ cause: 'lidJammed', c: 0 })]);
    expect(bin.data('bin.deposit')).toHaveLength(0); // not weighed with the lid open
    bin.world.setObstacle(0, false);
    bin.advance(JAMMED_RETRY_MS + 10_000);
    expect(bin.app.compartments[0]!.lid.state).toBe('closed');
    expect(bin.data('bin.deposit')).toEqual([expect.objectContaining({ c: 0 })]);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ cause: 'lidJammed', c: 0 })]);
  });

  test('an obstacle low in the travel: the lid stops on it, then goes back open (no crushing, no stall)', () => {
    const bin = station();
    bin.signedOpen(0, 5);
    const lid = bin.app.compartments[0]!.lid;
    until(bin, () => lid.state === 'closing' && bin.world.lidAngle(0) < 30, 10_000, 'the lid low in its travel');
    const low = bin.world.lidAngle(0);
    expect(low).toBeGreaterThan(3);
    bin.world.setObstacle(0, true);
    bin.advance(1000);
    expect(lid.state).toBe('open');
    expect(bin.world.lidAngle(0)).toBeGreaterThan(60);
  });
});

describe('maintenance open (signed smart-bin.open)', () => {
  test('a valid signature opens the lid for s seconds, then it shuts by itself', () => {
    const bin = station();
    const result = bin.signedOpen(1, 10);
    expect(result).toMatchObject({ code: 'ok', data: { c: 1, openS: 10 } });
    bin.advance(2000);
    expect(bin.app.compartments[1]!.lid.state).toBe('open');
    expect(bin.world.lidAngle(1)).toBeGreaterThan(60);
    expect(bin.world.lidAngle(0)).toBeLessThan(3);
    bin.advance(6000); // 8.5 s since the command
    expect(bin.world.lidAngle(1)).toBeGreaterThan(60);
    bin.advance(4000);
    expect(bin.app.compartments[1]!.lid.state).toBe('closed');
    expect(bin.world.lidAngle(1)).toBeLessThan(3);
  });

  test.each([
    ['a wrong key', (bin: SmartBinDevice) => bin.signedOpen(0, 10, new Uint8Array(32).fill(7)), /signature does not match/],
    ['no signature', (bin: SmartBinDevice) => bin.command('smart-bin.open', { c: 0, s: 10 }), /args\.sig/],
    ['a signature that is not hex', (bin: SmartBinDevice) => bin.command('smart-bin.open', { c: 0, sig: 'x'.repeat(64) }), /args\.sig/],
    ['no such compartment', (bin: SmartBinDevice) => bin.signedOpen(2, 10), /compartments 0–1/],
    ['a compartment that is no integer', (bin: SmartBinDevice) => bin.command('smart-bin.open', { c: '0', sig: '0'.repeat(64) }), /args\.c/],
    ['too few seconds', (bin: SmartBinDevice) => bin.signedOpen(0, 3), /args\.s/],
    ['too many seconds', (bin: SmartBinDevice) => bin.signedOpen(0, 3600), /args\.s/],
    ['an extra argument', (bin: SmartBinDevice) => bin.command('smart-bin.open', { c: 0, sig: '0'.repeat(64), force: true }), /args\.force: not allowed/],
  ])('%s is refused invalid and the servo never moves', (_what, send, reason) => {
    const bin = station();
    const servos = bin.chips.servos;
    const resting = servos.map((servo) => servo.angle); // the closed pulse's nearest PWM step, about 0.7°
    expect(Math.max(...resting)).toBeLessThan(3);
    const result = send(bin);
    expect(result.code).toBe('invalid');
    expect(result.reason).toMatch(reason);
    bin.advance(5000);
    expect(servos.map((servo) => servo.angle)).toEqual(resting);
    for (const servo of servos) expect(servo.pulseUs).toBeUndefined(); // not even driven: the shut lid rests on its seat
    expect(bin.app.compartments.map((compartment) => compartment!.lid.state)).toEqual(['closed', 'closed']);
  });

  test('a replayed signed open (same reqId) answers its first result and moves nothing; an expired one is refused', () => {
    const bin = station();
    const exp = bin.hal.wallClock.now() + 60_000;
    const args = { c: 0, s: 10, sig: signCommand(DEMO_KEYS.commandKey, 'smart-bin.open', 'once', exp, 0, 10) };
    expect(bin.command('smart-bin.open', args, { reqId: 'once', exp }).code).toBe('ok');
    bin.advance(15_000);
    expect(bin.app.compartments[0]!.lid.state).toBe('closed');
    const servo = bin.chips.servos[0]!;
    const resting = servo.angle;
    expect(bin.command('smart-bin.open', args, { reqId: 'once', exp }).code).toBe('ok');
    bin.advance(3000);
    expect(servo.angle).toBe(resting);
    expect(servo.pulseUs).toBeUndefined();

    const past = bin.hal.wallClock.now() - 1000;
    const stale = { c: 0, s: 10, sig: signCommand(DEMO_KEYS.commandKey, 'smart-bin.open', 'late', past, 0, 10) };
    expect(bin.command('smart-bin.open', stale, { reqId: 'late', exp: past }).code).toBe('expired');
    bin.advance(3000);
    expect(servo.angle).toBe(resting);
  });

  test('a signature made for compartment 0 does not open compartment 1', () => {
    const bin = station();
    const exp = bin.hal.wallClock.now() + 30_000;
    const good = bin.signedOpen(0, 10);
    expect(good.code).toBe('ok');
    bin.advance(15_000);
    // Same reqId scheme, another target: the signature covers the compartment.
    const forged = bin.command('smart-bin.open', { c: 1, s: 10, sig: signFor(0, 'f-1', exp) }, { reqId: 'f-1', exp });
    expect(forged).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/signature does not match/) });
    expect(bin.world.lidAngle(1)).toBeLessThan(3);
    expect(bin.chips.servos[1]!.pulseUs).toBeUndefined();
  });
});

function signFor(c: number, reqId: string, exp: number): string {
  return signCommand(DEMO_KEYS.commandKey, 'smart-bin.open', reqId, exp, c, 10);
}
