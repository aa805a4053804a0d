// Device configuration: defaults from the spec, overlaid by the last accepted desired document (persisted).
// A desired document is a full document with a version: older or equal versions are stale, a document that
// fails validation is rejected with a reason and the configuration in force stays as it was. An applied document
// is on trial until the runtime keep()s it (it stayed connected) or revert()s it (it lost the broker): the last
// proven one is kept beside it (`cfg/prev`) until then, and the `doc` write is each step's commit.
// Keys are typed from the spec: `ConfigStore<typeof SPEC>` takes only SPEC's keys, so a misspelt key is a type
// error (an app's spec is declared `satisfies ConfigSpec` so that its keys and field types stay literal).
import { VALUE_MAX_BYTES, type KeyValueStore } from '../../hal/contract/index.js';
import { utf8Encode } from '../lib/utf8.js';
import { quote } from '../protocol/fields.js';

export type FieldSpec =
  | { type: 'integer'; min: number; max: number; default: number }
  | { type: 'number'; min: number; max: number; default: number }
  | { type: 'boolean'; default: boolean }
  | { type: 'string'; maxLength: number; default: string; values?: readonly string[] };

export type ConfigSpec = Readonly<Record<string, FieldSpec>>;
export type ConfigValue = number | boolean | string;

/** The value a field holds. */
export type FieldValue<F extends FieldSpec> = F extends { type: 'boolean' } ? boolean : F extends { type: 'string' } ? string : number;

export type ConfigValues<S extends ConfigSpec = ConfigSpec> = { readonly [K in keyof S]: FieldValue<S[K]> };

/** The keys of a spec's integer and number fields (any key when the spec is not known). */
export type NumberKeys<S extends ConfigSpec> = string extends keyof S
  ? string
  : { [K in keyof S & string]: S[K] extends { type: 'integer' | 'number' } ? K : never }[keyof S & string];

export type DesiredOutcome =
  | { status: 'applied'; changed: string[] }
  | { status: 'unchanged' }
  | { status: 'stale'; reason: string }
  | { status: 'rejected'; reason: string };

const KV_DOMAIN = 'cfg';
const KV_KEY = 'doc';
/** The last proven document, while a newer one is on trial (see revert()). */
const KV_PREVIOUS = 'prev';
/** Why the document in force replaced a newer one that was reverted: kept in `doc` as `reverted`. */
export interface RevertedConfig {
  readonly version: number;
  readonly reason: string;
}
/** A string value in the key-value store: 4000 bytes less NVS's terminating NUL. */
const KV_MAX_BYTES = VALUE_MAX_BYTES - 1;

export class ConfigStore<S extends ConfigSpec = ConfigSpec> {
  #spec: S;
  #kv: KeyValueStore;
  #version = 0;
  #values: Record<string, ConfigValue>;
  #listeners: ((changed: string[]) => void)[] = [];
  /** The last proven document's text while the one in force is on trial. */
  #previous: string | undefined;
  #reverted: RevertedConfig | undefined;
  // Unparameterised, so that a store of one app's settings stays assignable to a store of any settings.
  #check: ((values: ConfigValues) => string | undefined) | undefined;

  /** `check`: the app's rules across fields (a blind zone shorter than the bin), after each field's own. */
  constructor(spec: S, kv: KeyValueStore, check?: (values: ConfigValues<S>) => string | undefined) {
    this.#spec = spec;
    this.#kv = kv;
    this.#check = check as ((values: ConfigValues) => string | undefined) | undefined;
    this.#values = defaults(spec);
    this.#load();
  }

  get version(): number {
    return this.#version;
  }

  get values(): ConfigValues<S> {
    return this.#values as ConfigValues<S>;
  }

  get<K extends keyof S & string>(key: K): FieldValue<S[K]> {
    const value = this.#values[key];
    if (value === undefined) throw new RangeError(`config: no field "${key}"`);
    return value as FieldValue<S[K]>;
  }

  number(key: NumberKeys<S>): number {
    const value = this.get(key);
    if (typeof value !== 'number') throw new TypeError(`config: "${key}" is not a number`);
    return value;
  }

  /** The document in force was applied and is not yet proven (keep() or revert()). */
  get onTrial(): boolean {
    return this.#previous !== undefined;
  }

  /** The newer version that was reverted to the one in force, and why (until a newer one applies). */
  get reverted(): RevertedConfig | undefined {
    return this.#reverted;
  }

