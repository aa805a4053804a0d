// `platform push-credentials --csv FILE`: a door's whole credential list from CSV (columns: credentials-csv.ts),
// encoded with the site's hash key, signed with its sync key and sent as a snapshot sync (docs/protocol.md §14):
// cred.sync.begin, then each chunk in order, each waiting for its result (§14.7), resuming from the chunk the
// device asks for. --dry-run prints the commands instead.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { Profile, ScheduleWindow } from '../../../firmware/apps/door-reader/credentials/format.js';
import type { CommandMessage, ResultMessage } from '../../../firmware/protocol/messages.js';
import { encodeList, snapshotSync, syncCommands } from '../credential-encoder.js';
import {
  connectToDevice, describeResult, FailureError, intOption, loadKeys, output, requireKeys, targetOf, timeoutOption,
  UsageError, type BrokerOptions, type KeyOptions,
} from './common.js';
import { parseCredentialsCsv } from './credentials-csv.js';
import { brokerFlags, keyFlags } from './flags.js';

/** Every door, every day, all day: the profile when no --profiles file is given. */
export const DEFAULT_PROFILES: Profile[] = [{ doors: 0xffff_ffff, schedule: [{ days: 0x7f, start: 0, end: 1440 }] }];

const DAY_NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/**
 * A profiles file: a JSON array, profile n at index n.
 *   [{ "doors": "all" | [0, 2], "schedule": [{ "days": "all" | ["mon", "tue"], "start": "08:00", "end": "18:00" }] }]
 * No "schedule": any time. At most 6 windows a profile.
 */
