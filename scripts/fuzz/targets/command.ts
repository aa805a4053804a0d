// Target `command`: the command channel through the device runtime, exactly as a PUBLISH arrives (topic, payload
// bytes, retain flag) on a generic device, a door reader (signed door commands, credential sync), an SOS
// button and a smart bin (status, measure, tare, calibrate, signed lid opens). Seeds: the protocol's valid
// command examples, the runtime's built-in commands, signed door commands, a whole credential sync for the door,
// and the bin's commands, valid, forged and out of range. The structure-aware mutation mutates, then sometimes
// gives the command a fresh reqId, a live exp, and a signature / manifest MAC over whatever the mutation left.
//
// Asserted beyond "nothing escapes onMessage or a timer": no error logged; no exception in a command handler; at
// most one result, for the reqId the payload carries; at most one command runs, none for a retained message or a
// payload that is not UTF-8, and a retained one is answered `rejected`; every message the device sends is
// valid; the door relay is energized only by a door.unlock or door.hold_open whose signature verifies (checked
// here with node:crypto), answered `ok`; a bin's lid servo is driven open only by a smart-bin.open that ran,
// answered `ok`, whose signature verifies for that existing compartment (never by anything else: a deposit's lid
// opens for a resident, never for a message), and such an open does drive it; and every 16 inputs the device
// still answers a ping.
import { encodeList, snapshotSync, syncCommands } from '../../platform/credential-encoder.js';
import { signCommand } from '../../door/visitor-pass.js';
import { check, isValidUtf8 } from '../cores/invariant.js';
import { BIN_COMPARTMENTS, BIN_KEYS, DOOR_KEYS, DOOR_PROFILES, doorList, type DeviceKind } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { bytesOf, DevicePool, examples, fixCommand, LIVE_EXP, mutateObject, objectOf, signatureOf, signingOf } from './messages.js';
import { PROTOCOL_VERSION } from '../../../firmware/protocol/messages.js';
import { utf8Decode } from '../../../firmware/lib/utf8.js';
import { FUZZ_WALL_TIME } from '../cores/visitor-pass.js';

const RESULT_CODES = ['ok', 'invalid', 'rejected', 'expired', 'unsupported', 'failed'];
const CANARY_EVERY = 16;

function command(name: string, reqId: string, args?: Record<string, unknown>, exp = LIVE_EXP): Record<string, unknown> {
  return { v: PROTOCOL_VERSION, msg: 'command', reqId, name, exp, ...(args ? { args } : {}) };
}

function signed(name: string, reqId: string, args: { door: number; ms?: number }): Record<string, unknown> {
  return command(name, reqId, { ...args, sig: signCommand(DOOR_KEYS.commandKey, name, reqId, LIVE_EXP, args.door, args.ms) });
}

/** A smart-bin.open signed by `key` (default the bin's) over `c` and `s`, with `args` as given (may differ). */
function binOpen(reqId: string, c: number, s?: number, args: Record<string, unknown> = {}, key = BIN_KEYS.commandKey): Record<string, unknown> {
  const sig = signCommand(key, 'smart-bin.open', reqId, LIVE_EXP, c, s);
  return command('smart-bin.open', reqId, { c, ...(s === undefined ? {} : { s }), sig, ...args });
}

