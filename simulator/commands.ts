// Commands typed while the simulator runs. N is a device number from the table, or "all".
import type { SimDevice } from './device.js';

export const COMMAND_HELP = 'k N cut network · u N restore network · r N restart · e N [type] queue an event · q quit';

export function runCommand(line: string, devices: readonly SimDevice[], quit: () => void): string {
  const [verb = '', target, ...rest] = line.trim().split(/\s+/);
  if (verb === '') return '';
  if (verb === 'q' || verb === 'quit') {
    quit();
    return 'quitting';
  }
  if (verb === 'h' || verb === 'help' || verb === '?') return COMMAND_HELP;
  if (!['k', 'u', 'r', 'e'].includes(verb)) return `unknown command "${verb}": ${COMMAND_HELP}`;
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
      }
    } catch (error) {
      done.push(`${device.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return done.join('; ');
}
