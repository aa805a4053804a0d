// `npm run lint` (dependency-cruiser, .dependency-cruiser.mjs) guards the import boundaries. Each case lays out a
// small tree with the repo's folder layout in a temporary directory and runs the lint script's own command there.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const depcruise = join(root, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const lintScript: string = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).scripts.lint;

type Tree = Record<string, string>;
interface Violation { rule: string; from: string; to: string }
interface Outcome { status: number | null; violations: Violation[] }

/** Files that honour every rule, and import what each layer may: the baseline of every case. */
const clean: Tree = {
  'hal/contract/time.ts': 'export interface Clock { now(): number }\n',
  'hal/contract/io.ts': "import type { Clock } from './time.js';\nexport interface Io { clock: Clock }\n",
  'hal/boards/pins.ts': 'export const pins = { relay: 4 } as const;\n',
  'hal/boards/board.ts': "import type { Io } from '../contract/io.js';\nimport { pins } from './pins.js';\nexport const board = { pins, io: undefined as Io | undefined };\n",
  'firmware/lib/bytes.ts': 'export const byte = (n: number): number => n & 0xff;\n',
  'firmware/runtime/runtime.ts': "import type { Io } from '../../hal/contract/io.js';\nexport const run = (io: Io): number => io.clock.now();\n",
  'firmware/identity/hash.ts': "import { byte } from '../lib/bytes.js';\nexport const hash = (n: number): number => byte(n * 31);\n",
  'firmware/apps/door/app.ts':
    "import { run } from '../../runtime/runtime.js';\nimport { hash } from '../../identity/hash.js';\nexport const app = [run, hash];\n",
  'firmware/apps/door/door.ts': "import { app } from './app.js';\nexport const door = app;\n",
  // The Moddable binding imports SDK modules that exist only in a device build, and Node's names mean SDK ones there.
  'hal/moddable/device.ts':
    "import TCP from 'embedded:io/socket/tcp';\nimport config from 'mc/config';\nimport Preference from 'preference';\n" +
    "import Net from 'net';\nimport { run } from '../../firmware/runtime/runtime.js';\nexport default [TCP, config, Preference, Net, run];\n",
  'hal/host/io.ts': "import { readFileSync } from 'node:fs';\nimport { run } from '../../firmware/runtime/runtime.js';\nexport default [readFileSync, run];\n",
};

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs `npm run lint`'s own command on `tree` (config read from the repo): its exit status and the errors it prints. */
function lint(tree: Tree): Outcome {
  const dir = mkdtempSync(join(tmpdir(), 'ct-lint-'));
  dirs.push(dir);
  for (const [path, source] of Object.entries(tree)) {
    mkdirSync(join(dir, dirname(path)), { recursive: true });
    writeFileSync(join(dir, path), source);
  }
  const [command, ...args] = lintScript.split(/\s+/);
  expect(command).toBe('depcruise');
  expect(args).toContain('--config');
  const configAt = args.indexOf('--config') + 1;
  args[configAt] = join(root, args[configAt]!);
  const run = spawnSync(process.execPath, [depcruise, ...args], { cwd: dir, encoding: 'utf8' });
  if (run.error) throw run.error;
  // "error no-app-to-app: firmware/apps/b/x.ts → firmware/apps/a/y.ts"; a cycle continues on the next lines.
  const violations = [...run.stdout.matchAll(/^\s*error (\S+): (\S+) →\s+(\S+)/gm)].map(([, rule, from, to]) => ({
    rule: rule!, from: from!, to: to!,
  }));
  return { status: run.status, violations };
}

const byRule = (a: Violation, b: Violation) => `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`);

describe('npm run lint', () => {
  it('passes a tree that keeps every boundary, Moddable SDK imports included', () => {
    expect(lint(clean)).toEqual({ status: 0, violations: [] });
  }, 60_000);

  it('fails when one app imports another', () => {
    const outcome = lint({
      ...clean,
      'firmware/apps/sos/app.ts': "import { door } from '../door/door.js';\nexport const sos = door;\n",
    });
    expect(outcome.status).not.toBe(0);
    expect(outcome.violations).toEqual([
      { rule: 'no-app-to-app', from: 'firmware/apps/sos/app.ts', to: 'firmware/apps/door/door.ts' },
    ]);
  }, 60_000);

  it('fails when firmware imports the host binding, even for a type', () => {
    const outcome = lint({
      ...clean,
      'firmware/runtime/clock.ts': "import type host from '../../hal/host/io.js';\nexport type Host = typeof host;\n",
    });
    expect(outcome.status).not.toBe(0);
    expect(outcome.violations).toEqual([
      { rule: 'firmware-not-to-edge', from: 'firmware/runtime/clock.ts', to: 'hal/host/io.ts' },
    ]);
  }, 60_000);

  it('names each other boundary crossed', () => {
    const outcome = lint({
      ...clean,
      'simulator/world.ts': 'export const world = 1;\n',
      'firmware/io/world.ts': "export { world } from '../../simulator/world.js';\n",
      'firmware/lib/node.ts': "import { readFileSync } from 'node:fs';\nimport { EventEmitter } from 'events';\nexport default [readFileSync, EventEmitter];\n",
      'firmware/lib/sdk.ts': "import Timer from 'timer';\nexport default Timer;\n",
      'hal/contract/leak.ts': "import { byte } from '../../firmware/lib/bytes.js';\nexport default byte;\n",
      'hal/boards/leak.ts': "import { run } from '../../firmware/runtime/runtime.js';\nexport default run;\n",
      'hal/host/leak.ts': "import device from '../moddable/device.js';\nexport default device;\n",
      'hal/moddable/leak.ts': "import host from '../host/io.js';\nexport default host;\n",
      'firmware/power/battery.ts': "import { app } from '../apps/door/app.js';\nexport default app;\n",
      'firmware/sensing/a.ts': "import { b } from './b.js';\nexport const a = (): number => b() + 1;\n",
      'firmware/sensing/b.ts': "import { a } from './a.js';\nexport const b = (): number => a() - 1;\n",
      'hal/host/missing.ts': "import gone from './gone.js';\nexport default gone;\n",
    });
    expect(outcome.status).not.toBe(0);
    expect(outcome.violations.sort(byRule)).toEqual([
      { rule: 'bindings-apart', from: 'hal/host/leak.ts', to: 'hal/moddable/device.ts' },
      { rule: 'bindings-apart', from: 'hal/moddable/leak.ts', to: 'hal/host/io.ts' },
      { rule: 'boards-only-contract', from: 'hal/boards/leak.ts', to: 'firmware/runtime/runtime.ts' },
      { rule: 'contract-only-itself', from: 'hal/contract/leak.ts', to: 'firmware/lib/bytes.ts' },
      { rule: 'firmware-no-circular', from: 'firmware/sensing/a.ts', to: 'firmware/sensing/b.ts' },
      { rule: 'firmware-not-to-edge', from: 'firmware/io/world.ts', to: 'simulator/world.ts' },
      { rule: 'firmware-only-relative', from: 'firmware/lib/node.ts', to: 'events' },
      { rule: 'firmware-only-relative', from: 'firmware/lib/node.ts', to: 'fs' },
      { rule: 'not-to-unresolvable', from: 'firmware/lib/sdk.ts', to: 'timer' },
      { rule: 'not-to-unresolvable', from: 'hal/host/missing.ts', to: './gone.js' },
      { rule: 'services-not-to-apps', from: 'firmware/power/battery.ts', to: 'firmware/apps/door/app.ts' },
    ].sort(byRule));
  }, 60_000);
});
