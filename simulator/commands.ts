// Commands typed while the simulator runs. N is a device number from the table, or "all".
import type { SimDevice } from './device.js';

export const COMMAND_HELP = 'k N cut network · u N restore network · r N restart · e N [type] queue an event · q quit';

/** Help for the commands of the device kinds present. */
export function kindHelp(devices: readonly SimDevice[]): string {
  const seen = new Map<string, string>();
  for (const device of devices) {
    for (const [verb, command] of Object.entries(device.kind.commands ?? {})) {
      seen.set(`${device.kind.model} ${verb}`, `${verb} N ${command.args} ${command.help} (${device.kind.model})`.replace(/\s+/g, ' '));
    }
  }
  return [...seen.values()].join(' · ');
}

export function runCommand(line: string, devices: readonly SimDevice[], quit: () => void): string {
  const [verb = '', target, ...rest] = line.trim().split(/\s+/);
  if (verb === '') return '';
  if (verb === 'q' || verb === 'quit') {
    quit();
    return 'quitting';
  }
  const extra = kindHelp(devices);
  if (verb === 'h' || verb === 'help' || verb === '?') return extra ? `${COMMAND_HELP} · ${extra}` : COMMAND_HELP;
  const kindVerb = devices.some((device) => device.kind.commands?.[verb] !== undefined);
  if (!['k', 'u', 'r', 'e'].includes(verb) && !kindVerb) return `unknown command "${verb}": ${COMMAND_HELP}${extra ? ` · ${extra}` : ''}`;
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