/** The bin's commands: valid, forged, out of range, with keys they do not take. */
function binSeeds(): Record<string, unknown>[] {
  const zeros = '0'.repeat(64);
  return [
    command('smart-bin.status', 'sb-1'),
    command('smart-bin.measure', 'sb-2'),
    command('smart-bin.measure', 'sb-3', {}),
    command('smart-bin.measure', 'sb-4', { c: 1 }),
    command('smart-bin.tare', 'sb-5', { c: 0 }),
    command('smart-bin.calibrate', 'sb-6', { c: 1, grams: 1000 }),
    command('smart-bin.calibrate', 'sb-7', { c: 0, grams: 100_000 }),
    binOpen('sb-8', 0),
    binOpen('sb-9', 1, 30),
    binOpen('sb-10', 0, 5),
    binOpen('sb-11', 1, 600),
    // Forged: no key, another key, the door's text for the same numbers, a signature for another compartment.
    command('smart-bin.open', 'sb-12', { c: 0, sig: zeros }),
    binOpen('sb-13', 0, 10, {}, DOOR_KEYS.commandKey),
    command('smart-bin.open', 'sb-14', { c: 0, sig: signCommand(BIN_KEYS.commandKey, 'door.unlock', 'sb-14', LIVE_EXP, 0) }),
    binOpen('sb-15', 1, undefined, { c: 0 }),
    binOpen('sb-16', 0, 20, { s: 21 }),
    command('smart-bin.open', 'sb-17', { c: 0, s: 10 }),
    // Out of range, signed so that only the range check stands in the way.
    binOpen('sb-18', BIN_COMPARTMENTS), binOpen('sb-19', -1), binOpen('sb-20', 0, 4), binOpen('sb-21', 1, 601),
    binOpen('sb-22', 0, 5.5), binOpen('sb-23', 1.5),
    command('smart-bin.calibrate', 'sb-24', { c: 0, grams: 99 }),
    command('smart-bin.calibrate', 'sb-25', { c: 1, grams: 100_001 }),
    command('smart-bin.calibrate', 'sb-26', { c: 1, grams: 1000.5 }),
    command('smart-bin.calibrate', 'sb-27', { c: 1 }),
    command('smart-bin.tare', 'sb-28', { c: BIN_COMPARTMENTS }),
    command('smart-bin.tare', 'sb-29', {}),
    command('smart-bin.measure', 'sb-30', { c: '0' }),
    // Keys they do not take.
    command('smart-bin.tare', 'sb-31', { c: 0, grams: 1000 }),
    binOpen('sb-32', 0, 10, { door: 0 }),
    command('smart-bin.measure', 'sb-33', { c: 0, s: 1 }),
    command('smart-bin.status', 'sb-34', { c: 0 }),
  ];
}

export function commandSeeds(): Uint8Array[] {
  const live = examples('command-').map((bytes) => {
    const object = objectOf(bytes)!;
    return [bytes, bytesOf({ ...object, exp: LIVE_EXP })];
  }).flat();
  const v2 = encodeList(DOOR_KEYS, 2, [...doorList(), { kind: 'pin', secret: '13579', validFrom: 2000, validTo: 4000, profile: 1 }], DOOR_PROFILES);
  const sync = syncCommands(snapshotSync(DOOR_KEYS, v2, { sync: 'fz-2' }), { exp: LIVE_EXP, reqIdPrefix: 'fz2' });
  return [
    ...live,
    ...['ping', 'config.get', 'health.get', 'restart', 'sos-button.status', 'cred.sync.status'].map((name, i) => bytesOf(command(name, `b-${i}`))),
    bytesOf(signed('door.unlock', 'd-1', { door: 0 })),
    bytesOf(signed('door.unlock', 'd-2', { door: 0, ms: 2500 })),
    bytesOf(signed('door.hold_open', 'd-3', { door: 0 })),
    bytesOf(signed('door.lockdown', 'd-4', { door: 0 })),
    bytesOf(signed('door.normal', 'd-5', { door: 0 })),
    bytesOf(command('door.unlock', 'd-6', { door: 0, sig: '0'.repeat(64) })),
    ...sync.map(bytesOf),
    ...binSeeds().map(bytesOf),
  ];
}

/**
 * Which device an input goes to, from its run seed; a smart-bin.* (kiosk.*) command mostly to the bin (kiosk) (their seeds are few
 * among the door's sync chunks, and elsewhere they only meet "unknown command").
 */
function deviceFor(rng: Prng, input: Uint8Array): DeviceKind {
  const name = objectOf(input)?.name;
  if (typeof name === 'string' && name.startsWith('smart-bin.') && rng.chance(0.8)) return 'smart-bin';
  if (typeof name === 'string' && name.startsWith('kiosk.') && rng.chance(0.8)) return 'kiosk';
  const roll = rng.below(11);
  return roll < 4 ? 'door-reader' : roll < 6 ? 'generic' : roll < 8 ? 'sos-button' : roll < 10 ? 'smart-bin' : 'kiosk';
}

/** A step of time after the message (most inputs none; some let unlock timers and restarts run out). */
export function stepFor(rng: Prng): number {
  return rng.chance(0.6) ? 0 : rng.chance(0.85) ? rng.between(1, 300) : rng.between(1000, 6000);
}

/**
 * What a signed command whose name is one of `names` acts on (its target argument), when its signature verifies
 * (checked here with node:crypto) and the target is one of `targets`; else undefined.
 */
