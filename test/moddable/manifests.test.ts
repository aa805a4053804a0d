// manifests/ against the source tree. The device manifests' `modules` and `preload` lists are generated from the
// import graph (npm run manifests, scripts/manifests/): the committed ones must be what the generator makes now,
// and each build must carry only what its entry imports (its own board and app, no simulator boards, the fall
// model only on the SOS button). Also checks the hand-written parts: shared.json, platform stand-ins, and the
// ESP32 partition table holding the runtime's outbox.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceManifests } from '../../scripts/manifests/device-manifests.js';
import { runtimeSpecifiers, sourceFileOf } from '../../scripts/manifests/import-graph.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const manifests = join(root, 'manifests');

interface Platform {
  modules?: Record<string, string | string[]>;
  preload?: string[];
  build?: Record<string, string>;
}

interface Manifest {
  include?: string | string[];
  config?: { model?: string };
  modules?: Record<string, string | string[]>;
  preload?: string[];
  platforms?: Record<string, Platform>;
}

function readManifest(name: string): Manifest {
  return JSON.parse(readFileSync(join(manifests, name), 'utf8')) as Manifest;
}

const shared = readManifest('shared.json');
const devices = deviceManifests(root);
const entries = devices.map((device) => device.entry);
const modelOf = (path: string): string | undefined => readManifest(path.slice('manifests/'.length)).config?.model;
const carrying = (specifier: string): string[] => devices.filter((device) => specifier in device.modules).map((device) => device.path);

/** Boards the entry module imports itself (a device's own board), by specifier. */
function boardsImportedBy(entry: string): string[] {
  const file = sourceFileOf(join(root, entry))!;
  return runtimeSpecifiers(file, readFileSync(file, 'utf8'))
    .filter((specifier) => specifier.startsWith('.'))
    .map((specifier) => join(dirname(entry), specifier).replace(/\.js$/, ''))
    .filter((specifier) => specifier.startsWith('hal/boards/'));
}

describe('scripts/manifests: what counts as an import', () => {
  test('type-only imports and re-exports are erased; value, side-effect, namespace and dynamic imports count', () => {
    const source = [
      "import type { A } from './type-only.js';",
      "import { type B, type C } from './inline-types.js';",
      "import { type D, e } from './mixed.js';",
      "import f from './default.js';",
      "import * as g from './namespace.js';",
      "import './side-effect.js';",
      "export type { H } from './type-reexport.js';",
      "export { type I } from './inline-type-reexport.js';",
      "export { j } from './reexport.js';",
      "export * from './star.js';",
      "const k = await import('./dynamic.js');",
      "type L = import('./type-position.js').L;",
      "import Timer from 'timer';",
    ].join('\n');
    expect(runtimeSpecifiers('example.ts', source)).toEqual([
      './mixed.js', './default.js', './namespace.js', './side-effect.js', './reexport.js', './star.js', './dynamic.js', 'timer',
    ]);
  });
});

