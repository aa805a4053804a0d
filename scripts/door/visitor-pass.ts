// The platform's side of visitor passes and signed commands (docs/door-reader.md, docs/protocol.md): mints pass
// texts for a QR code and signs door.* and smart-bin.open commands, with node:crypto (independently of the
// device's crypto; what is signed is laid out by the device's own code: passBody() in
// firmware/apps/door-reader/visitor-pass.ts, signedText() in firmware/protocol/signed-command.ts). Used by tests, the simulator, the fuzzer and benchmarks, and from the shell:
//   npx tsx scripts/door/visitor-pass.ts --key <64 hex> --key-id 1 --pass 42 --doors 0,2 --hours 4 --uses 2
import { createHmac } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { PASS_MAC_BYTES, passBody, passText, type VisitorPass } from '../../firmware/apps/door-reader/visitor-pass.js';
import { signedText } from '../../firmware/protocol/signed-command.js';

export type { VisitorPass } from '../../firmware/apps/door-reader/visitor-pass.js';

/** The QR text of a pass signed with the site pass key. */
export function mintPass(key: Uint8Array, pass: VisitorPass): string {
  const body = passBody(pass);
  const mac = new Uint8Array(createHmac('sha256', key).update(body).digest()).subarray(0, PASS_MAC_BYTES);
  return passText(body, mac);
}

/** A door mask from door numbers (bit d = door d). */
export function doorMask(doors: readonly number[]): number {
  for (const door of doors) if (!Number.isInteger(door) || door < 0 || door > 31) throw new RangeError(`door ${door}: expected 0–31`);
  return [...new Set(doors)].reduce((mask, door) => mask + 2 ** door, 0);
}

/** `args.sig` of a signed command: `target` the door's number or the bin's compartment, `amount` its ms or s. */
export function signCommand(key: Uint8Array, name: string, reqId: string, exp: number, target: number, amount?: number): string {
  return createHmac('sha256', key).update(signedText(name, reqId, exp, target, amount), 'utf8').digest('hex');
}

function hexKey(text: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new Error('--key: expected 64 hex digits (32 bytes)');
  return new Uint8Array(Buffer.from(text, 'hex'));
}

function main(argv: string[]): void {
  const program = new Command()
    .name('visitor-pass')
    .description('Mint a signed visitor pass (QR text) for door readers')
    .requiredOption('--key <hex>', 'site pass key, 64 hex digits')
    .option('--key-id <n>', 'id of that key (0–255)', '0')
    .requiredOption('--pass <id>', 'pass id, unique per site (0–4294967295)')
    .requiredOption('--doors <list>', 'door numbers, e.g. 0,2')
    .option('--from <iso>', 'start of validity (default: now)')
    .option('--hours <n>', 'hours of validity', '4')
    .option('--uses <n>', 'use limit (0 = none)', '1')
    .parse(argv);
  const options = program.opts<{ key: string; keyId: string; pass: string; doors: string; from?: string; hours: string; uses: string }>();
  const from = options.from ? Date.parse(options.from) : Date.now();
  if (Number.isNaN(from)) throw new Error(`--from: not a date: ${options.from}`);
  const validFrom = Math.floor(from / 1000);
  const text = mintPass(hexKey(options.key), {
    keyId: Number(options.keyId),
    passId: Number(options.pass),
    doors: doorMask(options.doors.split(',').map(Number)),
    validFrom,
    validTo: validFrom + Math.round(Number(options.hours) * 3600),
    maxUses: Number(options.uses),
  });
  process.stdout.write(`${text}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    main(process.argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
