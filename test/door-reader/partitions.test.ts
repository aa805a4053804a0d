// The door reader's ESP32 flash layout: the 8 MB table holds two app slots for updates, a 512 KB outbox (the size the offline
// test fills with 1,000 events) and two credential slots that each fit 100,000 credentials; and the manifest
// makes mcconfig use it instead of the shared 4 MB table.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { slotLayout } from '../../firmware/apps/door-reader/credentials/layout.js';
import { MAX_PROFILES } from '../../firmware/protocol/cred-sync.js';

const manifests = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'manifests');
const table = readFileSync(join(manifests, 'door-reader', 'partitions-esp32-8mb.csv'), 'utf8');
/** Name, Type, SubType, Offset, Size (hex) of each row; comments and the header are skipped. */
const rows = [...table.matchAll(/^(\w+),\s*(\w+),\s*(\w+),\s*(0x[0-9a-f]+),\s*(0x[0-9a-f]+),?\s*$/gim)]
  .map(([, name, type, subtype, offset, size]) => ({ name: name!, type: type!, subtype: subtype!, offset: Number(offset), size: Number(size) }));
const row = (name: string) => rows.find((candidate) => candidate.name === name)!;

describe('the door reader partition table', () => {
  it('has two app slots and otadata, no factory app (ESP-IDF rollback needs none), and the data partitions', () => {
    expect(rows.map((partition) => partition.name)).toEqual(['nvs', 'otadata', 'phy_init', 'ota_0', 'ota_1', 'outbox', 'credA', 'credB']);
    expect(row('otadata')).toMatchObject({ type: 'data', subtype: 'ota', size: 0x2000 });
  });

  it('fits 8 MB without overlaps, with NVS where ESP-IDF expects it and the app 64 KB aligned', () => {
    const sorted = [...rows].sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.offset).toBeGreaterThanOrEqual(sorted[i - 1]!.offset + sorted[i - 1]!.size);
    for (const partition of rows) {
      expect(partition.offset % (partition.type === 'app' ? 0x10000 : 0x1000)).toBe(0);
      expect(partition.size % 0x1000).toBe(0);
    }
    expect(sorted.at(-1)!.offset + sorted.at(-1)!.size).toBeLessThanOrEqual(8 * 1024 * 1024);
    expect(row('nvs')).toMatchObject({ type: 'data', offset: 0x9000 });
    expect(row('ota_0')).toMatchObject({ type: 'app', subtype: 'ota_0' });
    expect(row('ota_1')).toMatchObject({ type: 'app', subtype: 'ota_1', size: row('ota_0').size });
    expect(row('ota_0').size).toBeGreaterThanOrEqual(0x1B0000);
  });

  it('keeps the outbox and credential slots where the factory table had them (devices keep their data)', () => {
    expect([row('outbox').offset, row('credA').offset, row('credB').offset]).toEqual([0x380000, 0x400000, 0x600000]);
  });

  it('gives the outbox 512 KB and each credential slot room for 100,000 credentials', () => {
    expect(row('outbox')).toMatchObject({ type: 'data', size: 512 * 1024 });
    const need = slotLayout({ profiles: MAX_PROFILES, count: 100_000, pins: 50_000 }, 4096).end;
    for (const name of ['credA', 'credB']) {
      expect(row(name).type).toBe('data');
      expect(row(name).size).toBeGreaterThanOrEqual(need);
    }
    // …which is why the door reader needs an 8 MB module: two such slots and one app slot do not fit in 4 MB.
    expect(2 * need + row('ota_0').size).toBeGreaterThan(4 * 1024 * 1024);
  });

  it('is what the door reader manifest builds with', () => {
    const manifest = JSON.parse(readFileSync(join(manifests, 'door-reader.json'), 'utf8')) as { include: string[] };
    // mcconfig applies build settings in reading order: the 8 MB settings must come after shared.json.
    expect(manifest.include).toEqual(['./shared.json', './door-reader/esp32-8mb.json']);
    const flash = JSON.parse(readFileSync(join(manifests, 'door-reader', 'esp32-8mb.json'), 'utf8')) as {
      platforms: { esp32: { build: Record<string, string> } };
    };
    const build = flash.platforms.esp32.build;
    expect(build.PARTITIONS_FILE).toBe('./partitions-esp32-8mb.csv');
    expect(existsSync(join(manifests, 'door-reader', build.PARTITIONS_FILE!))).toBe(true);
    const sdkconfig = readFileSync(join(manifests, 'door-reader', build.SDKCONFIGPATH!, 'sdkconfig.defaults'), 'utf8');
    expect(sdkconfig).toContain('CONFIG_ESPTOOLPY_FLASHSIZE_8MB=y');
    // The shared settings are repeated (mcconfig takes one SDKCONFIGPATH): they must not drift apart.
    const shared = readFileSync(join(manifests, 'sdkconfig', 'sdkconfig.defaults'), 'utf8');
    for (const line of shared.split('\n').filter((text) => text.startsWith('CONFIG_'))) expect(sdkconfig).toContain(line);
  });
});
