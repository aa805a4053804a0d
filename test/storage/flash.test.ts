// SimulatedFlash: NOR semantics, wear counters, power-loss injection (clean and torn), file persistence.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PowerLoss, SimulatedFlash } from '../../hal/host/storage/flash.js';

const bytes = (buffer: ArrayBuffer) => Array.from(new Uint8Array(buffer));

describe('NOR semantics', () => {
  test('starts erased, a write ANDs, an erase restores 0xFF in that block only', () => {
    const flash = new SimulatedFlash({ byteLength: 256, blockSize: 64 });
    expect(flash.blockCount).toBe(4);
    expect(bytes(flash.read(60, 8))).toEqual(new Array(8).fill(0xff));
    flash.write(62, 4, new Uint8Array([0xf0, 0x0f, 0x12, 0x34]));
    flash.write(62, 4, new Uint8Array([0x0f, 0xff, 0xff, 0x30]));
    expect(bytes(flash.read(62, 4))).toEqual([0x00, 0x0f, 0x12, 0x30]);
    flash.erase(0);
    expect(bytes(flash.read(62, 4))).toEqual([0xff, 0xff, 0x12, 0x30]);
    flash.erase(1);
    expect(bytes(flash.read(62, 4))).toEqual([0xff, 0xff, 0xff, 0xff]);
  });

  test('reads are copies and writes copy their source', () => {
    const flash = new SimulatedFlash({ byteLength: 128, blockSize: 64 });
    const source = new Uint8Array([1, 2, 3]);
    flash.write(0, 3, source.buffer as ArrayBuffer);
    source[0] = 0;
    const read = new Uint8Array(flash.read(0, 3));
    read[1] = 0;
    expect(bytes(flash.read(0, 3))).toEqual([1, 2, 3]);
  });

  test('writes only byteLength bytes of a longer buffer', () => {
    const flash = new SimulatedFlash({ byteLength: 64, blockSize: 64 });
    flash.write(0, 2, new Uint8Array([1, 2, 3, 4]));
    expect(bytes(flash.read(0, 4))).toEqual([1, 2, 0xff, 0xff]);
  });

  test('rejects out-of-range access and bad geometry', () => {
    const flash = new SimulatedFlash({ byteLength: 128, blockSize: 64 });
    expect(() => flash.read(120, 9)).toThrow(RangeError);
    expect(() => flash.write(-1, 1, new Uint8Array(1))).toThrow(RangeError);
    expect(() => flash.write(0, 4, new Uint8Array(2))).toThrow(RangeError);
    expect(() => flash.erase(2)).toThrow(RangeError);
    expect(() => new SimulatedFlash({ byteLength: 100, blockSize: 64 })).toThrow(RangeError);
  });

  test('strict mode refuses a write that needs a 0 bit to become 1', () => {
    const flash = new SimulatedFlash({ byteLength: 64, blockSize: 64, strict: true });
    flash.write(0, 1, new Uint8Array([0x0f]));
    flash.write(0, 1, new Uint8Array([0x03]));
    expect(() => flash.write(0, 1, new Uint8Array([0x10]))).toThrow(/erase first/);
    expect(bytes(flash.read(0, 1))).toEqual([0x03]);
  });

  test('counts writes, erases per block and bytes written', () => {
    const flash = new SimulatedFlash({ byteLength: 192, blockSize: 64 });
    flash.write(0, 10, new Uint8Array(10));
    flash.erase(2);
    flash.erase(2);
    flash.erase(0);
    expect(flash.writes).toBe(1);
    expect(flash.bytesWritten).toBe(10);
    expect(flash.erases).toBe(3);
    expect(flash.eraseCounts).toEqual([1, 0, 2]);
  });
});

