// Mutations over valid seeds. Byte level: bit and byte flips, interesting values, arithmetic, inserting,
// deleting, duplicating and copying ranges, splicing two seeds. JSON aware: values replaced by other types, huge
// and odd numbers, long and odd strings (lone surrogate escapes, NUL, emoji), deep nesting, `__proto__` and
// duplicate keys, keys dropped, added and renamed, subtrees from other seeds; and invalid UTF-8 bytes inside
// the serialized text. Every choice comes from the given Prng, so a seed reproduces a run.
import type { Prng } from './prng.js';

export const INTERESTING_8 = [0x00, 0x01, 0x7f, 0x80, 0x81, 0xfe, 0xff, 0x20, 0x40, 0x0a, 0x0d, 0x22, 0x5c, 0x10];
export const INTERESTING_16 = [0x0000, 0x0001, 0x007f, 0x0080, 0x00ff, 0x0100, 0x3fff, 0x4000, 0x7fff, 0x8000, 0xffff, 0x2000, 0x2001];
export const INTERESTING_32 = [0, 1, 0x7f, 0x80, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xffffffff, 0x100, 0x3fff];

const MAX_INPUT = 64 * 1024;

/** Cuts an input down to what the fuzzer keeps (mutations can grow without bound otherwise). */
function cap(bytes: Uint8Array, limit = MAX_INPUT): Uint8Array {
  return bytes.length > limit ? bytes.slice(0, limit) : bytes;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** One byte-level mutation. */
export function mutateBytesOnce(input: Uint8Array, rng: Prng, seedList: readonly Uint8Array[]): Uint8Array {
  const seeds = seedList.length > 0 ? seedList : [input];
  const n = input.length;
  const at = () => rng.below(n);
  const range = () => {
    const start = rng.below(n + 1);
    const length = Math.min(n - start, rng.size(Math.max(1, Math.min(n, 512))));
    return [start, length] as const;
  };
  const op = n === 0 ? 7 : rng.below(16);
  const out = input.slice();
  switch (op) {
    case 0: { // flip one bit
      const i = at();
      out[i]! ^= 1 << rng.below(8);
      return out;
    }
    case 1: { // flip a byte
      const i = at();
      out[i]! ^= 0xff;
      return out;
    }
    case 2: { // random byte
      out[at()] = rng.next() & 0xff;
      return out;
    }
    case 3: { // interesting byte
      out[at()] = rng.pick(INTERESTING_8);
      return out;
    }
    case 4: { // interesting 16-bit value, either byte order
      if (n < 2) return out;
      const i = rng.below(n - 1);
      const v = rng.pick(INTERESTING_16);
      const big = rng.chance(0.5);
      out[i] = big ? v >> 8 : v & 0xff;
      out[i + 1] = big ? v & 0xff : v >> 8;
      return out;
    }
    case 5: { // interesting 32-bit value
      if (n < 4) return out;
      const i = rng.below(n - 3);
      const v = rng.pick(INTERESTING_32);
      for (let k = 0; k < 4; k++) out[i + k] = (v >>> (rng.chance(0.5) ? 24 - 8 * k : 8 * k)) & 0xff;
      return out;
    }
    case 6: { // small arithmetic
      const i = at();
      out[i] = (out[i]! + rng.between(-16, 16)) & 0xff;
      return out;
    }
    case 7: { // insert random or interesting bytes
      const i = rng.below(n + 1);
      const count = rng.size(64);
      const fill = rng.chance(0.5) ? rng.bytes(count) : new Uint8Array(count).fill(rng.pick(INTERESTING_8));
      return concat(input.subarray(0, i), fill, input.subarray(i));
    }
    case 8: { // delete a range
      const [start, length] = range();
      return concat(input.subarray(0, start), input.subarray(start + length));
    }
    case 9: { // duplicate a range in place
      const [start, length] = range();
      const times = rng.chance(0.9) ? 1 : rng.size(64);
      const parts = [input.subarray(0, start + length)];
      for (let k = 0; k < times; k++) parts.push(input.subarray(start, start + length));
      parts.push(input.subarray(start + length));
      return cap(concat(...parts));
    }
    case 10: { // copy a range over another place
      const [start, length] = range();
      const to = rng.below(n);
      const piece = input.slice(start, start + length);
      out.set(piece.subarray(0, Math.max(0, n - to)), to);
      return out;
    }
    case 11: { // splice with another seed: head of this one, tail of the other
      const other = rng.pick(seeds);
      return cap(concat(input.subarray(0, rng.below(n + 1)), other.subarray(rng.below(other.length + 1))));
    }
    case 12: { // insert a piece of another seed
      const other = rng.pick(seeds);
      const start = rng.below(other.length + 1);
      const piece = other.subarray(start, start + rng.size(Math.max(1, other.length)));
      const i = rng.below(n + 1);
      return cap(concat(input.subarray(0, i), piece, input.subarray(i)));
    }
    case 13: // truncate
      return input.slice(0, rng.below(n + 1));
    case 14: { // swap two bytes
      const i = at();
      const j = at();
      out[i] = input[j]!;
      out[j] = input[i]!;
      return out;
    }
    default: { // overwrite a range with one value
      const [start, length] = range();
      out.fill(rng.pick(INTERESTING_8), start, start + length);
      return out;
    }
  }
}

/** Several byte mutations stacked. */
export function havoc(input: Uint8Array, rng: Prng, seeds: readonly Uint8Array[], rounds = 1 + rng.size(8)): Uint8Array {
  let out = input;
  for (let i = 0; i < rounds; i++) out = mutateBytesOnce(out, rng, seeds);
  return out;
}

// ---- JSON ----

/** A JSON document as a tree that can hold what JSON.parse would never give back (duplicate keys, raw text). */
export type JsonNode =
  | { k: 'raw'; text: string }
  | { k: 'obj'; entries: [string, JsonNode][] }
  | { k: 'arr'; items: JsonNode[] }
  | { k: 'val'; value: string | number | boolean | null };

export function jsonTree(value: unknown): JsonNode {
  if (Array.isArray(value)) return { k: 'arr', items: value.map(jsonTree) };
  if (value !== null && typeof value === 'object') {
    return { k: 'obj', entries: Object.keys(value).map((key) => [key, jsonTree((value as Record<string, unknown>)[key])]) };
  }
  return { k: 'val', value: value as string | number | boolean | null };
}

export function jsonText(node: JsonNode): string {
  switch (node.k) {
    case 'raw':
      return node.text;
    case 'val':
      return typeof node.value === 'number' && !Number.isFinite(node.value) ? 'null' : JSON.stringify(node.value);
    case 'arr':
      return `[${node.items.map(jsonText).join(',')}]`;
    case 'obj':
      return `{${node.entries.map(([key, child]) => `${JSON.stringify(key)}:${jsonText(child)}`).join(',')}}`;
  }
}

/** Parses UTF-8 JSON, or undefined. */
export function parseJsonBytes(bytes: Uint8Array): JsonNode | undefined {
  try {
    return jsonTree(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)));
  } catch {
    return undefined;
  }
}

