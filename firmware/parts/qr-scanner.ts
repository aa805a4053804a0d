// A QR scanner module (firmware/drivers/qr-scanner) on the board's serial port `serial`: each scanned line reaches
// the app's `read` event; garbage lines are dropped and counted by the driver.
import { QrScanner } from '../drivers/qr-scanner/qr-scanner.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface QrScannerCallbacks {
  read(text: string): void;
}

export interface QrScannerSpec extends PartSpec<QrScannerCallbacks> {
  readonly serial: string;
}

type QrScannerPart<S extends QrScannerSpec> = FittedPart<QrScanner, never, QrScannerCallbacks, S> & { readonly serial: S['serial'] };

export function qrScanner<const S extends QrScannerSpec>(spec: S & NoOthers<S, QrScannerSpec>): QrScannerPart<S> {
  return fitPart(spec, {
    kind: 'qr-scanner',
    pins: {},
    serial: spec.serial,
    open(context) {
      const read = context.callback<[text: string]>('read');
      return new QrScanner({ serial: context.serial(), onRead: (text) => read?.(text) });
    },
  }) as QrScannerPart<S>;
}
