// openParts: a device's parts table opened against a board in order; a part that fails is left out and reported
// (a required one stops the boot); close() goes in reverse order and past a part that fails to close; callbacks
// reach the app's events as the table routes them.
import { describe, expect, test } from '@jest/globals';
import { DOOR_READER } from '../../firmware/apps/door-reader/index.js';
import { SOS_BUTTON } from '../../firmware/apps/sos-button/index.js';
import type { LevelReading } from '../../firmware/drivers/level-reading.js';
import { a02yyuw } from '../../firmware/parts/a02yyuw.js';
import { button } from '../../firmware/parts/button.js';
import { contact } from '../../firmware/parts/contact.js';
import { indicator } from '../../firmware/parts/indicator.js';
import { openParts } from '../../firmware/parts/open-parts.js';
import type { Part } from '../../firmware/parts/part.js';
import { vl53l1x } from '../../firmware/parts/vl53l1x.js';
import { simBoard } from '../../hal/boards/sim.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import { createHostHal, SteppedClock, type HostHal } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';
import type { Board } from '../../hal/contract/board.js';
import { attachA02yyuw } from '../../simulator/chips/a02yyuw.js';
import { attachVl53l1x } from '../../simulator/chips/vl53l1x.js';

const BOARD = Object.freeze({
  name: 'test-board',
  pin: Object.freeze({ led: 2, buzzer: 4, lid: 13, key: 14 }),
  activeLow: Object.freeze(['buzzer' as const]),
}) satisfies Board;

type SteppedHal = HostHal & { readonly clock: SteppedClock };

function hal(board: Board = BOARD): SteppedHal {
  return createHostHal({ storage: createHostStorage(), board, clock: new SteppedClock() }) as SteppedHal;
}

function options<Events>(on: HostHal, events: Events, log: string[] = []) {
  return { device: on.device, timers: on.timers, clock: on.clock, events, log: (message: string) => log.push(message) };
}

/** A part that records its opening and closing in `trail`, and fails where told. */
function recorded(name: string, trail: string[], fail: { open?: boolean; close?: boolean; required?: true } = {}): Part {
  return {
    kind: 'recorded',
    pins: {},
    ...(fail.required ? { required: true } : {}),
    open() {
      if (fail.open) throw new Error(`${name} is not answering`);
      trail.push(`open ${name}`);
      return {
        close() {
          trail.push(`close ${name}`);
          if (fail.close) throw new Error(`${name} stuck`);
        },
      };
    },
  };
}

