// The relay never moves on boot, reset or restart (esp-rfid's #609: its relay fired on restart). The proof is the
// relay pin's history on every boot: the driver writes the resting level once, and nothing else happens until a
// real decision — whatever state the door, the mode or the network were in when the power went.
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { Board } from '../../hal/contract/index.js';
import { DoorReaderDevice, uid } from './door-reader-device.js';

/** Levels written on the relay pin in each boot's first `ms`. */
function writes(d: DoorReaderDevice, ms: number): number[][] {
  return d.relayHistory.map((history) => history.filter((change) => change.at <= ms).map((change) => change.level));
}

describe('the relay at boot', () => {
  it('writes only its resting level once per boot, across power cuts and restart commands', async () => {
    const d = new DoorReaderDevice().boot();
    d.advance(60_000);
    d.powerCycle();
    d.tap(uid('valid')); // the relay works (and is mid-pulse when the power goes)
    d.powerCycle();
    d.advance(60_000);
    expect(d.command('restart').code).toBe('ok');
    d.advance(2000);
    await Promise.resolve();
    expect(d.restarts).toBe(1);
    d.powerCycle();
    d.advance(60_000);
    const perBoot = writes(d, 60_000);
    expect(perBoot).toHaveLength(4);
    expect(perBoot[0]).toEqual([0]);
    expect(perBoot[1]!.slice(0, 1)).toEqual([0]);
    expect(perBoot[1]).toContain(1); // the grant: the pin does move when asked
    expect(perBoot[2]).toEqual([0]);
    expect(perBoot[3]).toEqual([0]);
    for (const history of d.relayHistory) expect(history[0]).toEqual({ at: 0, level: 0 });
    expect(d.relay).toBe(0);
  });

  it('stays still when the device boots with the door open, in lockdown, or after a hold-open', () => {
    const d = new DoorReaderDevice().boot();
    d.signed('door.hold_open', { door: 0 });
    expect(d.relay).toBe(1);
    d.door(true);
    d.powerCycle(); // the door stays open; hold-open is not re-applied by energizing the relay at boot
    d.advance(60_000);
    expect(writes(d, 60_000)[1]).toEqual([0]);
    expect(d.events('door.mode').map((event) => [event.data.mode, event.data.cause])).toEqual([['hold_open', 'command'], ['normal', 'restart']]);
    expect(d.events(/^door\.forced/)).toEqual([]); // open since before boot: not an intrusion we saw
    expect(d.events('door.held_open')).toHaveLength(1); // but it is held open

    d.signed('door.lockdown', { door: 0 });
    d.powerCycle();
    d.advance(60_000);
    expect(writes(d, 60_000)[2]).toEqual([0]);
    expect(d.reader.door.mode).toBe('lockdown');
    d.tap(uid('valid'));
    expect(d.outcomes().at(-1)).toBe('card:lockdown');
  });

  it('with an active-low relay board, writes only the high resting level', () => {
    const board: Board = { ...simDoorReader, name: 'active-low', activeLow: ['relay'] };
    const d = new DoorReaderDevice({ board }).boot();
    d.powerCycle().powerCycle();
    d.advance(10_000);
    expect(writes(d, 10_000)).toEqual([[1], [1], [1]]);
    d.tap(uid('valid'));
    expect(d.relay).toBe(0); // energized
  });
});
