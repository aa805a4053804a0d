// The ESP32 binding of deep sleep (hal/moddable/system.ts) over a fake of our native (hal/moddable/esp32/
// deep-sleep.c): how wake pins map onto ESP-IDF's wake sources (level-1 pins on ext1 "any high", one level-0 pin
// on ext0 beside them or on ext1 alone), what is refused, and the wake cause read back after the boot, with what
// the timer had left. The native itself is not compiled here (no ESP-IDF toolchain).
import { describe, expect, jest, test } from '@jest/globals';
import type { DeepSleepOptions, WakeCause } from '../../hal/contract/system.js';
import { SteppedClock } from '../../hal/host/clock.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

const BUTTON = 33;
const INT1 = 34;
const DEEP_SLEEP_RESET = 8; // esp_reset_reason_t ESP_RST_DEEPSLEEP

interface FakeNative {
  started: unknown[][];
  start(...args: unknown[]): void;
  cause(): number;
  pins(): number;
  timerLeft(): number;
}

function fakeNative(cause = 0, pins = 0, left = -1): FakeNative {
  const native: FakeNative = {
    started: [],
    start: (...args) => void native.started.push(args),
    cause: () => cause,
    pins: () => pins,
    timerLeft: () => left,
  };
  return native;
}

interface Binding {
  deepSleep?(options: DeepSleepOptions): void;
  wakeCause?(): WakeCause | undefined;
}

/** What the SDK's resetReason module reports to the next system made (the module is imported once). */
let resetCode = DEEP_SLEEP_RESET;

async function system(native: FakeNative, reason = DEEP_SLEEP_RESET): Promise<Binding> {
  resetCode = reason;
  jest.unstable_mockModule('debug', () => ({ default: { gc() {} } }), { virtual: true });
  jest.unstable_mockModule('instrumentation', () => ({ default: { map: () => undefined, get: () => undefined } }), { virtual: true });
  jest.unstable_mockModule('resetReason', () => ({ default: () => ({ reason: resetCode, string: '' }) }), { virtual: true });
  // Not type-checked here: the module is typed against @moddable/typings (tsconfig.moddable.json).
  const path: string = '../../hal/moddable/system.js';
  const { ModdableSystem } = (await import(path)) as { ModdableSystem: new (options: Record<string, unknown>) => Binding };
  const clock = new SteppedClock();
  return new ModdableSystem({
    hardwareId: 'test', firmwareVersion: '0.0.0', timers: clock.timers, clock, kv: createHostStorage({}).kv,
    log: () => {}, deepSleep: native, wakePins: [BUTTON, INT1, 35],
  });
}

describe('ESP32 deep sleep: wake sources', () => {
  test('the button (level 0) beside INT1 (level 1): INT1 on ext1 "any high", the button on ext0', async () => {
    const native = fakeNative();
    const s = await system(native);
    s.deepSleep!({ ms: 60_000, wake: [{ pin: BUTTON, level: 0 }, { pin: INT1, level: 1 }] });
    expect(native.started).toEqual([[60_000, 2 ** INT1, 1, BUTTON]]);
  });

  test('one level for all stays on ext1 alone: the button only, or several pins high', async () => {
    const native = fakeNative();
    const s = await system(native);
    s.deepSleep!({ ms: 1000, wake: [{ pin: BUTTON, level: 0 }] });
    s.deepSleep!({ wake: [{ pin: INT1, level: 1 }, { pin: 35, level: 1 }] });
    expect(native.started).toEqual([[1000, 2 ** BUTTON, 0], [0, 2 ** INT1 + 2 ** 35, 1]]);
  });

  test('two pins at level 0 cannot both wake it, and a pin that is not a wake pin is refused, before any power-down', async () => {
    const native = fakeNative();
    const s = await system(native);
    expect(() => s.deepSleep!({ wake: [{ pin: BUTTON, level: 0 }, { pin: 35, level: 0 }, { pin: INT1, level: 1 }] })).toThrow(/one pin at level 0/);
    expect(() => s.deepSleep!({ wake: [{ pin: 32, level: 1 }] })).toThrow(/cannot wake this board/);
    expect(native.started).toEqual([]);
  });
});

describe('ESP32 deep sleep: the wake cause after the boot', () => {
  test('a pin wake names the pins and what the timer had left', async () => {
    expect((await system(fakeNative(2, 2 ** INT1, 12_345))).wakeCause!()).toEqual({ by: 'pin', pins: [INT1], timerLeftMs: 12_345 });
    expect((await system(fakeNative(2, 2 ** BUTTON, -1))).wakeCause!()).toEqual({ by: 'pin', pins: [BUTTON] }); // no timer armed
  });

  test('a timer wake, and no deep-sleep wake after another reset', async () => {
    expect((await system(fakeNative(1))).wakeCause!()).toEqual({ by: 'timer' });
    expect((await system(fakeNative(2, 2 ** INT1, 5), 1)).wakeCause!()).toBeUndefined(); // power-on
  });
});