function verifiedTarget(payload: Uint8Array, names: readonly string[], targets: readonly number[]): number | undefined {
  const message = objectOf(payload);
  const signing = signingOf(message?.name);
  if (!message || !signing || !names.includes(message.name as string) || typeof message.exp !== 'number' || message.exp < FUZZ_WALL_TIME) return undefined;
  const sig = signatureOf(message, signing);
  const args = message.args as Record<string, unknown>; // an object whenever sig is defined
  const target = sig !== undefined && sig === args.sig ? args[signing.target] : undefined;
  return targets.includes(target as number) ? target as number : undefined;
}

const verifiesAsDoorCommand = (payload: Uint8Array) => verifiedTarget(payload, ['door.unlock', 'door.hold_open'], [0]) !== undefined;
const COMPARTMENTS = Array.from({ length: BIN_COMPARTMENTS }, (_, c) => c);

export function commandTarget(): FuzzTarget {
  const devices = new DevicePool();
  return {
    name: 'command',
    format: 'json',
    weight: 3,
    seeds: commandSeeds,
    mutate: (input, rng, context) => mutateObject(input, rng, context, 0.5, (object) => fixCommand(object, rng)),
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      devices.use(deviceFor(rng, input), (target) => {
        const retained = rng.chance(0.2);
        const foreign = rng.chance(0.03);
        const topic = foreign ? rng.pick(['ct/v1/fuzz-site/other-1/command', 'ct/v1/other/door-reader-1/command', 'ct/v1/fuzz-site', '', '#', 'ct/v1/fuzz-site/door-reader-1/command/x']) : undefined;
        target.prepare();
        const executed = target.runtime.dispatcher.executed;
        const seen = target.deliver('command', input, retained, stepFor(rng), topic);
        const ran = target.runtime.dispatcher.executed - executed;
        check(ran <= 1, () => `${ran} commands ran for one message`);
        if (retained) check(ran === 0, 'a retained command ran');
        if (!isValidUtf8(input)) check(ran === 0, 'a payload that is not UTF-8 ran as a command');
        check(seen.errors.length === 0, () => `the device logged an error: ${seen.errors[0]}`);
        check(seen.handlerErrors.length === 0, () => `a command handler threw: ${seen.handlerErrors[0]}`);
        const results = seen.published.filter((p) => p.topic.endsWith('/result')).map((p) => JSON.parse(p.payload) as { reqId: string; code: string; reason?: string });
        check(results.length <= 1, () => `${results.length} results for one command`);
        const result = results[0];
        if (foreign) check(result === undefined, 'a message on a foreign topic was answered');
        if (result) {
          check(RESULT_CODES.includes(result.code), () => `result code ${result.code}`);
          // The device reads the reqId even from a leniently decoded payload, to answer it.
          const lenient = (() => {
            try {
              return (JSON.parse(utf8Decode(input)) as Record<string, unknown>).reqId;
            } catch {
              return undefined;
            }
          })();
          check(result.reqId === lenient, () => `result for reqId ${JSON.stringify(result.reqId)}, the command's is ${JSON.stringify(lenient)}`);
          if (retained) check(result.code === 'rejected', () => `a retained command was answered "${result.code}" (${String(result.reason)})`);
        }
        if (seen.relayEnergized) {
          check(result?.code === 'ok' && !retained && verifiesAsDoorCommand(input),
            () => `the relay moved for a command answered ${JSON.stringify(result ?? null)}`);
        }
        const opens = verifiedTarget(input, ['smart-bin.open'], COMPARTMENTS);
        // Ran: a repeated reqId is answered from memory (the first result again) and must not move anything.
        const opened = result?.code === 'ok' && ran === 1 && target.kind === 'smart-bin' ? opens : undefined;
        check(JSON.stringify(seen.lidsOpened) === JSON.stringify(opened === undefined ? [] : [opened]),
          () => `lids ${JSON.stringify(seen.lidsOpened)} driven open for a command answered ${JSON.stringify(result ?? null)} (verified open of ${String(opens)})`);
        if (target.inputs % CANARY_EVERY === 0) target.canary();
      });
    },
    close() {
      devices.dispose();
    },
    xsCore: 'inbound:command',
    xsBudget: 20_000_000,
  };
}
