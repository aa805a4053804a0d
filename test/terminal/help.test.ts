// Help lists every command of every device kind: `npm start -- --help` and the in-app help alike; the footer and
// help lines fit the width they are given.
import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { BASE_COMMANDS, footerLines, helpLines, VIEW_COMMANDS, wrap } from '../../simulator/commands.js';
import { DEVICE_KINDS } from '../../simulator/kinds/index.js';

const ROOT = resolve(import.meta.dirname, '../..');
const kinds = Object.values(DEVICE_KINDS);
const verbs = kinds.flatMap((kind) => Object.keys(kind.commands ?? {}).map((verb) => ({ model: kind.model, verb })));

test('every kind has commands to list', () => {
  expect(verbs.map(({ verb }) => verb)).toEqual(expect.arrayContaining(['card', 'pin', 'qr', 'door', 'rex', 'press', 'hold', 'fall', 'adl', 'battery']));
});

// tsx compiling main.ts and its imports: ~2 s quiet, several times that under load.
test('--help lists every command of every kind', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'simulator/main.ts', '--help'], { cwd: ROOT, timeout: 30_000 });
  for (const { model, verb } of verbs) {
    expect(stdout).toContain(`${model}:`);
    expect(stdout).toMatch(new RegExp(`^ +${verb} N\\b`, 'm'));
  }
  for (const [usage] of [...BASE_COMMANDS, ...VIEW_COMMANDS]) expect(stdout).toContain(usage);
}, 30_000);

test('the help and the footer fit the width', () => {
  for (const width of [40, 80, 120]) {
    const help = helpLines(kinds, width);
    for (const line of help) expect(line.length).toBeLessThanOrEqual(width);
    for (const { verb } of verbs) expect(help.some((line) => new RegExp(`^ +${verb} N\\b`).test(line))).toBe(true);
    const footer = footerLines(kinds, width);
    for (const line of footer) expect(line.length).toBeLessThanOrEqual(width);
    for (const kind of kinds.filter((k) => Object.keys(k.commands ?? {}).length > 0)) expect(footer.join(' ')).toContain(`${kind.model}:`);
  }
  expect(wrap('a '.repeat(50).trim(), 10, '  ').every((line) => line.length <= 10)).toBe(true);
  expect(wrap('x'.repeat(25), 10)).toEqual(['x'.repeat(10), 'x'.repeat(10), 'x'.repeat(5)]);
});