const HUGE_NUMBERS = [
  '1e308', '1e400', '-1e400', '9007199254740993', '9007199254740992', '-9007199254740993', '18446744073709551616',
  '4294967295', '4294967296', '2147483648', '-2147483649', '0.1e-400', '-0', '0.5', '1.0000000000000002', '1E2',
  '123456789012345678901234567890', '65535', '65536', '8192', '8193', '319', '320', '1023', '1024', '1000001',
];
const STRING_LENGTHS = [0, 1, 15, 16, 63, 64, 65, 139, 140, 141, 199, 200, 201, 1000, 5761, 7700, 8200];
const ODD_STRINGS = [
  '"\\ud800"', '"\\udc00x"', '"a\\ud83d"', '"\\ud83d\\ude00"', '"\\u0000"', '"\\u001f"', '"a/b"', '"a+b"', '"#"',
  '"a b"', '"\\n"', '"\\\\"', '"\\""', '"😀"', '"测试"', '"\\u2028"', '"ABC="', '"===="', '"__proto__"', '"constructor"',
  '"-1"', '"1e3"', '"true"', '"null"', '""',
];
const ODD_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '', 'x', 'v', 'msg', 'args', '\u0000', '😀'];

interface Slot {
  get(): JsonNode;
  set(node: JsonNode): void;
}

function slots(root: { node: JsonNode }): Slot[] {
  const out: Slot[] = [{ get: () => root.node, set: (node) => { root.node = node; } }];
  const walk = (node: JsonNode, depth: number): void => {
    if (depth > 64) return;
    if (node.k === 'arr') {
      node.items.forEach((child, i) => {
        out.push({ get: () => node.items[i]!, set: (next) => { node.items[i] = next; } });
        walk(child, depth + 1);
      });
    } else if (node.k === 'obj') {
      node.entries.forEach((entry) => {
        out.push({ get: () => entry[1], set: (next) => { entry[1] = next; } });
        walk(entry[1], depth + 1);
      });
    }
  };
  walk(root.node, 0);
  return out;
}

