// Target `visitor-pass`: QR visitor-pass text (`CTV1.` + base32 of body ‖ MAC). Each input runs the pass core
// (cores/visitor-pass.ts: readPass, decidePass and their properties) and is then scanned at a running door
// reader, whose relay may move only for a pass that verifies with the site pass key (checked here with
// node:crypto). Seeds: passes minted by the platform's tool (scripts/door/visitor-pass.ts) — valid now, expired,
// not yet valid, other doors, used up, another key id — and resident QR codes. The structure-aware mutation edits
// the pass's body fields and signs it again, or edits the text around the base32.
import { createHmac } from 'node:crypto';
import { base32Decode, base32Encode } from '../../../firmware/lib/base32.js';
import { PASS_BODY_BYTES, PASS_MAC_BYTES, PASS_PREFIX } from '../../../firmware/apps/door-reader/visitor-pass.js';
import { createHostCrypto } from '../../../hal/host/crypto.js';
import { mintPass } from '../../door/visitor-pass.js';
import { check } from '../cores/invariant.js';
import { FUZZ_PASS_KEY, runVisitorPass } from '../cores/visitor-pass.js';
import { FuzzDevice, RESIDENT_QR, WALL_TIME } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';

const NOW_S = Math.floor(WALL_TIME / 1000);
const ascii = (text: string) => new TextEncoder().encode(text);

export function passSeeds(): Uint8Array[] {
  const pass = { keyId: FUZZ_PASS_KEY.id, passId: 42, doors: 1, validFrom: NOW_S - 3600, validTo: NOW_S + 4 * 3600, maxUses: 2 };
  const passes = [
    pass,
    { ...pass, passId: 43, maxUses: 0 },
    { ...pass, passId: 44, doors: 0xffff_ffff, maxUses: 1 },
    { ...pass, passId: 45, validTo: NOW_S - 1 },
    { ...pass, passId: 46, validFrom: NOW_S + 3600 },
    { ...pass, passId: 47, doors: 0b10 },
    { ...pass, passId: 0, validFrom: 0, validTo: 0xffff_ffff, maxUses: 255 },
    { ...pass, passId: 0xffff_ffff, keyId: 8 },
  ];
  return [
    ...passes.map((p) => ascii(mintPass(FUZZ_PASS_KEY.key, p))),
    ascii(mintPass(new Uint8Array(32).fill(1), pass)),
    ascii(RESIDENT_QR),
    ascii(`${PASS_PREFIX}`),
    ascii('CTV1'),
  ];
}

function sign(body: Uint8Array): Uint8Array {
  return new Uint8Array(createHmac('sha256', FUZZ_PASS_KEY.key).update(body).digest()).subarray(0, PASS_MAC_BYTES);
}

function mutatePass(input: Uint8Array, rng: Prng, generic: (input: Uint8Array) => Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(input);
  const bytes = text.startsWith(PASS_PREFIX) ? base32Decode(text.slice(PASS_PREFIX.length)) : undefined;
  if (!bytes || bytes.length !== PASS_BODY_BYTES + PASS_MAC_BYTES || rng.chance(0.3)) {
    if (rng.chance(0.5)) return generic(input);
    // Text-level: case, padding, separators, a character outside the alphabet, length at the edges.
    const edits = [
      () => text.toLowerCase(), () => `${text}=`, () => `${text}==`, () => text.slice(0, -1), () => `${text}A`, () => ` ${text}`,
      () => text.replace('.', ':'), () => `${text.slice(0, 9)}1${text.slice(10)}`, () => `${text.slice(0, -1)}${rng.pick(['B', 'Q', 'Z', '7'])}`,
      () => text + text.slice(PASS_PREFIX.length), () => `${PASS_PREFIX}${'A'.repeat(rng.pick([0, 1, 55, 56, 57, 400]))}`,
    ];
    return ascii(rng.pick(edits)());
  }
  const body = bytes.slice(0, PASS_BODY_BYTES);
  const view = new DataView(body.buffer);
  switch (rng.below(5)) {
    case 0: body[0] = rng.pick([0, 2, 255]); break; // format version
    case 1: body[1] = rng.pick([0, 6, 7, 8, 255]); break; // key id
    case 2: view.setUint32(rng.pick([2, 6, 10, 14]), rng.pick([0, 1, NOW_S, NOW_S - 1, NOW_S + 1, 0x7fff_ffff, 0x8000_0000, 0xffff_ffff])); break;
    case 3: body[18] = rng.pick([0, 1, 2, 255]); break; // use limit
    default: body[rng.below(PASS_BODY_BYTES)] ^= 1 << rng.below(8);
  }
  const mac = rng.chance(0.8) ? sign(body) : bytes.slice(PASS_BODY_BYTES);
  if (rng.chance(0.1)) mac[rng.below(PASS_MAC_BYTES)]! ^= 1;
  const out = new Uint8Array(PASS_BODY_BYTES + PASS_MAC_BYTES);
  out.set(body);
  out.set(mac, PASS_BODY_BYTES);
  return ascii(PASS_PREFIX + base32Encode(out));
}

/** Whether `text` is a pass the site key really signed (node:crypto, not the device's code). */
function genuinelySigned(text: string): boolean {
  if (!text.startsWith(PASS_PREFIX)) return false;
  const bytes = base32Decode(text.slice(PASS_PREFIX.length));
  if (!bytes || bytes.length !== PASS_BODY_BYTES + PASS_MAC_BYTES || bytes[0] !== 1 || bytes[1] !== FUZZ_PASS_KEY.id) return false;
  return Buffer.from(sign(bytes.subarray(0, PASS_BODY_BYTES))).equals(Buffer.from(bytes.subarray(PASS_BODY_BYTES)));
}

export function visitorPassTarget(): FuzzTarget {
  const crypto = createHostCrypto();
  let door: FuzzDevice | undefined;
  return {
    name: 'visitor-pass',
    format: 'bytes',
    weight: 1,
    seeds: passSeeds,
    mutate: (input, rng, context) => mutatePass(input, rng, context.generic),
    run(input, runSeed) {
      runVisitorPass(input, runSeed, crypto);
      // At the door: the scanner only ever hands over printable ASCII, but scanQr takes any text.
      const rng = new Prng(runSeed ^ 0x5a5a5a5a);
      door ??= new FuzzDevice('door-reader');
      door.prepare();
      const text = new TextDecoder().decode(input);
      doorReaderOf(door).scanQr(text);
      door.clock.advance(rng.chance(0.7) ? 0 : rng.between(1, 5000));
      const seen = door.observe();
      check(seen.errors.length === 0, () => `the door logged an error: ${seen.errors[0]}`);
      if (seen.relayEnergized) check(genuinelySigned(text) || text === RESIDENT_QR, () => `the relay moved for ${JSON.stringify(text.slice(0, 100))}`);
    },
    close() {
      door?.dispose();
      door = undefined;
    },
    xsCore: 'visitor-pass',
    xsBudget: 20_000_000,
  };
}

function doorReaderOf(device: FuzzDevice) {
  const reader = device.doorReader;
  if (!reader) throw new Error('the door reader is not running');
  return reader;
}
