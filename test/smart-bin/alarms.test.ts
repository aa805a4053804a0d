// The station's alarms on the shared alarm lifecycle, on the stepped clock: fire (over fireC, or rising fast),
// tilt, overflow (the platform's accept/dispatch, the emptying that clears it, resolved), a dead level sensor,
// several open at once, and a reboot with alarms open.
import { describe, expect, test } from '@jest/globals';
import { SmartBinDevice } from './smart-bin-device.js';

/** Livelier than the field defaults, as the simulator's platform sends them. */
const LIVELY = { measureS: 120, reportS: 1800, overflowS: 300, overflowPct: 90, watchS: 10 };
/** world.fill() percentage that heaps up to about 94 % (over overflowPct, clear of the blind zone). */
const OVERFLOWING = 88;

function station(config: Record<string, unknown> = LIVELY): SmartBinDevice {
  const bin = new SmartBinDevice({ config }).boot();
  bin.advance(3000);
  return bin;
}

/** Lets time pass until compartment `c` has measured `n` bursts since boot (a burst is due every measureS at most). */
function untilBursts(bin: SmartBinDevice, c: number, n: number): void {
  const compartment = bin.app.compartments[c]!;
  for (let waited = 0; compartment.bursts < n; waited += 10_000) {
    if (waited > 10 * 60_000) throw new Error(`compartment ${c}: no burst ${n} within 10 minutes`);
    bin.advance(10_000);
  }
}

/** Lets time pass until compartment `c` reports its emptying (a scattered first burst does not count). */
function untilEmptied(bin: SmartBinDevice, c: number): void {
  const emptied = () => bin.app.compartments[c]!.pipeline.state().emptyings; // counted offline too
  const before = emptied();
  for (let waited = 0; emptied() === before; waited++) {
    if (waited > 10) throw new Error(`compartment ${c}: no emptying seen within 10 minutes`);
    bin.minutes(1);
  }
}

const causes = (bin: SmartBinDevice) => bin.app.alarms!.open().map((alarm) => alarm.cause);

describe('fire', () => {
  test('over fireC: raised once, every lid shuts, deposits and maintenance opens refused; cooled: alarm.cleared', () => {
    const bin = station();
    expect(bin.signedOpen(1, 300).code).toBe('ok');
    bin.advance(3000);
    expect(bin.world.lidAngle(1)).toBeGreaterThan(60);

    bin.world.setTemperature(90);
    bin.advance(30_000); // two checks in a row at watchS 10 s
    const raised = bin.data('alarm.raised');
    expect(raised).toEqual([expect.objectContaining({ cause: 'fire', detector: { tempC: 90 } })]);
    expect(raised[0]).not.toHaveProperty('c'); // the whole station
    bin.advance(3000);
    expect(bin.world.lidAngle(1)).toBeLessThan(3); // no air for the fire
    expect(bin.app.compartments[1]!.lid.state).toBe('closed');
    expect(bin.app.showing).toBe('fire');

    // Still burning minutes later: no second alarm.
    bin.minutes(5);
    expect(bin.data('alarm.raised')).toHaveLength(1);

    bin.deposit('alice', 0, 500);
    bin.advance(3000);
    expect(bin.app.showing).toBe('blocked');
    expect(bin.world.lidAngle(0)).toBeLessThan(3);
    bin.advance(20_000);
    expect(bin.app.deposits!.active).toBeUndefined();
    expect(bin.command('smart-bin.status').data).toMatchObject({ deposit: null });
    const open = bin.signedOpen(0, 60);
    expect(open).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/fire/) });
    bin.advance(3000);
    expect(bin.world.lidAngle(0)).toBeLessThan(3);

    // 60 °C is below the limit but not by the margin: still a fire.
    bin.world.setTemperature(60);
    bin.minutes(2);
    expect(bin.data('alarm.cleared')).toHaveLength(0);
    bin.world.setTemperature(20);
    bin.minutes(2);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ alarmId: raised[0]!.alarmId, cause: 'fire', tempC: 20 })]);
    expect(bin.app.watch!.fire).toBe(false);
    // Cleared on the device, shown until the platform resolves it.
    expect(causes(bin)).toEqual(['fire']);
    bin.alarmUpdate(raised[0]!.alarmId as string, 'resolved');
    expect(causes(bin)).toEqual([]);
    expect(bin.app.showing).toBe('idle');

    // Out and resolved: residents deposit again.
    bin.deposit('alice', 0, 500);
    bin.advance(25_000);
    expect(bin.data('bin.deposit')).toHaveLength(1);
  });

  test('a fast rise below fireC raises fire too (smouldering waste heats fast)', () => {
    const bin = station();
    for (const celsius of [28, 36, 44, 52]) {
      bin.world.setTemperature(celsius);
      bin.advance(10_000);
    }
    expect(bin.data('alarm.raised')).toEqual([expect.objectContaining({ cause: 'fire' })]);
    expect((bin.data('alarm.raised')[0]!.detector as { tempC: number }).tempC).toBeLessThan(65);
    bin.world.setTemperature(25);
    bin.minutes(3);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ cause: 'fire' })]);
  });

  test('a slow warm afternoon is no fire', () => {
    const bin = station();
    for (let celsius = 23; celsius <= 50; celsius += 3) { // 3 °C a minute: under fireRiseC (8) within any minute
      bin.world.setTemperature(celsius);
      bin.minutes(1);
    }
    expect(bin.data('alarm.raised')).toHaveLength(0);
  });
});

