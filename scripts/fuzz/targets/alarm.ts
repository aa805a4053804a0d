// Target `alarm`: the alarm channel through the device runtime, mostly on an SOS button with an alarm open (the
// harness presses its button whenever none is), also on a door reader and a generic device. Seeds: the
// protocol's alarm examples, as they are and addressed to the SOS button's open alarm: an input's `@alarm` stands for
// that alarm's id (replaced just before delivery), so updates reach the lifecycle instead of being ignored.
//
// Asserted beyond "nothing escapes": no error logged, no result sent, every message sent is valid, the relay
// never moves; what reaches the app is a valid alarm update, and nothing does from a payload that is not UTF-8;
// the SOS button's status still reads.
import { validateMessage } from '../../../firmware/protocol/validate.js';
import { check, isValidUtf8 } from '../cores/invariant.js';
import { type DeviceKind, WALL_TIME } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { bytesOf, DevicePool, examples, mutateObject, objectOf } from './messages.js';
import { stepFor } from './command.js';
import { replaceText } from './config-desired.js';

const PLACEHOLDER = '@alarm';

export function alarmSeeds(): Uint8Array[] {
  const originals = examples('alarm-');
  const addressed = originals.map((bytes, i) => bytesOf({ ...objectOf(bytes), alarmId: PLACEHOLDER, ts: WALL_TIME + 60_000 * (i + 1) }));
  const states = ['accepted', 'dispatched', 'onsite', 'resolved', 'cancelled'];
  const lifecycle = states.map((state, i) => bytesOf({
    v: 1, msg: 'alarm', alarmId: PLACEHOLDER, state, ts: WALL_TIME + 10_000 * (i + 1),
    ...(state === 'dispatched' ? { etaMin: 12 } : {}), ...(i === 0 ? { note: 'Control room: Li Na' } : {}),
  }));
  return [...originals, ...addressed, ...lifecycle];
}

/** `@alarm` in the payload's bytes → the open alarm's id. */
function address(input: Uint8Array, alarmId: string | undefined): Uint8Array {
  return alarmId === undefined ? input : replaceText(input, PLACEHOLDER, alarmId);
}

export function alarmTarget(): FuzzTarget {
  const devices = new DevicePool();
  const device = (kind: DeviceKind) => devices.get(kind);
  return {
    name: 'alarm',
    format: 'json',
    weight: 2,
    seeds: alarmSeeds,
    mutate: (input, rng, context) => mutateObject(input, rng, context, 0.4, (object) => {
      object.alarmId = PLACEHOLDER;
      if (rng.chance(0.5)) object.ts = WALL_TIME + rng.between(-100_000, 10_000_000);
    }),
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      const roll = rng.below(10);
      const kind: DeviceKind = roll < 7 ? 'sos-button' : roll < 8 ? 'door-reader' : 'generic';
      const target = device(kind);
      target.prepare();
      if (kind === 'sos-button' && !target.sosApp!.alarms.busy) target.raiseSos();
      const payload = address(input, target.sosApp?.alarms.alarm?.id);
      const seen = target.deliver('alarm', payload, rng.chance(0.6), stepFor(rng));
      check(seen.errors.length === 0, () => `the device logged an error: ${seen.errors[0]}`);
      check(seen.handlerErrors.length === 0, () => `a handler threw: ${seen.handlerErrors[0]}`);
      check(!seen.published.some((p) => p.topic.endsWith('/result')), 'an alarm update was answered with a result');
      check(!seen.relayEnergized, 'the relay moved for an alarm update');
      for (const update of seen.alarms) {
        const verdict = validateMessage(update);
        check(verdict.ok && verdict.message.msg === 'alarm', () => `the app was handed ${JSON.stringify(update).slice(0, 200)}`);
      }
      if (!isValidUtf8(payload)) check(seen.alarms.length === 0, 'a payload that is not UTF-8 reached the app');
      if (target.sosApp) JSON.stringify(target.sosApp.status());
    },
    close() {
      devices.dispose();
    },
    xsCore: 'inbound:alarm',
    xsInput: (input) => address(input, 'sos-button-1.4'),
    xsBudget: 20_000_000,
  };
}
