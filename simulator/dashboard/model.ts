// What the dashboard shows, computed on the simulator's side: one row per device for the fleet view, a device's
// details for its page, the event stream, and the actions a page can take. Actions go through the same world
// actions and SimDevice methods the terminal commands use (simulator/commands.ts, simulator/kinds/*.ts).
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import type { SimDevice } from '../device.js';
import type { DoorWorld } from '../kinds/door-reader.js';
import type { SosWorld } from '../kinds/sos-button.js';
import type { Monitor } from '../monitor.js';
import { binAction, binDetail, FillHistories, fillSummary, isBin } from './bin-detail.js';
import { isKiosk, kioskDetail } from './kiosk-detail.js';
import type { DeviceDetail, FleetRow, FleetSource, MotionPlot, StreamEvent } from './wire.js';

export type { DeviceDetail, FleetRow, FleetSource, MotionPlot, StreamEvent } from './wire.js';

/** The simulator parts the dashboard needs (a subset of `Simulator`). */
export interface DashboardSimulator {
  readonly site: string;
  readonly devices: readonly SimDevice[];
  readonly monitor: Monitor;
}

const EVENT_RING = 2000;
const DEVICE_EVENTS = 40;

/** Live model of a running simulator for the dashboard. */
export class SimulatorModel implements FleetSource {
  readonly sim: DashboardSimulator;
  /** Newest events, oldest first. */
  readonly events: StreamEvent[] = [];
  #newEvents: StreamEvent[] = [];
  #seen = new Map<string, Set<number>>();
  #maxSeq = new Map<string, number>();
  #plots = new Map<number, MotionPlot>();
  #hooked = new WeakSet<object>();
  #fills = new FillHistories();
  #unsubscribe: () => void;

