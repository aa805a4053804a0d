// The station's commands and settings on the stepped clock: tare and calibrate (then a known deposit weighs
// right), status, measure, invalid arguments refused with reasons, config changes applied; a resident by QR
// code; a one-compartment station; a station missing a part.
import { describe, expect, test } from '@jest/globals';
import { SMART_BIN_PARTS } from '../../firmware/apps/smart-bin/parts.js';
import { credentialHash } from '../../firmware/identity/credential-hash.js';
import { toHex } from '../../firmware/lib/hex.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { simSmartBin } from '../../hal/boards/sim-smart-bin.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import { SmartBinDevice, type SmartBinDeviceOptions } from './smart-bin-device.js';

const crypto = createHostCrypto();

function station(options: SmartBinDeviceOptions = {}): SmartBinDevice {
  const bin = new SmartBinDevice(options).boot();
  bin.advance(3000);
  return bin;
}

/** Maintenance: the lid opened by a signed command, a weight put in (no bag), the lid shut again. */
function putIn(bin: SmartBinDevice, c: number, grams: number): void {
  expect(bin.signedOpen(c, 5).code).toBe('ok');
  bin.advance(2000);
  bin.world.drop(c, grams, 0.5, false);
  bin.advance(8000);
  expect(bin.app.compartments[c]!.lid.state).toBe('closed');
}

describe('tare and calibrate', () => {
  test('tare, a known weight, calibrate: a deposit then weighs within 2 % (uncalibrated the cell is 3 % off)', () => {
    const bin = station();
    expect(bin.command('smart-bin.tare', { c: 0 })).toMatchObject({ code: 'ok', data: { c: 0, weighing: true } });
    bin.advance(3000);
    expect(bin.data('bin.tared')).toEqual([expect.objectContaining({ c: 0, why: 'command', driftG: expect.any(Number) })]);

    putIn(bin, 0, 5000);
    expect(bin.command('smart-bin.calibrate', { c: 0, grams: 5000 })).toMatchObject({ code: 'ok', data: { c: 0, weighing: true } });
    bin.advance(3000);
    const [calibrated] = bin.data('bin.calibrated');
    expect(calibrated).toMatchObject({ c: 0, grams: 5000 });
    expect(calibrated).not.toHaveProperty('refused');
    expect(calibrated!.countsPerGram as number).toBeCloseTo(103, 0); // the simulated cell: 3 % over nominal
    expect(bin.command('smart-bin.status').data).toMatchObject({ compartments: [expect.objectContaining({ calibrated: true }), expect.anything()] });
    // Kept across a restart.
    bin.powerCycle(2000);
    bin.advance(5000);
    expect(bin.app.compartments[0]!.scale!.calibration).toMatchObject({ calibrated: true });

    bin.deposit('alice', 0, 1200);
    bin.advance(25_000);
    const [deposit] = bin.data('bin.deposit');
    expect(Math.abs((deposit!.grams as number) - 1200)).toBeLessThanOrEqual(24);
  });

  test('calibrating with nothing on the tared scale is refused in bin.calibrated, and the calibration stays', () => {
    const bin = station();
    bin.command('smart-bin.tare', { c: 1 });
    bin.advance(3000);
    expect(bin.command('smart-bin.calibrate', { c: 1, grams: 5000 }).code).toBe('ok');
    bin.advance(3000);
    expect(bin.data('bin.calibrated')).toEqual([expect.objectContaining({ c: 1, refused: expect.any(String) })]);
    expect(bin.app.compartments[1]!.scale!.calibration.calibrated).toBe(false);
  });

  test('tare with the lid open is rejected', () => {
    const bin = station();
    bin.signedOpen(0, 30);
    bin.advance(2000);
    expect(bin.command('smart-bin.tare', { c: 0 })).toMatchObject({ code: 'rejected', reason: expect.stringMatching(/lid is open/) });
    bin.advance(3000);
    expect(bin.data('bin.tared')).toEqual([]);
  });
});

describe('status and measure', () => {
  test('status: each compartment, temperature, tilt, alarms, the deposit in progress', () => {
    const bin = station();
    bin.minutes(2);
    const status = bin.command('smart-bin.status');
    expect(status.code).toBe('ok');
    expect(status.data).toEqual({
      compartments: [
        { c: 0, category: 'recyclable', lid: 'closed', fillPct: expect.any(Number), full: false, calibrated: false, faultyBursts: 0 },
        { c: 1, category: 'other', lid: 'closed', fillPct: expect.any(Number), full: false, calibrated: false, faultyBursts: 0 },
      ],
      tempC: expect.closeTo(20, 0),
      tiltDeg: 0,
      alarms: [],
      deposit: null,
    });
    bin.deposit('alice', 1, 500);
    bin.advance(4000);
    expect(bin.command('smart-bin.status').data).toMatchObject({ deposit: 1, compartments: [expect.anything(), expect.objectContaining({ lid: 'open' })] });
  });

  test('measure: a burst now on the compartments asked for, and their last levels', () => {
    const bin = station();
    bin.minutes(2);
    bin.world.fill(1, 50);
    const measured = bin.command('smart-bin.measure', { c: 1 });
    expect(measured).toMatchObject({ code: 'ok', data: { measuring: [1], last: [expect.objectContaining({ c: 1, why: 'request' })] } });
    expect((measured.data as { last: { fillPct: number }[] }).last[0]!.fillPct).toBeLessThan(10); // before this burst
    bin.advance(5000);
    const again = bin.command('smart-bin.measure');
    const last = (again.data as { last: { c: number; fillPct: number }[] }).last;
    expect(last.map((level) => level.c)).toEqual([0, 1]);
    expect(Math.abs(last[1]!.fillPct - bin.world.compartments[1]!.physics.truePct)).toBeLessThan(5);
  });
});

