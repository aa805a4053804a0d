// Shared by the protocol tests: the JSON Schemas loaded into ajv, and the example messages of docs/examples.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Channel } from '../../firmware/protocol/topics.js';

export const DOCS = fileURLToPath(new URL('../../docs/', import.meta.url));
export const SCHEMA_BASE = 'https://schemas.community-terminals.example/protocol/v1/';

/** Schema / example file prefix → channel. The longest prefixes come first (`config-desired` before any `config`). */
export const CHANNEL_OF_FILE_KIND: readonly (readonly [string, Channel])[] = [
  ['config-desired', 'config/desired'],
  ['config-reported', 'config/reported'],
  ['status', 'status'],
  ['event', 'event'],
  ['telemetry', 'telemetry'],
  ['command', 'command'],
  ['result', 'result'],
  ['alarm', 'alarm'],
];

export function fileKindOfChannel(channel: Channel): string {
  return channel.replace('/', '-');
}

/** ajv 2020-12 in strict mode with every schema of docs/schemas added. */
export function loadAjv(): Ajv2020 {
  // Union types (`"type": ["string", "number", …]`) are plain JSON Schema; `required` inside if/then is too.
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  for (const file of readdirSync(`${DOCS}schemas`).filter((f) => f.endsWith('.json')).sort()) {
    ajv.addSchema(JSON.parse(readFileSync(`${DOCS}schemas/${file}`, 'utf8')));
  }
  return ajv;
}

/**
 * The same schemas read as draft-07, AsyncAPI's default schema format: they use only keywords that mean the
 * same in both drafts, so the AsyncAPI document's payloads mean what the 2020-12 schemas mean.
 */
export function loadAjvDraft07(): Ajv {
  const ajv = new Ajv({ strict: true, allowUnionTypes: true, strictRequired: false, allErrors: true });
  addFormats(ajv);
  for (const file of readdirSync(`${DOCS}schemas`).filter((f) => f.endsWith('.json')).sort()) {
    const { $schema: _draft, ...schema } = JSON.parse(readFileSync(`${DOCS}schemas/${file}`, 'utf8'));
    ajv.addSchema(schema);
  }
  return ajv;
}

export type SchemaCheck = (value: unknown) => boolean;

export function schemaFor(ajv: Ajv | Ajv2020, channel: Channel): SchemaCheck {
  const validate = ajv.getSchema(`${SCHEMA_BASE}${fileKindOfChannel(channel)}.json`);
  if (!validate) throw new Error(`no schema for channel ${channel}`);
  return (value) => validate(value) as boolean;
}

export interface Example {
  /** e.g. "valid/command-ping.json" */
  name: string;
  file: string;
  valid: boolean;
  channel: Channel;
  text: string;
  value: unknown;
}

export function examples(which: 'valid' | 'invalid'): Example[] {
  const dir = `${DOCS}examples/${which}`;
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const entry = CHANNEL_OF_FILE_KIND.find(([kind]) => file.startsWith(`${kind}-`));
    if (!entry) throw new Error(`docs/examples/${which}/${file}: the name does not start with a message kind`);
    const text = readFileSync(`${dir}/${file}`, 'utf8');
    return { name: `${which}/${file}`, file, valid: which === 'valid', channel: entry[1], text, value: JSON.parse(text) };
  });
}

export function allExamples(): Example[] {
  return [...examples('valid'), ...examples('invalid')];
}
