// Target `alarm`: the alarm channel through the device runtime, mostly on an SOS button with an alarm open (the
// harness presses its button whenever none is) and on a smart bin with several open at once (raised straight
// through its AlarmSet: overflow, sensor fault, tilt, lid jammed), also on a door reader and a generic device.
// Seeds: the protocol's alarm examples, as they are and addressed to an open alarm: an input's `@alarm` stands
// for that alarm's id (on the bin, one of its open alarms, or one closed before; replaced just before delivery),
// so updates reach a lifecycle instead of being ignored.
//
// Asserted beyond "nothing escapes": no error logged, no result sent, every message sent is valid, the relay and
// the lids never move; what reaches the app is a valid alarm update, and nothing does from a payload that is not
// UTF-8; the SOS button's and the bin's status still read. On the bin, against a model kept here: an update moves
// only the alarm whose id it names, and only forward (a later state, or the same state with a newer ts; nothing
// older than the last applied ts, nothing backward); resolved or cancelled closes it; every other alarm keeps its
// id and state.
import type { BinCause } from '../../../firmware/apps/smart-bin/app.js';
import type { AlarmState, AlarmUpdateMessage } from '../../../firmware/protocol/messages.js';
import { validateMessage } from '../../../firmware/protocol/validate.js';
import type { HostHal } from '../../../hal/host/index.js';
import { check, isValidUtf8 } from '../cores/invariant.js';
import { type DeviceKind, type FuzzDevice, WALL_TIME } from '../device-harness.js';
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
  // Backward and stale: a state before the one above, an older ts for the same state.
  const backward = [
    bytesOf({ v: 1, msg: 'alarm', alarmId: PLACEHOLDER, state: 'raised', ts: WALL_TIME + 100_000 }),
    bytesOf({ v: 1, msg: 'alarm', alarmId: PLACEHOLDER, state: 'accepted', ts: WALL_TIME + 1 }),
  ];
  return [...originals, ...addressed, ...lifecycle, ...backward];
}

/** `@alarm` in the payload's bytes → the open alarm's id. */
function address(input: Uint8Array, alarmId: string | undefined): Uint8Array {
  return alarmId === undefined ? input : replaceText(input, PLACEHOLDER, alarmId);
}

/** The bin alarms the target keeps open, each under its key with its cause and the compartment it concerns. */
const BIN_ALARMS: readonly { key: string; cause: BinCause; c?: number }[] = [
  { key: 'over0', cause: 'overflow', c: 0 },
  { key: 'fault1', cause: 'sensorFault', c: 1 },
  { key: 'tilt', cause: 'tilt' },
  { key: 'jam1', cause: 'lidJammed', c: 1 },
];

/** Progress ranks as the protocol orders the states (docs/protocol.md §9); `sent`: raised, no update yet. */
const RANK: Readonly<Record<AlarmState | 'sent', number>> = {
  sent: -1, raised: 0, accepted: 1, dispatched: 2, onsite: 3, resolved: 4, cancelled: 4,
};

/** What the model knows of an open bin alarm: its state and the ts of the last update it took (unknown: none). */
interface Known {
  state: AlarmState | 'sent';
  ts: number | undefined;
}

/**
 * The model's next state of an alarm after `update` (`closed`: resolved or cancelled), or undefined when it cannot
 * tell (an accepted alarm whose last ts it never saw).
 */
function expected(id: string, known: Known, update: AlarmUpdateMessage | undefined): Known | 'closed' | undefined {
  if (!update || update.alarmId !== id) return known;
  if (known.state !== 'sent') {
    if (known.ts === undefined) return undefined;
    if (update.ts < known.ts) return known;
    const step = RANK[update.state] - RANK[known.state];
    if (step < 0 || (step === 0 && (update.state !== known.state || update.ts <= known.ts))) return known;
  }
  return update.state === 'resolved' || update.state === 'cancelled' ? 'closed' : { state: update.state, ts: update.ts };
}

/** The bin side of the target: keeps several alarms open and checks each update against the model. */
class BinAlarms {
  readonly #known = new Map<string, Known>();
  readonly #closedIds: string[] = [];
  #hal: HostHal | undefined;

