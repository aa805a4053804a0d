// A kind of simulated terminal: which board and flash it has, the physical world around it (door, cards,
// wearer, bin...), how one boot wires that world into the virtual IO and which firmware app it runs.
// Each device type adds one file here and registers it in ./index.ts; the simulator core stays generic.
// A kind's world is a class whose methods are the physical actions (present a card, press a button...): the
// interactive commands and the tests (through simulator/device.ts SimDevice) use the same ones.
import type { Board } from '../../hal/contract/board.js';
import type { HostHal } from '../../hal/host/index.js';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';

export interface KindCommand<World> {
  /** e.g. "UID" for `card N UID`. */
  readonly args: string;
  readonly help: string;
  /** Acts on one device's world; returns what happened (shown to the user). Throws for bad arguments. */
  run(world: World, args: readonly string[]): string;
}

/** What a world gets from the device it surrounds. */
export interface WorldContext {
  /** The world's time in ms since the device was made: it runs on across boots, deep sleeps and power cuts. */
  now(): number;
  /** An input changed: a device in deep sleep looks at its wake pins (inputLevel) again. */
  inputChanged(): void;
}

export interface SimDeviceKind<World = unknown> {
  /** Device model (birth `model`), also the name used on the command line. */
  readonly model: string;
  readonly board: Board;
  /** Flash partitions, name → bytes (the runtime needs `outbox`). */
  readonly partitions: Readonly<Record<string, number>>;
  /** Desired settings the simulated platform sends at start, besides the health interval. */
  readonly desiredConfig?: Readonly<Record<string, unknown>>;
  /** The physical world around one device: made once, it outlives reboots (a door stays open across a reset). */
  createWorld(context: WorldContext): World;
  /** One boot: attach the world's chips and wires to this boot's virtual IO, and return the app to run. */
  boot(hal: HostHal, world: World): DeviceApp | undefined;
  /** Interactive commands for this kind (`verb N args...`). */
  readonly commands?: Readonly<Record<string, KindCommand<World>>>;
  /** Level of an input pin in the world while no device instance runs (deep sleep): a held button wakes it. */
  inputLevel?(world: World, pin: number): 0 | 1 | undefined;
  /**
   * While the device deep-sleeps: world ms until an input may change by itself (a chip with its own power, such as
   * an accelerometer's interrupt line while motion plays), when inputLevel is looked at again; Infinity or absent:
   * only the world's actions change them (they call inputChanged()).
   */
  inputChangeIn?(world: World): number;
  /** A few words of live state for the status table (e.g. "locked · door closed"). */
  describe?(world: World): string;
}

/** Erases the world type for the registry. */
export type AnyDeviceKind = SimDeviceKind<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
