// A VL53L1X time-of-flight sensor (firmware/drivers/vl53l1x) on the board's I2C bus: the app calls measure() on
// the opened part and each reading (a distance or a fault) reaches its `reading` event. Opening fails (and
// openParts reports why) when no VL53L1X answers at the address.
import type { LevelReading } from '../drivers/level-reading.js';
import { Vl53l1x, type DistanceMode } from '../drivers/vl53l1x/vl53l1x.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface Vl53l1xCallbacks {
  reading(reading: LevelReading): void;
}

export interface Vl53l1xSpec extends PartSpec<Vl53l1xCallbacks> {
  /** I2C address (driver default 0x29). */
  readonly address?: number;
  /** Driver default 'long'. */
  readonly distanceMode?: DistanceMode;
  /** Driver default 100 ms. */
  readonly timingBudgetMs?: number;
}

type Vl53l1xPart<S extends Vl53l1xSpec> = FittedPart<Vl53l1x, never, Vl53l1xCallbacks, S> & { readonly bus: 'i2c' };

export function vl53l1x<const S extends Vl53l1xSpec>(spec: S & NoOthers<S, Vl53l1xSpec>): Vl53l1xPart<S> {
  const { on, required, ...options } = spec;
  const { address, distanceMode, timingBudgetMs } = options;
  return fitPart(spec, {
    kind: 'vl53l1x',
    pins: {},
    bus: 'i2c',
    options,
    open(context) {
      const reading = context.callback<[reading: LevelReading]>('reading');
      const sensor = new Vl53l1x({
        sensor: { ...context.i2c(), ...(address === undefined ? {} : { address }) },
        timers: context.timers,
        onReading: (value) => reading?.(value),
      });
      if (distanceMode !== undefined || timingBudgetMs !== undefined) {
        try {
          sensor.configure({ ...(distanceMode === undefined ? {} : { distanceMode }), ...(timingBudgetMs === undefined ? {} : { timingBudgetMs }) });
        } catch (error) {
          sensor.close();
          throw error;
        }
      }
      return sensor;
    },
  }) as Vl53l1xPart<S>;
}
