// Opens a device's parts table against its board, in the table's order. A part that fails is left out and
// reported (name → reason) and the device runs without it, unless it is required: then what was opened is closed
// again and openParts throws. close() closes in reverse order; a part that fails to close does not keep the others
// open.
import type { Device } from '../../hal/contract/board.js';
import type { PinSpecifier } from '../../hal/contract/io.js';
import type { MonotonicClock, Timers } from '../../hal/contract/time.js';
import type { Closable, Part, PartContext, PartsTable } from './part.js';

export interface OpenPartsOptions<Events> {
  readonly device: Device;
  readonly timers: Timers;
  readonly clock: MonotonicClock;
  /** The app's event methods the table routes callbacks to. */
  readonly events: Events;
  /** Told about each part left out. */
  log?(message: string): void;
}

/** Each part opened, or undefined when it failed or is not fitted (a required part is always there). */
export type PartsOf<T extends PartsTable> = {
  readonly [K in keyof T]-?: T[K] extends { readonly required: true } ? ThingOf<T[K]> : ThingOf<T[K]> | undefined;
};
type ThingOf<P> = P extends Part<infer Thing, string, never> ? Thing : never;

export function openParts<Events, const T extends PartsTable<Events>>(table: T, options: OpenPartsOptions<Events>): OpenedParts<T> {
  const parts: Record<string, Closable> = {};
  const problems: Record<string, string> = {};
  for (const name of Object.keys(table)) {
    const part = table[name];
    if (!part) continue;
    try {
      parts[name] = part.open(new Opening(part, options));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (part.required) {
        closeInReverse(parts);
        throw new Error(`${name}: ${reason}`);
      }
      problems[name] = reason;
      options.log?.(`${name} not available: ${reason}`);
    }
  }
  return new OpenedParts(parts as PartsOf<T>, problems);
}

/** A device's parts once opened (openParts). */
export class OpenedParts<T extends PartsTable> {
  readonly parts: PartsOf<T>;
  /** Parts that could not be opened, with why. */
  readonly problems: Readonly<Record<string, string>>;
  #open = true;

  constructor(parts: PartsOf<T>, problems: Readonly<Record<string, string>>) {
    this.parts = parts;
    this.problems = problems;
  }

  /** Health telemetry's `hardware`: the problems, when there are any. */
  health(): { hardware?: Record<string, string> } {
    return Object.keys(this.problems).length > 0 ? { hardware: { ...this.problems } } : {};
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    closeInReverse(this.parts);
  }
}

/** Closes in the reverse of the opening order (the record's); a part that fails to close does not keep the others open. */
function closeInReverse(parts: Readonly<Record<string, Closable | undefined>>): void {
  for (const name of Object.keys(parts).reverse()) {
    try {
      parts[name]?.close();
    } catch {
      // Closing one part must not keep the others open.
    }
  }
}

// One per part while it opens. A class, not closures: a driver's callback kept by a part must not keep this alive.
class Opening<Events> implements PartContext<Events> {
  readonly device: Device;
  readonly timers: Timers;
  readonly clock: MonotonicClock;
  readonly events: Events;
  #part: Part<Closable, string, Events>;

  constructor(part: Part<Closable, string, Events>, options: OpenPartsOptions<Events>) {
    this.device = options.device;
    this.timers = options.timers;
    this.clock = options.clock;
    this.events = options.events;
    this.#part = part;
  }

  pin(role: string): PinSpecifier {
    const { board } = this.device;
    const name = this.#pinName(role);
    const pin = board.pin[name];
    if (pin === undefined) throw new Error(`board ${board.name} has no "${name}" pin`);
    return pin;
  }

  activeLow(role: string): boolean {
    return this.device.board.activeLow?.includes(this.#pinName(role)) ?? false;
  }

  divider(role: string): number {
    const { board } = this.device;
    const name = this.#pinName(role);
    const ratio = board.dividers?.[name];
    if (ratio === undefined) throw new Error(`board ${board.name} gives no divider for "${name}"`);
    return ratio;
  }

  callback<Args extends unknown[]>(name: string): ((...args: Args) => void) | undefined {
    const method = this.#part.on?.[name];
    return method === undefined ? undefined : route<Args>(this.events as Record<string, (...args: Args) => void>, method);
  }

  i2c() {
    const { io, board } = this.device;
    if (!io.SMBus || !board.i2c) throw new Error('no I2C bus');
    return { ...board.i2c, io: io.SMBus };
  }

  spi() {
    const { io, board } = this.device;
    if (!io.SPI || !board.spi) throw new Error('no SPI bus');
    return { ...board.spi, io: io.SPI };
  }

  serial() {
    const { io, board } = this.device;
    const name = this.#part.serial;
    const port = name === undefined ? undefined : board.serial?.[name];
    if (!io.Serial || !port) throw new Error(`no "${name ?? ''}" serial port on the board`);
    return { ...port, io: io.Serial };
  }

  #pinName(role: string): string {
    const name = this.#part.pins[role];
    if (name === undefined) throw new Error(`no "${role}" pin in the part`);
    return name;
  }
}

function route<Args extends unknown[]>(events: Record<string, (...args: Args) => void>, method: string): (...args: Args) => void {
  return (...args) => events[method]!(...args);
}
