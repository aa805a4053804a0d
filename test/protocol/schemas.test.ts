// The JSON Schemas accept every valid example and reject every invalid one; the examples cover every kind and
// the invalid ones are each explained; the schemas carry the same bounds as firmware/protocol/limits.ts.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, test } from '@jest/globals';
import * as limits from '../../firmware/protocol/limits.js';
import { CHANNELS, type Channel } from '../../firmware/protocol/topics.js';
import { KIND_OF_CHANNEL } from '../../firmware/protocol/validate.js';
import { DOCS, SCHEMA_BASE, examples, fileKindOfChannel, loadAjv, schemaFor } from './support.js';
import { checkBinEvent } from '../../simulator/platform/bin.js';

const ajv = loadAjv();
const channels = Object.keys(CHANNELS) as Channel[];

function schemaJson(name: string): Record<string, any> {
  return JSON.parse(readFileSync(`${DOCS}schemas/${name}.json`, 'utf8'));
}

describe('JSON Schemas', () => {
  test('there is one schema per message kind plus common.json, each draft 2020-12 with its own $id', () => {
    const files = readdirSync(`${DOCS}schemas`).filter((f) => f.endsWith('.json')).sort();
    expect(files).toEqual([...channels.map(fileKindOfChannel), 'common'].map((k) => `${k}.json`).sort());
    for (const file of files) {
      const schema = schemaJson(file.replace(/\.json$/, ''));
      expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema.$id).toBe(`${SCHEMA_BASE}${file}`);
    }
  });

  test.each(channels)('%s: the schema is titled by its msg, compiles strictly and demands v and msg', (channel) => {
    const schema = schemaJson(fileKindOfChannel(channel));
    expect(schema.title).toBe(KIND_OF_CHANNEL[channel]);
    expect(schema.properties.msg).toEqual({ const: KIND_OF_CHANNEL[channel] });
    expect(schema.required).toEqual(expect.arrayContaining(['v', 'msg']));
    expect(schema.additionalProperties).toBe(false);
    expect(() => schemaFor(ajv, channel)).not.toThrow();
  });

  test.each(examples('valid').map((e) => [e.name, e] as const))('%s is accepted', (_name, example) => {
    const validate = ajv.getSchema(`${SCHEMA_BASE}${fileKindOfChannel(example.channel)}.json`)!;
    const ok = validate(example.value);
    expect(ok ? [] : validate.errors).toEqual([]);
  });

  test.each(examples('invalid').map((e) => [e.name, e] as const))('%s is rejected', (_name, example) => {
    expect(schemaFor(ajv, example.channel)(example.value)).toBe(false);
  });
});

