// Button and Contact: settle-based debounce on virtual pins, driven through the stepped clock.
import { describe, expect, jest, test } from '@jest/globals';
import { steppedHal, type SteppedHal } from './io-support.js';
import { Button } from '../../firmware/io/button.js';
import { Contact } from '../../firmware/io/contact.js';

const PIN = 13;

function boot(): SteppedHal {
  return steppedHal();
}

/** Drives the pin through `steps` of [level, ms held]. */
function drive(hal: SteppedHal, steps: [0 | 1, number][], pin = PIN): void {
  for (const [level, ms] of steps) {
    hal.io.pin(pin).setInput(level);
    hal.clock.advance(ms);
  }
}

function button(hal: SteppedHal, extra: { activeLow?: boolean } = {}) {
  const events: string[] = [];
  const instance = new Button({
    io: hal.device.io.Digital, pin: PIN, timers: hal.timers, clock: hal.clock, ...extra,
    onPress: () => events.push(`press@${hal.clock.now()}`),
    onLongPress: () => events.push(`long@${hal.clock.now()}`),
    onRelease: (heldMs) => events.push(`release@${hal.clock.now()}:${heldMs}`),
  });
  return { instance, events };
}

describe('Button', () => {
  test('a bouncy press is one press after the debounce; release reports the held time', () => {
    const hal = boot();
    const { events } = button(hal);
    hal.clock.advance(100);
    drive(hal, [[0, 2], [1, 3], [0, 1], [1, 2], [0, 500]]); // bounces from 100 to 108, then held
    drive(hal, [[1, 1], [0, 1], [1, 100]]); // release at 608 with a bounce
    expect(events).toEqual(['press@138', 'release@640:508']); // first edge of press (100) to first of release (608)
  });

  test('a glitch shorter than the debounce is ignored', () => {
    const hal = boot();
    const { events, instance } = button(hal);
    drive(hal, [[0, 20], [1, 1000]]);
    expect(events).toEqual([]);
    drive(hal, [[0, 29], [1, 1000]]);
    expect(events).toEqual([]);
    expect(instance.pressed).toBe(false);
  });

  test('long press fires once while held, at longPressMs after the press began', () => {
    const hal = boot();
    const { events } = button(hal);
    drive(hal, [[0, 7000], [1, 100]]);
    expect(events).toEqual(['press@30', 'long@2000', 'release@7030:7000']);
  });

  test('a short press has no long press; debounceMs and longPressMs are options', () => {
    const hal = boot();
    const onLongPress = jest.fn();
    const onRelease = jest.fn();
    new Button({
      io: hal.device.io.Digital, pin: PIN, timers: hal.timers, clock: hal.clock,
      debounceMs: 5, longPressMs: 300, onLongPress, onRelease,
    });
    drive(hal, [[0, 299], [1, 1000]]);
    expect(onLongPress).not.toHaveBeenCalled();
    expect(onRelease).toHaveBeenCalledWith(299);
    drive(hal, [[0, 301], [1, 10]]);
    expect(onLongPress).toHaveBeenCalledTimes(1);
  });

  test('a glitch during a hold delays the long press by the debounce but does not lose it', () => {
    const hal = boot();
    const { events } = button(hal);
    drive(hal, [[0, 1990], [1, 5], [0, 3000], [1, 100]]); // a 5 ms glitch at 1990
    expect(events).toEqual(['press@30', 'long@2030', 'release@5025:4995']);
  });

  test('active-high wiring uses a pull-down', () => {
    const hal = boot();
    const { events } = button(hal, { activeLow: false });
    expect(hal.io.pin(PIN).level).toBe(0); // pulled down: not pressed
    drive(hal, [[1, 100], [0, 100]]);
    expect(events).toEqual(['press@30', 'release@130:100']);
  });

  test('a button held at construction is ignored until released', () => {
    const hal = boot();
    hal.io.pin(PIN).setInput(0);
    const { events, instance } = button(hal);
    expect(instance.pressed).toBe(true);
    drive(hal, [[0, 5000], [1, 100], [0, 100], [1, 100]]);
    expect(events).toEqual(['press@5130', 'release@5230:100']);
  });

  test('close() stops events and frees the pin', () => {
    const hal = boot();
    const { events, instance } = button(hal);
    drive(hal, [[0, 10]]);
    instance.close();
    drive(hal, [[0, 5000], [1, 100]]);
    expect(events).toEqual([]);
    expect(hal.io.pin(PIN).owner).toBeUndefined();
    expect(hal.clock.pendingTimers).toBe(0);
  });
});

describe('Contact', () => {
  test('reports settled changes only, with the default 50 ms debounce; active follows', () => {
    const hal = boot();
    const changes: [number, boolean][] = [];
    hal.io.pin(PIN).setInput(0); // door closed: reed switch pulls the line low
    const contact = new Contact({
      io: hal.device.io.Digital, pin: PIN, timers: hal.timers,
      onChange: (active) => changes.push([hal.clock.now(), active]),
    });
    expect(contact.active).toBe(true); // read at construction, not reported
    drive(hal, [[1, 10], [0, 30], [1, 200], [0, 49], [1, 100]]);
    expect(changes).toEqual([[90, false]]);
    expect(contact.active).toBe(false);
    drive(hal, [[0, 100]]);
    expect(changes.at(-1)).toEqual([439, true]);
  });

  test('activeLow=false and a custom debounce', () => {
    const hal = boot();
    const onChange = jest.fn();
    const contact = new Contact({ io: hal.device.io.Digital, pin: PIN, timers: hal.timers, activeLow: false, debounceMs: 5, onChange });
    expect(contact.active).toBe(false);
    drive(hal, [[1, 5]]);
    expect(onChange).toHaveBeenCalledWith(true);
    contact.close();
    expect(hal.io.pin(PIN).owner).toBeUndefined();
  });
});
