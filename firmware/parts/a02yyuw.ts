// An A02YYUW / JSN-SR04T ultrasonic module (firmware/drivers/a02yyuw) on the board's serial port `serial`: the app
// calls measure() on the opened part and each reading (a distance or a fault) reaches its `reading` event.
import { A02yyuw, type A02yyuwMode } from '../drivers/a02yyuw/a02yyuw.js';
import type { LevelReading } from '../drivers/level-reading.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface A02yyuwCallbacks {
  reading(reading: LevelReading): void;
}

export interface A02yyuwSpec extends PartSpec<A02yyuwCallbacks> {
  readonly serial: string;
  /** Driver default 'triggered'. */
  readonly mode?: A02yyuwMode;
  /** The module's range, mm (driver default 4500). */
  readonly maxMm?: number;
}

type A02yyuwPart<S extends A02yyuwSpec> = FittedPart<A02yyuw, never, A02yyuwCallbacks, S> & { readonly serial: S['serial'] };

export function a02yyuw<const S extends A02yyuwSpec>(spec: S & NoOthers<S, A02yyuwSpec>): A02yyuwPart<S> {
  const { serial, on, required, ...options } = spec;
  return fitPart(spec, {
    kind: 'a02yyuw',
    pins: {},
    serial,
    options,
    open(context) {
      const reading = context.callback<[reading: LevelReading]>('reading');
      return new A02yyuw({ serial: context.serial(), timers: context.timers, ...options, onReading: (value) => reading?.(value) });
    },
  }) as A02yyuwPart<S>;
}
