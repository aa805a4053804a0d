// RecordLog on a strict SimulatedFlash (any write needing an erased bit would throw): append/read/trim/iterate,
// remounts, wrap-around, sequence numbers across recycling, full log and eviction, flash wear.
import { PowerLoss, SimulatedFlash } from '../../hal/host/storage/flash.js';
import { RecordLog, RecordLogFull } from '../../firmware/runtime/storage/record-log.js';

function flash(blocks = 4, blockSize = 256): SimulatedFlash {
  return new SimulatedFlash({ byteLength: blocks * blockSize, blockSize, strict: true });
}

/** Payload that encodes its seq, of a length that varies with it. */
function payload(seq: number, length = 8 + (seq % 23)): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (seq * 31 + i * 7) & 0xff);
}

function retained(log: RecordLog): number[] {
  return [...log].map((entry) => entry.seq);
}

describe('append, read, trim, iterate', () => {
  test('a fresh log is empty', () => {
    const log = new RecordLog(flash());
    expect([log.first, log.next, log.count, log.bytesUsed]).toEqual([1, 1, 0, 0]);
    expect(log.read(1)).toBeUndefined();
    expect(retained(log)).toEqual([]);
    expect(log.capacityBytes).toBe(4 * (256 - 24));
  });

  test('appends get consecutive seqs and read back byte for byte', () => {
    const log = new RecordLog(flash());
    const seqs = [0, 1, 5, 64, 3].map((length, i) => log.append(payload(i + 1, length)));
    expect(seqs).toEqual([1, 2, 3, 4, 5]);
    for (const seq of seqs) expect(log.read(seq)).toEqual(payload(seq, [0, 1, 5, 64, 3][seq - 1]));
    expect([log.first, log.next, log.count]).toEqual([1, 6, 5]);
    expect(log.read(0)).toBeUndefined();
    expect(log.read(6)).toBeUndefined();
    expect(log.read(2.5)).toBeUndefined();
    expect([...log.entries(3)].map((entry) => entry.seq)).toEqual([3, 4, 5]);
  });

  test('stores a copy of the payload', () => {
    const log = new RecordLog(flash());
    const data = new Uint8Array([1, 2, 3]);
    log.append(data);
    data[0] = 9;
    expect(Array.from(log.read(1)!)).toEqual([1, 2, 3]);
  });

  test('refuses bad payloads without writing', () => {
    const device = flash();
    const log = new RecordLog(device);
    expect(log.maxPayloadBytes).toBe(256 - 24 - 16);
    log.append(new Uint8Array(log.maxPayloadBytes));
    const writes = device.writes;
    expect(() => log.append(new Uint8Array(log.maxPayloadBytes + 1))).toThrow(RangeError);
    expect(() => log.append('text' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => log.trim(Number.NaN)).toThrow(TypeError);
    expect(device.writes).toBe(writes);
    expect(log.next).toBe(2);
  });

  test('trim drops records up to a seq, durably, and ignores trims that change nothing', () => {
    const device = flash();
    const log = new RecordLog(device);
    for (let seq = 1; seq <= 6; seq++) log.append(payload(seq));
    log.trim(3);
    expect([log.first, log.count]).toEqual([4, 3]);
    expect(log.read(3)).toBeUndefined();
    expect(retained(log)).toEqual([4, 5, 6]);
    const writes = device.writes;
    log.trim(2);
    log.trim(3);
    log.trim(-1);
    expect(device.writes).toBe(writes);
    log.trim(1000); // clamps to the last record
    expect([log.first, log.next, log.count]).toEqual([7, 7, 0]);
    const again = new RecordLog(device);
    expect([again.first, again.next, again.count]).toEqual([7, 7, 0]);
    expect(again.append(payload(7))).toBe(7);
  });

  test('iteration survives a trim between steps', () => {
    const log = new RecordLog(flash());
    for (let seq = 1; seq <= 6; seq++) log.append(payload(seq));
    const seen: number[] = [];
    for (const entry of log) {
      seen.push(entry.seq);
      if (entry.seq === 2) log.trim(4);
    }
    expect(seen).toEqual([1, 2, 5, 6]);
  });

  test('a remount sees the same records, trims and next seq', () => {
    const device = flash();
    const log = new RecordLog(device);
    for (let seq = 1; seq <= 12; seq++) log.append(payload(seq));
    log.trim(5);
    const again = new RecordLog(device);
    expect([again.first, again.next, again.count]).toEqual([6, 13, 7]);
    for (let seq = 6; seq <= 12; seq++) expect(again.read(seq)).toEqual(payload(seq));
    expect(again.bytesUsed).toBe(log.bytesUsed);
  });

  test('needs at least two blocks', () => {
    expect(() => new RecordLog(new SimulatedFlash({ byteLength: 256, blockSize: 256 }))).toThrow(RangeError);
  });

  test('mounts over garbage as an empty log and works', () => {
    const device = new SimulatedFlash({
      byteLength: 1024,
      blockSize: 256,
      content: Uint8Array.from({ length: 1024 }, (_, i) => (i * 137 + 11) & 0xff),
    });
    const log = new RecordLog(device);
    expect([log.first, log.next, log.count]).toEqual([1, 1, 0]);
    for (let seq = 1; seq <= 30; seq++) log.appendEvicting(payload(seq));
    const again = new RecordLog(device);
    expect(again.next).toBe(31);
    for (const entry of again) expect(entry.payload).toEqual(payload(entry.seq));
  });
});

describe('wrap-around and sequence numbers', () => {
  test('keeps working over many wraps, with bounded and even wear', () => {
    const device = flash(4, 256);
    let log = new RecordLog(device);
    let appended = 0;
    let recordBytes = 0;
    let trims = 0;
    for (let seq = 1; seq <= 3000; seq++) {
      const data = payload(seq);
      expect(log.append(data)).toBe(seq);
      appended++;
      recordBytes += 16 + ((data.length + 3) & ~3) + 2;
      if (seq % 5 === 0) {
        log.trim(seq - 2);
        trims++;
      }
      if (seq % 97 === 0) {
        log = new RecordLog(device);
        const lastTrim = Math.floor(seq / 5) * 5 - 2;
        expect(retained(log)).toEqual(Array.from({ length: seq - lastTrim }, (_, i) => lastTrim + 1 + i));
        for (const entry of log) expect(entry.payload).toEqual(payload(entry.seq));
      }
    }
    const opened = device.erases;
    const wraps = opened / 4;
    expect(wraps).toBeGreaterThan(50);
    // Each block is erased once per pass of the ring.
    const counts = device.eraseCounts;
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    // Nothing is written beyond the records, their commits, trim markers (a trim that finds the head full goes
    // into the next block's header instead) and one header per block opened.
    expect(device.bytesWritten).toBeLessThanOrEqual(recordBytes + trims * 18 + opened * 20);
    expect(device.bytesWritten).toBeGreaterThanOrEqual(recordBytes + opened * 20);
    expect(device.writes).toBeLessThanOrEqual(2 * appended + 2 * trims + opened);
  });

  test('a seq is never reused, even after every record was trimmed and every block recycled', () => {
    const device = flash(3, 256);
    let log = new RecordLog(device);
    for (let seq = 1; seq <= 10; seq++) log.append(payload(seq));
    log.trim(10);
    log = new RecordLog(device);
    expect([log.first, log.next]).toEqual([11, 11]);
    // Recycle every block, trimming everything as we go, then remount with nothing retained.
    const erasesBefore = device.erases;
    let seq = 11;
    while (device.erases < erasesBefore + 7) {
      expect(log.append(payload(seq))).toBe(seq);
      log.trim(seq);
      seq++;
    }
    expect(device.eraseCounts.every((count) => count >= 2)).toBe(true);
    log = new RecordLog(device);
    expect([log.first, log.next, log.count]).toEqual([seq, seq, 0]);
    expect(log.append(payload(seq))).toBe(seq);
    log = new RecordLog(device);
    expect(retained(log)).toEqual([seq]);
  });

  test('a trim with no room for a marker is carried by the next block header', () => {
    const device = flash(3, 256);
    const log = new RecordLog(device);
    // Fill the first block exactly: 232 bytes of area = 3 records of 56 bytes and one of 64.
    for (let seq = 1; seq <= 3; seq++) log.append(payload(seq, 40));
    log.append(payload(4, 48));
    expect(log.bytesUsed).toBe(232);
    const erases = device.erases;
    log.trim(3);
    expect(device.erases).toBe(erases + 1);
    const again = new RecordLog(device);
    expect([again.first, again.next]).toEqual([4, 5]);
    expect(again.read(4)).toEqual(payload(4, 48));
  });
});

describe('full log', () => {
  function fill(device: SimulatedFlash): RecordLog {
    const log = new RecordLog(device);
    for (let seq = 1; ; seq++) {
      try {
        log.append(payload(seq, 40));
      } catch (error) {
        expect(error).toBeInstanceOf(RecordLogFull);
        return log;
      }
    }
  }

  test('append throws RecordLogFull and writes nothing', () => {
    const device = flash(4, 256);
    const log = fill(device);
    // 4 records of 56 bytes per block.
    expect([log.count, log.next]).toEqual([16, 17]);
    expect(log.capacityBytes - log.bytesUsed).toBe(232 - 4 * 56);
    const writes = device.writes;
    expect(() => log.append(payload(17, 40))).toThrow(RecordLogFull);
    expect(device.writes).toBe(writes);
    expect(log.next).toBe(17);
  });

  test('appendEvicting drops the oldest block and reports how many records it held', () => {
    const device = flash(4, 256);
    const log = fill(device);
    log.trim(1);
    expect(log.read(4)).toEqual(payload(4, 40)); // leaves the read cursor at the end of the oldest block
    expect(log.appendEvicting(payload(17, 40))).toEqual({ seq: 17, evicted: 3 });
    expect([log.first, log.count]).toEqual([5, 13]);
    expect(log.read(4)).toBeUndefined();
    expect(log.read(17)).toEqual(payload(17, 40)); // now at the start of that same block
    expect(log.appendEvicting(payload(18, 40))).toEqual({ seq: 18, evicted: 0 });
    const again = new RecordLog(device);
    expect(retained(again)).toEqual(Array.from({ length: 14 }, (_, i) => i + 5));
    for (const entry of again) expect(entry.payload).toEqual(payload(entry.seq, 40));
    // Eviction keeps going around the ring.
    for (let seq = 19; seq <= 60; seq++) {
      const { seq: got, evicted } = again.appendEvicting(payload(seq, 40));
      expect(got).toBe(seq);
      expect([0, 4]).toContain(evicted);
    }
    expect(again.count).toBeGreaterThanOrEqual(12);
    expect(again.next - again.count).toBe(again.first);
  });

  test('trims while full are durable without room for markers, one record at a time', () => {
    const device = flash(4, 256);
    const log = fill(device);
    const erases = device.erases;
    for (let through = 1; through <= 3; through++) {
      log.trim(through);
      const again = new RecordLog(device);
      expect([again.first, again.count]).toEqual([through + 1, 16 - through]);
    }
    expect(device.erases).toBe(erases);
    // Still full: the oldest block keeps record 4.
    expect(() => log.append(payload(17, 40))).toThrow(RecordLogFull);
    log.trim(4);
    expect(log.append(payload(17, 40))).toBe(17);
    const again = new RecordLog(device);
    expect(retained(again)).toEqual(Array.from({ length: 13 }, (_, i) => i + 5));
  });

  test('a trim while full that spans the oldest block and more', () => {
    const device = flash(4, 256);
    const log = fill(device);
    log.trim(2);
    log.trim(9);
    expect([log.first, log.count]).toEqual([10, 7]);
    const again = new RecordLog(device);
    expect([again.first, again.count, again.next]).toEqual([10, 7, 17]);
    expect(again.bytesUsed).toBeLessThan(again.capacityBytes);
    expect(again.append(payload(17, 40))).toBe(17);
  });
});

describe('damage and interrupted writes', () => {
  test('a record whose commit write was cut is not returned, and its seq goes to the next append', () => {
    const device = flash();
    let log = new RecordLog(device);
    log.append(payload(1));
    const torn = Uint8Array.from({ length: 12 }, (_, i) => 0x40 + i);
    device.failAfterWrites(1); // the record's body lands, its commit does not
    expect(() => log.append(torn)).toThrow(PowerLoss);
    device.powerOn();
    expect(containsBytes(device.snapshot(), torn)).toBe(true);
    log = new RecordLog(device);
    expect([log.first, log.next]).toEqual([1, 2]);
    expect(log.read(2)).toBeUndefined();
    expect(log.append(payload(2))).toBe(2);
    log = new RecordLog(device);
    expect(retained(log)).toEqual([1, 2]);
    expect(log.read(2)).toEqual(payload(2));
  });

  test('a record damaged after it was written is never returned and its seq is not reused', () => {
    const device = flash();
    let log = new RecordLog(device);
    for (let seq = 1; seq <= 3; seq++) log.append(payload(seq, 20));
    // Clear a bit in the payload of record 1 (offset: block data start 24 + record header 16), then of record 3.
    device.write(24 + 16 + 2, 1, new Uint8Array([clearLowestBit(payload(1, 20)[2]!)]));
    expect(log.read(1)).toBeUndefined();
    log = new RecordLog(device);
    expect([log.first, log.next, log.count]).toEqual([1, 4, 3]);
    expect(retained(log)).toEqual([2, 3]);
    device.write(24 + 2 * 36 + 16, 1, new Uint8Array([clearLowestBit(payload(3, 20)[0]!)]));
    log = new RecordLog(device);
    expect(log.next).toBe(4);
    expect(retained(log)).toEqual([2]);
    expect(log.append(payload(4))).toBe(4);
  });

  test('never writes over bytes that are not erased after the end of the head', () => {
    const device = flash(); // strict: writing over them would throw
    let log = new RecordLog(device);
    log.append(payload(1, 20));
    // Stray programmed bytes past the end, behind an erased record header.
    device.write(200, 4, new Uint8Array([0, 0, 0, 0]));
    log = new RecordLog(device);
    const erases = device.erases;
    expect(log.append(payload(2, 20))).toBe(2);
    expect(device.erases).toBe(erases + 1);
    log = new RecordLog(device);
    expect(retained(log)).toEqual([1, 2]);
    expect(log.read(2)).toEqual(payload(2, 20));
  });

  test('an eviction whose erase was cut leaves the evicted block dropped and reusable', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const device = new SimulatedFlash({ byteLength: 1024, blockSize: 256, strict: true, seed });
      let log = new RecordLog(device);
      for (let seq = 1; seq <= 16; seq++) log.append(payload(seq, 40));
      device.failAfterWrites(1, { torn: true }); // the bitmap write lands, the erase is cut part-way
      expect(() => log.appendEvicting(payload(17, 40))).toThrow(PowerLoss);
      device.powerOn();
      log = new RecordLog(device);
      expect([log.first, log.next, log.count]).toEqual([5, 17, 12]);
      expect(log.appendEvicting(payload(17, 40))).toEqual({ seq: 17, evicted: 0 });
      log = new RecordLog(device);
      expect(retained(log)).toEqual(Array.from({ length: 13 }, (_, i) => i + 5));
      for (const entry of log) expect(entry.payload).toEqual(payload(entry.seq, 40));
      expect(device.eraseCounts[0]).toBe(3);
    }
  });
});

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function clearLowestBit(byte: number): number {
  expect(byte).not.toBe(0);
  return byte & (byte - 1);
}