function longString(rng: Prng): JsonNode {
  const length = rng.pick(STRING_LENGTHS);
  const unit = rng.pick(['a', 'A', '0', 'é', '😀', '测', '\\u0041', '\\\\', 'a/b', '=']);
  let text = '';
  while (text.length < length) text += unit;
  return { k: 'raw', text: `"${text}"` };
}

function otherValue(rng: Prng, current: JsonNode): JsonNode {
  switch (rng.below(12)) {
    case 0:
      return { k: 'val', value: null };
    case 1:
      return { k: 'val', value: rng.chance(0.5) };
    case 2:
      return { k: 'raw', text: rng.pick(HUGE_NUMBERS) };
    case 3:
      return { k: 'val', value: rng.pick([0, -1, 1, 2, 1.5, -0.5, 255, 256, 1_800_000_000_000, 1_800_000_030_000]) };
    case 4:
      return longString(rng);
    case 5:
      return { k: 'raw', text: rng.pick(ODD_STRINGS) };
    case 6:
      return { k: 'arr', items: rng.chance(0.5) ? [] : [current] };
    case 7:
      return { k: 'obj', entries: rng.chance(0.5) ? [] : [['x', current]] };
    case 8: { // deep nesting
      const depth = rng.pick([8, 9, 31, 32, 33, 40, 100, 2000]);
      const array = rng.chance(0.5);
      return { k: 'raw', text: `${(array ? '[' : '{"a":').repeat(depth)}${jsonText(current)}${(array ? ']' : '}').repeat(depth)}` };
    }
    case 9: { // a nearby number
      if (current.k === 'val' && typeof current.value === 'number') {
        const v = current.value;
        return { k: 'val', value: rng.pick([v + 1, v - 1, -v, v * 2, v / 2, v + 0.5, v * 1000, 2 ** 32 - v, Number.MAX_SAFE_INTEGER - v]) };
      }
      return { k: 'val', value: rng.between(-2, 70_000) };
    }
    case 10: { // the string, slightly changed
      if (current.k === 'val' && typeof current.value === 'string') {
        const s = current.value;
        const i = rng.below(s.length + 1);
        return {
          k: 'val', value: rng.pick([
            s.slice(0, i), s + s, `${s.slice(0, i)}${rng.pick(['/', ' ', '.', '..', '#', '+', '\u0000', 'A', 'é'])}${s.slice(i)}`,
            s.toUpperCase(), s.toLowerCase(), s.slice(i) + s.slice(0, i), `${s}=`, s.replace(/=/g, ''),
          ]),
        };
      }
      return { k: 'val', value: String(current.k === 'val' ? current.value : 'x') };
    }
    default:
      return { k: 'val', value: rng.pick(['', 'x', 'ping', 'command', 'config.desired', 'alarm', 'raised', 'snapshot', 'delta']) };
  }
}

/** One structural mutation of a JSON tree (in place where it can). */
function mutateTree(root: { node: JsonNode }, rng: Prng, donors: readonly JsonNode[]): void {
  const all = slots(root);
  const slot = rng.pick(all);
  const node = slot.get();
  const choice = rng.below(10);
  if (choice < 4) return slot.set(otherValue(rng, node));
  if (choice < 5 && donors.length > 0) {
    const donorSlots = slots({ node: rng.pick(donors) });
    return slot.set(structuredClone(rng.pick(donorSlots).get()));
  }
  if (node.k === 'obj') {
    const entries = node.entries;
    switch (rng.below(6)) {
      case 0:
        if (entries.length > 0) entries.splice(rng.below(entries.length), 1); // drop a key
        return;
      case 1: // add an odd key
        entries.splice(rng.below(entries.length + 1), 0, [rng.pick(ODD_KEYS), otherValue(rng, { k: 'val', value: 1 })]);
        return;
      case 2: { // duplicate a key with another value (JSON.parse keeps the last)
        if (entries.length === 0) return;
        const [key, value] = entries[rng.below(entries.length)]!;
        const copy: [string, JsonNode] = [key, rng.chance(0.5) ? otherValue(rng, value) : value];
        entries.splice(rng.below(entries.length + 1), 0, copy);
        return;
      }
      case 3: { // rename a key
        if (entries.length === 0) return;
        const entry = entries[rng.below(entries.length)]!;
        entry[0] = rng.pick([...ODD_KEYS, entry[0].toUpperCase(), `${entry[0]} `, entry[0].slice(1)]);
        return;
      }
      case 4: // shuffle
        entries.reverse();
        return;
      default: // wrap in __proto__
        slot.set({ k: 'obj', entries: [['__proto__', node]] });
        return;
    }
  }
  if (node.k === 'arr') {
    const items = node.items;
    switch (rng.below(4)) {
      case 0:
        if (items.length > 0) items.splice(rng.below(items.length), 1);
        return;
      case 1:
        if (items.length > 0) {
          const i = rng.below(items.length);
          const times = rng.chance(0.8) ? 1 : rng.size(400);
          for (let k = 0; k < times; k++) items.splice(i, 0, items[i]!);
        }
        return;
      case 2:
        items.length = 0;
        return;
      default:
        items.push(otherValue(rng, items[0] ?? { k: 'val', value: 0 }));
        return;
    }
  }
  slot.set(otherValue(rng, node));
}