export function parseProfiles(text: string, source: string): Profile[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--profiles: ${source} is not JSON`);
  }
  if (!Array.isArray(json) || json.length === 0 || json.length > 1024) throw new UsageError(`--profiles: ${source}: expected a JSON array of 1–1024 profiles`);
  return json.map((entry: unknown, index) => {
    const at = `--profiles: ${source}: profile ${index}`;
    if (typeof entry !== 'object' || entry === null) throw new UsageError(`${at}: expected an object`);
    const { doors, schedule } = entry as { doors?: unknown; schedule?: unknown };
    let mask: number;
    if (doors === 'all') mask = 0xffff_ffff;
    else if (Array.isArray(doors) && doors.every((door) => Number.isInteger(door) && door >= 0 && door <= 31)) mask = (doors as number[]).reduce((m, d) => (m | (1 << d)) >>> 0, 0);
    else throw new UsageError(`${at}: "doors": "all" or an array of door numbers 0–31`);
    const windows: ScheduleWindow[] = schedule === undefined
      ? [{ days: 0x7f, start: 0, end: 1440 }]
      : Array.isArray(schedule) && schedule.length <= 6 ? schedule.map((window: unknown, w) => parseWindow(window, `${at} window ${w}`))
        : (() => { throw new UsageError(`${at}: "schedule": an array of at most 6 windows`); })();
    return { doors: mask, schedule: windows };
  });
}

function parseWindow(window: unknown, at: string): ScheduleWindow {
  if (typeof window !== 'object' || window === null) throw new UsageError(`${at}: expected { days, start, end }`);
  const { days, start, end } = window as { days?: unknown; start?: unknown; end?: unknown };
  let mask: number;
  if (days === 'all') mask = 0x7f;
  else if (Array.isArray(days) && days.length > 0 && days.every((d) => typeof d === 'string' && DAY_NAMES.includes(d.toLowerCase()))) {
    mask = (days as string[]).reduce((m, d) => m | (1 << DAY_NAMES.indexOf(d.toLowerCase())), 0);
  } else throw new UsageError(`${at}: "days": "all" or names among ${DAY_NAMES.join(', ')}`);
  const minutes = (value: unknown, name: string) => {
    const match = typeof value === 'string' ? /^(\d{2}):(\d{2})$/.exec(value) : null;
    const total = match ? Number(match[1]) * 60 + Number(match[2]) : NaN;
    if (!match || Number(match[2]) > 59 || total > 1440) throw new UsageError(`${at}: "${name}": expected HH:MM, 00:00–24:00`);
    return total;
  };
  const from = minutes(start, 'start');
  const to = minutes(end, 'end');
  if (from >= to) throw new UsageError(`${at}: "start" must be before "end"`);
  return { days: mask, start: from, end: to };
}

interface PushOptions extends KeyOptions, BrokerOptions {
  csv: string;
  profiles?: string;
  listVersion?: string;
  ttl: string;
  dryRun?: boolean;
  json?: boolean;
}

export function pushCredentialsCommand(program: Command): void {
  const command = program.command('push-credentials')
    .description('encode a door credential list from CSV and sync it to a door reader (a signed snapshot, §14)')
    .requiredOption('--csv <file>', 'credential list: header kind,secret,validFrom,validTo,profile,pin,revoked (see README)')
    .option('--profiles <file>', 'access profiles, JSON (default: one profile 0 = every door, any time)')
    .option('--list-version <n>', 'version of the list, 1–4294967295, above the one in force (default: now in seconds)')
    .option('--ttl <s>', 'expiry of each sync command, seconds (≤ 3600)', '600')
    .option('--dry-run', 'print the commands (one JSON per line) instead of sending them')
    .option('--json', 'print the outcome as JSON');
  keyFlags(command);
  brokerFlags(command);
  command.addHelpText('after', '\nSends cred.sync.begin, then every chunk in order, waiting for each result; exits 1 with the device\'s reason when it refuses.');
  command.action(async (options: PushOptions) => {
    const out = output(options.json);
    const keys = loadKeys(options);
    const { hashKey, syncKey } = requireKeys(keys, 'hashKey', 'syncKey');
    let csvText: string;
    try {
      csvText = readFileSync(options.csv, 'utf8');
    } catch {
      throw new UsageError(`--csv: cannot read ${options.csv}`);
    }
    const credentials = parseCredentialsCsv(csvText, options.csv);
    let profiles = DEFAULT_PROFILES;
    if (options.profiles !== undefined) {
      let text: string;
      try {
        text = readFileSync(options.profiles, 'utf8');
      } catch {
        throw new UsageError(`--profiles: cannot read ${options.profiles}`);
      }
      profiles = parseProfiles(text, options.profiles);
    }
    for (const credential of credentials) {
      if (credential.profile >= profiles.length) {
        throw new UsageError(`${options.csv}:${credential.line}: profile ${credential.profile} is not defined (${profiles.length} profile(s)${options.profiles === undefined ? ': give --profiles FILE' : ` in ${options.profiles}`})`);
      }
    }
    const version = options.listVersion === undefined ? Math.floor(Date.now() / 1000) : intOption(options.listVersion, '--list-version', 1, 0xffff_ffff);
    const ttlMs = intOption(options.ttl, '--ttl', 5, 3600) * 1000;
    let list;
    try {
      list = encodeList({ hashKey, syncKey }, version, credentials, profiles);
    } catch (error) {
      throw new UsageError(`${options.csv}: ${error instanceof Error ? error.message : String(error)}`);
    }
    const sync = snapshotSync({ hashKey, syncKey }, list);
    const commands = syncCommands(sync, { exp: Date.now() + ttlMs, reqIdPrefix: `${sync.begin.sync}.${randomBytes(3).toString('hex')}` });
    const summary = { version, credentials: list.main.length, pins: list.pins.length, profiles: list.profiles.length, chunks: sync.chunks.length };

    if (options.dryRun) {
      if (out.json) out.data({ ...summary, commands });
      else for (const message of commands) process.stdout.write(`${JSON.stringify(message)}\n`);
      return;
    }
    const target = targetOf(options, keys);
    const timeoutMs = timeoutOption(options, 30_000);
    const { platform, status } = await connectToDevice(options, target);
    try {
      if (status !== undefined && status.state !== 'online') process.stderr.write(`note: ${target.device} is ${status.state}; waiting up to ${timeoutMs / 1000} s for each result\n`);
      await platform.watchResults(target);
      const send = (message: CommandMessage) => platform.send(target, message, timeoutMs);
      const begin = await send(commands[0]!);
      if (begin.code !== 'ok') throw new FailureError(`${target.device} refused the list (cred.sync.begin): ${describeResult(begin)}`);
      if (begin.data?.current === true) {
        out.line(`${target.device}: list version ${version} is already in force`);
        out.data({ device: target.device, ok: true, current: true, ...summary });
        return;
      }
      const chunks = commands.slice(1);
      let last: ResultMessage = begin;
      let i = 0;
      let resumes = 0;
      while (i < chunks.length) {
        const result = await send(chunks[i]!);
        last = result;
        if (result.code === 'ok') {
          i++;
          continue;
        }
        const next = result.data?.next;
        if (result.code === 'rejected' && typeof next === 'number' && Number.isInteger(next) && next >= 0 && next < chunks.length && resumes < chunks.length) {
          // "expected chunk k": resend from k (§14.7).
          resumes++;
          i = next;
          continue;
        }
        throw new FailureError(`${target.device} refused chunk ${i} of ${chunks.length}: ${describeResult(result)}`);
      }
      if (last.data?.done !== true) throw new FailureError(`${target.device}: the last chunk's result does not say done: ${JSON.stringify(last.data ?? {})}`);
      const { done: _done, ...synced } = last.data;
      out.line(`${target.device}: list version ${version} in force: ${summary.credentials} credential(s), ${summary.pins} PIN(s), ${summary.profiles} profile(s) in ${summary.chunks} chunk(s)`);
      out.line(`  ${Object.entries(synced).map(([k, v]) => `${k}=${String(v)}`).join(' ')}`);
      out.data({ device: target.device, ok: true, ...summary, synced });
    } finally {
      await platform.close();
    }
  });
}