  constructor(sim: DashboardSimulator) {
    this.sim = sim;
    this.#unsubscribe = sim.monitor.onUpdate((update) => {
      if (update.kind !== 'message' || update.message.msg !== 'event') return;
      this.#onEvent(update.message);
    });
  }

  close(): void {
    this.#unsubscribe();
  }

  rows(): FleetRow[] {
    return this.sim.devices.map((device) => this.#row(device));
  }

  /**
   * Once per dashboard tick: records the sorting stations' fill levels, and marks when the detector saw the fall
   * on a plotted trace (its cancel window opened).
   */
  poll(): void {
    for (const device of this.sim.devices) if (isBin(device)) this.#fills.sample(device);
    for (const [i, plot] of this.#plots) {
      if (plot.detectS !== undefined) continue;
      const device = this.device(i) as SimDevice<SosWorld> | undefined;
      const boot = device?.world.boot;
      if (!device || !boot || device.boots !== plot.boot || boot.hal.system.deepSleepRequest) continue;
      const window = boot.app.alarms?.window;
      const cancelS = device.runtime?.config.values.fallCancelS;
      if (window?.cause !== 'fall' || typeof cancelS !== 'number') continue;
      plot.detectS = Math.max(0, (boot.hal.clock.now() - plot.startUp - (cancelS * 1000 - window.remainingMs)) / 1000);
    }
  }

  /** Events that arrived since the last call. */
  takeNewEvents(): StreamEvent[] {
    const out = this.#newEvents;
    this.#newEvents = [];
    return out;
  }

  device(i: number): SimDevice | undefined {
    return this.sim.devices.find((device) => device.index === i);
  }

  /** The device's wall clock (ms), which runs at the simulator's speed; undefined when it is not running. */
  deviceWallClock(i: number): number | undefined {
    const world = this.device(i)?.world as { boot?: { hal: { wallClock: { now(): number } } } } | undefined;
    return world?.boot?.hal.wallClock.now();
  }

  detail(i: number): DeviceDetail | undefined {
    const device = this.device(i);
    if (!device) return undefined;
    const row = this.#row(device);
    const commands: Record<string, [string, string]> = {};
    for (const [verb, command] of Object.entries(device.kind.commands ?? {})) commands[verb] = [command.args, command.help];
    const detail: DeviceDetail = {
      i, id: device.id, kind: row.kind, state: row.state, status: row.status, net: row.net, boots: device.boots, world: row.world, commands,
      events: this.events.filter((event) => event.dev === device.id).slice(-DEVICE_EVENTS),
    };
    const queued = device.queued;
    if (queued !== undefined) detail.queued = queued;
    if (device.kind.model === 'door-reader') detail.door = doorDetail(device.world as DoorWorld, detail.events);
    if (device.kind.model === 'sos-button') detail.sos = sosDetail(device.world as SosWorld);
    if (isBin(device)) detail.bin = binDetail(device, this.#fills.history(device));
    if (isKiosk(device)) detail.kiosk = kioskDetail(device.world);
    const plot = this.#plots.get(i);
    if (plot) detail.plot = plot;
    return detail;
  }

  /**
   * One action from a device page: `net up|down`, `restart`, `power` (a power cut of `args[0]` ms, default 1000),
   * `event [TYPE]`, or one of the kind's own commands (`card alice`, `press`, `fall`...). Returns what happened.
   */
  act(i: number, action: string, args: readonly string[]): string {
    const device = this.device(i);
    if (!device) throw new Error(`no device ${i}`);
    switch (action) {
      case 'net': {
        const up = args[0] !== 'down';
        device.setNetwork(up);
        return `${device.id}: network ${up ? 'restored' : 'cut'}`;
      }
      case 'restart':
        device.restart('external');
        return `${device.id}: restarting`;
      case 'power': {
        const gapMs = args[0] === undefined ? 1000 : Number(args[0]);
        if (!(gapMs >= 0 && gapMs <= 600_000)) throw new RangeError('power: the gap is 0–600000 ms');
        device.powerCycle(gapMs);
        return `${device.id}: power cut for ${gapMs} ms`;
      }
      case 'service': {
        const seconds = args[0] === undefined ? 11 : Number(args[0]);
        device.holdServiceButton(seconds * 1000);
        return `${device.id}: service button held for ${seconds} s`;
      }
      case 'event': {
        const type = args[0] ?? 'sim.button';
        return `${device.id}: queued event #${device.emit(type, { source: 'dashboard' })} ${type}`;
      }
      default: {
        const bin = isBin(device) ? binAction(device.world, action, args) : undefined;
        if (bin !== undefined) return `${device.id}: ${bin}`;
        const replay = (action === 'fall' || action === 'adl') && device.kind.model === 'sos-button';
        if (replay) this.#capturePlay(device as SimDevice<SosWorld>);
        const text = device.kindCommand(action, args);
        const motion = replay ? (device.world as SosWorld).motion : undefined;
        const plot = this.#plots.get(i);
        if (plot && motion) Object.assign(plot, { id: motion.id, fall: motion.fall });
        return `${device.id}: ${text}`;
      }
    }
  }

  /**
   * Keeps what the wearer's trace plays on the accelerometer, for the plot (the chip plays it as before). The chip
   * outlives the boots it is not power-cut through: the plot takes the boot current when it plays.
   */
  #capturePlay(device: SimDevice<SosWorld>): void {
    const boot = device.world.boot;
    if (!boot || this.#hooked.has(boot.chip)) return;
    this.#hooked.add(boot.chip);
    const chip = boot.chip;
    const play = chip.play.bind(chip);
    chip.play = (samples, hz = 50) => {
      this.#plots.set(device.index, {
        id: 'trace', fall: false, hz, samples: Array.from(samples), startUp: (device.world.boot ?? boot).hal.clock.now(), boot: device.boots,
      });
      return play(samples, hz);
    };
  }

  #row(device: SimDevice): FleetRow {
    const seen = this.sim.monitor.row(device.id);
    const health: string[] = [];
    if (seen?.outboxDepth !== undefined) health.push(`outbox ${seen.outboxDepth}`);
    if (seen?.reconnects !== undefined) health.push(`reconn ${seen.reconnects}`);
    if (seen && seen.invalid > 0) health.push(`BAD ${seen.invalid}`);
    let world = '';
    try {
      world = device.describe();
    } catch {
      world = '';
    }
    const row: FleetRow = {
      i: device.index,
      id: device.id,
      kind: device.kind.model,
      state: device.state,
      status: seen?.safe !== undefined ? `${seen.status} · SAFE MODE: ${seen.safe}` : seen?.status ?? '—',
      net: device.networkUp,
      last: seen?.lastEvent ? `${seen.lastEvent.type} #${seen.lastEvent.seq}` : '',
      health: health.join(' · '),
      world,
    };
    if (isBin(device)) row.fill = fillSummary(device.world);
    return row;
  }

  #onEvent(message: EventMessage): void {
    let seen = this.#seen.get(message.dev);
    if (!seen) this.#seen.set(message.dev, (seen = new Set()));
    const event: StreamEvent = { dev: message.dev, seq: message.seq, boot: message.boot, type: message.type, data: message.data, at: Date.now() };
    if (typeof message.up === 'number') event.up = message.up;
    if (seen.has(message.seq)) event.dup = true;
    else {
      seen.add(message.seq);
      const max = this.#maxSeq.get(message.dev);
      if (max !== undefined && message.seq > max + 1) event.gap = [max + 1, message.seq - 1];
      if (max === undefined || message.seq > max) this.#maxSeq.set(message.dev, message.seq);
    }
    this.events.push(event);
    if (this.events.length > EVENT_RING) this.events.splice(0, this.events.length - EVENT_RING);
    this.#newEvents.push(event);
    if (this.#newEvents.length > EVENT_RING) this.#newEvents.splice(0, this.#newEvents.length - EVENT_RING);
    if (message.type === 'bin.deposit' && !event.dup) {
      const device = this.sim.devices.find((d) => d.id === message.dev);
      if (device && isBin(device)) this.#fills.deposit(device, event);
    }
    this.#notePlotAlert(message);
  }

  /** The first alarm raised after a trace started marks the plot. */
  #notePlotAlert(message: EventMessage): void {
    if (message.type !== 'alarm.raised') return;
    const device = this.sim.devices.find((d) => d.id === message.dev);
    const plot = device ? this.#plots.get(device.index) : undefined;
    if (!plot || plot.alertS !== undefined || message.boot !== plot.boot || typeof message.up !== 'number') return;
    plot.alertS = Math.max(0, (message.up - plot.startUp) / 1000);
    plot.alertType = `${message.type} (${String(message.data.cause ?? '?')})`;
  }
}