/** Byte tricks on serialized JSON: invalid UTF-8 inside strings, BOM, NUL, trailing text, whitespace. */
function textTricks(bytes: Uint8Array, rng: Prng): Uint8Array {
  const quotes: number[] = [];
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x22) quotes.push(i);
  const insertAt = (i: number, piece: readonly number[]) => concat(bytes.subarray(0, i), Uint8Array.from(piece), bytes.subarray(i));
  const inString = () => (quotes.length > 0 ? rng.pick(quotes) + 1 : rng.below(bytes.length + 1));
  switch (rng.below(8)) {
    case 0: // invalid UTF-8 inside a string
      return insertAt(inString(), rng.pick([[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0x80], [0xf5, 0x80, 0x80, 0x80], [0xf0, 0x9f, 0x98]]));
    case 1: // a NUL or control byte inside a string
      return insertAt(inString(), [rng.pick([0x00, 0x01, 0x0a, 0x1f, 0x7f])]);
    case 2: // BOM
      return concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes);
    case 3: // trailing garbage
      return concat(bytes, Uint8Array.from(rng.pick([[0x20], [0x00], [0x7b], [0x2c, 0x7b, 0x7d], [0x0a, 0x7b, 0x7d]])));
    case 4: // whitespace between tokens
      return insertAt(rng.below(bytes.length + 1), [rng.pick([0x20, 0x09, 0x0a, 0x0d])]);
    case 5: // cut inside
      return bytes.slice(0, rng.below(bytes.length + 1));
    case 6: // truncated multi-byte sequence at the end
      return concat(bytes, Uint8Array.from(rng.pick([[0xe2, 0x82], [0xc3], [0xf0, 0x9f]])));
    default: // overlong or surrogate encodings for a quote or slash
      return insertAt(inString(), rng.pick([[0xc0, 0xa2], [0xe0, 0x80, 0xaf], [0xed, 0xbf, 0xbf]]));
  }
}

const encoder = new TextEncoder();

/** One JSON-aware mutation (several tree edits, sometimes a byte trick); undefined when the input is not JSON. */
export function mutateJson(input: Uint8Array, rng: Prng, donors: readonly JsonNode[]): Uint8Array | undefined {
  const tree = parseJsonBytes(input);
  if (!tree) return undefined;
  const root = { node: tree };
  for (let edits = rng.size(4); edits > 0; edits--) mutateTree(root, rng, donors);
  let bytes: Uint8Array = encoder.encode(jsonText(root.node));
  if (rng.chance(0.2)) bytes = textTricks(bytes, rng);
  return cap(bytes);
}

export interface MutateOptions {
  /** 'json': JSON-aware mutations most of the time, byte havoc otherwise. */
  format: 'bytes' | 'json';
  seeds: readonly Uint8Array[];
  /** Parsed seeds (format json) to splice subtrees from. */
  donors?: readonly JsonNode[];
}

export function mutate(input: Uint8Array, rng: Prng, options: MutateOptions): Uint8Array {
  if (options.format === 'json' && rng.chance(0.75)) {
    const out = mutateJson(input, rng, options.donors ?? []);
    if (out) return rng.chance(0.1) ? mutateBytesOnce(out, rng, options.seeds) : out;
  }
  return havoc(input, rng, options.seeds);
}
