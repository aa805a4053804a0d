// A device page's platform side, on the reference platform: the device's desired and reported config, a few
// numeric telemetry fields over time, a door's credential list as CSV, and the page's platform actions — desired
// config, signed door.unlock, a visitor pass for this door, and a credential sync from CSV in the CLI's format
// (scripts/platform/cli/credentials-csv.ts).
import { credentialsCsv, parseCredentialsCsv } from '../../scripts/platform/cli/credentials-csv.js';
import { dayNumber } from '../../firmware/apps/door-reader/credentials/format.js';
import { DEMO_PROFILES, demoCredentials } from '../kinds/door-reader.js';
import type { ReferencePlatform } from '../platform/index.js';
import type { DevicePlatform, PlatformOp } from './wire.js';

const TELEMETRY_POINTS = 120;
const TELEMETRY_FIELDS = 4;
const COMMAND_TTL_MS = 30_000;

export function devicePlatform(platform: ReferencePlatform, dev: string, door: boolean): DevicePlatform {
  const config = platform.config(dev);
  const history = platform.telemetry(dev, TELEMETRY_POINTS).history;
  const fields: string[] = [];
  for (const point of history) {
    for (const [key, value] of Object.entries(point.data)) {
      if (typeof value === 'number' && !fields.includes(key) && fields.length < TELEMETRY_FIELDS) fields.push(key);
    }
  }
  const out: DevicePlatform = {
    telemetry: {
      fields,
      at: history.map((point) => point.at),
      series: fields.map((field) => history.map((point) => (typeof point.data[field] === 'number' ? point.data[field] as number : null))),
    },
  };
  if (config.desired) out.desired = config.desired;
  if (config.reported) {
    const { version, config: values, last } = config.reported;
    out.reported = { version, config: values, ...(last ? { last } : {}) };
  }
  if (platform.device(dev)?.cmds?.includes('kiosk.notices')) {
    const current = platform.notices();
    const taken = platform.noticesTaken(dev);
    out.notices = {
      version: current?.version ?? 0, titles: current?.notices.map((notice) => notice.title.en) ?? [],
      ...(taken?.code === 'ok' ? { taken: taken.version } : {}),
    };
  }
  if (door) {
    const list = platform.credentialList(dev);
    out.credentialsCsv = credentialsCsv(list?.credentials ?? demoCredentials(dayNumber(Date.now())).list);
    if (list) out.credentialsVersion = list.version;
  }
  return out;
}

/**
 * One platform action from a device page; resolves to what happened (the pass text for `pass`). `deviceNow`: the
 * device's wall clock, which runs at the simulator's speed (ahead of the platform's): commands get a TTL that
 * reaches past it and passes start from it, so the device does not see them expired.
 */
export async function platformOp(platform: ReferencePlatform, dev: string, door: number | undefined, op: PlatformOp, arg = '', deviceNow?: number): Promise<string> {
  const ahead = deviceNow === undefined ? 0 : Math.max(0, deviceNow - Date.now());
  const ttl = { ttlMs: ahead + COMMAND_TTL_MS };
  switch (op) {
    case 'config': {
      let values: unknown;
      try {
        values = JSON.parse(arg);
      } catch {
        throw new Error('desired config: not JSON');
      }
      if (typeof values !== 'object' || values === null || Array.isArray(values)) throw new Error('desired config: expected a JSON object');
      const version = await platform.setDesiredConfig(dev, values as Record<string, unknown>);
      return `${dev}: desired config version ${version} sent`;
    }
    case 'unlock': {
      if (door === undefined) throw new Error(`${dev} is not a door reader`);
      const result = await platform.sendCommand(dev, 'door.unlock', { door }, ttl);
      return `${dev}: door.unlock → ${result.code}${result.reason ? ` (${result.reason})` : ''}`;
    }
    case 'pass': {
      if (door === undefined) throw new Error(`${dev} is not a door reader`);
      const validFrom = Math.floor((deviceNow ?? Date.now()) / 1000) - 60;
      return platform.mintPass({ doors: [door], validFrom, hours: 1, maxUses: 1, note: `dashboard, ${dev}` }).text;
    }
    case 'sync': {
      if (door === undefined) throw new Error(`${dev} is not a door reader`);
      const credentials = parseCredentialsCsv(arg, 'csv');
      const profiles = platform.credentialList(dev)?.profiles ?? DEMO_PROFILES;
      const outcome = await platform.syncCredentials(dev, credentials.map(({ line: _line, ...credential }) => credential), profiles, ttl);
      const result = outcome.result ? `${outcome.result.code}${outcome.result.reason ? ` (${outcome.result.reason})` : ''}` : 'no result';
      if (!outcome.ok) throw new Error(`${dev}: credential sync (${outcome.kind}) to version ${outcome.version} failed: ${result}`);
      return `${dev}: credentials version ${outcome.version} synced (${outcome.kind}, ${credentials.length} credentials): ${result}`;
    }
    case 'notice': {
      let notice: unknown;
      try {
        notice = JSON.parse(arg);
      } catch {
        throw new Error('notice: not JSON');
      }
      const { zh, en, body, hours } = (notice ?? {}) as { zh?: unknown; en?: unknown; body?: unknown; hours?: unknown };
      if (typeof zh !== 'string' || typeof en !== 'string' || zh.trim() === '' || en.trim() === '') throw new Error('notice: a title in Chinese and in English');
      const text = typeof body === 'string' && body.trim() !== '' ? body.trim() : en.trim();
      const now = deviceNow ?? Date.now();
      const kept = (platform.notices()?.notices ?? []).filter((n) => n.expiresMs > now);
      const added = {
        id: `n${now.toString(36)}`, title: { zh: zh.trim(), en: en.trim() }, body: { zh: text, en: text },
        expiresMs: now + (typeof hours === 'number' && hours > 0 ? hours : 24) * 3_600_000,
      };
      const published = await platform.publishNotices([...kept, added]);
      return `notices version ${published.version}: ${published.results.map((r) => `${r.dev} ${r.code}${r.reason ? ` (${r.reason})` : ''}`).join(', ') || 'no kiosk yet'}`;
    }
    default:
      throw new Error(`unknown platform action "${String(op)}"`);
  }
}