describe('device manifests', () => {
  test('there are device manifests, and generic is one', () => {
    expect(devices.map((device) => device.path)).toContain('manifests/generic.json');
  });

  test.each(devices.map((device) => [device.path, device] as const))(
    '%s: the committed lists are what `npm run manifests` generates', (_path, device) => {
      expect(device.committed).toBe(device.generated);
    });

  test.each(devices.map((device) => [device.path, device] as const))(
    '%s: includes shared.json; the entry is mapped to itself and not preloaded; every mapped source exists', (path, device) => {
      expect([readManifest(path.slice('manifests/'.length)).include].flat()).toContain('./shared.json');
      expect(device.modules[device.entry]).toBe(`../${device.entry}`);
      expect(device.preload).not.toContain(device.entry);
      expect(Object.entries(device.modules).filter(([specifier, source]) => source !== `../${specifier}` || !sourceFileOf(join(manifests, source))))
        .toEqual([]);
    });

  test('no manifest preloads an entry module (preloading runs its top level at build time)', () => {
    const preloaded = [shared, ...devices.map((device) => readManifest(device.path.slice('manifests/'.length)))]
      .flatMap((manifest) => [manifest.preload ?? [], ...Object.values(manifest.platforms ?? {}).map((platform) => platform.preload ?? [])].flat());
    expect(entries.filter((entry) => preloaded.includes(entry))).toEqual([]);
  });

  test('no build carries a simulator board', () => {
    expect(devices.flatMap((device) => Object.keys(device.modules).filter((specifier) => specifier.startsWith('hal/boards/sim')))).toEqual([]);
  });

  test("a device's own board (the one its entry imports) is in its build only", () => {
    for (const device of devices) {
      for (const board of boardsImportedBy(device.entry).filter((specifier) => specifier !== 'hal/boards/esp32-devkitc')) {
        expect({ board, carriedBy: carrying(board) }).toEqual({ board, carriedBy: [device.path] });
      }
    }
  });

  test('an app is in its own device build only', () => {
    for (const device of devices) {
      const foreign = Object.keys(device.modules)
        .filter((specifier) => specifier.startsWith('firmware/apps/') && !specifier.startsWith(`firmware/apps/${modelOf(device.path)}/`));
      expect({ path: device.path, foreign }).toEqual({ path: device.path, foreign: [] });
    }
  });

  test('the SOS build carries no door reader code; only the SOS build carries the fall model', () => {
    const sos = devices.find((device) => device.path === 'manifests/sos-button.json')!;
    const doorCode = /^(firmware\/apps\/door-reader\/|firmware\/drivers\/(mfrc522|wiegand|qr-scanner)\/|hal\/boards\/[^/]*door)/;
    expect(Object.keys(sos.modules).filter((specifier) => doorCode.test(specifier))).toEqual([]);
    expect(carrying('firmware/sensing/fall-model-data')).toEqual(['manifests/sos-button.json']);
  });
});

describe('manifests/shared.json', () => {
  test('maps no module of the tree: the device manifests list their own', () => {
    expect({ modules: shared.modules, preload: shared.preload }).toEqual({ modules: undefined, preload: undefined });
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

  test('has two equal app slots and otadata and no factory app (ESP-IDF rollback), the outbox where it was', () => {
    const app = rows.filter((row) => row.type === 'app');
    expect(app.map((row) => row.subtype)).toEqual(['ota_0', 'ota_1']);
    expect(app[0]!.size).toBe(app[1]!.size);
    expect(rows.find((row) => row.name === 'otadata')).toMatchObject({ type: 'data', subtype: 'ota', size: 0x2000 });
    expect(rows.find((row) => row.name === 'outbox')!.offset).toBe(0x3c0000);
  });
});

describe('OTA in the builds', () => {
  test('every device entry hands startDevice the "ota-slots" native, mapped for esp32 and stood in on lin', () => {
    expect(shared.platforms?.esp32?.modules?.['ota-slots']).toBe('../hal/moddable/esp32/ota-slots');
    expect(shared.platforms?.lin?.modules?.['ota-slots']).toBe('../hal/moddable/lin/ota-slots');
    for (const entry of entries.filter((specifier) => specifier.startsWith('hal/moddable/entries/'))) {
      const source = readFileSync(sourceFileOf(join(root, entry))!, 'utf8');
      expect(source).toMatch(/^import otaSlots from 'ota-slots';$/m);
      expect(source).toMatch(/startDevice\(\{[^]*\botaSlots\b[^]*\}\)/);
    }
  });

  test('both sdkconfig files enable the bootloader\'s app rollback', () => {
    for (const path of ['sdkconfig/sdkconfig.defaults', 'door-reader/sdkconfig/sdkconfig.defaults']) {
      expect(readFileSync(join(manifests, path), 'utf8')).toMatch(/^CONFIG_BOOTLOADER_APP_ROLLBACK_ENABLE=y$/m);
    }
  });
});
