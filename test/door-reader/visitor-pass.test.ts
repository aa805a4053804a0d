// Visitor QR passes: minted by the platform's encoder, scanned on the simulated QR scanner, verified offline.
import { jest } from '@jest/globals';
import { base32Decode, base32Encode } from '../../firmware/lib/base32.js';
import { PASS_USES_CAPACITY, PassUses } from '../../firmware/apps/door-reader/pass-uses.js';
import { PASS_PREFIX, readPass } from '../../firmware/apps/door-reader/visitor-pass.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';
import { doorMask, mintPass, type VisitorPass } from '../../scripts/door/visitor-pass.js';
import { digest } from '../support/door-reader/credential-device.js';
import { DoorReaderDevice, KEYS, WALL_TIME } from './door-reader-device.js';

const NOW_S = WALL_TIME / 1000;

function pass(overrides: Partial<VisitorPass> = {}): VisitorPass {
  return { keyId: KEYS.passKeyId, passId: 42, doors: doorMask([0]), validFrom: NOW_S - 600, validTo: NOW_S + 3600, maxUses: 1, ...overrides };
}

const mint = (overrides: Partial<VisitorPass> = {}, key = KEYS.passKey) => mintPass(key, pass(overrides));

describe('visitor passes at the door', () => {
  it('fit a small QR code in alphanumeric mode and open the door once', () => {
    const text = mint();
    expect(text).toMatch(/^[0-9A-Z $%*+\-./:]+$/); // the QR alphanumeric set
    expect(text.length).toBeLessThanOrEqual(77); // version 3 (29×29) at level L
    const d = new DoorReaderDevice().boot();
    d.scan(text);
    expect(d.relay).toBe(1);
    d.advance(5000);
    d.scan(text);
    expect(d.outcomes()).toEqual(['pass:granted', 'pass:pass_used_up']);
    expect(d.events('access.granted')[0]!.data).toMatchObject({ kind: 'pass', pass: 42, use: 1, maxUses: 1 });
  });

  it('refuses forged passes and never moves the relay for them', () => {
    const good = mint();
    const body = good.slice(PASS_PREFIX.length);
    const flip = (at: number) => `${PASS_PREFIX}${body.slice(0, at)}${body[at] === 'A' ? 'B' : 'A'}${body.slice(at + 1)}`;
    const forged = [
      flip(body.length - 3), // the MAC
      flip(12), // the door mask: the MAC no longer matches
      mint({}, digest('another site')),
      mint({ keyId: KEYS.passKeyId + 1 }),
      good.slice(0, -8),
      `${good}AAAA`,
      `${PASS_PREFIX}${body.toLowerCase()}`,
      `${PASS_PREFIX}not a pass at all`,
    ];
    const d = new DoorReaderDevice().boot();
    for (const text of forged) {
      d.scan(text);
      d.advance(1000);
    }
    expect(d.outcomes()).toEqual(forged.map(() => 'pass:pass_forged'));
    expect(d.relayHistory[0]!.every((change) => change.level === 0)).toBe(true);
    d.scan(good);
    expect(d.outcomes().at(-1)).toBe('pass:granted');
  });

  it('refuses expired, not yet valid and wrong-door passes', () => {
    const d = new DoorReaderDevice().boot();
    for (const text of [
      mint({ validFrom: NOW_S - 7200, validTo: NOW_S - 1 }),
      mint({ validFrom: NOW_S + 60, validTo: NOW_S + 3600 }),
      mint({ doors: doorMask([1, 2]) }),
    ]) {
      d.scan(text);
      d.advance(1000);
    }
    expect(d.outcomes()).toEqual(['pass:pass_expired', 'pass:pass_not_yet_valid', 'pass:pass_wrong_door']);
    expect(d.relay).toBe(0);
  });

  it('counts uses across restarts, one key-value write per use, and refuses the replay', () => {
    const d = new DoorReaderDevice().boot();
    const text = mint({ passId: 7, maxUses: 2 });
    const set = jest.spyOn(d.storage.kv, 'set');
    d.scan(text);
    const passWrites = () => set.mock.calls.filter(([domain, key]) => domain === 'door' && key === 'passUses').length;
    expect(passWrites()).toBe(1);
    d.powerCycle();
    d.scan(text);
    d.advance(5000);
    d.powerCycle();
    d.scan(text);
    expect(passWrites()).toBe(2);
    expect(d.outcomes()).toEqual(['pass:granted', 'pass:granted', 'pass:pass_used_up']);
    const unlimited = mint({ passId: 8, maxUses: 0 });
    for (let i = 0; i < 5; i++) {
      d.scan(unlimited);
      d.advance(5000);
    }
    expect(d.outcomes().slice(3)).toEqual(Array(5).fill('pass:granted'));
    expect(passWrites()).toBe(2);
  });

  it('does not spend a use on a refused scan', () => {
    const d = new DoorReaderDevice().boot();
    d.signed('door.lockdown', { door: 0 });
    const text = mint({ passId: 9 });
    d.scan(text);
    d.signed('door.normal', { door: 0 });
    d.scan(text);
    expect(d.outcomes()).toEqual(['pass:lockdown', 'pass:granted']);
  });
});

describe('pass parts', () => {
  it('base32 round-trips and refuses what is not canonical upper-case base32', () => {
    for (let n = 0; n < 40; n++) {
      const bytes = digest(`b${n}`).subarray(0, n % 33);
      expect(base32Decode(base32Encode(bytes))).toEqual(new Uint8Array(bytes));
    }
    expect(base32Encode(Uint8Array.of(0xff))).toBe('74');
    expect(base32Decode('75')).toBeUndefined(); // leftover bits set
    expect(base32Decode('ab')).toBeUndefined();
    expect(base32Decode('AB=')).toBeUndefined();
  });

  it('reads back every field the encoder wrote', () => {
    const fields = pass({ passId: 0xffff_fffe, doors: 0x8000_0001, maxUses: 255 });
    const reading = readPass(mintPass(KEYS.passKey, fields), { id: KEYS.passKeyId, key: KEYS.passKey }, createHostCrypto());
    expect(reading).toEqual({ ok: true, pass: fields });
    expect(readPass('HELLO', { id: 1, key: KEYS.passKey }, createHostCrypto())).toEqual({ ok: false, reason: 'not_a_pass' });
    expect(readPass(mintPass(KEYS.passKey, fields), undefined, createHostCrypto())).toEqual({ ok: false, reason: 'forged' });
  });

  it('keeps the use table bounded, dropping passes past their window first', () => {
    const kv = new MemoryKeyValueStore();
    const uses = new PassUses(kv);
    for (let id = 1; id <= 100; id++) uses.count(id, 1000, 0); // ends at t = 1000 s
    for (let id = 101; id <= 300; id++) uses.count(id, 5000 + id, 0);
    expect(uses.size).toBe(PASS_USES_CAPACITY);
    expect(uses.uses(300)).toBe(1);
    uses.count(301, 9000, 2000); // the first hundred have expired
    expect(uses.size).toBe(201);
    expect(uses.uses(1)).toBe(0);
    expect(new PassUses(kv).uses(250)).toBe(1);
    expect((kv.get('door', 'passUses') as ArrayBuffer).byteLength).toBeLessThanOrEqual(4000);
  });
});
