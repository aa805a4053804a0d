// The kiosk's parts: the resident card reader and the receipt printer. The display and the touch panel are not
// parts: the renderer draws the screen model's view (Piu on the device, HTML in the simulator) and hands taps
// back to the app's `input`. Nothing is required: without the reader residents use the services that need no
// card; without the printer tickets and passes are shown on screen only.
import type { PrinterStatus } from '../../drivers/escpos/status.js';
import { mfrc522 } from '../../parts/mfrc522.js';
import { receiptPrinter } from '../../parts/receipt-printer.js';

/** Where the parts' callbacks go (app.ts). */
export interface KioskEvents {
  card(uid: Uint8Array): void;
  printer(status: PrinterStatus): void;
}

export const KIOSK_PARTS = Object.freeze({
  nfc: mfrc522({ select: 'nfcSelect', on: { card: 'card' } }),
  printer: receiptPrinter({ serial: 'printer', on: { status: 'printer' } }),
});
