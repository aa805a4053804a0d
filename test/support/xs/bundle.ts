// Bundles a TypeScript entry for XS: esbuild (ESM, platform neutral), the entry's exports put on
// `globalThis.__xsEntry`, the whole wrapped in a strict-mode function so `xsnap`'s script eval can run it and
// can run it twice. Cached by content hash in node_modules/.cache/xs-bundles so repeated test runs are fast.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, version as esbuildVersion } from 'esbuild';

export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const CACHE_DIR = resolve(REPO_ROOT, 'node_modules/.cache/xs-bundles');
/** XS 13 (xsnap 0.15) lacks some ES2024 library features (Object.groupBy, Promise.withResolvers) but has the syntax. */
export const XS_TARGET = 'es2022';
/** Global the bundle puts the entry's module namespace on. */
export const ENTRY_GLOBAL = '__xsEntry';

interface CachedBundle {
  /** Input file (repo-relative) → sha256 of its contents when the bundle was made. */
  inputs: Record<string, string>;
  code: string;
}

/** Returns script text for `XsnapWorker.evaluate`: no import/export left; the entry's exports on `__xsEntry`. */
export async function bundleForXs(entry: string): Promise<string> {
  const entryPath = resolve(REPO_ROOT, entry);
  const cacheFile = bundleCacheFile(entry);
  const cached = readCache(cacheFile);
  if (cached && inputsUnchanged(cached)) return cached.code;

  const result = await build({
    stdin: {
      contents: `import * as entry from ${JSON.stringify(entryPath)};\nglobalThis.${ENTRY_GLOBAL} = entry;\n`,
      resolveDir: REPO_ROOT,
      sourcefile: '<xs-entry>',
      loader: 'ts',
    },
    absWorkingDir: REPO_ROOT, // metafile input paths are relative to this
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: XS_TARGET,
    write: false,
    metafile: true,
    logLevel: 'silent',
    charset: 'utf8',
    legalComments: 'none',
  });
  const output = result.outputFiles[0];
  const meta = Object.values(result.metafile.outputs)[0];
  if (!output || !meta) throw new Error(`esbuild produced no output for ${entry}`);
  if (meta.imports.length > 0 || meta.exports.length > 0)
    throw new Error(`bundle of ${entry} still imports or exports: ${JSON.stringify(meta.imports)} ${JSON.stringify(meta.exports)}`);

  const code = `(function () {\n"use strict";\n${output.text}\n})();\n`;
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    if (input.startsWith('<')) continue; // the generated stdin entry
    inputs[input] = sha256(readFileSync(resolve(REPO_ROOT, input)));
  }
  writeCache(cacheFile, { inputs, code });
  return code;
}

/** Where the bundle of `entry` is cached. */
export function bundleCacheFile(entry: string): string {
  return resolve(CACHE_DIR, `${sha256(`${esbuildVersion}\0${XS_TARGET}\0${resolve(REPO_ROOT, entry)}`)}.json`);
}

function readCache(file: string): CachedBundle | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as CachedBundle;
  } catch {
    return undefined;
  }
}

function inputsUnchanged(cached: CachedBundle): boolean {
  try {
    return Object.entries(cached.inputs).every(([input, hash]) => sha256(readFileSync(resolve(REPO_ROOT, input))) === hash);
  } catch {
    return false;
  }
}

function writeCache(file: string, bundle: CachedBundle): void {
  mkdirSync(CACHE_DIR, { recursive: true });
  // Parallel jest workers may write the same entry: write aside, then rename (atomic).
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(bundle));
  renameSync(temporary, file);
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
