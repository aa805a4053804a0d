// What the printer is asked to print, as data, and its ESC/POS bytes. A receipt is a list of lines (text with a
// size, weight and alignment; a QR code; a paper feed), cut at the end. Every field is checked before a byte is
// made: a bad receipt is refused with a reason, never half printed.
import { bold, characterSize, chineseMode, cut, feedLines, initialize, justify, LF, qrCode, type Align } from './commands.js';
import { encodeText, type GlyphTable } from './gb18030.js';

export interface TextLine {
  readonly text: string;
  /** Width and height multiplier, 1–8 (1: 12 × 24 dots a Latin character, 24 × 24 a Chinese one). Default 1. */
  readonly scale?: number;
  readonly bold?: boolean;
  /** Default 'left'. */
  readonly align?: Align;
}

export interface QrLine {
  /** Printable ASCII, 1–QR_MAX_BYTES characters (a URL, a ticket or pass code). */
  readonly qr: string;
  /** Dots a module, 1–16. Default 6 (a 25-module code is then 19 mm wide on a 203 dpi head). */
  readonly moduleSize?: number;
  /** Default 'center'. */
  readonly align?: Align;
}

export interface FeedLine {
  /** Blank lines, 1–255. */
  readonly feed: number;
}

export type ReceiptLine = TextLine | QrLine | FeedLine;

export interface Receipt {
  readonly lines: readonly ReceiptLine[];
  /** Default true. */
  readonly cut?: boolean;
}

export const RECEIPT_MAX_LINES = 64;
export const TEXT_MAX_CHARS = 256;
export const QR_MAX_BYTES = 512;

export type EncodedReceipt = { readonly bytes: Uint8Array; readonly unprintable: number } | { readonly invalid: string };

const ALIGNS: readonly string[] = Object.freeze(['left', 'center', 'right']);

function isInteger(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

function badAlign(align: unknown): boolean {
  return align !== undefined && !ALIGNS.includes(align as string);
}

function qrBytes(text: unknown): number[] | undefined {
  if (typeof text !== 'string' || text.length === 0 || text.length > QR_MAX_BYTES) return undefined;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return undefined;
    bytes.push(code);
  }
  return bytes;
}

/** Why `line` cannot be printed, or undefined. */
function lineProblem(line: ReceiptLine): string | undefined {
  if (typeof line !== 'object' || line === null) return 'not an object';
  if ('text' in line) {
    if (typeof line.text !== 'string' || line.text.length > TEXT_MAX_CHARS) return `text: a string of at most ${TEXT_MAX_CHARS} characters`;
    if (line.scale !== undefined && !isInteger(line.scale, 1, 8)) return 'scale: an integer 1–8';
    if (line.bold !== undefined && typeof line.bold !== 'boolean') return 'bold: true or false';
    return badAlign(line.align) ? 'align: left, center or right' : undefined;
  }
  if ('qr' in line) {
    if (qrBytes(line.qr) === undefined) return `qr: 1–${QR_MAX_BYTES} printable ASCII characters`;
    if (line.moduleSize !== undefined && !isInteger(line.moduleSize, 1, 16)) return 'moduleSize: an integer 1–16';
    return badAlign(line.align) ? 'align: left, center or right' : undefined;
  }
  if ('feed' in line) return isInteger(line.feed, 1, 255) ? undefined : 'feed: an integer 1–255';
  return 'neither text, qr nor feed';
}

/** The receipt as one print job: initialise, Chinese mode, its lines, a cut. */
export function encodeReceipt(receipt: Receipt, glyphs: GlyphTable): EncodedReceipt {
  const lines = receipt?.lines;
  if (!Array.isArray(lines) || lines.length === 0 || lines.length > RECEIPT_MAX_LINES) {
    return { invalid: `lines: 1–${RECEIPT_MAX_LINES} lines` };
  }
  if (receipt.cut !== undefined && typeof receipt.cut !== 'boolean') return { invalid: 'cut: true or false' };
  for (let i = 0; i < lines.length; i++) {
    const problem = lineProblem(lines[i]!);
    if (problem !== undefined) return { invalid: `line ${i}: ${problem}` };
  }
  const out: number[] = [];
  let unprintable = 0;
  initialize(out);
  chineseMode(out);
  for (const line of lines as readonly ReceiptLine[]) {
    if ('text' in line) {
      const scale = line.scale ?? 1;
      justify(out, line.align ?? 'left');
      characterSize(out, scale, scale);
      bold(out, line.bold ?? false);
      unprintable += encodeText(out, line.text, glyphs);
      out.push(LF);
    } else if ('qr' in line) {
      justify(out, line.align ?? 'center');
      qrCode(out, qrBytes(line.qr)!, line.moduleSize ?? 6);
    } else {
      feedLines(out, line.feed);
    }
  }
  if (receipt.cut ?? true) cut(out);
  return { bytes: Uint8Array.from(out), unprintable };
}
