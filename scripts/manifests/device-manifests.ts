// The `modules` and `preload` lists of each device manifest (manifests/*.json with a `creation.main`), generated
// from the import graph: the entry module and what it imports at run time, so a build carries its own board,
// app and drivers and nothing else. Specifiers mirror the tree (XS resolves a relative import against the
// importing module's specifier); every module but the entry is preloaded, one by one (mcconfig expands `*` in
// preload for .js files only). Platform stand-ins stay hand-written in the `platforms` sections: they are mapped
// under SDK names, so they are roots here (what they import is listed) but not listed themselves.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { reachableModules, sourceFileOf } from './import-graph.js';

type ModuleMap = Record<string, string | string[]>;

interface Manifest {
  include?: string | string[];
  creation?: { main?: string };
  modules?: ModuleMap;
  preload?: string[];
  platforms?: Record<string, { modules?: ModuleMap; preload?: string[] }>;
  [key: string]: unknown;
}

/** A device manifest as committed and as generated. */
export interface DeviceManifest {
  /** Path from the project root, e.g. `manifests/door-reader.json`. */
  readonly path: string;
  readonly entry: string;
  readonly committed: string;
  readonly generated: string;
  readonly modules: Readonly<Record<string, string>>;
  readonly preload: readonly string[];
}

const MANIFESTS_DIR = 'manifests';

function readManifest(file: string): Manifest {
  return JSON.parse(readFileSync(file, 'utf8')) as Manifest;
}

/** The manifest and the project's manifests it includes (SDK includes, `$(...)`, are not ours), depth first. */
function withIncludes(file: string): { file: string; manifest: Manifest }[] {
  const manifest = readManifest(file);
  const includes = [manifest.include ?? []].flat().filter((include) => !include.startsWith('$('));
  return [{ file, manifest }, ...includes.flatMap((include) => withIncludes(resolve(dirname(file), include)))];
}

/** Source files of the platform stand-ins the manifest and its includes map by hand. */
function standInFiles(file: string): string[] {
  const files: string[] = [];
  for (const { file: declaring, manifest } of withIncludes(file)) {
    for (const platform of Object.values(manifest.platforms ?? {})) {
      for (const [specifier, sources] of Object.entries(platform.modules ?? {})) {
        if (specifier === '~') continue; // removals, not modules
        for (const source of [sources].flat().filter((path) => path.startsWith('.'))) {
          const found = sourceFileOf(resolve(dirname(declaring), source));
          if (!found) throw new Error(`${relative(dirname(file), declaring)}: no source for ${specifier} (${source})`);
          files.push(found);
        }
      }
    }
  }
  return files;
}

function byCodePoint(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The manifest with its lists replaced, `modules` and `preload` right after `creation`. */
function withLists(manifest: Manifest, modules: Record<string, string>, preload: string[]): Manifest {
  const result: Manifest = {};
  for (const [key, value] of Object.entries(manifest)) {
    if (key === 'modules' || key === 'preload') continue;
    result[key] = value;
    if (key === 'creation') Object.assign(result, { modules, preload });
  }
  return result;
}

function generate(root: string, path: string): DeviceManifest {
  const file = join(root, path);
  const committed = readFileSync(file, 'utf8');
  const manifest = JSON.parse(committed) as Manifest;
  const entry = manifest.creation!.main!;
  const entryFile = sourceFileOf(join(root, entry));
  if (!entryFile) throw new Error(`${path}: no source for creation.main ${entry}`);
  const standIns = new Set(standInFiles(file));
  const specifiers = [...reachableModules(root, [entryFile, ...standIns]).values()]
    .filter((module) => !standIns.has(module.file))
    .map((module) => module.specifier)
    .sort(byCodePoint);
  const fromManifests = relative(dirname(file), root).split('\\').join('/') || '.';
  const modules = Object.fromEntries(specifiers.map((specifier) => [specifier, `${fromManifests}/${specifier}`]));
  const preload = specifiers.filter((specifier) => specifier !== entry);
  const generated = `${JSON.stringify(withLists(manifest, modules, preload), null, '\t')}\n`;
  return { path, entry, committed, generated, modules, preload };
}

/** Every device manifest of the project, with its generated text. */
export function deviceManifests(root: string): DeviceManifest[] {
  const dir = join(root, MANIFESTS_DIR);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith('.json'))
    .sort(byCodePoint)
    .map((name) => `${MANIFESTS_DIR}/${name}`)
    .filter((path) => readManifest(join(root, path)).creation?.main !== undefined)
    .map((path) => generate(root, path));
}
