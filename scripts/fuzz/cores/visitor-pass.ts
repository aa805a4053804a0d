// Fuzz core for visitor-pass QR text (firmware/apps/door-reader/visitor-pass.ts) and the door's decision on it
// (decision.ts). Engine-neutral: runs on Node and inside XS. One input is the scanned text's bytes.
//
// Asserted: readPass never throws and answers ok with a pass, or not_a_pass / forged; an accepted pass has every
// field in range, re-encodes to the body that was signed and carries that body's MAC; without the right key a
// pass is never accepted; decidePass never throws and names a known reason.
import type { Crypto } from '../../../hal/contract/crypto.js';
import { base32Decode } from '../../../firmware/lib/base32.js';
import { decidePass } from '../../../firmware/apps/door-reader/decision.js';
import { sameBytes } from '../../../firmware/lib/bytes.js';
import { PASS_BODY_BYTES, PASS_MAC_BYTES, PASS_PREFIX, passBody, type PassKey, readPass } from '../../../firmware/apps/door-reader/visitor-pass.js';
import { fromHex } from '../../../firmware/lib/hex.js';
import { utf8Decode } from '../../../firmware/lib/utf8.js';
import { Prng } from '../prng.js';
import { check } from './invariant.js';

export const FUZZ_PASS_KEY: PassKey = { id: 7, key: fromHex('0f1e2d3c4b5a69788796a5b4c3d2e1f00112233445566778899aabbccddeeff0') };
/** 2027-01-15T08:00:00Z, the fuzzed devices' wall time. */
export const FUZZ_WALL_TIME = 1_800_000_000_000;

const PASS_REASONS = ['granted', 'lockdown', 'pass_not_yet_valid', 'pass_expired', 'pass_wrong_door', 'pass_used_up'];

export function runVisitorPass(input: Uint8Array, runSeed: number, crypto: Crypto): void {
  const rng = new Prng(runSeed);
  // What a scanner hands over is text; bytes that are not UTF-8 become U+FFFD, as a lenient decoder would.
  const text = rng.chance(0.5) ? utf8Decode(input) : String.fromCharCode(...input.subarray(0, 4096));
  // Mostly the site's key; sometimes none, the right id with other key bytes, or the same bytes under id 8.
  const choice = rng.chance(0.9) ? 0 : 1 + rng.below(3);
  const wrongKey: PassKey | undefined = choice === 2 ? { id: FUZZ_PASS_KEY.id, key: crypto.sha256(FUZZ_PASS_KEY.key) } : undefined;
  const key = choice === 0 ? FUZZ_PASS_KEY : choice === 1 ? undefined : choice === 2 ? wrongKey : { id: 8, key: FUZZ_PASS_KEY.key };
  const reading = readPass(text, key, crypto);
  if (!reading.ok) {
    check(reading.reason === 'not_a_pass' || reading.reason === 'forged', () => `readPass refused with reason ${String(reading.reason)}`);
    check(reading.reason === 'forged' || !text.startsWith(PASS_PREFIX), 'a CTV1. text called not_a_pass');
    return;
  }
  check(key !== undefined && choice !== 2, () => `pass accepted with ${key === undefined ? 'no key' : 'a wrong key'}`);
  const pass = reading.pass;
  for (const [field, max] of [['keyId', 0xff], ['passId', 0xffff_ffff], ['doors', 0xffff_ffff], ['validFrom', 0xffff_ffff], ['validTo', 0xffff_ffff], ['maxUses', 0xff]] as const) {
    const value = pass[field];
    check(Number.isInteger(value) && value >= 0 && value <= max, () => `accepted pass has ${field} ${value}`);
  }
  check(pass.keyId === key.id, () => `accepted pass names key ${pass.keyId}, the reader's is ${key.id}`);
  const decoded = base32Decode(text.slice(PASS_PREFIX.length));
  check(decoded !== undefined && decoded.length === PASS_BODY_BYTES + PASS_MAC_BYTES, 'accepted pass text does not decode');
  const body = passBody(pass);
  check(sameBytes(body, decoded.subarray(0, PASS_BODY_BYTES)), 'accepted pass does not re-encode to its signed body');
  const mac = crypto.hmacSha256(key.key, body).subarray(0, PASS_MAC_BYTES);
  check(sameBytes(mac, decoded.subarray(PASS_BODY_BYTES)), 'accepted pass carries a MAC that is not its body\'s');

  const decision = decidePass(pass, rng.below(4), {
    door: rng.below(33), now: FUZZ_WALL_TIME + rng.between(-90_000, 90_000) * 1000, tzOffsetMin: rng.between(-720, 840), lockdown: rng.chance(0.1),
  });
  check(PASS_REASONS.includes(decision.reason), () => `decidePass gave reason ${String(decision.reason)}`);
  check(decision.granted === (decision.reason === 'granted'), 'decision granted and reason disagree');
}
