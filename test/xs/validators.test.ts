// The device's protocol validators give the same verdicts on the real XS engine as on Node, for every
// example message in docs/examples (valid and invalid).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { REPO_ROOT } from '../support/xs/bundle.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const ENTRY = 'test/xs/entries/validators.ts';
const VALIDATORS = resolve(REPO_ROOT, 'firmware/protocol/validate.ts');
const EXAMPLES = resolve(REPO_ROOT, 'docs/examples');

/** File prefix → channel: `config-desired-…` → `config/desired`. */
const CHANNEL_OF_PREFIX: [string, string][] = [
  ['config-desired-', 'config/desired'],
  ['config-reported-', 'config/reported'],
  ['status-', 'status'],
  ['event-', 'event'],
  ['telemetry-', 'telemetry'],
  ['command-', 'command'],
  ['result-', 'result'],
  ['alarm-', 'alarm'],
];

interface Example {
  file: string;
  expectValid: boolean;
  channel: string;
  text: string;
}

function examples(): Example[] {
  return (['valid', 'invalid'] as const).flatMap((kind) =>
    readdirSync(resolve(EXAMPLES, kind))
      .filter((file) => file.endsWith('.json'))
      .sort()
      .map((file) => {
        const channel = CHANNEL_OF_PREFIX.find(([prefix]) => file.startsWith(prefix))?.[1];
        if (!channel) throw new Error(`docs/examples/${kind}/${file}: no channel for this file name prefix`);
        return { file: `${kind}/${file}`, expectValid: kind === 'valid', channel, text: readFileSync(resolve(EXAMPLES, kind, file), 'utf8') };
      }),
  );
}

type Verdict = (channel: string, text: string) => Record<string, { ok: boolean }>;
let xs: XsSession | undefined;
let onNode: Verdict | undefined;

beforeAll(async () => {
  if (!existsSync(VALIDATORS)) return;
  onNode = ((await import('./entries/validators.js')) as unknown as { verdict: Verdict }).verdict;
  xs = await XsSession.start({ entry: ENTRY });
});
afterAll(async () => {
  await xs?.close();
  killAllWorkers();
});

/** Payloads where engines could differ: JSON.parse failures, lone surrogates, big numbers, prototype keys. */
const EDGE_CASES: [string, string][] = [
  ['command', '{'],
  ['command', ''],
  ['command', 'null'],
  ['command', '[]'],
  ['command', '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1e400}'],
  ['command', '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1770000010000,"args":{"__proto__":{"x":1}}}'],
  ['alarm', '{"v":1,"msg":"alarm","alarmId":"a1","state":"raised","ts":1770000000000,"note":"\\ud800 lone"}'],
  ['alarm', '{"v":1,"msg":"alarm","alarmId":"a1","state":"raised","ts":1770000000000,"note":"\ud83d\ude00"}'],
  ['event', '{"v":1,"msg":"event","dev":"d1","seq":9007199254740993,"boot":1,"up":1,"ts":1,"tv":true,"type":"a.b","data":{}}'],
  ['config/desired', `{"v":1,"msg":"config.desired","version":1,"config":${'{"a":'.repeat(40)}1${'}'.repeat(40)}}`],
  // JSON.parse keeps the last of two equal names on both engines; the validators refuse them alike.
  ['command', '{"v":1,"msg":"command","reqId":"r1","reqId":"r2","name":"ping","exp":1770000010000}'],
  ['command', '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1770000010000,"args":{"a":1,"\\u0061":2}}'],
  ['command', '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1770000010000,"args":{"__proto__":1,"__proto__":2}}'],
  ['command', '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1770000010000,"args":{"t":"\\ud83d\\ude91 \\udc00"}}'],
];

/** Raw bytes as the device may receive them (hex): malformed UTF-8 of every kind, and fine multi-byte text. */
const BYTE_CASES: [string, string][] = (() => {
  const [before, after] = '{"v":1,"msg":"command","reqId":"r1","name":"ping","exp":1770000010000,"args":{"t":"@"}}'.split('@');
  const hex = (text: string) => Buffer.from(text).toString('hex');
  return [['c0af', 'overlong'], ['eda080', 'surrogate'], ['f4908080', 'above U+10FFFF'], ['e282', 'truncated'], ['80', 'stray continuation'],
    ['ff', 'FF'], ['c3a9e69591f09f9a91', 'valid multi-byte'], ['', 'nothing']].map(([bytes, what]) => [what!, hex(before!) + bytes + hex(after!)]);
})();

describe('protocol validators on XS', () => {
  test('the validators module exists', () => {
    expect(existsSync(VALIDATORS) ? 'present' : 'firmware/protocol/validate.ts is missing').toBe('present');
  });

  test('both example directories hold messages', () => {
    const all = examples();
    expect(all.filter((example) => example.expectValid).length).toBeGreaterThan(0);
    expect(all.filter((example) => !example.expectValid).length).toBeGreaterThan(0);
  });

  test.each(examples().map((example) => [example.file, example] as const))('%s: same verdict on XS as on Node', async (_file, example) => {
    if (!xs || !onNode) throw new Error('firmware/protocol/validate.ts is missing: cannot compare verdicts');
    const node = JSON.parse(JSON.stringify(onNode(example.channel, example.text)));
    const { value: onXs } = await xs.call<Record<string, { ok: boolean }>>('verdict', example.channel, example.text);
    expect(onXs).toEqual(node);
    // And the verdict is the one the directory promises (a live, non-retained message).
    expect((onXs.live ?? onXs.validate)!.ok).toBe(example.expectValid);
  });

  test.each(BYTE_CASES)('bytes on command (%s): same verdict on XS as on Node', async (_what, hex) => {
    if (!xs || !onNode) throw new Error('firmware/protocol/validate.ts is missing: cannot compare verdicts');
    const onNodeBytes = ((await import('./entries/validators.js')) as unknown as { verdictOfBytes: Verdict }).verdictOfBytes;
    const { value: onXs } = await xs.call<Record<string, { ok: boolean }>>('verdictOfBytes', 'command', hex);
    expect(onXs).toEqual(JSON.parse(JSON.stringify(onNodeBytes('command', hex))));
    expect(onXs.live!.ok).toBe(_what === 'valid multi-byte' || _what === 'nothing');
  });

  test.each(EDGE_CASES)('edge case on %s: %s', async (channel, text) => {
    if (!xs || !onNode) throw new Error('firmware/protocol/validate.ts is missing: cannot compare verdicts');
    const { value: onXs } = await xs.call('verdict', channel, text);
    expect(onXs).toEqual(JSON.parse(JSON.stringify(onNode(channel, text))));
  });
});