describe('tilt', () => {
  test('knocked over: tilt raised with the angle, lids shut; stood up: cleared', () => {
    const bin = station();
    bin.signedOpen(0, 300);
    bin.advance(3000);
    bin.world.tip(90);
    bin.advance(30_000);
    expect(bin.data('alarm.raised')).toEqual([expect.objectContaining({ cause: 'tilt', detector: { tiltDeg: 90 } })]);
    bin.advance(3000);
    expect(bin.world.lidAngle(0)).toBeLessThan(3);
    expect(bin.app.watch!.tilted).toBe(true);
    bin.deposit('alice', 1, 500); // no lid opens on a station lying on its side
    bin.advance(3000);
    expect(bin.app.showing).toBe('blocked');
    expect(bin.world.lidAngle(1)).toBeLessThan(3);
    bin.world.tip(0);
    bin.advance(30_000);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ cause: 'tilt', tiltDeg: 0 })]);
    expect(bin.data('alarm.raised')).toHaveLength(1);
  });

  test('leaning 20° (under tiltDeg) raises nothing', () => {
    const bin = station();
    bin.world.tip(20);
    bin.minutes(2);
    expect(bin.data('alarm.raised')).toHaveLength(0);
  });
});

describe('overflow', () => {
  test('full beyond overflowPct for overflowS → overflow with c; accepted, dispatched; emptied → bin.emptied, cleared with the time; resolved closes it', () => {
    const bin = station();
    bin.minutes(3); // a first level of the empty compartments
    bin.world.fill(0, OVERFLOWING);
    bin.minutes(3);
    expect(bin.data('alarm.raised')).toHaveLength(0); // not yet overflowS
    bin.minutes(6);
    const raised = bin.data('alarm.raised');
    expect(raised).toEqual([expect.objectContaining({ cause: 'overflow', c: 0 })]);
    expect((raised[0]!.detector as { fillPct: number }).fillPct).toBeGreaterThanOrEqual(90);
    const alarmId = raised[0]!.alarmId as string;
    const alarm = () => bin.app.alarms!.alarm('over0');

    // A full compartment takes no deposit.
    bin.deposit('alice', 0, 500);
    bin.advance(3000);
    expect(bin.app.showing).toBe('blocked');
    expect(bin.world.lidAngle(0)).toBeLessThan(3);

    bin.alarmUpdate(alarmId, 'accepted');
    expect(alarm()?.state).toBe('accepted');
    bin.alarmUpdate(alarmId, 'dispatched');
    expect(alarm()?.state).toBe('dispatched');
    bin.minutes(12);
    expect(bin.data('alarm.raised')).toHaveLength(1);
    expect(bin.data('alarm.reminder')).toHaveLength(0); // accepted: no reminders after acceptTimeoutS (600 s)

    // The collection crew empties it.
    const emptiedAt = bin.hal.wallClock.now();
    bin.world.empty(0);
    untilEmptied(bin, 0);
    const emptied = bin.data('bin.emptied');
    expect(emptied).toEqual([expect.objectContaining({ c: 0, category: 'recyclable' })]);
    expect(emptied[0]!.at as number).toBeGreaterThanOrEqual(emptiedAt);
    expect(emptied[0]!.at as number).toBeLessThan(emptiedAt + 10 * 60_000);
    expect(emptied[0]!.toPct as number).toBeLessThan(10);
    const cleared = bin.data('alarm.cleared');
    expect(cleared).toEqual([expect.objectContaining({ alarmId, cause: 'overflow', c: 0, emptiedAt: emptied[0]!.at })]);
    expect(alarm()).toMatchObject({ state: 'dispatched', cleared: true });

    bin.alarmUpdate(alarmId, 'resolved');
    expect(alarm()).toBeUndefined();
    expect(bin.app.alarms!.open()).toEqual([]);
    expect(bin.storage.kv.get('bin.over0', 'alarm')).toBeUndefined();

    // Deposits again.
    bin.deposit('alice', 0, 500);
    bin.advance(25_000);
    expect(bin.data('bin.deposit')).toHaveLength(1);
  });

  test('emptied while the platform is away: residents deposit at once, and a new overflow raises a new alarm', () => {
    const bin = station();
    bin.minutes(3);
    bin.world.fill(0, OVERFLOWING);
    bin.minutes(9);
    const [first] = bin.data('alarm.raised');
    expect(first).toMatchObject({ cause: 'overflow', c: 0 });
    bin.network(false); // no resolution from the platform for a while
    bin.world.empty(0);
    untilEmptied(bin, 0);
    expect(bin.app.alarms!.alarm('over0')).toMatchObject({ cleared: true });
    // Emptied is emptied: the cleared alarm waiting for the platform does not keep residents out.
    bin.deposit('alice', 0, 600);
    bin.advance(25_000);
    expect(bin.app.deposits!.counts.credited).toBe(1);
    // Full again before anyone resolved the first: a new alarm, not silence.
    bin.world.fill(0, OVERFLOWING);
    bin.minutes(9);
    bin.network(true);
    bin.minutes(1);
    const raised = bin.data('alarm.raised');
    expect(raised).toHaveLength(2);
    expect(raised[1]).toMatchObject({ cause: 'overflow', c: 0 });
    expect(raised[1]!.alarmId).not.toBe(first!.alarmId);
  });

  test('heaped into the blind zone: overflow once that level is taken, and the emptying clears it', () => {
    const bin = station();
    bin.minutes(3);
    bin.world.fill(0, 110);
    // Blind-zone bursts scatter (ringing, double echoes, silence): the level is taken when two agree.
    const compartment = bin.app.compartments[0]!;
    for (let waited = 0; !compartment.pipeline.full; waited++) {
      if (waited > 40) throw new Error('the blind-zone level was not taken within 40 minutes');
      bin.minutes(1);
    }
    expect(compartment.pipeline.fillPct).toBe(100);
    bin.minutes(6); // overflowS
    const raised = bin.data('alarm.raised');
    expect(raised).toEqual([expect.objectContaining({ cause: 'overflow', c: 0, detector: { fillPct: 100 } })]);
    bin.world.empty(0);
    untilEmptied(bin, 0);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ alarmId: raised[0]!.alarmId, cause: 'overflow' })]);
  });

  test('a level that drops back under overflowPct before overflowS raises nothing', () => {
    const bin = station();
    bin.minutes(3);
    bin.world.fill(0, OVERFLOWING);
    bin.minutes(3);
    bin.world.fill(0, 60);
    bin.minutes(15);
    expect(bin.data('alarm.raised')).toHaveLength(0);
  });
});

