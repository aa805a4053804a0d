// Target `qr-serial`: QR-scanner UART bytes as the driver receives them, in chunks of random sizes. On Node each
// input goes twice through the host's virtual UART: into a bare QrScanner, whose lines and drop count must equal
// the reference splitter's (cores/qr-serial.ts), and into a running door reader (its scanner feeds scanQr), which
// must log no error and may energize its relay only for a line that is the resident QR code or a pass the site
// key signed. Seeds: passes and the resident code with CR and CR LF, several codes in one chunk, lines at 512 and
// 513 characters, control bytes and UTF-8 inside a line, noise without a line end.
import { createHmac } from 'node:crypto';
import { createHostHal, SteppedClock } from '../../../hal/host/index.js';
import { createHostStorage } from '../../../hal/host/storage/index.js';
import { simDoorReader } from '../../../hal/boards/sim-door-reader.js';
import { QR_MAX_CHARS, QrScanner } from '../../../firmware/drivers/qr-scanner/qr-scanner.js';
import { base32Decode } from '../../../firmware/lib/base32.js';
import { PASS_BODY_BYTES, PASS_MAC_BYTES, PASS_PREFIX } from '../../../firmware/apps/door-reader/visitor-pass.js';
import { check } from '../cores/invariant.js';
import { chunking, compareQr, referenceQr } from '../cores/qr-serial.js';
import { FUZZ_PASS_KEY } from '../cores/visitor-pass.js';
import { FuzzDevice, RESIDENT_QR } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { passSeeds } from './visitor-pass.js';

const PORT = simDoorReader.serial!.qr!.port!;
const ascii = (text: string) => new TextEncoder().encode(text);

export function qrSeeds(): Uint8Array[] {
  const [pass, unlimited] = passSeeds().map((bytes) => new TextDecoder().decode(bytes));
  return [
    ascii(`${pass}\r`),
    ascii(`${unlimited}\r\n`),
    ascii(`${RESIDENT_QR}\r`),
    ascii(`${RESIDENT_QR}\r\n${pass}\r\nnot-a-code\r\n`),
    ascii(`${'x'.repeat(QR_MAX_CHARS)}\r${'y'.repeat(QR_MAX_CHARS + 1)}\r${RESIDENT_QR}\n`),
    Uint8Array.of(0x00, 0xff, 0x41, 0x0d, ...ascii('Grüße\r'), 0x41, 0x09, 0x42, 0x0d, ...ascii('ok\r')),
    ascii(`${pass.slice(0, 20)}`),
    ascii('\r\n\r\n\n\r'),
  ];
}

function genuine(line: string): boolean {
  if (line === RESIDENT_QR) return true;
  if (!line.startsWith(PASS_PREFIX)) return false;
  const bytes = base32Decode(line.slice(PASS_PREFIX.length));
  if (!bytes || bytes.length !== PASS_BODY_BYTES + PASS_MAC_BYTES) return false;
  const mac = createHmac('sha256', FUZZ_PASS_KEY.key).update(bytes.subarray(0, PASS_BODY_BYTES)).digest().subarray(0, PASS_MAC_BYTES);
  return mac.equals(bytes.subarray(PASS_BODY_BYTES));
}

export function qrTarget(): FuzzTarget {
  let bare: ReturnType<typeof createHostHal> | undefined;
  let door: FuzzDevice | undefined;
  return {
    name: 'qr-serial',
    format: 'bytes',
    weight: 1,
    seeds: qrSeeds,
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      const sizes = chunking(input.length, rng);
      const reference = referenceQr(input);

      bare ??= createHostHal({ storage: createHostStorage(), board: simDoorReader, clock: new SteppedClock() });
      const hal = bare;
      const clock = hal.clock as SteppedClock;
      const peer = hal.io.serial(PORT);
      peer.take(peer.available);
      const reads: string[] = [];
      const scanner = new QrScanner({ serial: { ...simDoorReader.serial!.qr!, io: hal.device.io.Serial! }, onRead: (text) => reads.push(text) });
      try {
        let at = 0;
        for (const size of sizes) {
          peer.inject(input.subarray(at, at + size));
          at += size;
          if (rng.chance(0.5)) clock.advance(rng.below(3));
        }
        clock.advance(1);
        compareQr({ reads, dropped: scanner.dropped }, reference);
      } finally {
        scanner.close();
      }

      door ??= new FuzzDevice('door-reader');
      door.prepare();
      const doorPeer = door.hal.io.serial(PORT);
      let at = 0;
      for (const size of sizes) {
        doorPeer.inject(input.subarray(at, at + size));
        at += size;
        if (rng.chance(0.5)) door.clock.advance(rng.below(3));
      }
      // A CR after the input ends its last line here, so that no line runs on into the next input.
      doorPeer.inject(Uint8Array.of(0x0d));
      door.clock.advance(rng.chance(0.7) ? 1 : rng.between(1, 5000));
      const seen = door.observe();
      check(seen.errors.length === 0, () => `the door logged an error: ${seen.errors[0]}`);
      const lines = referenceQr(Uint8Array.from([...input, 0x0d])).reads;
      if (seen.relayEnergized) check(lines.some(genuine), () => `the relay moved for lines ${JSON.stringify(lines).slice(0, 200)}`);
    },
    close() {
      bare?.dispose();
      door?.dispose();
      bare = undefined;
      door = undefined;
    },
    xsCore: 'qr-serial',
    xsBudget: 20_000_000,
  };
}