function doorDetail(world: DoorWorld, events: readonly StreamEvent[]): NonNullable<DeviceDetail['door']> {
  const boot = world.boot;
  const reader = boot?.app.reader;
  const relayPin = boot ? boot.hal.io.pin(simDoorReader.pin.relay).level : 0;
  const decision = [...events].reverse().find((event) => event.type.startsWith('access.'));
  return {
    number: reader?.settings.door ?? 0,
    open: world.doorOpen,
    unlocked: relayPin === 1,
    mode: reader?.door.mode ?? 'off',
    awaitingPin: reader?.awaitingPin ?? false,
    alarms: [...(reader?.door.alarms ?? [])].map(String),
    cards: (world.demo?.cards ?? []).map((card) => card.name),
    ...(decision ? { lastDecision: `${decision.type} #${decision.seq}` } : {}),
  };
}

function sosDetail(world: SosWorld): NonNullable<DeviceDetail['sos']> {
  const boot = world.boot;
  const status = boot && !boot.hal.system.deepSleepRequest ? boot.app.status() : {};
  const out: NonNullable<DeviceDetail['sos']> = { batteryMv: world.batteryMv, buttonDown: world.buttonDown };
  if (status.alarm) out.alarm = { ...(status.alarm as Record<string, unknown>) };
  if (status.window) out.window = { ...(status.window as Record<string, unknown>) };
  if (typeof status.batteryPct === 'number') out.batteryPct = status.batteryPct;
  if (typeof status.showing === 'string') out.showing = status.showing;
  return out;
}