describe('invalid arguments', () => {
  test.each([
    ['smart-bin.tare', { c: 0, force: true }, /args\.force: not allowed/],
    ['smart-bin.tare', {}, /args\.c/],
    ['smart-bin.tare', { c: 2 }, /compartments 0–1/],
    ['smart-bin.tare', { c: -1 }, /compartments 0–1/],
    ['smart-bin.tare', { c: 0.5 }, /args\.c/],
    ['smart-bin.tare', { c: '0' }, /args\.c/],
    ['smart-bin.calibrate', { c: 0 }, /args\.grams/],
    ['smart-bin.calibrate', { c: 0, grams: 50 }, /args\.grams/],
    ['smart-bin.calibrate', { c: 0, grams: 100_001 }, /args\.grams/],
    ['smart-bin.calibrate', { c: 0, grams: 500.5 }, /args\.grams/],
    ['smart-bin.calibrate', { c: 0, grams: '500' }, /args\.grams/],
    ['smart-bin.calibrate', { c: 4, grams: 500 }, /compartments 0–1/],
    ['smart-bin.calibrate', { c: 0, grams: 500, kg: 1 }, /args\.kg: not allowed/],
    ['smart-bin.measure', { c: 7 }, /compartments 0–1/],
    ['smart-bin.measure', { all: true }, /args\.all: not allowed/],
  ])('%s %j is refused invalid', (name, args, reason) => {
    const bin = station();
    const calibration = bin.storage.kv.get('bin', 'cal0');
    const result = bin.command(name, args);
    expect(result.code).toBe('invalid');
    expect(result.reason).toMatch(reason);
    bin.advance(3000);
    expect(bin.events(/^bin\.(tared|calibrated)$/)).toEqual([]);
    expect(bin.storage.kv.get('bin', 'cal0')).toEqual(calibration);
  });
});

describe('config', () => {
  test('thresholds, lid time and credit rules apply as they change', () => {
    const bin = station({ config: { measureS: 120, reportS: 1800 } });
    bin.world.fill(0, 55); // a heap about 60 % high
    bin.minutes(5);
    expect(bin.app.compartments[0]!.pipeline.full).toBe(false);
    const settings = { measureS: 120, reportS: 1800, highPct: 55, lowPct: 5, creditsRecyclable: 100, lidOpenS: 5 };
    bin.configure(settings); // a desired document is whole: what it leaves out takes the default
    bin.minutes(5);
    const level = bin.data('bin.level').filter((l) => l.c === 0).at(-1)!;
    expect(level).toMatchObject({ highPct: 55, lowPct: 5, full: true, why: 'crossing' });

    bin.deposit('alice', 1, 1000); // compartment 0 is full now: the other one
    bin.advance(4000);
    expect(bin.app.compartments[1]!.lid.state).toBe('open');
    bin.advance(5000); // lidOpenS 5: shut by itself already
    expect(bin.app.compartments[1]!.lid.state).toBe('closed');
    bin.advance(10_000);
    bin.configure({ ...settings, categories: 'recyclable,recyclable' }); // applies from the next restart
    expect(bin.app.compartments[1]!.category).toBe('other');
    bin.powerCycle(2000);
    bin.advance(5000);
    expect(bin.app.compartments[1]!.category).toBe('recyclable');
    bin.deposit('alice', 1, 1000);
    bin.advance(15_000);
    const deposits = bin.data('bin.deposit');
    expect(deposits[0]).toMatchObject({ c: 1, category: 'other', credits: 0 });
    expect(deposits[1]).toMatchObject({ c: 1, category: 'recyclable', credits: Math.floor(((deposits[1]!.grams as number) * 100) / 1000) });
  });

  test('a lower fireC raises fire at a temperature that was fine before', () => {
    const bin = new SmartBinDevice({ config: { watchS: 10 } });
    bin.world.setTemperature(50); // a hot summer afternoon from the start (a fast rise is a fire of its own)
    bin.boot();
    bin.minutes(2);
    expect(bin.data('alarm.raised')).toEqual([]);
    bin.configure({ watchS: 10, fireC: 45 });
    bin.minutes(1);
    expect(bin.data('alarm.raised')).toEqual([expect.objectContaining({ cause: 'fire' })]);
  });

  test('a value out of range is refused and the setting stays', () => {
    const bin = station();
    bin.configure({ highPct: 30 });
    bin.advance(2000);
    expect(bin.runtime.config.number('highPct')).toBe(80);
    expect(bin.app.compartments[0]!.pipeline.settings.highPct).toBe(80);
  });
});

