// The ESC/POS commands the receipt printer driver sends, as bytes (Epson "ESC/POS Command Reference"; the Chinese
// mode FS & / FS . as on Chinese-market printers). Each appends to a job's byte list.

export const ESC = 0x1b;
export const GS = 0x1d;
export const FS = 0x1c;
export const DLE = 0x10;
export const EOT = 0x04;
export const LF = 0x0a;

export type Align = 'left' | 'center' | 'right';

const ALIGN: Readonly<Record<Align, number>> = Object.freeze({ left: 0, center: 1, right: 2 });

/** ESC @: clears the print modes left by an earlier job (size, bold, alignment). */
export function initialize(out: number[]): void {
  out.push(ESC, 0x40);
}

/** FS &: two-byte GB18030 (GBK) codes from here on; ASCII bytes stay single. */
export function chineseMode(out: number[]): void {
  out.push(FS, 0x26);
}

/** GS !: character width and height multipliers, 1–8 each. */
export function characterSize(out: number[], width: number, height: number): void {
  out.push(GS, 0x21, ((width - 1) << 4) | (height - 1));
}

/** ESC E: emphasised (bold) on or off. */
export function bold(out: number[], on: boolean): void {
  out.push(ESC, 0x45, on ? 1 : 0);
}

/** ESC a: justification of the lines that follow. */
export function justify(out: number[], align: Align): void {
  out.push(ESC, 0x61, ALIGN[align]);
}

/** ESC d: prints what is buffered and feeds `lines` (0–255) lines. */
export function feedLines(out: number[], lines: number): void {
  out.push(ESC, 0x64, lines);
}

/** GS V 66 n: feeds to the cutter (plus n dots) and cuts partially, leaving a hinge for the resident to tear. */
export function cut(out: number[]): void {
  out.push(GS, 0x56, 0x42, 0);
}

/** QR error correction levels of GS ( k function 169. */
const QR_ERROR_CORRECTION_M = 49;

/**
 * GS ( k: a model 2 QR code of `data` (bytes) with modules of `moduleSize` dots (1–16), error correction M, stored
 * (function 180) and printed (function 181).
 */
export function qrCode(out: number[], data: readonly number[], moduleSize: number): void {
  out.push(GS, 0x28, 0x6b, 4, 0, 0x31, 0x41, 0x32, 0); // function 165: model 2
  out.push(GS, 0x28, 0x6b, 3, 0, 0x31, 0x43, moduleSize); // function 167: module size
  out.push(GS, 0x28, 0x6b, 3, 0, 0x31, 0x45, QR_ERROR_CORRECTION_M); // function 169
  const length = data.length + 3;
  out.push(GS, 0x28, 0x6b, length & 0xff, length >> 8, 0x31, 0x50, 0x30, ...data); // function 180: store
  out.push(GS, 0x28, 0x6b, 3, 0, 0x31, 0x51, 0x30); // function 181: print
}

/**
 * DLE EOT 1, 2 and 4: real-time status of the printer, the offline cause and the roll paper sensor. The printer
 * answers each at once with one byte, even while its buffer is full or it is offline.
 */
export const STATUS_QUERY: readonly number[] = Object.freeze([DLE, EOT, 1, DLE, EOT, 2, DLE, EOT, 4]);

/** Flow control bytes a printer set to XON/XOFF handshaking sends when its receive buffer fills and drains. */
export const XON = 0x11;
export const XOFF = 0x13;
