// An ESC/POS thermal receipt printer (firmware/drivers/escpos) on the board's serial port `serial`: the app prints
// on the opened part (print(receipt, done)) and each change of the printer's status reaches its `status` event.
// open() asks the status once; a printer that does not answer is reported through that event, not refused, as
// the kiosk must show "printer offline" rather than lose the part (and paper can be loaded later).
import { EscPosPrinter } from '../drivers/escpos/escpos.js';
import type { PrinterStatus } from '../drivers/escpos/status.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface ReceiptPrinterCallbacks {
  status(status: PrinterStatus): void;
}

export interface ReceiptPrinterSpec extends PartSpec<ReceiptPrinterCallbacks> {
  readonly serial: string;
  /** Bytes between status queries (driver default 64). */
  readonly chunkBytes?: number;
  /** Driver default 500 ms. */
  readonly statusTimeoutMs?: number;
}

type ReceiptPrinterPart<S extends ReceiptPrinterSpec> = FittedPart<EscPosPrinter, never, ReceiptPrinterCallbacks, S> & { readonly serial: S['serial'] };

export function receiptPrinter<const S extends ReceiptPrinterSpec>(spec: S & NoOthers<S, ReceiptPrinterSpec>): ReceiptPrinterPart<S> {
  const { serial, on, required, ...options } = spec;
  return fitPart(spec, {
    kind: 'receipt-printer',
    pins: {},
    serial,
    options,
    open(context) {
      const status = context.callback<[status: PrinterStatus]>('status');
      const printer = new EscPosPrinter({ serial: context.serial(), timers: context.timers, ...options, onStatus: (value) => status?.(value) });
      printer.poll();
      return printer;
    },
  }) as ReceiptPrinterPart<S>;
}
