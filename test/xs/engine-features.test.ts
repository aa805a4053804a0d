// xsnap's XS (13.3) lags the Moddable SDK's and V8: some ES2023/ES2024 library functions that TypeScript's
// `lib: es2024` accepts are missing. This probes each on the real engine and fails if firmware code uses one
// that XS lacks, naming the file, so the gap shows up here instead of on a device.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { REPO_ROOT } from '../support/xs/bundle.js';
import { killAllWorkers, XsnapWorker } from '../support/xs/xsnap.js';

/** Engine-neutral code: it must run on XS. */
const ENGINE_NEUTRAL = ['firmware', 'hal/contract', 'hal/boards'];

const FEATURES: { name: string; probe: string; use: RegExp }[] = [
  { name: 'Object.groupBy', probe: 'Object.groupBy', use: /\bObject\.groupBy\b/ },
  { name: 'Map.groupBy', probe: 'Map.groupBy', use: /\bMap\.groupBy\b/ },
  { name: 'Promise.withResolvers', probe: 'Promise.withResolvers', use: /\bPromise\.withResolvers\b/ },
  { name: 'Array.fromAsync', probe: 'Array.fromAsync', use: /\bArray\.fromAsync\b/ },
  { name: 'Array.prototype.toSorted', probe: '[].toSorted', use: /\.toSorted\(/ },
  { name: 'Array.prototype.toReversed', probe: '[].toReversed', use: /\.toReversed\(/ },
  { name: 'Array.prototype.toSpliced', probe: '[].toSpliced', use: /\.toSpliced\(/ },
  { name: 'String.prototype.isWellFormed', probe: '"".isWellFormed', use: /\.isWellFormed\(/ },
  { name: 'String.prototype.toWellFormed', probe: '"".toWellFormed', use: /\.toWellFormed\(/ },
  { name: 'Set.prototype.union and kin', probe: 'new Set().union', use: /\.(union|intersection|symmetricDifference|isSubsetOf|isSupersetOf|isDisjointFrom)\(/ },
  { name: 'Atomics.waitAsync', probe: 'Atomics.waitAsync', use: /\bAtomics\.waitAsync\b/ },
];

/** Functions XS 13.3 has (ES2022/ES2023): a probe that cannot see them would make the scan vacuous. */
const CONTROLS = ['[].findLast', 'Object.hasOwn', '"".replaceAll'];
let missing: typeof FEATURES = [];
let controls: boolean[] = [];

beforeAll(async () => {
  const worker = new XsnapWorker({ name: 'features' });
  try {
    const probes = [...CONTROLS, ...FEATURES.map((feature) => feature.probe)].map((probe) => `typeof ${probe} === 'function'`);
    const { reply } = await worker.evaluate(`new TextEncoder().encode(JSON.stringify([${probes.join(', ')}])).buffer`);
    const present = JSON.parse(new TextDecoder().decode(reply)) as boolean[];
    controls = present.slice(0, CONTROLS.length);
    missing = FEATURES.filter((_, index) => !present[CONTROLS.length + index]);
  } finally {
    await worker.close();
  }
});
afterAll(() => killAllWorkers());

function sources(directory: string): string[] {
  const absolute = join(REPO_ROOT, directory);
  let entries;
  try {
    entries = readdirSync(absolute, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) => join(entry.parentPath, entry.name));
}

test('the probe tells present from missing on XS', () => {
  expect(controls).toEqual([true, true, true]);
  expect(missing.map((feature) => feature.name)).toContain('Object.groupBy');
});

test('engine-neutral code uses none of the library functions XS lacks', () => {
  const uses: string[] = [];
  for (const file of ENGINE_NEUTRAL.flatMap(sources)) {
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((line, index) => {
      if (/^\s*(\/\/|\*)/.test(line)) return;
      for (const feature of missing) if (feature.use.test(line)) uses.push(`${relative(REPO_ROOT, file)}:${index + 1} uses ${feature.name}`);
    });
  }
  expect(uses).toEqual([]);
});
