// Commands typed while the simulator runs. N is a device number from the table, or "all".
import type { SimDevice } from './device.js';
import type { AnyDeviceKind } from './kinds/kind.js';

/** The commands every device takes, as [usage, what it does]. */
export const BASE_COMMANDS: readonly (readonly [string, string])[] = [
  ['k N', 'cut the network (the broker publishes the will)'],
  ['u N', 'restore the network'],
  ['r N', 'restart the device (power off and on, same storage)'],
  ['e N [TYPE]', 'queue a durable event (default type sim.button)'],
  ['service N [S]', 'hold the service button S seconds (default 11: held 10 s, a factory reset)'],
];

/** Commands of the terminal view (they change what is shown, not the devices). */
export const VIEW_COMMANDS: readonly (readonly [string, string])[] = [
  ['filter [TEXT]', 'show only devices whose number, id, model, state or status contains TEXT; no TEXT: all'],
  ['page next|prev|N', 'another page of the device table when it does not fit'],
  ['h', 'this help'],
  ['q', 'quit (also Ctrl-C)'],
];

export const COMMAND_HELP = 'k N cut network · u N restore network · r N restart · e N [type] queue an event · h help · q quit';

/** One line per command of the given kinds (each verb once per kind), as [usage, what it does, kind]. */
export function kindCommands(kinds: Iterable<AnyDeviceKind>): [string, string, string][] {
  const seen = new Set<string>();
  const lines: [string, string, string][] = [];
  for (const kind of kinds) {
    if (seen.has(kind.model)) continue;
    seen.add(kind.model);
    for (const [verb, command] of Object.entries(kind.commands ?? {})) {
      lines.push([`${verb} N ${command.args}`.trim(), command.help, kind.model]);
    }
  }
  return lines;
}

/** The full help: every base command, every command of every given kind, the view commands; `width` wraps it. */
export function helpLines(kinds: Iterable<AnyDeviceKind>, width = 100): string[] {
  const kindLines = kindCommands(kinds);
  const all = [...BASE_COMMANDS, ...kindLines, ...VIEW_COMMANDS];
  // Usage and text side by side; on a narrow terminal the text wraps under a shorter usage column.
  const usageWidth = Math.min(width < 60 ? 12 : 28, Math.max(...all.map(([usage]) => usage.length)));
  const entry = ([usage, text]: readonly [string, string, ...unknown[]]) => wrap(`  ${usage.padEnd(usageWidth)}  ${text}`, width, ' '.repeat(usageWidth + 4));
  const out = [...wrap('N is a device number from the table, or "all".', width), 'Every device:', ...BASE_COMMANDS.flatMap(entry)];
  let model = '';
  for (const line of kindLines) {
    if (line[2] !== model) {
      model = line[2];
      out.push(`${model}:`);
    }
    out.push(...entry(line));
  }
  out.push('Terminal view:', ...VIEW_COMMANDS.flatMap(entry));
  return out;
}

/** A short summary of the commands for a footer, wrapped to `width` (`kinds`: those present). */
export function footerLines(kinds: Iterable<AnyDeviceKind>, width: number): string[] {
  const parts = ['k/u/r N net cut/up, restart', 'e N event'];
  const seen = new Set<string>();
  for (const kind of kinds) {
    const verbs = Object.keys(kind.commands ?? {});
    if (seen.has(kind.model) || verbs.length === 0) continue;
    seen.add(kind.model);
    parts.push(`${kind.model}: ${verbs.join(' ')} N`);
  }
  parts.push('h help', 'q quit');
  return wrapParts(parts, width, ' · ');
}

/** Splits text into lines of at most `width` characters at spaces (a longer word is cut); continuation lines start with `indent`. */
export function wrap(text: string, width: number, indent = ''): string[] {
  const lines: string[] = [];
  let rest = text;
  let prefix = '';
  while ((prefix + rest).length > width) {
    const room = width - prefix.length;
    if (room < 1) break;
    let cut = rest.lastIndexOf(' ', room);
    if (cut <= 0) cut = room;
    lines.push(prefix + rest.slice(0, cut).trimEnd());
    rest = rest.slice(cut).trimStart();
    prefix = indent.length < width / 2 ? indent : '';
  }
  if (rest.length > 0 || lines.length === 0) lines.push((prefix + rest).slice(0, width));
  return lines;
}

function wrapParts(parts: string[], width: number, separator: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const candidate = line === '' ? part : `${line}${separator}${part}`;
    if (candidate.length <= width) line = candidate;
    else {
      if (line !== '') lines.push(line);
      line = part;
      while (line.length > width) {
        const [first, ...more] = wrap(line, width);
        lines.push(first!);
        line = more.join(' ');
      }
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

export function runCommand(line: string, devices: readonly SimDevice[], quit: () => void): string {
  const [verb = '', target, ...rest] = line.trim().split(/\s+/);
  if (verb === '') return '';
  if (verb === 'q' || verb === 'quit') {
    quit();
    return 'quitting';
  }
  if (verb === 'h' || verb === 'help' || verb === '?') return helpLines(devices.map((device) => device.kind)).join('\n');
  if (verb === 'filter' || verb === 'page') return `"${verb}" works in the terminal table only`;
  const kindVerb = devices.some((device) => device.kind.commands?.[verb] !== undefined);
  if (!['k', 'u', 'r', 'e', 'service'].includes(verb) && !kindVerb) return `unknown command "${verb}" (h lists the commands)`;
  const chosen = target === 'all' ? devices : devices.filter((device) => String(device.index) === target);
  if (chosen.length === 0) return `no device "${target ?? ''}" (1–${devices.length} or all)`;
  const done: string[] = [];
  for (const device of chosen) {
    try {
      switch (verb) {
        case 'k':
          device.setNetwork(false);
          done.push(`${device.id}: network cut`);
          break;
        case 'u':
          device.setNetwork(true);
          done.push(`${device.id}: network restored`);
          break;
        case 'r':
          device.restart('external');
          done.push(`${device.id}: restarting`);
          break;
        case 'service': {
          const seconds = rest[0] === undefined ? 11 : Number(rest[0]);
          device.holdServiceButton(seconds * 1000);
          done.push(`${device.id}: service button held for ${seconds} s`);
          break;
        }
        case 'e': {
          const type = rest[0] ?? 'sim.button';
          const seq = device.emit(type, { source: 'simulator' });
          done.push(`${device.id}: queued event #${seq} ${type}`);
          break;
        }
        default:
          done.push(`${device.id}: ${device.kindCommand(verb, rest)}`);
      }
    } catch (error) {
      done.push(`${device.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return done.join('; ');
}
