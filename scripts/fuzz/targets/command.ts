// Target `command`: the command channel through the device runtime, exactly as a PUBLISH arrives (topic, payload
// bytes, retain flag) on a generic device, a door reader (signed door commands, credential sync) and an SOS
// button. Seeds: the protocol's valid command examples, the runtime's built-in commands, signed door commands
// and a whole credential sync for the door. The structure-aware mutation mutates, then sometimes gives the
// command a fresh reqId, a live exp, and a signature / manifest MAC over whatever the mutation left.
//
// Asserted beyond "nothing escapes onMessage or a timer": no error logged; no exception in a command handler; at
// most one result, for the reqId the payload carries; at most one command runs, none for a retained message or a
// payload that is not UTF-8, and a retained one is answered `rejected`; every message the device sends is valid; the door relay is energized only by a door.unlock or
// door.hold_open whose signature verifies (checked here with node:crypto), answered `ok`; and every 16 inputs the
// device still answers a ping.
import { encodeList, snapshotSync, syncCommands } from '../../platform/credential-encoder.js';
import { signCommand } from '../../door/visitor-pass.js';
import { check, isValidUtf8 } from '../cores/invariant.js';
import { DOOR_KEYS, DOOR_PROFILES, doorList, type DeviceKind } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { bytesOf, DevicePool, examples, fixCommand, LIVE_EXP, mutateObject, objectOf } from './messages.js';
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
  ];
}

/** Which device an input goes to, from its run seed. */
function deviceFor(rng: Prng): DeviceKind {
  const roll = rng.below(8);
  return roll < 4 ? 'door-reader' : roll < 6 ? 'generic' : 'sos-button';
}

/** A step of time after the message (most inputs none; some let unlock timers and restarts run out). */
export function stepFor(rng: Prng): number {
  return rng.chance(0.6) ? 0 : rng.chance(0.85) ? rng.between(1, 300) : rng.between(1000, 6000);
}

/** The signature check of door.* commands, done independently of the device (node:crypto). */
function verifiesAsDoorCommand(payload: Uint8Array): boolean {
  const message = objectOf(payload);
  if (!message) return false;
  const { name, reqId, exp, args } = message;
  if ((name !== 'door.unlock' && name !== 'door.hold_open') || typeof reqId !== 'string' || typeof exp !== 'number') return false;
  if (args === null || typeof args !== 'object') return false;
  const { door, sig, ms } = args as Record<string, unknown>;
  if (door !== 0 || typeof sig !== 'string') return false;
  const expected = signCommand(DOOR_KEYS.commandKey, name, reqId, exp, door, typeof ms === 'number' ? ms : undefined);
  return sig === expected && exp >= FUZZ_WALL_TIME;
}

export function commandTarget(): FuzzTarget {
  const devices = new DevicePool();
  const device = (kind: DeviceKind) => devices.get(kind);
  return {
    name: 'command',
    format: 'json',
    weight: 3,
    seeds: commandSeeds,
    mutate: (input, rng, context) => mutateObject(input, rng, context, 0.5, (object) => fixCommand(object, rng)),
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      const target = device(deviceFor(rng));
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
      if (target.inputs % CANARY_EVERY === 0) target.canary();
    },
    close() {
      devices.dispose();
    },
    xsCore: 'inbound:command',
    xsBudget: 20_000_000,
  };
}