  /** The document in force is proven: it will not be reverted. */
  keep(): void {
    if (this.#previous === undefined) return;
    this.#kv.delete(KV_DOMAIN, KV_PREVIOUS);
    this.#previous = undefined;
  }

  /**
   * Back to the last proven document (the one in force before the first untried one); `version` stays marked reverted so the same desired document
   * (still retained on the broker) is not applied again. One write commits it (`doc`); a leftover `prev` is dropped
   * at the next load. Returns the keys that changed, or undefined when nothing is on trial.
   */
  revert(reason: string): { version: number; changed: string[] } | undefined {
    const previous = this.#previous === undefined ? undefined : parseDocument(this.#previous);
    if (!previous) return undefined;
    const values = validateDocument(this.#spec, previous.values, true);
    const restored = typeof values === 'string' ? defaults(this.#spec) : values;
    const reverted = { version: this.#version, reason: reason.slice(0, 200) };
    this.#kv.set(KV_DOMAIN, KV_KEY, JSON.stringify({ version: previous.version, values: restored, reverted }));
    this.keep();
    const changed = Object.keys(restored).filter((key) => restored[key] !== this.#values[key]);
    this.#version = previous.version;
    this.#values = restored;
    this.#reverted = reverted;
    if (changed.length > 0) for (const listener of this.#listeners) listener(changed);
    return { version: reverted.version, changed };
  }

  /** After an applied document changed values: the keys that changed (the new values are in force). */
  onChange(listener: (changed: string[]) => void): void {
    this.#listeners.push(listener);
  }

  applyDesired(version: number, document: Record<string, unknown>): DesiredOutcome {
    if (version < this.#version) return { status: 'stale', reason: `version ${version} is older than ${this.#version}` };
    // Reverted already and reported so: the broker still holds it retained.
    if (this.#reverted !== undefined && version <= this.#reverted.version) return { status: 'unchanged' };
    const checked = validateDocument(this.#spec, document);
    if (typeof checked === 'string') return { status: 'rejected', reason: checked };
    const refused = this.#check?.(checked);
    if (refused !== undefined) return { status: 'rejected', reason: refused };
    if (version === this.#version) {
      return sameValues(checked, this.#values)
        ? { status: 'unchanged' }
        : { status: 'stale', reason: `version ${version} is already in force with other values` };
    }
    const text = JSON.stringify({ version, values: checked });
    if (utf8Encode(text).length > KV_MAX_BYTES) return { status: 'rejected', reason: 'configuration too large to store' };
    const changed = Object.keys(checked).filter((key) => checked[key] !== this.#values[key]);
    // The last proven document first, so a revert can restore it; the new `doc` is the commit. While one is on
    // trial the proven one stays: a revert goes back to what worked, not to another untried document.
    if (this.#previous === undefined) {
      const previous = JSON.stringify({ version: this.#version, values: this.#values });
      this.#kv.set(KV_DOMAIN, KV_PREVIOUS, previous);
      this.#previous = previous;
    }
    this.#kv.set(KV_DOMAIN, KV_KEY, text);
    this.#reverted = undefined;
    this.#version = version;
    this.#values = checked;
    if (changed.length > 0) for (const listener of this.#listeners) listener(changed);
    return { status: 'applied', changed };
  }

  /** Loads the persisted document; a document that no longer fits the spec (after a firmware update) is ignored. */
  #load(): void {
    this.#loadDocument();
    const previous = this.#kv.get(KV_DOMAIN, KV_PREVIOUS);
    if (previous === undefined) return;
    const parsed = typeof previous === 'string' ? parseDocument(previous) : undefined;
    // Written but never followed by its new `doc` (or left by a revert): nothing is on trial.
    if (parsed && parsed.version < this.#version) this.#previous = previous as string;
    else this.#kv.delete(KV_DOMAIN, KV_PREVIOUS);
  }

  #loadDocument(): void {
    const stored = this.#kv.get(KV_DOMAIN, KV_KEY);
    const parsed = typeof stored === 'string' ? parseDocument(stored) : undefined;
    // Corrupt record: defaults stand; the platform's retained desired document restores the rest.
    if (!parsed) return;
    const checked = validateDocument(this.#spec, parsed.values, true);
    // A stored document the app's rules now refuse (a firmware update changed them): the defaults stand.
    if (typeof checked === 'string' || this.#check?.(checked) !== undefined) return;
    this.#version = parsed.version;
    this.#values = checked;
    this.#reverted = parsed.reverted;
  }
}

function parseDocument(text: string): { version: number; values: Record<string, unknown>; reverted?: RevertedConfig } | undefined {
  try {
    const parsed = JSON.parse(text) as { version?: unknown; values?: unknown; reverted?: { version?: unknown; reason?: unknown } };
    if (typeof parsed.version !== 'number' || typeof parsed.values !== 'object' || parsed.values === null) return undefined;
    const r = parsed.reverted;
    const reverted = typeof r === 'object' && r !== null && typeof r.version === 'number' && typeof r.reason === 'string'
      ? { version: r.version, reason: r.reason } : undefined;
    return { version: parsed.version, values: parsed.values as Record<string, unknown>, ...(reverted ? { reverted } : {}) };
  } catch {
    return undefined;
  }
}

function defaults(spec: ConfigSpec): Record<string, ConfigValue> {
  const values: Record<string, ConfigValue> = {};
  for (const key of Object.keys(spec)) values[key] = spec[key]!.default;
  return values;
}

function sameValues(a: ConfigValues, b: ConfigValues): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((key) => a[key] === b[key]);
}

/** Full values (missing keys take defaults), or the reason the document is refused. */
function validateDocument(
  spec: ConfigSpec,
  document: Record<string, unknown>,
  ignoreUnknown = false,
): Record<string, ConfigValue> | string {
  const values = defaults(spec);
  for (const key of Object.keys(document)) {
    const field = Object.prototype.hasOwnProperty.call(spec, key) ? spec[key] : undefined;
    if (!field) {
      if (ignoreUnknown) continue;
      // Quoted (escaped, shortened): the reason goes out in config/reported, where control characters and
      // reasons over MAX_REASON are invalid.
      return `unknown setting ${quote(key)}`;
    }
    const value = document[key];
    const problem = checkValue(field, value);
    if (problem) return `${key}: ${problem}`;
    values[key] = value as ConfigValue;
  }
  return values;
}

function checkValue(field: FieldSpec, value: unknown): string | undefined {
  switch (field.type) {
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) return `expected a ${field.type}`;
      if (field.type === 'integer' && !Number.isInteger(value)) return 'expected an integer';
      if (value < field.min || value > field.max) return `must be between ${field.min} and ${field.max}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'expected true or false';
    case 'string':
      if (typeof value !== 'string') return 'expected a string';
      if (value.length > field.maxLength) return `longer than ${field.maxLength} characters`;
      if (field.values && !field.values.includes(value)) return `must be one of ${field.values.join(', ')}`;
      return undefined;
  }
}
