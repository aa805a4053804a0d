// The smart bin's level sensors, A02YYUW (UART) and VL53L1X (I2C), with the virtual IO, stepped clock and
// simulated chips in the same engine. Engine-neutral on purpose: a02yyuw.test.ts runs it on Node and on XS and
// expects the same outcome.
import { SteppedClock } from '../../../hal/host/clock.js';
import { VirtualIo } from '../../../hal/host/io/bus.js';
import { A02yyuw } from '../../../firmware/drivers/a02yyuw/a02yyuw.js';
import type { LevelReading } from '../../../firmware/drivers/level-reading.js';
import { Vl53l1x } from '../../../firmware/drivers/vl53l1x/vl53l1x.js';
import { attachA02yyuw, type A02yyuwHears } from '../../../simulator/chips/a02yyuw.js';
import { attachVl53l1x, type Vl53l1xSees } from '../../../simulator/chips/vl53l1x.js';

const text = (reading: LevelReading) => ('mm' in reading ? `${reading.mm}${reading.signal === undefined ? '' : ` s${reading.signal} a${reading.ambient}`}` : reading.fault);

export function main(): Record<string, unknown> {
  const clock = new SteppedClock();
  const timers = clock.timers;
  const io = new VirtualIo({ clock, defer: (callback) => timers.set(callback, 0) });
  const { Serial, SMBus } = io.classes;
  const readings: string[] = [];
  const record = (who: string) => (reading: LevelReading) => readings.push(`${clock.now()} ${who} ${text(reading)}`);

  const heard: A02yyuwHears[] = [812, 'noEcho', 'silent', 4501, 300];
  const sonar = attachA02yyuw(io, { port: 2, timers, mode: 'triggered', reading: () => heard.shift() ?? 300 });
  const triggered = new A02yyuw({ serial: { port: 2, baud: 9600, io: Serial! }, timers, mode: 'triggered', onReading: record('sonar') });
  for (let i = 0; i < 4; i++) {
    triggered.measure();
    clock.advance(250);
  }
  sonar.badChecksum();
  sonar.raw([0x00, 0xff, 0x13]);
  triggered.measure();
  clock.advance(250);
  triggered.close();
  sonar.detach();

  // The first is what the calibration ranging sees (no reading comes of it).
  const seen: Vl53l1xSees[] = [{ mm: 700 }, { mm: 700 }, { ambient: 30_000 }, 'noEcho', { mm: 45 }];
  const chip = attachVl53l1x(io, { clock, reading: () => seen.shift() ?? { mm: 45 } });
  const tof = new Vl53l1x({ sensor: { data: 21, clock: 22, io: SMBus! }, timers, onReading: record('tof') });
  tof.configure({ distanceMode: 'short', timingBudgetMs: 33 });
  for (let i = 0; i < 4; i++) {
    tof.measure();
    clock.advance(200);
  }
  chip.detach();
  tof.measure();
  clock.advance(200);
  tof.close();

  return { readings, dropped: triggered.dropped, badChecksums: triggered.badChecksums, tofStarts: chip.starts, timersLeft: clock.pendingTimers };
}