describe('openParts', () => {
  test('opens in table order, reports and logs the parts that fail, and runs without them', () => {
    const trail: string[] = [];
    const log: string[] = [];
    const opened = openParts({ a: recorded('a', trail), b: recorded('b', trail, { open: true }), c: recorded('c', trail) }, options(hal(), {}, log));
    expect(trail).toEqual(['open a', 'open c']);
    expect(opened.parts.a).toBeDefined();
    expect(opened.parts.b).toBeUndefined();
    expect(opened.problems).toEqual({ b: 'b is not answering' });
    expect(opened.health()).toEqual({ hardware: { b: 'b is not answering' } });
    expect(log).toEqual(['b not available: b is not answering']);
  });

  test('all opened: no hardware field in health; an entry left undefined is not fitted and not a problem', () => {
    const trail: string[] = [];
    const opened = openParts({ a: recorded('a', trail), b: undefined }, options(hal(), {}));
    expect(opened.parts.b).toBeUndefined();
    expect(opened.problems).toEqual({});
    expect(opened.health()).toEqual({});
  });

  test('a required part that fails closes what was opened and throws', () => {
    const trail: string[] = [];
    const table = { a: recorded('a', trail), b: recorded('b', trail), lock: recorded('lock', trail, { open: true, required: true }), c: recorded('c', trail) };
    expect(() => openParts(table, options(hal(), {}))).toThrow('lock: lock is not answering');
    expect(trail).toEqual(['open a', 'open b', 'close b', 'close a']);
  });

  test('closes in reverse order, past a part that fails to close, once', () => {
    const trail: string[] = [];
    const opened = openParts({ a: recorded('a', trail), b: recorded('b', trail, { close: true }), c: recorded('c', trail) }, options(hal(), {}));
    opened.close();
    opened.close();
    expect(trail).toEqual(['open a', 'open b', 'open c', 'close c', 'close b', 'close a']);
  });

  test('resolves pin names on the board (active-low outputs as the board says) and routes callbacks to the events', () => {
    const host = hal();
    const events: string[] = [];
    const table = {
      led: indicator({ pin: 'led' }),
      buzzer: indicator({ pin: 'buzzer' }),
      lid: contact({ pin: 'lid', on: { change: 'lid' } }),
      key: button({ pin: 'key', longPressMs: 500, on: { press: 'pressed', release: 'released' } }),
    };
    const opened = openParts(table, options(host, {
      lid: (closed: boolean) => events.push(`lid ${closed ? 'closed' : 'open'}`),
      pressed: () => events.push('pressed'),
      released: (heldMs: number) => events.push(`released after ${heldMs} ms`),
    }));
    expect(host.io.pin(BOARD.pin.led).level).toBe(0);
    expect(host.io.pin(BOARD.pin.buzzer).level).toBe(1); // off, active-low
    host.io.pin(BOARD.pin.lid).setInput(0);
    host.io.pin(BOARD.pin.key).setInput(0);
    host.clock.advance(600); // held past the long press, which the table routes nowhere
    host.io.pin(BOARD.pin.key).setInput(1);
    host.clock.advance(100);
    expect(events).toEqual(['pressed', 'lid closed', 'released after 600 ms']); // debounced: 30 ms, 50 ms
    opened.close();
  });

  test('a board without a pin the table names (a Hal built by hand bypasses the types): a reported problem', () => {
    const opened = openParts(SOS_BUTTON.parts, options(hal(BOARD), { motion() {}, press() {}, longPress() {}, release() {} }));
    expect(opened.problems).toEqual({
      accel: 'no I2C bus',
      battery: 'board test-board has no "battery" pin',
      vibration: 'board test-board has no "vibration" pin',
      button: 'board test-board has no "button" pin',
    });
    expect(opened.parts.led).toBeDefined();
    opened.close();
  });

  test('the door reader on the SOS button board does not start: its relay is required', () => {
    const events = { doorClosed() {}, exit() {}, wiegand() {}, nfcCard() {}, qr() {} };
    expect(() => openParts(DOOR_READER.parts, options(hal(simSosButton), events))).toThrow('relay: board sim-sos-button has no "relay" pin');
  });

  test('level sensors: the app measures through the opened parts and gets readings; a missing ToF is reported', () => {
    const host = hal(simBoard);
    const readings: string[] = [];
    attachA02yyuw(host.io, { port: simBoard.serial.reader.port, timers: host.timers, mode: 'triggered', reading: () => 640 });
    const tof = attachVl53l1x(host.io, { port: simBoard.i2c.port, clock: host.clock, reading: () => ({ mm: 420 }) });
    const table = {
      sonar: a02yyuw({ serial: 'reader', mode: 'triggered', on: { reading: 'level0' } }),
      tof: vl53l1x({ distanceMode: 'short', timingBudgetMs: 20, on: { reading: 'level1' } }),
      absent: vl53l1x({ address: 0x30, on: { reading: 'level1' } }),
    };
    const shown = (r: LevelReading) => ('mm' in r ? `${r.mm} mm` : r.fault);
    const opened = openParts(table, options(host, {
      level0: (r: LevelReading) => readings.push(`sonar ${shown(r)}`),
      level1: (r: LevelReading) => readings.push(`tof ${shown(r)}`),
    }));
    expect(opened.problems).toEqual({ absent: 'I2C write failed: no device at 0x30 on port 0' });
    expect(tof.register(0x4b)).toBe(0x0a); // short mode waits for the calibration ranging to end
    opened.parts.sonar?.measure();
    opened.parts.tof?.measure();
    host.clock.advance(300);
    expect(readings).toEqual(['sonar 640 mm', 'tof 420 mm']);
    expect(tof.register(0x4b)).toBe(0x14);
    opened.close();
    expect(host.clock.pendingTimers).toBe(0);
  });
});
