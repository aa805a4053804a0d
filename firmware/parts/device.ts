// A device apart from its board: the model it reports, the parts it has fitted and the app that drives them. Each
// app exports one; an entry point (hal/moddable/entries/), the simulator's kind or a test puts it on a board, and
// BoardFor makes a board that lacks a pin, bus or serial port the parts name a type error there.
import type { Board, SerialPort } from '../../hal/contract/board.js';
import type { Bus, PartsTable, PinsOf } from './part.js';

export interface DeviceDefinition<T extends PartsTable = PartsTable, App = unknown> {
  /** Birth `model`, e.g. "door-reader". */
  readonly model: string;
  readonly parts: T;
  /** The app for one boot. */
  createApp(): App;
}

// Builders state `bus` and `serial` only on the parts that use them (see mfrc522.ts, qr-scanner.ts).
type BusesOf<T extends PartsTable> = BusOf<T[keyof T]>;
type BusOf<P> = P extends { readonly bus: infer B extends Bus } ? B : never;
type PortsOf<T extends PartsTable> = PortOf<T[keyof T]>;
type PortOf<P> = P extends { readonly serial: infer S extends string } ? S : never;

/** A board with every pin, bus and serial port the table names. */
export type BoardFor<T extends PartsTable> = Board<PinsOf<T>, PortsOf<T>>
  & { readonly [B in BusesOf<T>]-?: NonNullable<Board[B]> }
  & ([PortsOf<T>] extends [never] ? unknown : { readonly serial: Readonly<Record<PortsOf<T>, Readonly<SerialPort>>> });