describe('sensor fault', () => {
  test('a dead level sensor: sensorFault after faultBursts bursts, never a 0 % level; back: cleared', () => {
    const bin = station({ ...LIVELY, reportS: 600, faultBursts: 3 });
    bin.world.fill(0, 40);
    bin.minutes(5);
    const before = bin.data('bin.level').filter((level) => level.c === 0).length;
    bin.world.setSensorDead(0, true);
    const compartment = bin.app.compartments[0]!;
    const bursts = compartment.bursts;
    // One burst short of faultBursts: nothing yet (one silent burst is a hiccup, not a dead sensor).
    untilBursts(bin, 0, bursts + 2);
    expect(compartment.faultyBursts).toBe(2);
    expect(bin.data('alarm.raised')).toHaveLength(0);
    untilBursts(bin, 0, bursts + 3);
    const raised = bin.data('alarm.raised');
    expect(raised).toEqual([expect.objectContaining({ cause: 'sensorFault', c: 0 })]);
    expect((raised[0]!.detector as { bursts: number }).bursts).toBeGreaterThanOrEqual(3);
    bin.minutes(10); // faults go out with the next periodic report (every reportS / 2 from half full)
    expect(bin.data('alarm.raised')).toHaveLength(1);
    const levels = bin.data('bin.level').filter((level) => level.c === 0);
    expect(levels.length).toBeGreaterThan(before); // the fault is reported...
    for (const level of levels.slice(before)) {
      expect(level.status).toBe('fault'); // ...as a fault, never as an empty compartment
      expect(level).not.toHaveProperty('fillPct');
    }
    expect(bin.command('smart-bin.status').data).toMatchObject({ compartments: [expect.objectContaining({ fillPct: expect.any(Number) }), expect.anything()] });
    expect((bin.command('smart-bin.status').data as { compartments: { fillPct: number }[] }).compartments[0]!.fillPct).toBeGreaterThan(30);

    bin.world.setSensorDead(0, false);
    bin.minutes(5);
    expect(bin.data('alarm.cleared')).toEqual([expect.objectContaining({ alarmId: raised[0]!.alarmId, cause: 'sensorFault', c: 0, status: 'ok' })]);
  });
});

