// A part is one fitted piece of hardware, as data: which driver or io piece it is (one file per kind in this
// folder), which of the board's pins, bus or serial port it uses, its options, whether the device can run without
// it, and which of the app's event methods its callbacks call. A device lists its parts in one table (a module
// constant in its app folder); openParts() opens the table against the board.
import type { Device, SerialPort } from '../../hal/contract/board.js';
import type { I2COptions, PinSpecifier, SMBusConstructor, SPIConstructor, SPIOptions, SerialConstructor } from '../../hal/contract/io.js';
import type { MonotonicClock, Timers } from '../../hal/contract/time.js';

export interface Closable {
  close(): void;
}

export type Bus = 'i2c' | 'spi';

/** What a kind's open() gets: the device and the HAL's timers, with this part's names resolved on the board. */
export interface PartContext<Events = unknown> {
  readonly device: Device;
  readonly timers: Timers;
  readonly clock: MonotonicClock;
  /** The app's events object; kinds reach it through callback(). */
  readonly events: Events;
  /** The board's pin for one of the part's roles; throws when the board has no pin of that name. */
  pin(role: string): PinSpecifier;
  /** The board drives the pin of `role` active-low. */
  activeLow(role: string): boolean;
  /** The board's divider ratio in front of the pin of `role`; throws when the board gives none. */
  divider(role: string): number;
  /** The app's event method a callback is routed to, bound; undefined when the table routes it nowhere. */
  callback<Args extends unknown[]>(name: string): ((...args: Args) => void) | undefined;
  /** The board's I2C bus with the SMBus class; throws without either. */
  i2c(): Omit<I2COptions, 'address'> & { io: SMBusConstructor };
  /** The board's SPI bus with the SPI class; throws without either. */
  spi(): Omit<SPIOptions, 'select'> & { io: SPIConstructor };
  /** The board's serial port the part names, with the Serial class; throws without either. */
  serial(): SerialPort & { io: SerialConstructor };
}

export interface Part<Thing extends Closable = Closable, Pin extends string = string, Events = unknown> {
  /** The driver or io piece, by name (its file here): "relay", "mfrc522", ... */
  readonly kind: string;
  /** The kind's pin roles → the board's pin names. */
  readonly pins: Readonly<Record<string, Pin>>;
  readonly bus?: Bus;
  /** The board's serial port (`board.serial` key). */
  readonly serial?: string;
  /** The kind's settings (debounce, long press, address...). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** The kind's callbacks → the names of the app's event methods they call. */
  readonly on?: Readonly<Record<string, string | undefined>>;
  /** The device cannot run without it: openParts throws when it fails. Other parts are left out and reported. */
  readonly required?: boolean;
  /** Opens it; throws when it cannot (a pin, bus or port missing, a chip not answering). */
  readonly open: (context: PartContext<Events>) => Thing;
}

/**
 * A device's parts by name, opened in this order; `Events` is the app's events object their callbacks call. An
 * entry left undefined is not fitted (a test's table without a part).
 */
export type PartsTable<Events = never> = Readonly<Record<string, Part<Closable, string, Events> | undefined>>;

/** The board pin names a table uses: a board for the table must have them all. */
export type PinsOf<T extends PartsTable> = { [K in keyof T]-?: PinOf<NonNullable<T[K]>> }[keyof T];
type PinOf<P> = P extends Part<Closable, infer Pin, never> ? Pin : never;

/** Which of the app's event methods each of a kind's callbacks calls, e.g. `{ press: 'exit' }`. */
export type Routes<Callbacks> = { readonly [C in keyof Callbacks]?: string };

/** What a kind's builder returns for `spec`: pin names, the events its routes need and `required` kept in its type. */
export type FittedPart<Thing extends Closable, Pin extends string, Callbacks, Spec extends { on?: unknown; required?: boolean }> =
  Part<Thing, Pin, Needs<Callbacks, NonNullable<Spec['on']>>> & (Spec['required'] extends true ? { readonly required: true } : unknown);

/** The event methods routed callbacks call, with the callbacks' signatures. */
type Needs<Callbacks, On> = { [C in keyof On & keyof Callbacks as On[C] & string]: Callbacks[C] };

/** A spec with a field its kind does not know (a misspelt option) is a type error. */
export type NoOthers<S, Spec> = { readonly [K in Exclude<keyof S, keyof Spec>]: never };

/** What every kind's spec may say besides its pins and options. */
export interface PartSpec<Callbacks = unknown> {
  readonly on?: Routes<Callbacks>;
  readonly required?: boolean;
}

/**
 * A kind's builder ends here: adds the spec's routes and `required` to the part and freezes it all (XS keeps
 * frozen preloaded objects in flash). The builder states the part's precise type (FittedPart).
 */
export function fitPart<Thing extends Closable, Events>(spec: PartSpec, part: Omit<Part<Thing, string, Events>, 'on' | 'required'>): Part<Thing, string, Events> {
  return Object.freeze({
    ...part,
    pins: Object.freeze({ ...part.pins }),
    ...(part.options ? { options: Object.freeze({ ...part.options }) } : {}),
    ...(spec.on ? { on: Object.freeze({ ...spec.on }) } : {}),
    ...(spec.required ? { required: true } : {}),
  });
}

/**
 * The builder of a kind on one pin (`pin` in the spec; the spec's other fields are the kind's options):
 * `export const relay = singlePinKind<Relay, unknown, {}>('relay', (context) => new Relay(...))`.
 */
export function singlePinKind<Thing extends Closable, Callbacks, Options extends object>(
  kind: string,
  open: (context: PartContext, options: Options) => Thing,
) {
  type Spec = PartSpec<Callbacks> & Options & { readonly pin: string };
  return <const S extends Spec>(spec: S & NoOthers<S, Spec>) => {
    const { pin, on, required, ...options } = spec;
    return fitPart(spec, { kind, pins: { pin }, options, open: (context) => open(context, options as Options) }) as FittedPart<Thing, S['pin'], Callbacks, S>;
  };
}