describe('examples', () => {
  test.each(channels)('%s has at least two valid and three invalid examples', (channel) => {
    expect(examples('valid').filter((e) => e.channel === channel).length).toBeGreaterThanOrEqual(2);
    expect(examples('invalid').filter((e) => e.channel === channel).length).toBeGreaterThanOrEqual(3);
  });

  test('every invalid example is listed once in invalid/README.md with the rule it breaks, and nothing else is', () => {
    const readme = readFileSync(`${DOCS}examples/invalid/README.md`, 'utf8');
    const rows = [...readme.matchAll(/^\| `([^`]+\.json)` \| (.+) \|$/gm)].map((m) => ({ file: m[1]!, why: m[2]!.trim() }));
    expect(rows.map((r) => r.file).sort()).toEqual(examples('invalid').map((e) => e.file));
    expect(new Set(rows.map((r) => r.file)).size).toBe(rows.length);
    for (const row of rows) expect(row.why.length).toBeGreaterThan(10);
  });

  test('each invalid example is a near copy of a valid one of its kind (it breaks one rule, not several)', () => {
    const far = examples('invalid').filter((bad) => {
      const siblings = examples('valid').filter((e) => e.channel === bad.channel);
      return Math.min(...siblings.map((good) => differingFields(good.value, bad.value))) > 2;
    });
    expect(far.map((e) => e.file)).toEqual([]);
  });
});

function differingFields(a: unknown, b: unknown): number {
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...keys].filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k])).length;
}

describe('schemas and limits.ts agree', () => {
  const common = schemaJson('common').$defs;
  test('text and name bounds', () => {
    expect(common.model.maxLength).toBe(limits.MAX_MODEL);
    expect(common.fw.maxLength).toBe(limits.MAX_FW);
    expect(common.reset.maxLength).toBe(limits.MAX_RESET);
    expect(common.reason.maxLength).toBe(limits.MAX_REASON);
    expect(common.note.maxLength).toBe(limits.MAX_NOTE);
    expect(common.dottedName.maxLength).toBe(limits.MAX_NAME);
    expect(common.deviceId.pattern).toContain(`{1,${limits.MAX_NAME}}`);
    expect(common.token.pattern).toContain(`{1,${limits.MAX_NAME}}`);
  });

  test('numeric bounds', () => {
    expect(schemaJson('status').properties.wakeIn.maximum).toBe(limits.MAX_WAKE_IN);
    expect(schemaJson('status').properties.cmds.maxItems).toBe(limits.MAX_CMDS);
    expect(schemaJson('alarm').properties.etaMin.maximum).toBe(limits.MAX_ETA_MIN);
    expect(common.uint.maximum).toBe(Number.MAX_SAFE_INTEGER);
  });

  test('free-form objects: forbidden keys and depth', () => {
    expect(common.safeKey.not.enum).toEqual(limits.FORBIDDEN_KEYS);
    const levels = Object.keys(common).filter((k) => /^level\d+$/.test(k)).map((k) => Number(k.slice(5)));
    expect(Math.max(...levels)).toBe(limits.MAX_FREE_DEPTH);
  });
});

describe('event data of the smart bin and of alarms (docs/schemas/common.json $defs)', () => {
  const DATA_DEFS: Readonly<Record<string, string>> = {
    'bin.level': 'binLevelData', 'bin.emptied': 'binEmptiedData', 'bin.deposit': 'binDepositData', 'bin.refused': 'binRefusedData',
    'bin.tared': 'binTaredData', 'alarm.raised': 'alarmRaisedData', 'alarm.cleared': 'alarmClearedData',
  };
  const dataCheck = (type: string) => ajv.getSchema(`${SCHEMA_BASE}common.json#/$defs/${DATA_DEFS[type]}`)!;
  const eventExamples = examples('valid').map((e) => e.value as { type: string; data: Record<string, unknown> })
    .filter((e) => typeof e.type === 'string' && Object.hasOwn(DATA_DEFS, e.type));

  test('every such valid event example has data its $def accepts, and the platform reads it the same way', () => {
    expect(new Set(eventExamples.map((e) => e.type))).toEqual(new Set(['alarm.cleared', 'alarm.raised', 'bin.deposit', 'bin.emptied', 'bin.level']));
    for (const { type, data } of eventExamples) {
      const check = dataCheck(type);
      expect({ type, ok: check(data), errors: check.errors ?? null }).toEqual({ type, ok: true, errors: null });
      expect(checkBinEvent(type, data)).toBeUndefined();
    }
  });

  test.each([
    ['bin.deposit', { resident: 'ab'.repeat(31) }],
    ['bin.deposit', { via: 'cash' }],
    ['bin.deposit', { grams: 1.5 }],
    ['bin.deposit', { c: 4 }],
    ['bin.emptied', { toPct: 101 }],
    ['bin.level', { status: 'empty' }],
  ])('%s with %j: refused by the $def and by the platform', (type, change) => {
    const data = { ...eventExamples.find((e) => e.type === type)!.data, ...change };
    expect(dataCheck(type)(data)).toBe(false);
    expect(checkBinEvent(type, data)).toMatch(new RegExp(`^${type.replace('.', '\\.')}\\.data\\.${Object.keys(change)[0]}: `));
  });
});
