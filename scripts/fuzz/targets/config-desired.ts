// Target `config-desired`: the config/desired channel through the device runtime (generic device, door reader,
// SOS button, smart bin), as the PUBLISH arrives, retained or not. Seeds: the protocol's examples, full documents
// of each device's settings at their limits, the bin's `categories` text in odd shapes and its settings that
// depend on each other at odds. The structure-aware mutation often sets the version to `"@next"`, which
// stands for the version after the one in force (replaced just before delivery), so mutated documents reach the
// config store instead of being stale.
//
// Asserted beyond "nothing escapes": no error logged, no result sent, every message sent is valid; the settings
// in force always fit the device's spec; a payload that is not UTF-8 never changes them; the door relay and the
// bin's lids never move; after every change and every 64 inputs the device reboots and comes back with the same
// version and settings, and the bin's compartments each with a category it knows, whatever `categories` said.
import { DOOR_CONFIG } from '../../../firmware/apps/door-reader/config.js';
import { KIOSK_CONFIG } from '../../../firmware/apps/kiosk/config.js';
import { SOS_CONFIG } from '../../../firmware/apps/sos-button/config.js';
import { CATEGORIES } from '../../../firmware/apps/smart-bin/app.js';
import { SMART_BIN_CONFIG } from '../../../firmware/apps/smart-bin/config.js';
import type { ConfigSpec, ConfigValues } from '../../../firmware/runtime/config.js';
import { RUNTIME_CONFIG } from '../../../firmware/runtime/device-runtime.js';
import { check, isValidUtf8 } from '../cores/invariant.js';
import { BIN_COMPARTMENTS, type DeviceKind, type FuzzDevice } from '../device-harness.js';
import { Prng } from '../prng.js';
import type { FuzzTarget } from '../target.js';
import { bytesOf, DevicePool, examples, mutateObject } from './messages.js';
import { PROTOCOL_VERSION } from '../../../firmware/protocol/messages.js';
import { stepFor } from './command.js';

const SPECS: Readonly<Record<DeviceKind, ConfigSpec>> = {
  generic: RUNTIME_CONFIG,
  'door-reader': { ...RUNTIME_CONFIG, ...DOOR_CONFIG },
  'sos-button': { ...RUNTIME_CONFIG, ...SOS_CONFIG },
  'smart-bin': { ...RUNTIME_CONFIG, ...SMART_BIN_CONFIG },
  kiosk: { ...RUNTIME_CONFIG, ...KIOSK_CONFIG },
};
const REBOOT_EVERY = 64;
/** In an input, `"@next"` stands for the version after the one in force (replaced just before delivery). */
const NEXT = '"@next"';

function desired(version: number, config: Record<string, unknown>): Uint8Array {
  return bytesOf({ v: PROTOCOL_VERSION, msg: 'config.desired', version, config });
}

/** One document per device with every setting at its minimum, one at its maximum, one at the defaults. */
function limitDocuments(spec: ConfigSpec, version: number): Uint8Array[] {
  const pick = (which: 'min' | 'max' | 'default') => Object.fromEntries(Object.entries(spec).map(([key, field]) => {
    if (which === 'default') return [key, field.default];
    if (field.type === 'integer' || field.type === 'number') return [key, field[which]];
    if (field.type === 'boolean') return [key, which === 'max'];
    return [key, field.values?.[which === 'min' ? 0 : field.values.length - 1] ?? 'x'.repeat(which === 'min' ? 0 : field.maxLength)];
  }));
  return [desired(version, pick('min')), desired(version + 1, pick('max')), desired(version + 2, pick('default'))];
}

export function configSeeds(): Uint8Array[] {
  return [
    ...examples('config-desired-'),
    bytesOf({ v: 1, msg: 'config.desired', version: '@next', config: { healthIntervalS: 30 } }),
    ...limitDocuments(SPECS.generic, 10),
    ...limitDocuments(SPECS['door-reader'], 20),
    ...limitDocuments(SPECS['sos-button'], 30),
    desired(40, { healthIntervalS: 60, unlockMs: 2500, door: 0, lockType: 'fail-safe' }),
    desired(41, { awakeS: 3600, fallDetection: false, pressConfirmS: 0 }),
    ...limitDocuments(SPECS['smart-bin'], 50),
    ...['kitchen,recyclable,hazardous,other', 'hazardous', ' kitchen , recyclable ', 'paper,glass,,', ',', 'KITCHEN,Other',
      'kitchen,kitchen,kitchen,kitchen,kitchen,kitchen', 'recyclable;other', '']
      .map((categories, i) => desired(60 + i, { categories })),
    // Settings that depend on each other, at odds: a blind zone deeper than the bin, min deposit over the max.
    desired(70, { heightMm: 200, blindMm: 600 }),
    desired(71, { minDepositG: 5000, maxDepositG: 1000 }),
    desired(72, { lowPct: 40, highPct: 50, hysteresisPct: 20, overflowPct: 80 }),
  ];
}

