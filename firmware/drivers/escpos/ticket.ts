// The queue ticket of the property service desk as a receipt: the desk's name, the number large, when it was
// taken, a QR code to follow the queue on a phone, a line of advice, then a cut. The words come from the kiosk's
// string table (Chinese or English); their Chinese characters must be in the printer's glyph table (gb18030.ts).
import type { Receipt, ReceiptLine } from './receipt.js';

export interface QueueTicket {
  /** "物业服务台" */
  readonly title: string;
  /** "A023" */
  readonly number: string;
  /** "2026-12-06 18:40", formatted by the app in the site's time zone. */
  readonly time: string;
  /** Printable ASCII, e.g. the queue's URL with the ticket; absent: no QR code. */
  readonly qr?: string;
  /** "请稍候叫号" */
  readonly note?: string;
}

/** Number size: 4 × 4 is 48 × 96 dots a digit, about 12 mm high on a 203 dpi head, readable at arm's length. */
const NUMBER_SCALE = 4;

export function queueTicket(ticket: QueueTicket): Receipt {
  const lines: ReceiptLine[] = [
    { text: ticket.title, scale: 2, bold: true, align: 'center' },
    { feed: 1 },
    { text: ticket.number, scale: NUMBER_SCALE, bold: true, align: 'center' },
    { text: ticket.time, align: 'center' },
  ];
  if (ticket.qr !== undefined) lines.push({ qr: ticket.qr, align: 'center' });
  if (ticket.note !== undefined) lines.push({ text: ticket.note, align: 'center' });
  lines.push({ feed: 3 });
  return { lines, cut: true };
}