describe('several alarms', () => {
  test('fire, tilt and an overflow open at once, each with its own id, each cleared on its own', () => {
    const bin = station();
    bin.minutes(3);
    bin.world.fill(1, 100);
    bin.world.setTemperature(90);
    bin.minutes(1);
    bin.world.tip(90);
    bin.minutes(1);
    expect(causes(bin).sort()).toEqual(['fire', 'tilt']);
    // Tilted, the level is not measured (a lying station's sensor points at a wall): stand it up for the overflow.
    bin.world.tip(0);
    bin.minutes(10);
    expect(causes(bin).sort()).toEqual(['fire', 'overflow', 'tilt']);
    const raised = bin.data('alarm.raised');
    expect(new Set(raised.map((alarm) => alarm.alarmId)).size).toBe(3);
    expect(raised.find((alarm) => alarm.cause === 'overflow')).toMatchObject({ c: 1 });
    expect(bin.data('alarm.cleared').map((alarm) => alarm.cause)).toEqual(['tilt']);
    expect(bin.app.showing).toBe('fire');

    bin.world.setTemperature(20);
    bin.minutes(1);
    expect(bin.data('alarm.cleared').map((alarm) => alarm.cause)).toEqual(['tilt', 'fire']);
    for (const alarm of raised.filter((a) => a.cause !== 'overflow')) bin.alarmUpdate(alarm.alarmId as string, 'resolved');
    expect(causes(bin)).toEqual(['overflow']);
    expect(bin.app.showing).toBe('alarm');
  });
});

describe('a reboot with alarms open', () => {
  test('resumes them without raising them again; clearing after it reports on the same ids', () => {
    const bin = station();
    bin.minutes(3);
    bin.world.fill(0, OVERFLOWING);
    bin.world.setTemperature(90);
    bin.minutes(10);
    expect(causes(bin).sort()).toEqual(['fire', 'overflow']);
    const raised = bin.data('alarm.raised');
    const overflowId = raised.find((alarm) => alarm.cause === 'overflow')!.alarmId;
    bin.alarmUpdate(overflowId as string, 'accepted');

    bin.powerCycle(5000);
    bin.minutes(10); // the fire still burns, the compartment is still full
    expect(bin.data('alarm.raised')).toEqual(raised);
    expect(causes(bin).sort()).toEqual(['fire', 'overflow']);
    expect(bin.app.alarms!.alarm('over0')?.state).toBe('accepted');
    expect(bin.app.showing).toBe('fire');
    bin.advance(3000);
    expect(bin.world.lidAngle(0)).toBeLessThan(3);

    bin.world.setTemperature(20);
    bin.world.empty(0);
    bin.minutes(5);
    const cleared = bin.data('alarm.cleared');
    expect(cleared.map((alarm) => alarm.alarmId).sort()).toEqual(raised.map((alarm) => alarm.alarmId).sort());
    expect(bin.data('alarm.raised')).toEqual(raised);
  });
});
