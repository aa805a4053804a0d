// The keyed credential hashes every resident-identifying device and the platform share (docs/protocol.md §14.4),
// checked against HMAC-SHA256 computed here from the spec with node:crypto: the platform's encoder uses the same
// module, so this is the independent check of the byte layout.
import { createHmac } from 'node:crypto';
import { credentialHash, pinVerifier } from '../../firmware/identity/credential-hash.js';
import { HASH_KEY, readSiteKey, SITE_KEY_DOMAIN, writeSiteKey } from '../../firmware/identity/site-keys.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';

const crypto = createHostCrypto();
const key = new Uint8Array(32).map((_, i) => i + 1);
const hmac = (...parts: (number[] | string | Uint8Array)[]) => {
  const mac = createHmac('sha256', key);
  for (const part of parts) mac.update(typeof part === 'string' ? Buffer.from(part, 'utf8') : Uint8Array.from(part));
  return new Uint8Array(mac.digest());
};

describe('credential hashes (§14.4)', () => {
  test('HMAC(hashKey, kind ‖ secret): card 0x01 over UID bytes, PIN-only 0x02 over digits, QR 0x03 over UTF-8 text', () => {
    const uid = new Uint8Array([0x04, 0xa2, 0x3b, 0x91]);
    expect(credentialHash(crypto, key, 'card', uid)).toEqual(hmac([0x01], uid));
    expect(credentialHash(crypto, key, 'pin', '246810')).toEqual(hmac([0x02], '246810'));
    expect(credentialHash(crypto, key, 'qr', 'résident-7')).toEqual(hmac([0x03], 'résident-7'));
  });

  test('PIN verifier: HMAC(hashKey, 0x10|kind ‖ u16 BE secret length ‖ secret ‖ PIN)', () => {
    const uid = new Uint8Array(300).fill(7);
    expect(pinVerifier(crypto, key, 'card', uid, '1234')).toEqual(hmac([0x11, 0x01, 0x2c], uid, '1234'));
    expect(pinVerifier(crypto, key, 'qr', 'code', '99')).toEqual(hmac([0x13, 0x00, 0x04], 'code', '99'));
  });

  test('a secret longer than 65535 bytes has no PIN verifier', () => {
    expect(() => pinVerifier(crypto, key, 'card', new Uint8Array(0x10000), '1')).toThrow(RangeError);
  });
});

describe('site keys', () => {
  test('the hash key is 32 bytes in domain cred; anything else reads as missing', () => {
    const kv = new MemoryKeyValueStore();
    expect(readSiteKey(kv, HASH_KEY)).toBeUndefined();
    writeSiteKey(kv, HASH_KEY, key);
    expect(kv.get('cred', 'hashKey')).toBeInstanceOf(ArrayBuffer);
    expect(readSiteKey(kv, HASH_KEY)).toEqual(key);
    kv.set(SITE_KEY_DOMAIN, HASH_KEY, new ArrayBuffer(16));
    expect(readSiteKey(kv, HASH_KEY)).toBeUndefined();
    expect(() => writeSiteKey(kv, HASH_KEY, new Uint8Array(31))).toThrow(/hashKey must be 32 bytes/);
  });
});
