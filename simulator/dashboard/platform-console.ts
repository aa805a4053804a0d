// The operator console on the reference platform (simulator/platform): its incidents, the seq gaps it found and
// the door readers' access-event chains, and the operator's steps (accept → dispatch → on site → resolve → close),
// which the platform publishes to the device; the kiosks' repair reports and the staff's steps on them, which the
// platform shows on the kiosk that filed them; and a device page's platform side (platform-device.ts).
import type { ReferencePlatform } from '../platform/index.js';
import { devicePlatform, platformOp } from './platform-device.js';
import type { ConsoleSource } from './server.js';
import type { AlarmStep, ConsoleAlarm, ConsoleChain, ConsoleGap, ConsoleRepair, RepairStep } from './wire.js';

const MAX_ALARMS = 200;
const MAX_REPAIRS = 100;
const REPAIR_STAGE = { accept: 'accepted', dispatch: 'dispatched', arrive: 'onsite', resolve: 'resolved' } as const;
const MAX_GAPS = 200;

export interface PlatformConsole extends ConsoleSource {
  close(): void;
}

export function platformConsole(platform: ReferencePlatform, operator = 'operator'): PlatformConsole {
  // A chain report is recomputed only for a device whose events or chain changed since the last snapshot.
  const dirty = new Set<string>();
  const chains = new Map<string, ConsoleChain>();
  const unsubscribe = platform.onChange((change) => {
    if (change.kind === 'event' || change.kind === 'chain' || change.kind === 'epoch') dirty.add(change.dev);
  });
  return {
    snapshot() {
      const alarms: ConsoleAlarm[] = platform.alarms().sort((a, b) => b.id - a.id).slice(0, MAX_ALARMS).map((alarm) => ({
        id: alarm.id, dev: alarm.dev, alarmId: alarm.alarmId, cause: alarm.cause, state: alarm.state, raisedAt: alarm.raisedAt,
        reminders: alarm.reminders, ...(alarm.staff ? { staff: alarm.staff } : {}),
        steps: alarm.steps.map((step) => [step.state, step.at] as [string, number]),
      }));
      const gaps: ConsoleGap[] = platform.gaps().slice(-MAX_GAPS).map((gap) => ({ dev: gap.dev, from: gap.from, to: gap.to }));
      for (const dev of dirty) {
        const report = platform.chain(dev);
        if (report.linked === 0 && report.findings.length === 0) continue;
        const problem = report.findings.map((f) => `${f.kind} at #${f.seq}${f.missing?.length ? ` (missing ${f.missing.join(', ')})` : ''}`).join('; ');
        chains.set(dev, { dev, ok: report.ok, linked: report.linked, ...(problem ? { problem } : {}) });
      }
      dirty.clear();
      const repairs: ConsoleRepair[] = platform.repairs({ limit: MAX_REPAIRS }).map((r) => ({
        dev: r.dev, ref: r.ref, category: r.category, location: r.unit !== undefined ? `${r.location} (${r.unit})` : r.location,
        phrase: r.phrase, stage: r.stage, resident: r.resident !== undefined, filedAt: r.filedAt,
        ...(r.shown ? { shown: r.shown } : {}), ...(r.staff ? { staff: r.staff } : {}), ...(r.stars !== undefined ? { stars: r.stars } : {}),
        ...(r.deliveryError ? { problem: r.deliveryError } : {}),
      }));
      return { alarms, gaps, chains: [...chains.values()].sort((a, b) => a.dev.localeCompare(b.dev, 'en', { numeric: true })), repairs };
    },
    async step(id: number, step: AlarmStep, staff?: string) {
      const done = await run(platform, id, step, staff, operator);
      return `incident ${id} (${done.dev}): ${done.state}${done.staff ? ` · ${done.staff}` : ''}`;
    },
    repair(dev: string, ref: string, step: RepairStep, staff?: string) {
      const stage = REPAIR_STAGE[step];
      const done = platform.moveRepair(dev, ref, stage, step === 'dispatch' ? { staff: staff ?? '' } : { by: operator });
      return `repair ${dev}/${ref}: ${done.stage}${done.staff ? ` · ${done.staff}` : ''}`;
    },
    device: (dev, door) => devicePlatform(platform, dev, door),
    op: (dev, door, op, arg, deviceNow) => platformOp(platform, dev, door, op, arg, deviceNow),
    close: unsubscribe,
  };
}

function run(platform: ReferencePlatform, id: number, step: AlarmStep, staff: string | undefined, operator: string) {
  switch (step) {
    case 'accept':
      return platform.acceptAlarm(id, operator);
    case 'dispatch':
      if (!staff || staff.trim() === '') throw new Error('dispatch: name the staff member');
      return platform.dispatch(id, staff.trim());
    case 'arrive':
      return platform.arrive(id);
    case 'resolve':
      return platform.resolve(id);
    case 'close':
      return platform.close(id, operator);
    default:
      throw new Error(`unknown step "${String(step)}"`);
  }
}
