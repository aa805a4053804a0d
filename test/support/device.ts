// Devices under test: simulator/device.ts SimDevice (the simulator's own device) on the stepped clock, with the
// tests' defaults. The door reader and SOS button rigs (test/door-reader/door-reader-device.ts,
// test/sos-button/sos-button-device.ts) extend RigDevice with their kinds' verbs; TestDevice here is the runtime alone: the generic
// kind, optionally running an app of the test's own.
import type { HostHal } from '../../hal/host/index.js';
import type { SteppedClock } from '../../hal/host/clock.js';
import type { HostStorage } from '../../hal/host/storage/index.js';
import { Backoff } from '../../firmware/runtime/backoff.js';
import type { EventMessage, ResultMessage } from '../../firmware/protocol/messages.js';
import type { DeviceApp, DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { Provisioning } from '../../firmware/runtime/provisioning.js';
import { SimDevice, type SimDeviceOptions, type SimTransport } from '../../simulator/device.js';
import { genericKind } from '../../simulator/kinds/generic.js';

/** Where every test device's wall clock starts: Friday 2027-01-15, 08:00 UTC. */
export const WALL_TIME = 1_800_000_000_000;

export type SteppedDeviceOptions<World, T extends SimTransport> = Omit<SimDeviceOptions<World, T>, 'clock' | 'backoff' | 'record'> & {
  /** Wall time at the first boot; it runs on from there across boots. Default WALL_TIME. */
  wallTimeMs?: number;
  /** Whether each boot starts with trusted wall time. Default true. */
  wallTimeValid?: boolean;
};

/**
 * A SimDevice as tests use it: a stepped clock from WALL_TIME, reconnect delays without jitter (1 s doubling to
 * 8 s), every message kept.
 */
export function steppedDevice<World, T extends SimTransport>(options: SteppedDeviceOptions<World, T>): SimDevice<World, T> {
  const { wallTimeMs = WALL_TIME, wallTimeValid = true, ...rest } = options;
  return new SimDevice({
    ...rest,
    clock: { mode: 'stepped', wallTimeMs, wallTimeValid },
    backoff: () => new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.5 }),
    record: true,
  });
}

/** The running instance's part, or a clear failure when the device is off. */
export function running<P>(part: P | undefined, what: string): P {
  if (part === undefined) throw new Error(`no ${what}: the device is not running`);
  return part;
}

/** The runtime alone, under the model name the runtime tests expect. */
const TEST_KIND = { ...genericKind, model: 'test' };

export interface TestDeviceOptions {
  /** Merged over test-site/dev-1 at 127.0.0.1:1883; false: unprovisioned. */
  provisioning?: Partial<Provisioning> | false;
  app?: () => DeviceApp;
  transport: () => SimTransport;
  storage?: HostStorage;
  outboxBytes?: number;
  /** Host system options (freeHeap, heapUsed, ...). */
  system?: SimDeviceOptions<null, SimTransport>['system'];
}

/**
 * What every device under test offers, whatever its kind: its SimDevice and that device's life (boot, power cut,
 * time, network) and what it sent. The door reader and SOS button rigs extend it with their kinds' verbs.
 */
export class RigDevice<World, T extends SimTransport = SimTransport> {
  readonly device: SimDevice<World, T>;

  constructor(device: SimDevice<World, T>) {
    this.device = device;
  }

  get storage(): HostStorage {
    return this.device.storage;
  }

  get world(): World {
    return this.device.world;
  }

  get hal(): HostHal {
    return running(this.device.hal, 'Hal');
  }

  get runtime(): DeviceRuntime {
    return running(this.device.runtime, 'runtime');
  }

  get clock(): SteppedClock {
    return this.hal.clock as SteppedClock;
  }

  /** Restarts the device asked for (restart command, watchdog); each reboots it after the reboot delay. */
  get restarts(): number {
    return this.device.restarts;
  }

  get networkUp(): boolean {
    return this.device.networkUp;
  }

  /** Powers the device on. */
  boot(): this {
    this.device.boot();
    return this;
  }

  /** Power cut, power back `gapMs` later (wall time moves on): nothing is shut down cleanly, the storage stays. */
  powerCycle(gapMs?: number): this {
    this.device.powerCycle(gapMs);
    return this;
  }

  /** Lets `ms` pass on the stepped clock: running, rebooting or asleep (SimDevice.advance). */
  advance(ms: number): void {
    this.device.advance(ms);
  }

  network(up: boolean): void {
    this.device.setNetwork(up);
  }

  /** Parsed messages on a channel across every boot. Fails the test on any message the protocol forbids. */
  messages<M>(channel: string): M[] {
    return this.device.messages<M>(channel);
  }

  /** Distinct events (by seq: retransmissions are byte-identical copies), oldest first. */
  events(type?: string | RegExp): EventMessage[] {
    return this.device.events(type);
  }

  /**
   * Delivers a command on `<prefix>/command` through the scripted broker, lets `settle` run the device, and returns
   * the one result it answered (failing when there is none or more than one).
   */
  protected deliverCommand(prefix: string, command: { reqId: string; name: string; exp: number; args?: Record<string, unknown> }, settle: () => void): ResultMessage {
    const broker = this.device.transport as unknown as { deliver?(topic: string, payload: string): void } | undefined;
    if (!broker?.deliver) throw new Error('commands need a running device on a scripted broker');
    const before = this.messages('result').length;
    broker.deliver(`${prefix}/command`, JSON.stringify({ v: 1, msg: 'command', ...command }));
    settle();
    const results = this.messages<ResultMessage>('result');
    if (results.length !== before + 1) throw new Error(`expected one result for ${command.reqId}, got ${results.length - before}`);
    return results.at(-1)!;
  }
}

export class TestDevice extends RigDevice<null> {
  constructor(options: TestDeviceOptions) {
    const { provisioning, storage, app, system } = options;
    super(steppedDevice({
      kind: TEST_KIND,
      provisioning: provisioning === false ? false : { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883, ...provisioning },
      partitions: { outbox: options.outboxBytes ?? 64 * 1024 },
      transport: options.transport,
      ...(storage ? { storage } : {}),
      ...(app ? { app } : {}),
      ...(system ? { system } : {}),
    }));
  }
}
