// A LIS3DH accelerometer (firmware/drivers/lis3dh) on the board's I2C bus; with `interrupt`, its INT1 line:
// a rising edge (wake on motion) reaches the app's `alert` event.
import { LIS3DH } from '../drivers/lis3dh/lis3dh.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface Lis3dhCallbacks {
  alert(): void;
}

export interface Lis3dhSpec extends PartSpec<Lis3dhCallbacks> {
  /** The pin INT1 is wired to. */
  readonly interrupt?: string;
  /** I2C address (driver default 0x18, SA0 low). */
  readonly address?: number;
  /** Keep a chip that already samples into its FIFO as it is (a boot it woke: the driver's keepFifo). */
  readonly keepFifo?: boolean;
}

type Lis3dhPart<S extends Lis3dhSpec> = FittedPart<LIS3DH, S extends { readonly interrupt: infer P extends string } ? P : never, Lis3dhCallbacks, S> & { readonly bus: 'i2c' };

export function lis3dh<const S extends Lis3dhSpec>(spec: S & NoOthers<S, Lis3dhSpec>): Lis3dhPart<S> {
  const { interrupt, on, required, keepFifo, ...options } = spec;
  return fitPart(spec, {
    kind: 'lis3dh',
    pins: interrupt === undefined ? {} : { interrupt },
    bus: 'i2c',
    options,
    open(context) {
      const alert = context.callback('alert');
      return new LIS3DH({
        sensor: { ...context.i2c(), ...options },
        ...(keepFifo ? { keepFifo } : {}),
        ...(interrupt === undefined || !alert ? {} : { alert: { io: context.device.io.Digital, pin: context.pin('interrupt') }, onAlert: alert }),
      });
    },
  }) as Lis3dhPart<S>;
}