describe('power loss', () => {
  test('the (n+1)-th mutation is cut cleanly and the device stays dead until powerOn', () => {
    const flash = new SimulatedFlash({ byteLength: 128, blockSize: 64 });
    flash.failAfterWrites(2);
    flash.write(0, 1, new Uint8Array([0x01]));
    flash.erase(1);
    expect(() => flash.write(1, 2, new Uint8Array([0, 0]))).toThrow(PowerLoss);
    expect(() => flash.read(0, 1)).toThrow(PowerLoss);
    expect(() => flash.erase(0)).toThrow(PowerLoss);
    expect(() => flash.write(0, 1, new Uint8Array(1))).toThrow(PowerLoss);
    flash.powerOn();
    expect(bytes(flash.read(0, 3))).toEqual([0x01, 0xff, 0xff]);
    expect(flash.writes).toBe(1);
    // No cut is pending after powerOn.
    for (let i = 0; i < 10; i++) flash.write(10 + i, 1, new Uint8Array([i]));
  });

  test('a torn write lands a prefix, chosen deterministically from the seed', () => {
    const outcomes = new Set<number>();
    for (let seed = 1; seed <= 40; seed++) {
      const landed = tornWrite(seed);
      expect(tornWrite(seed)).toEqual(landed);
      // What landed is a prefix of the data, the rest untouched.
      const count = landed.findIndex((value) => value === 0xff);
      const prefix = count < 0 ? landed.length : count;
      expect(landed.slice(0, prefix)).toEqual(Array.from({ length: prefix }, (_, i) => i));
      expect(landed.slice(prefix).every((value) => value === 0xff)).toBe(true);
      outcomes.add(prefix);
    }
    expect(outcomes.size).toBeGreaterThan(5);
  });

  test('a torn erase leaves the block partly erased and other blocks alone', () => {
    let partial = 0;
    for (let seed = 1; seed <= 30; seed++) {
      const flash = new SimulatedFlash({ byteLength: 192, blockSize: 64, seed });
      flash.write(0, 192, new Uint8Array(192));
      flash.failAfterWrites(0, { torn: true });
      expect(() => flash.erase(1)).toThrow(PowerLoss);
      flash.powerOn();
      const content = flash.snapshot();
      expect(content.subarray(0, 64).every((value) => value === 0)).toBe(true);
      expect(content.subarray(128).every((value) => value === 0)).toBe(true);
      const block = Array.from(content.subarray(64, 128));
      const erased = block.filter((value) => value === 0xff).length;
      // The erased bytes form one span.
      const firstErased = block.indexOf(0xff);
      if (erased > 0) expect(block.slice(firstErased, firstErased + erased).every((value) => value === 0xff)).toBe(true);
      if (erased > 0 && erased < 64) partial++;
      expect(flash.eraseCounts[1]).toBe(1);
    }
    expect(partial).toBeGreaterThan(10);
  });
});

describe('file persistence', () => {
  let directory: string;
  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), 'flash-'));
  });
  afterEach(() => rmSync(directory, { recursive: true, force: true }));

  test('content survives reopening, torn writes included', () => {
    const path = join(directory, 'outbox.bin');
    const flash = SimulatedFlash.open(path, 256, 64);
    flash.write(70, 3, new Uint8Array([7, 8, 9]));
    flash.erase(0);
    flash.failAfterWrites(0);
    expect(() => flash.write(200, 1, new Uint8Array([1]))).toThrow(PowerLoss);
    flash.close();
    const again = SimulatedFlash.open(path, 256, 64);
    expect(bytes(again.read(70, 3))).toEqual([7, 8, 9]);
    expect(bytes(again.read(200, 1))).toEqual([0xff]);
    again.close();
  });

  test('a file of another size is refused', () => {
    const path = join(directory, 'small.bin');
    writeFileSync(path, new Uint8Array(100));
    expect(() => SimulatedFlash.open(path, 256, 64)).toThrow(/expected 256/);
  });
});

function tornWrite(seed: number): number[] {
  const flash = new SimulatedFlash({ byteLength: 64, blockSize: 64, seed });
  flash.failAfterWrites(0, { torn: true });
  expect(() => flash.write(0, 16, Uint8Array.from({ length: 16 }, (_, i) => i))).toThrow(PowerLoss);
  flash.powerOn();
  return bytes(flash.read(0, 16));
}