  /** Opens what is not open (at least two, most often all), and picks the id an input's `@alarm` stands for. */
  prepare(device: FuzzDevice, rng: Prng): string | undefined {
    if (device.hal !== this.#hal) {
      // A new life or boot: ids start again, the model with them.
      this.#hal = device.hal;
      this.#known.clear();
      this.#closedIds.length = 0;
    }
    const alarms = device.binApp!.alarms!;
    const wanted = rng.chance(0.7) ? BIN_ALARMS.length : 2 + rng.below(BIN_ALARMS.length - 1);
    for (const { key, cause, c } of BIN_ALARMS.slice(0, wanted)) {
      if (!alarms.alarm(key)) alarms.raise(key, cause, { fuzz: 1 }, c);
    }
    device.clock.advance(0);
    const open = alarms.open();
    // Raised here or by the app itself: no update taken yet, or (resumed after a boot) none the model saw.
    for (const alarm of open) if (!this.#known.has(alarm.id)) this.#known.set(alarm.id, { state: alarm.state, ts: undefined });
    check(open.length >= 2, () => `the bin holds ${open.length} open alarms after raising ${wanted}`);
    if (this.#closedIds.length > 0 && rng.chance(0.1)) return rng.pick(this.#closedIds);
    return rng.pick(open).id;
  }

  /** After the input: the one named moved as the model says, the others did not. */
  check(device: FuzzDevice, before: readonly { key: string; id: string }[], handed: readonly unknown[]): void {
    check(handed.length <= 1, () => `${handed.length} alarm updates reached the bin for one message`);
    const update = handed[0] as AlarmUpdateMessage | undefined;
    const alarms = device.binApp!.alarms!;
    for (const { key, id } of before) {
      const known = this.#known.get(id)!;
      const next = expected(id, known, update);
      const now = alarms.alarm(key);
      const seen = now?.id === id ? now.state : 'closed';
      if (next !== undefined) {
        const want = next === 'closed' ? 'closed' : next.state;
        check(seen === want, () => `bin alarm ${key} (${id}) is ${seen} after ${JSON.stringify(update ?? null)}, the model says ${want} (was ${known.state})`);
      }
      if (seen === 'closed') {
        this.#known.delete(id);
        this.#closedIds.push(id);
        if (this.#closedIds.length > 16) this.#closedIds.shift();
      } else if (next !== undefined && next !== 'closed') this.#known.set(id, next);
      // A state the model could not predict (no ts seen yet): taken from the update that moved it there.
      else if (seen !== known.state && update?.state === seen) this.#known.set(id, { state: seen, ts: update.ts });
    }
  }
}

export function alarmTarget(): FuzzTarget {
  const devices = new DevicePool();
  const bin = new BinAlarms();
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
      const kind: DeviceKind = roll < 4 ? 'sos-button' : roll < 8 ? 'smart-bin' : roll < 9 ? 'door-reader' : 'generic';
      devices.use(kind, (target) => {
        target.prepare();
        if (kind === 'sos-button' && !target.sosApp!.alarms.busy) target.raiseSos();
        const alarmId = kind === 'smart-bin' ? bin.prepare(target, rng) : target.sosApp?.alarms.alarm?.id;
        const before = target.binApp?.alarms!.open().map(({ key, id }) => ({ key, id })) ?? [];
        const payload = address(input, alarmId);
        const seen = target.deliver('alarm', payload, rng.chance(0.6), stepFor(rng));
        check(seen.errors.length === 0, () => `the device logged an error: ${seen.errors[0]}`);
        check(seen.handlerErrors.length === 0, () => `a handler threw: ${seen.handlerErrors[0]}`);
        check(!seen.published.some((p) => p.topic.endsWith('/result')), 'an alarm update was answered with a result');
        check(!seen.relayEnergized, 'the relay moved for an alarm update');
        check(seen.lidsOpened.length === 0, () => `lids ${JSON.stringify(seen.lidsOpened)} opened for an alarm update`);
        for (const update of seen.alarms) {
          const verdict = validateMessage(update);
          check(verdict.ok && verdict.message.msg === 'alarm', () => `the app was handed ${JSON.stringify(update).slice(0, 200)}`);
        }
        if (!isValidUtf8(payload)) check(seen.alarms.length === 0, 'a payload that is not UTF-8 reached the app');
        if (target.sosApp) JSON.stringify(target.sosApp.status());
        if (target.binApp) {
          bin.check(target, before, seen.alarms);
          JSON.stringify(target.binApp.status());
        }
      });
    },
    close() {
      devices.dispose();
    },
    xsCore: 'inbound:alarm',
    xsInput: (input) => address(input, 'sos-button-1.4'),
    xsBudget: 20_000_000,
  };
}