function checkValues(spec: ConfigSpec, values: ConfigValues, kind: DeviceKind): void {
  for (const [key, field] of Object.entries(spec)) {
    const value = values[key];
    const fits = field.type === 'boolean' ? typeof value === 'boolean'
      : field.type === 'string' ? typeof value === 'string' && value.length <= field.maxLength && (!field.values || field.values.includes(value))
        : typeof value === 'number' && Number.isFinite(value) && value >= field.min && value <= field.max && (field.type === 'number' || Number.isInteger(value));
    check(fits, () => `${kind}: setting ${key} is ${JSON.stringify(value)} in force`);
  }
  for (const key of Object.keys(values)) check(Object.hasOwn(spec, key), () => `${kind}: unknown setting ${key} in force`);
}

/** A bin booted on whatever `categories` said: every compartment there, each with a category it knows. */
function checkCategories(device: FuzzDevice): void {
  const categories = device.binApp!.compartments.map((compartment) => compartment?.category);
  check(categories.length === BIN_COMPARTMENTS && categories.every((category) => (CATEGORIES as readonly unknown[]).includes(category)),
    () => `smart-bin booted with categories ${JSON.stringify(categories)} from ${JSON.stringify(device.runtime.config.values.categories)}`);
}

/** Every occurrence of `needle` (ASCII) in the bytes replaced by `value`. */
export function replaceText(input: Uint8Array, needle: string, value: string): Uint8Array {
  const find = new TextEncoder().encode(needle);
  const put = new TextEncoder().encode(value);
  const out: number[] = [];
  for (let i = 0; i < input.length;) {
    if (find.every((byte, k) => input[i + k] === byte)) {
      out.push(...put);
      i += find.length;
    } else out.push(input[i++]!);
  }
  return Uint8Array.from(out);
}

function snapshot(device: FuzzDevice): string {
  return JSON.stringify({ version: device.runtime.config.version, values: device.runtime.config.values });
}

export function configTarget(): FuzzTarget {
  const devices = new DevicePool();
  let inputs = 0;
  return {
    name: 'config-desired',
    format: 'json',
    weight: 2,
    seeds: configSeeds,
    mutate: (input, rng, context) => mutateObject(input, rng, context, 0.5, (object) => {
      const roll = rng.below(10);
      object.version = roll < 6 ? '@next' : roll < 8 ? rng.between(100, 2_000_000_000) : rng.pick([0, -1, 1.5, 2 ** 53, 2 ** 31, 2 ** 32]);
    }),
    run(input, runSeed) {
      const rng = new Prng(runSeed);
      const roll = rng.below(7);
      const kind: DeviceKind = roll < 2 ? 'door-reader' : roll < 4 ? 'sos-button' : roll < 6 ? 'smart-bin' : 'generic';
      devices.use(kind, (target) => {
        target.prepare();
        const before = snapshot(target);
        const payload = replaceText(input, NEXT, String(target.runtime.config.version + 1));
        const seen = target.deliver('config/desired', payload, rng.chance(0.85), stepFor(rng));
        check(seen.errors.length === 0, () => `the device logged an error: ${seen.errors[0]}`);
        check(seen.handlerErrors.length === 0, () => `a handler threw: ${seen.handlerErrors[0]}`);
        check(!seen.published.some((p) => p.topic.endsWith('/result')), 'a config document was answered with a result');
        check(!seen.relayEnergized, 'the relay moved for a config document');
        check(seen.lidsOpened.length === 0, () => `lids ${JSON.stringify(seen.lidsOpened)} opened for a config document`);
        checkValues(SPECS[kind], target.runtime.config.values, kind);
        if (!isValidUtf8(payload)) check(snapshot(target) === before, 'a payload that is not UTF-8 changed the settings');
        // A reboot right after a change: a device that no longer boots on what it accepted fails on this input,
        // and its saved input replays the failure on a fresh device.
        const kept = snapshot(target);
        if (++inputs % REBOOT_EVERY === 0 || kept !== before) {
          target.reboot();
          check(snapshot(target) === kept, () => `after a reboot the settings are ${snapshot(target)}, before ${kept}`);
          if (target.binApp) checkCategories(target);
        }
      });
    },
    close() {
      devices.dispose();
    },
    xsCore: 'inbound:config/desired',
    xsInput: (input) => replaceText(input, NEXT, '7'),
    xsBudget: 20_000_000,
  };
}
