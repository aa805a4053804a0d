// MemoryKeyValueStore: the device's limits, atomic writes under power loss, JSON persistence; createHostStorage.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHostStorage } from '../../hal/host/storage/index.js';
import { MemoryKeyValueStore, PowerLoss } from '../../hal/host/storage/kv.js';

describe('MemoryKeyValueStore', () => {
  test('stores each value type and lists keys per domain', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('prov', 'site', 'north-gate');
    kv.set('prov', 'port', 1883);
    kv.set('sys', 'armed', false);
    kv.set('sys', 'key', new Uint8Array([1, 2, 3]).buffer as ArrayBuffer);
    expect(kv.get('prov', 'site')).toBe('north-gate');
    expect(kv.get('prov', 'port')).toBe(1883);
    expect(kv.get('sys', 'armed')).toBe(false);
    expect(Array.from(new Uint8Array(kv.get('sys', 'key') as ArrayBuffer))).toEqual([1, 2, 3]);
    expect(kv.get('prov', 'missing')).toBeUndefined();
    expect(kv.keys('prov').sort()).toEqual(['port', 'site']);
    expect(kv.keys('none')).toEqual([]);
    kv.delete('prov', 'site');
    kv.delete('prov', 'site');
    expect(kv.get('prov', 'site')).toBeUndefined();
    expect(kv.keys('prov')).toEqual(['port']);
    expect(kv.writes).toBe(5);
  });

  test('ArrayBuffers are copied in and out', () => {
    const kv = new MemoryKeyValueStore();
    const source = new Uint8Array([9, 9]);
    kv.set('d', 'k', source.buffer as ArrayBuffer);
    source[0] = 0;
    const first = new Uint8Array(kv.get('d', 'k') as ArrayBuffer);
    first[1] = 0;
    expect(Array.from(new Uint8Array(kv.get('d', 'k') as ArrayBuffer))).toEqual([9, 9]);
  });

  test('enforces the device limits: 15-character ASCII names, 3999-byte strings (UTF-8), 4000-byte buffers', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('d'.repeat(15), 'k'.repeat(15), 'x'.repeat(3999));
    kv.set('d', 'k', 'é'.repeat(1999) + 'x');
    kv.set('d', 'b', new ArrayBuffer(4000));
    kv.set('d', 'with space~', 1);
    expect(() => kv.set('d'.repeat(16), 'k', 1)).toThrow(RangeError);
    expect(() => kv.set('d', 'k'.repeat(16), 1)).toThrow(RangeError);
    expect(() => kv.set('d', 'é', 1)).toThrow(/printable ASCII/);
    expect(() => kv.set('d', 'tab\t', 1)).toThrow(/printable ASCII/);
    expect(() => kv.get('d', 'k'.repeat(16))).toThrow(RangeError);
    expect(() => kv.set('', 'k', 1)).toThrow(RangeError);
    expect(() => kv.set('d', 'k', 'x'.repeat(4000))).toThrow(RangeError);
    expect(() => kv.set('d', 'k', 'é'.repeat(2000))).toThrow(RangeError);
    expect(() => kv.set('d', 'b', new ArrayBuffer(4001))).toThrow(RangeError);
    expect(kv.get('d', 'k')).toBe('é'.repeat(1999) + 'x');
  });

  test('rejects what the device cannot store, keeping the old value', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('d', 'k', 7);
    expect(() => kv.set('d', 'k', 1.5)).toThrow(/32-bit integer/);
    expect(() => kv.set('d', 'k', 2 ** 31)).toThrow(RangeError);
    expect(() => kv.set('d', 'k', Number.NaN)).toThrow(RangeError);
    expect(() => kv.set('d', 'k', 'a\u0000b')).toThrow(RangeError);
    expect(() => kv.set('d', 'k', null as unknown as string)).toThrow(TypeError);
    kv.set('d', 'min', -(2 ** 31));
    expect(kv.get('d', 'k')).toBe(7);
    expect(kv.writes).toBe(2);
  });

  test('a write cut by power loss does not happen, and the store is dead until powerOn', () => {
    const kv = new MemoryKeyValueStore();
    kv.set('sys', 'boot', 1);
    kv.failAfterWrites(1);
    kv.set('sys', 'boot', 2);
    expect(() => kv.set('sys', 'boot', 3)).toThrow(PowerLoss);
    expect(() => kv.get('sys', 'boot')).toThrow(PowerLoss);
    expect(() => kv.keys('sys')).toThrow(PowerLoss);
    expect(() => kv.delete('sys', 'boot')).toThrow(PowerLoss);
    kv.powerOn();
    expect(kv.get('sys', 'boot')).toBe(2);
    kv.failAfterWrites(0);
    expect(() => kv.delete('sys', 'boot')).toThrow(PowerLoss);
    kv.powerOn();
    expect(kv.get('sys', 'boot')).toBe(2);
  });

  describe('persistence', () => {
    let directory: string;
    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), 'kv-'));
    });
    afterEach(() => rmSync(directory, { recursive: true, force: true }));

    test('values survive reopening', () => {
      const path = join(directory, 'kv.json');
      const kv = MemoryKeyValueStore.open(path);
      kv.set('prov', 'site', 'ünïcode');
      kv.set('prov', 'port', -5);
      kv.set('prov', 'tls', true);
      kv.set('prov', 'psk', new Uint8Array([0, 255, 16]).buffer as ArrayBuffer);
      kv.set('tmp', 'x', 1);
      kv.delete('tmp', 'x');
      const again = MemoryKeyValueStore.open(path);
      expect(again.get('prov', 'site')).toBe('ünïcode');
      expect(again.get('prov', 'port')).toBe(-5);
      expect(again.get('prov', 'tls')).toBe(true);
      expect(Array.from(new Uint8Array(again.get('prov', 'psk') as ArrayBuffer))).toEqual([0, 255, 16]);
      expect(again.keys('tmp')).toEqual([]);
    });
  });
});

describe('createHostStorage', () => {
  test('kv and partitions share one power supply', () => {
    const storage = createHostStorage({ partitions: { outbox: 8 * 1024, log: { byteLength: 4096, blockSize: 1024 } } });
    const outbox = storage.partition('outbox')!;
    expect(outbox.byteLength).toBe(8192);
    expect(outbox.blockSize).toBe(4096);
    expect(storage.partition('log')!.blockSize).toBe(1024);
    expect(storage.partition('nope')).toBeUndefined();
    storage.failAfterWrites(2);
    storage.kv.set('a', 'b', 1);
    outbox.write(0, 1, new Uint8Array([0]));
    expect(() => storage.kv.set('a', 'b', 2)).toThrow(PowerLoss);
    expect(() => outbox.read(0, 1)).toThrow(PowerLoss);
    storage.powerOn();
    expect(storage.kv.get('a', 'b')).toBe(1);
    expect(storage.power.mutations).toBe(3);
  });

  test('a directory keeps kv and partitions across instances', () => {
    const directory = mkdtempSync(join(tmpdir(), 'storage-'));
    try {
      const first = createHostStorage({ directory, partitions: { outbox: 8192 } });
      first.kv.set('sys', 'boot', 4);
      first.partition('outbox')!.write(5000, 2, new Uint8Array([1, 2]));
      first.close();
      const second = createHostStorage({ directory, partitions: { outbox: 8192 } });
      expect(second.kv.get('sys', 'boot')).toBe(4);
      expect(Array.from(new Uint8Array(second.partition('outbox')!.read(5000, 2)))).toEqual([1, 2]);
      second.close();
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});
