// Stand-in for "preference" on the Linux simulator build. The SDK's lin version reads its JSON file in a static
// initializer, which runs at build time once our preloaded storage module imports it (where files cannot be read),
// so it never sees the file. This one loads lazily, from the same file and format: mc/config file.root +
// "modpreferences.json", ArrayBuffers stored as {buffer: "1,2,3"}.
import { File } from 'file';
import config from 'mc/config';

type Stored = string | number | boolean | { buffer: string };
type Domains = Record<string, Record<string, Stored>>;

const path = `${(config.file as { root: string }).root}modpreferences.json`;
let domains: Domains | undefined;

function load(): Domains {
  if (domains) return domains;
  domains = {};
  try {
    if (File.exists(path)) {
      const file = new File(path);
      const parsed: unknown = JSON.parse(file.read(String));
      file.close();
      if (parsed && typeof parsed === 'object') domains = parsed as Domains;
    }
  } catch (error) {
    trace(`[warn] preference: cannot read ${path}: ${error instanceof Error ? error.message : String(error)}\n`);
  }
  return domains;
}

function save(): void {
  if (File.exists(path)) File.delete(path);
  const file = new File(path, true);
  file.write(JSON.stringify(domains ?? {}));
  file.close();
}

export default class Preference {
  static get(domain: string, key: string): string | number | boolean | ArrayBuffer | undefined {
    const value = load()[domain]?.[key];
    if (typeof value === 'object') return Uint8Array.from(value.buffer.split(',').filter(Boolean).map(Number)).buffer;
    return value;
  }

  static set(domain: string, key: string, value: string | number | boolean | ArrayBuffer): void {
    const all = load();
    const entries = (all[domain] ??= {});
    entries[key] = value instanceof ArrayBuffer ? { buffer: new Uint8Array(value).join(',') } : value;
    save();
  }

  static delete(domain: string, key: string): void {
    const entries = load()[domain];
    if (!entries || !(key in entries)) return;
    delete entries[key];
    save();
  }

  static keys(domain: string): string[] {
    return Object.keys(load()[domain] ?? {});
  }
}
