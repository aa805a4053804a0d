// The wire side of credential sync: strict args for the cred.sync.* commands (and only for them), the base64 the
// device decodes itself, and the manifest's signing text as docs/protocol.md §14.2 defines it.
import { describe, expect, test } from '@jest/globals';
import { checkCredSyncArgs, isBase64 } from '../../firmware/apps/door-reader/command-args.js';
import { manifestSigningText, MAX_CHUNK_TEXT, MAX_HASHES_TEXT } from '../../firmware/protocol/cred-sync.js';
import { parseInbound } from '../../firmware/protocol/validate.js';
import { decodeBase64 } from '../../firmware/lib/base64.js';

const BEGIN = {
  sync: 's1', kind: 'delta', version: 2, base: 1, count: 10, pins: 0, profiles: 1,
  hashes: 'AAAAAAAAAAAAAAAAAAAAAA==', digest: 'ab'.repeat(32), mac: 'cd'.repeat(32),
};

describe('args of the sync commands', () => {
  test('only the cred.sync.* commands have their args checked here', () => {
    expect(checkCredSyncArgs('door.open', { anything: [1] }, 'args')).toBeUndefined();
    expect(checkCredSyncArgs('cred.sync', { anything: 1 }, 'args')).toBeUndefined();
    expect(checkCredSyncArgs('cred.sync.begin', BEGIN, 'args')).toBeUndefined();
    expect(checkCredSyncArgs('cred.sync.status', undefined, 'args')).toBeUndefined();
    expect(checkCredSyncArgs('cred.sync.status', {}, 'args')).toBeUndefined();
  });

  test.each([
    ['cred.sync.begin', undefined, 'args: required'],
    ['cred.sync.begin', { ...BEGIN, base: undefined, kind: 'delta' }, 'args.base: expected an integer 0–4294967295'],
    ['cred.sync.begin', (({ base: _base, ...rest }) => rest)(BEGIN), 'args.base: required when kind is "delta"'],
    ['cred.sync.begin', { ...BEGIN, kind: 'snapshot' }, 'args.base: only allowed when kind is "delta"'],
    ['cred.sync.begin', { ...BEGIN, version: 2 ** 32 }, 'args.version: expected an integer 1–4294967295'],
    ['cred.sync.begin', { ...BEGIN, digest: 'AB'.repeat(32) }, 'args.digest: expected 64 lowercase hex digits'],
    ['cred.sync.begin', { ...BEGIN, hashes: 'A'.repeat(MAX_HASHES_TEXT + 4) }, `args.hashes: expected base64 (padded), 4–${MAX_HASHES_TEXT} chars`],
    ['cred.sync.chunk', { sync: 's1', i: 0 }, 'args.data: required'],
    ['cred.sync.chunk', { sync: 's1', i: -1, data: 'AAAA' }, 'args.i: expected an integer 0–319'],
    ['cred.sync.chunk', { sync: 's 1', i: 0, data: 'AAAA' }, 'args.sync: expected 1–64 chars of [A-Za-z0-9._:-]'],
    ['cred.sync.status', { x: 1 }, 'args: unknown field "x"'],
  ])('%s %j → %s', (name, args, error) => {
    expect(checkCredSyncArgs(name, args, 'args')).toBe(error);
  });

  test('the protocol layer leaves them to the door reader, which names the field', () => {
    const command = { v: 1, msg: 'command', reqId: 'r1', name: 'cred.sync.chunk', exp: 1, args: { sync: 's', i: 1, data: 'AAA' } };
    expect(parseInbound('command', JSON.stringify(command), false).ok).toBe(true);
    expect(checkCredSyncArgs(command.name, command.args, 'command.args')).toBe(`command.args.data: expected base64 (padded), 4–${MAX_CHUNK_TEXT} chars`);
  });
});

describe('base64', () => {
  test.each(['AAAA', 'AA==', 'AAA=', 'ab+/', 'QUJD'])('%s is base64', (text) => expect(isBase64(text, 100)).toBe(true));
  test.each(['', 'AAA', 'A===', '====', 'AA=A', 'AAAA=', 'AB-_', 'AA AA', 'ÀAAA'])('%j is not', (text) => expect(isBase64(text, 100)).toBe(false));

  test('decodes like Node for every length and byte, and refuses what is not base64', () => {
    for (let length = 0; length < 40; length++) {
      const bytes = new Uint8Array(length).map((_, i) => (i * 97 + length * 31) & 0xff);
      expect(decodeBase64(Buffer.from(bytes).toString('base64'))).toEqual(bytes);
    }
    expect(decodeBase64(Buffer.from(new Uint8Array(256).map((_, i) => i)).toString('base64'))).toEqual(new Uint8Array(256).map((_, i) => i));
    for (const bad of ['AAA', 'A===', 'AA=A', 'AAAA=', 'AB-_', 'AA AA']) expect(decodeBase64(bad)).toBeUndefined();
  });
});

test('the signing text is the fixed lines of §14.2', () => {
  const { mac: _mac, ...signed } = BEGIN;
  expect(manifestSigningText(signed as Parameters<typeof manifestSigningText>[0])).toBe(
    `ct-cred-sync/1\ns1\ndelta\n2\n1\n10\n0\n1\n${'ab'.repeat(32)}\nAAAAAAAAAAAAAAAAAAAAAA==`);
  expect(manifestSigningText({ ...signed, kind: 'snapshot', base: undefined } as Parameters<typeof manifestSigningText>[0]).split('\n')[4]).toBe('');
});
