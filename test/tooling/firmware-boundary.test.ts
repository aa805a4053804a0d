// Firmware code must run on XS as well as Node: the firmware TypeScript program sees ECMAScript only, so a
// Node import or global under firmware/ fails `npm run typecheck`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

const probes: Record<string, string> = {
  'plain-ecmascript': 'export const twice = (n: number): number => n * 2;\n',
  'node-import': "import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n",
  'bare-node-module': "import { EventEmitter } from 'events';\nexport const e = EventEmitter;\n",
  process: 'export const env = process.env.HOME;\n',
  buffer: "export const b = Buffer.from('x');\n",
  console: "console.log('hi');\nexport {};\n",
  'set-timeout': 'setTimeout(() => 0, 10);\nexport {};\n',
  require: "export const m = require('fs');\n",
};

let output = '';
const probeDir = join(root, 'firmware', `zz-boundary-probes-${process.pid}`);

beforeAll(() => {
  mkdirSync(probeDir, { recursive: true });
  for (const [name, source] of Object.entries(probes)) writeFileSync(join(probeDir, `${name}.ts`), source);
  try {
    execFileSync(process.execPath, [
      tsc, '-p', join(root, 'tsconfig.firmware.json'),
      '--noEmit', '--emitDeclarationOnly', 'false', '--composite', 'false', '--declaration', 'false', '--incremental', 'false',
    ], { cwd: root, encoding: 'utf8', stdio: 'pipe' });
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error);
  } finally {
    rmSync(probeDir, { recursive: true, force: true });
  }
}, 120_000);

const errorsIn = (name: string) => output.split('\n').filter((line) => line.includes(`/${name}.ts(`) && /error TS\d+/.test(line));

describe('the firmware type-check boundary', () => {
  it('accepts plain ECMAScript under firmware/', () => {
    expect(errorsIn('plain-ecmascript')).toEqual([]);
  });

  it.each([
    ['node-import', /node:fs/],
    ['bare-node-module', /events/],
    ['process', /process/],
    ['buffer', /Buffer/],
    ['console', /console/],
    ['set-timeout', /setTimeout/],
    ['require', /require/],
  ])('rejects %s', (name, complaint) => {
    const errors = errorsIn(name);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(complaint);
  });
});
