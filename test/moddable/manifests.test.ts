// manifests/ against the source tree: module specifiers mirror folders (so relative imports resolve on XS), the
// shared include maps all common device code, and every mapped module except an entry point is preloaded
// (mcconfig expands `*` in preload for .js files only, so TypeScript modules are listed one by one). Also checks
// that the ESP32 partition table holds the runtime's outbox.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifests = join(root, 'manifests');

interface Manifest {
  include?: string | string[];
  modules?: Record<string, string | string[]>;
  preload?: string[];
  creation?: { main?: string };
  build?: Record<string, string>;
  platforms?: Record<string, Manifest>;
}

function readManifest(name: string): Manifest {
  return JSON.parse(readFileSync(join(manifests, name), 'utf8')) as Manifest;
}

/** Module specifiers of the .ts modules directly in `dir` (no declaration files, no subfolders). */
function modulesIn(dir: string): string[] {
  return readdirSync(join(root, dir))
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts') && statSync(join(root, dir, name)).isFile())
    .map((name) => `${dir}/${name.slice(0, -3)}`);
}

function foldersUnder(dir: string): string[] {
  const result = [dir];
  for (const name of readdirSync(join(root, dir))) {
    if (statSync(join(root, dir, name)).isDirectory()) result.push(...foldersUnder(`${dir}/${name}`));
  }
  return result;
}

/** Folders mapped with a `folder/*` specifier. */
function mappedFolders(manifest: Manifest): string[] {
  return Object.keys(manifest.modules ?? {}).filter((specifier) => specifier.endsWith('/*')).map((specifier) => specifier.slice(0, -2));
}

const shared = readManifest('shared.json');
const deviceManifestNames = readdirSync(manifests).filter((name) => name.endsWith('.json') && name !== 'shared.json');
const devices = deviceManifestNames.map((name) => [name, readManifest(name)] as const);
const entries = new Set(devices.map(([, manifest]) => manifest.creation?.main).filter((main) => main !== undefined));

/** Common device code every device gets from shared.json. */
const sharedFolders = [
  ...['firmware/io', 'firmware/lib', 'firmware/net/mqtt', 'firmware/protocol', 'firmware/sensing'].filter((folder) => existsSync(join(root, folder))),
  ...foldersUnder('firmware/runtime'),
  'hal/contract',
  'hal/boards',
  'hal/moddable',
];

describe('manifests/shared.json', () => {
  test('module specifiers mirror the folder tree', () => {
    for (const [specifier, source] of Object.entries(shared.modules ?? {})) {
      expect(specifier.endsWith('/*')).toBe(true);
      expect(source).toBe(`../${specifier}`);
    }
  });

  test('maps every folder of common device code', () => {
    const mapped = mappedFolders(shared);
    expect(sharedFolders.filter((folder) => modulesIn(folder).length > 0 && !mapped.includes(folder))).toEqual([]);
  });

  test('preloads every module it maps, and only those', () => {
    const mapped = mappedFolders(shared).flatMap(modulesIn);
    const preload = new Set(shared.preload);
    expect({
      missing: mapped.filter((module) => !preload.has(module)),
      unknown: [...preload].filter((module) => !mapped.includes(module)),
    }).toEqual({ missing: [], unknown: [] });
  });

  test('platform stand-ins and build files exist', () => {
    for (const platform of Object.values(shared.platforms ?? {})) {
      for (const source of Object.values(platform.modules ?? {}).flat()) {
        if (source.startsWith('../')) expect([`${source}.ts`, `${source}.js`].filter((file) => existsSync(join(manifests, file)))).toHaveLength(1);
      }
      for (const value of Object.values(platform.build ?? {})) {
        if (value.startsWith('./')) expect(existsSync(join(manifests, value))).toBe(true);
      }
    }
  });
});

describe.each(devices)('manifests/%s', (_name, manifest) => {
  test('includes shared.json and names an existing entry module, mapped to itself', () => {
    expect([manifest.include].flat()).toContain('./shared.json');
    const main = manifest.creation?.main;
    expect(existsSync(join(root, `${main}.ts`))).toBe(true);
    expect(main !== undefined && (manifest.modules?.[main] === `../${main}` || shared.modules?.[`${dirname(main)}/*`] !== undefined)).toBe(true);
  });

  test('module specifiers mirror the folder tree', () => {
    for (const [specifier, source] of Object.entries(manifest.modules ?? {})) {
      expect(source).toBe(`../${specifier}`);
      const path = specifier.endsWith('/*') ? specifier.slice(0, -2) : `${specifier}.ts`;
      expect(existsSync(join(root, path))).toBe(true);
    }
  });

  test('with shared.json, every mapped module but the entry points is preloaded, and preload names only mapped modules', () => {
    const mapped = [...new Set([...mappedFolders(shared), ...mappedFolders(manifest)])].flatMap(modulesIn);
    const preload = new Set([...(shared.preload ?? []), ...(manifest.preload ?? [])]);
    expect({
      missing: mapped.filter((module) => !entries.has(module) && !preload.has(module)),
      unknown: [...preload].filter((module) => !mapped.includes(module)),
      entriesPreloaded: [...entries].filter((module) => preload.has(module!)),
    }).toEqual({ missing: [], unknown: [], entriesPreloaded: [] });
  });
});

describe('manifests/partitions-esp32.csv', () => {
  const rows = readFileSync(join(manifests, 'partitions-esp32.csv'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, type, subtype, offset, size] = line.split(',').map((field) => field.trim());
      return { name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size) };
    });

  test('is the table the esp32 build uses', () => {
    expect(shared.platforms?.esp32?.build?.PARTITIONS_FILE).toBe('./partitions-esp32.csv');
  });

  test('has a 256 KB data partition "outbox" (the runtime default) in whole 4 KB blocks', () => {
    const outbox = rows.find((row) => row.name === 'outbox');
    expect(outbox).toMatchObject({ type: 'data', size: 256 * 1024 });
    expect(outbox!.offset % 4096).toBe(0);
  });

  test('partitions do not overlap, apps are 64 KB aligned, NVS is where ESP-IDF expects it, all fits in 4 MB', () => {
    const sorted = [...rows].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.offset).toBeGreaterThanOrEqual(sorted[i - 1]!.offset + sorted[i - 1]!.size);
    for (const row of rows) {
      expect(row.offset % (row.type === 'app' ? 0x10000 : 0x1000)).toBe(0);
      expect(row.offset + row.size).toBeLessThanOrEqual(4 * 1024 * 1024);
    }
    expect(rows.find((row) => row.name === 'nvs')).toMatchObject({ type: 'data', offset: 0x9000 });
  });
});
