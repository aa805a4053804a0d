// The esbuild step: `.js` specifiers resolve to `.ts`, nothing is left for a module loader, and the cache is
// keyed by the contents of every input, not just the entry.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, test } from '@jest/globals';
import { bundleCacheFile, bundleForXs } from '../support/xs/bundle.js';
import { killAllWorkers, XsnapWorker } from '../support/xs/xsnap.js';

const directory = mkdtempSync(join(tmpdir(), 'xs-bundle-'));
const entry = join(directory, 'entry.ts');

afterAll(() => {
  killAllWorkers();
  rmSync(bundleCacheFile(entry), { force: true });
  rmSync(directory, { recursive: true, force: true });
});

async function evaluateAnswer(code: string): Promise<string> {
  const worker = new XsnapWorker({ name: 'bundle' });
  try {
    await worker.evaluate(code);
    // Evaluating twice must work too (no global lexical bindings left behind).
    await worker.evaluate(code);
    const { reply } = await worker.evaluate('new TextEncoder().encode(String(__xsEntry.answer())).buffer');
    return new TextDecoder().decode(reply);
  } finally {
    await worker.close();
  }
}

test('bundles .js specifiers to .ts sources, strips module syntax, and re-bundles when a dependency changes', async () => {
  writeFileSync(join(directory, 'dep.ts'), 'export const base: number = 40;\n');
  writeFileSync(entry, "import { base } from './dep.js';\nexport function answer(): number { return base + 2; }\n");
  const first = await bundleForXs(entry);
  expect(first).not.toMatch(/^\s*(import|export)\s/m);
  expect(await evaluateAnswer(first)).toBe('42');
  expect(existsSync(bundleCacheFile(entry))).toBe(true);
  expect(await bundleForXs(entry)).toBe(first);

  writeFileSync(join(directory, 'dep.ts'), 'export const base: number = 1;\n');
  const second = await bundleForXs(entry);
  expect(second).not.toBe(first);
  expect(await evaluateAnswer(second)).toBe('3');
});

test('a missing import is a bundling error naming the file', async () => {
  const broken = join(directory, 'broken.ts');
  writeFileSync(broken, "import { nothing } from './absent.js';\nexport const x = nothing;\n");
  await expect(bundleForXs(broken)).rejects.toThrow(/absent\.js/);
});