describe('residents by QR code', () => {
  test('a resident QR code, then the button: the deposit is credited to the QR credential hash', () => {
    const bin = station();
    bin.world.scanQr('RESIDENT-ALICE');
    bin.advance(1000);
    bin.world.compartments[0]!.pendingDrop = { grams: 700, litres: 3, bag: true };
    bin.world.pressSelect(0);
    bin.advance(25_000);
    const qrHash = toHex(credentialHash(crypto, DEMO_KEYS.hashKey, 'qr', 'RESIDENT-ALICE'));
    expect(bin.data('bin.deposit')).toEqual([expect.objectContaining({ c: 0, via: 'qr', resident: qrHash })]);
    expect(JSON.stringify(bin.events())).not.toContain('RESIDENT-ALICE');
  });
});

describe('other stations', () => {
  const ONE_COMPARTMENT = {
    ...SMART_BIN_PARTS,
    level1: undefined, lid1: undefined, lidSwitch1: undefined, obstacle1: undefined, scale1: undefined, select1: undefined,
  };

  test('one compartment: the card alone opens its only lid', () => {
    const bin = station({ parts: ONE_COMPARTMENT });
    expect(bin.app.compartments).toHaveLength(1);
    bin.world.compartments[0]!.pendingDrop = { grams: 900, litres: 4, bag: true };
    bin.world.presentCard('alice');
    bin.advance(3500); // no button: a second's weighing, then the lid's travel
    expect(bin.app.compartments[0]!.lid.state).toBe('open');
    expect(bin.world.lidAngle(0)).toBeGreaterThan(60);
    bin.advance(25_000);
    expect(bin.data('bin.deposit')).toEqual([expect.objectContaining({ c: 0, category: 'recyclable' })]);
    expect(bin.command('smart-bin.tare', { c: 1 })).toMatchObject({ code: 'invalid', reason: expect.stringMatching(/compartments 0–0/) });
    expect(bin.runtime.health().hardware).toBeUndefined(); // left out of the table: not fitted, not a fault
  });

  test('a board without compartment 0\'s scale: the station runs, health names the part, deposits there are refused noScale', () => {
    const { scale0Data: _gone, ...pins } = simSmartBin.pin;
    const bin = station({ board: { ...simSmartBin, pin: pins } });
    expect(bin.runtime.health().hardware).toEqual({ scale0: expect.stringMatching(/scale0Data/) });
    expect(bin.command('smart-bin.tare', { c: 0 })).toMatchObject({ code: 'failed', reason: expect.stringMatching(/no working scale/) });
    bin.deposit('alice', 0, 800);
    bin.advance(25_000);
    expect(bin.data('bin.refused')).toEqual([expect.objectContaining({ c: 0, reason: 'noScale' })]);
    expect(bin.data('bin.deposit')).toEqual([]);
    // The other compartment weighs and credits as usual.
    bin.deposit('alice', 1, 800);
    bin.advance(25_000);
    expect(bin.data('bin.deposit')).toEqual([expect.objectContaining({ c: 1 })]);
  });

  test('a board without compartment 0\'s level sensor port: no level and no sensor fault there, deposits as usual', () => {
    const { level0: _gone, ...serial } = simSmartBin.serial;
    const bin = station({ board: { ...simSmartBin, serial }, config: { measureS: 120, faultBursts: 2 } });
    expect(bin.runtime.health().hardware).toEqual({ level0: expect.stringMatching(/level0/) });
    bin.minutes(10);
    expect(bin.data('bin.level').map((level) => level.c)).not.toContain(0);
    expect(bin.data('bin.level').map((level) => level.c)).toContain(1);
    expect(bin.data('alarm.raised')).toEqual([]); // a sensor that is not there is not a faulty one: health says it
    bin.deposit('alice', 0, 800);
    bin.advance(25_000);
    expect(bin.data('bin.deposit')).toEqual([expect.objectContaining({ c: 0 })]);
  });

  test('a board without the thermistor: no fire watch, levels uncompensated, the station runs', () => {
    const { temperature: _gone, ...pins } = simSmartBin.pin;
    const bin = station({ board: { ...simSmartBin, pin: pins }, config: { measureS: 120, watchS: 10 } });
    expect(bin.runtime.health().hardware).toEqual({ temperature: expect.stringMatching(/temperature/) });
    bin.world.fill(0, 30);
    bin.minutes(5);
    const level = bin.data('bin.level').filter((l) => l.c === 0).at(-1)!;
    expect(level).toMatchObject({ status: 'ok' });
    expect(level).not.toHaveProperty('tempC');
    expect(bin.command('smart-bin.status').data).toMatchObject({ tempC: null });
  });
});
