// Deep sleep on the host binding: the device halts at once and goes down through onRestart('deep-sleep'); the
// owner (SleepingChip) boots the next instance on its timer or when a wake pin reaches its level; that instance
// reports resetReason 'deep-sleep' and the wake cause. Storage survives, RAM does not. Bad options are refused
// before anything stops.
import { describe, expect, test } from '@jest/globals';
import { esp32SosButton } from '../../hal/boards/esp32-sos-button.js';
import { simBoard } from '../../hal/boards/sim.js';
import { deepSleepProblem, type ResetReason, type WakeCause } from '../../hal/contract/system.js';
import { createHostHal, SleepingChip, SteppedClock, type HostHal } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

const step = (hal: HostHal, ms: number) => (hal.clock as SteppedClock).advance(ms);
const storage = () => createHostStorage({ partitions: { outbox: 4096 } });

function boot(store: ReturnType<typeof storage>, reasons: ResetReason[], resetReason?: ResetReason, wakeCause?: WakeCause): HostHal {
  return createHostHal({
    storage: store,
    board: esp32SosButton,
    clock: new SteppedClock(),
    system: { onRestart: (reason) => reasons.push(reason), ...(resetReason ? { resetReason } : {}), ...(wakeCause ? { wakeCause } : {}) },
  });
}

describe('host deep sleep', () => {
  test('timer wake: the device halts at once, the owner boots it again after ms; storage survives', async () => {
    const store = storage();
    const reasons: ResetReason[] = [];
    const hal = boot(store, reasons);
    expect(hal.system.wakeCause?.()).toBeUndefined(); // a power-on boot
    let fired = 0;
    hal.timers.repeat(() => fired++, 100);
    hal.storage.kv.set('app', 'count', 7);
    step(hal, 250);
    hal.timers.set(() => hal.system.deepSleep!({ ms: 60_000 }), 50);
    step(hal, 1000);
    expect(fired).toBe(3); // 100, 200, 300: nothing after the sleep at 300
    await Promise.resolve();
    expect(reasons).toEqual(['deep-sleep']);
    const request = hal.system.deepSleepRequest!;
    expect(request).toEqual({ ms: 60_000, wake: [], at: 300 });

    const chip = new SleepingChip(request, 300);
    chip.pass(59_999);
    expect(chip.bootInMs).toBe(301);
    chip.pass(301);
    expect(chip.bootInMs).toBe(0);
    expect(chip.cause).toEqual({ by: 'timer' });
    expect(chip.asleepMs).toBe(60_000);
    hal.dispose();
    const next = boot(store, reasons, 'deep-sleep', chip.cause);
    expect(next.system.resetReason()).toBe('deep-sleep');
    expect(next.system.wakeCause?.()).toEqual({ by: 'timer' });
    expect(next.storage.kv.get('app', 'count')).toBe(7);
    expect(next.clock.now()).toBe(0); // a fresh instance: nothing of the old one runs
  });

  test('pin wake: a wake pin reaching its level wakes it before the timer; one already there wakes it at once', () => {
    const reasons: ResetReason[] = [];
    const hal = boot(storage(), reasons);
    hal.system.deepSleep!({ ms: 3_600_000, wake: [{ pin: 33, level: 0 }, { pin: 34, level: 1 }] });
    const request = hal.system.deepSleepRequest!;
    const levels = new Map<number, 0 | 1>([[33, 1], [34, 0]]);
    const chip = new SleepingChip(request, 200);
    expect(chip.checkPins((pin) => levels.get(pin))).toBe(false);
    chip.pass(10_000);
    levels.set(33, 0);
    expect(chip.checkPins((pin) => levels.get(pin))).toBe(true);
    expect(chip.cause).toEqual({ by: 'pin', pins: [33], timerLeftMs: 3_590_000 }); // the timer's time left goes with it
    expect(chip.bootInMs).toBe(200);
    chip.pass(200);
    expect(chip.bootInMs).toBe(0);
    expect(chip.asleepMs).toBe(10_000);

    const held = new SleepingChip(request);
    expect(held.checkPins((pin) => (pin === 34 ? 1 : undefined))).toBe(true);
    expect(held.cause).toEqual({ by: 'pin', pins: [34], timerLeftMs: 3_600_000 });
    expect(held.bootInMs).toBe(0);
    // Without a timer it sleeps until a pin wakes it.
    expect(new SleepingChip({ wake: request.wake, at: 0 }).bootInMs).toBe(Infinity);
  });

  test('bad options are refused with a clear RangeError and the device keeps running', async () => {
    const reasons: ResetReason[] = [];
    const hal = boot(storage(), reasons);
    const sleep = (options: unknown) => () => hal.system.deepSleep!(options as never);
    expect(sleep({})).toThrow(/give ms or a wake pin/);
    expect(sleep({ ms: -5 })).toThrow(/ms must be a number > 0/);
    expect(sleep({ ms: Number.NaN })).toThrow(RangeError);
    expect(sleep({ wake: [{ pin: 22, level: 0 }] })).toThrow(/pin 22 cannot wake this board .*wake pins: 0, 2, 4, 12/);
    expect(sleep({ wake: [{ pin: 33, level: 2 }] })).toThrow(/level of pin 33 must be 0 or 1/);
    expect(sleep({ wake: [{ pin: 33, level: 0 }, { pin: 33, level: 1 }] })).toThrow(/pin 33 given twice/);
    expect(sleep({ wake: 33 })).toThrow(/wake must be an array/);
    expect(sleep(null)).toThrow(/options object/);
    let fired = 0;
    hal.timers.set(() => fired++, 10);
    step(hal, 20);
    await Promise.resolve();
    expect(fired).toBe(1);
    expect(reasons).toEqual([]);
    expect(hal.system.deepSleepRequest).toBeUndefined();
  });

  test('the rules: any pin where the board lists none; a host can turn the capability off', () => {
    expect(deepSleepProblem({ wake: [{ pin: 26, level: 1 }] })).toBeUndefined();
    expect(deepSleepProblem({ ms: 1 }, [])).toBeUndefined();
    const plain = createHostHal({ storage: storage(), board: simBoard, system: { deepSleep: false } });
    expect(plain.system.deepSleep).toBeUndefined();
    expect(plain.system.wakeCause).toBeUndefined();
    const any = createHostHal({ storage: storage(), board: simBoard });
    expect(() => any.system.deepSleep!({ wake: [{ pin: 26, level: 1 }] })).not.toThrow();
  });
});
