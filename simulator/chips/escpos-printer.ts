// An ESC/POS thermal receipt printer on a UART peer, at command level: it takes what the device writes into a
// receive buffer, runs the commands the firmware's driver uses (ESC @, ESC E, ESC a, ESC d, GS !, GS V, GS ( k
// QR functions, FS & / FS .; text in ASCII or, in Chinese mode, GB18030) and keeps the paper as receipts: lines
// of text with their size, weight and alignment, QR payloads and feeds, each receipt ended by a cut. DLE EOT n is
// answered at once, as real printers do, even while the buffer is full or the printer offline. Anything else is
// counted as unknown and skipped.
//
// For tests and the simulator: paper out / near end, cover open, an error, the feed button held (offline), `silent` (unplugged: nothing is taken
// or answered), `paperOutAfterLines(n)` (the roll ends mid-job), and `slow(bytesPerTick)`: the printer then works
// through its buffer at that pace and uses XON/XOFF handshaking (XOFF when less than XOFF_MARGIN bytes are free,
// XON once half the buffer is free). Bytes beyond the buffer are lost and counted in `overflowed`.
import type { TimerId, Timers } from '../../hal/contract/time.js';
import type { SerialPeer, VirtualIo } from '../../hal/host/io/index.js';

export type PaperLine =
  | { readonly text: string; readonly scale: readonly [width: number, height: number]; readonly bold: boolean; readonly align: 'left' | 'center' | 'right' }
  | { readonly qr: string; readonly align: 'left' | 'center' | 'right' }
  | { readonly feed: number };

export interface PrintedReceipt {
  readonly lines: readonly PaperLine[];
}

export interface EscPosPrinterChipOptions {
  port?: number;
  /** The device's timers: a slow printer works on its virtual clock. */
  timers: Timers;
  /** Receive buffer, bytes. Default 1024. */
  bufferBytes?: number;
}

export const XOFF_MARGIN = 256;
export const SLOW_TICK_MS = 10;
const ALIGNS = ['left', 'center', 'right'] as const;
const DLE = 0x10;
const EOT = 0x04;
const XON = 0x11;
const XOFF = 0x13;

/** How many bytes the command starting with `bytes` takes, 0 when more are needed to know, -1 when unknown. */
function commandLength(bytes: readonly number[]): number {
  const [first, second] = bytes;
  if (second === undefined) return 0;
  if (first === 0x1b) {
    if (second === 0x40) return 2; // ESC @
    return second === 0x45 || second === 0x61 || second === 0x64 || second === 0x21 ? 3 : -1;
  }
  if (first === 0x1c) return second === 0x26 || second === 0x2e ? 2 : -1; // FS & / FS .
  if (second === 0x21) return 3; // GS !
  if (second === 0x56) { // GS V m [n]
    if (bytes.length < 3) return 0;
    return bytes[2] === 0x41 || bytes[2] === 0x42 ? 4 : 3;
  }
  if (second === 0x28) { // GS ( k pL pH ...
    if (bytes.length < 5) return 0;
    return bytes[2] === 0x6b ? 5 + bytes[3]! + bytes[4]! * 256 : -1;
  }
  return -1;
}

export class EscPosPrinterChip {
  #peer: SerialPeer;
  #timers: Timers;
  #capacity: number;
  #buffer: number[] = [];
  #unsubscribe: () => void;
  #tick: TimerId | undefined;
  #bytesPerTick = Infinity;
  #holding = false;
  // The start of a DLE EOT n held back until it is known to be one (it may be split across writes).
  #realtime: number[] = [];
  // Print state.
  #command: number[] = [];
  #line: number[] = [];
  #chinese = false;
  #bold = false;
  #scale: [number, number] = [1, 1];
  #align: 'left' | 'center' | 'right' = 'left';
  #qr = '';
  #paper: PaperLine[] = [];
  #receipts: PrintedReceipt[] = [];
  #linesLeft = Infinity;
  /** Printer state the tests and the simulator set. */
  paperOut = false;
  paperNearEnd = false;
  coverOpen = false;
  error = false;
  /** The paper feed button held: offline with no other cause (DLE EOT 2 bit 3). */
  feedButton = false;
  silent = false;
  unknown = 0;
  overflowed = 0;
  statusQueries = 0;

  constructor(peer: SerialPeer, options: EscPosPrinterChipOptions) {
    this.#peer = peer;
    this.#timers = options.timers;
    this.#capacity = options.bufferBytes ?? 1024;
    this.#unsubscribe = peer.onWrite((bytes) => this.#receive(bytes));
  }

  /** Receipts cut so far, oldest first. */
  receipts(): PrintedReceipt[] {
    return [...this.#receipts];
  }

  /** What is printed but not yet cut. */
  uncut(): PaperLine[] {
    return [...this.#paper];
  }

  get buffered(): number {
    return this.#buffer.length;
  }

  get offline(): boolean {
    return this.paperOut || this.coverOpen || this.error || this.feedButton;
  }

  /** The roll ends after `lines` more printed lines. */
  paperOutAfterLines(lines: number): void {
    this.#linesLeft = lines;
  }

  /** Works through `bytesPerTick` buffered bytes every SLOW_TICK_MS (Infinity: at once) with XON/XOFF. */
  slow(bytesPerTick: number): void {
    this.#bytesPerTick = bytesPerTick;
    this.#timers.clear(this.#tick);
    this.#tick = Number.isFinite(bytesPerTick) ? this.#timers.repeat(() => this.#work(), SLOW_TICK_MS) : undefined;
  }

  /** Paper loaded, cover closed, error cleared: buffered work goes on. */
  resume(): void {
    this.paperOut = false;
    this.coverOpen = false;
    this.error = false;
    this.feedButton = false;
    this.#linesLeft = Infinity;
    if (!Number.isFinite(this.#bytesPerTick)) this.#work();
  }

  /** Sends bytes to the device (noise, a wrong baud rate). */
  raw(bytes: Uint8Array | readonly number[]): void {
    this.#peer.inject(Uint8Array.from(bytes));
  }

  detach(): void {
    this.#unsubscribe();
    this.#timers.clear(this.#tick);
    this.#tick = undefined;
  }

  #receive(bytes: Uint8Array): void {
    if (this.silent) return;
    for (const byte of bytes) {
      const held = this.#realtime;
      if (held.length === 0 ? byte === DLE : held.length === 1 ? byte === EOT : byte >= 1 && byte <= 4) {
        held.push(byte);
        if (held.length < 3) continue;
        // Real-time: answered now, never buffered.
        this.#realtime = [];
        this.#answerStatus(byte);
        continue;
      }
      this.#realtime = [];
      for (const taken of [...held, byte]) {
        if (this.#buffer.length < this.#capacity) this.#buffer.push(taken);
        else this.overflowed++;
      }
    }
    if (!Number.isFinite(this.#bytesPerTick)) this.#work();
    else this.#flowControl();
  }

  #answerStatus(n: number): void {
    this.statusQueries++;
    let byte = 0x12;
    if (n === 1 && this.offline) byte |= 0x08;
    if (n === 2) byte |= (this.coverOpen ? 0x04 : 0) | (this.feedButton ? 0x08 : 0) | (this.paperOut ? 0x20 : 0) | (this.error ? 0x40 : 0);
    if (n === 4) byte |= (this.paperNearEnd ? 0x0c : 0) | (this.paperOut ? 0x60 : 0);
    this.#peer.inject(Uint8Array.of(byte));
  }

  #work(): void {
    let budget = Math.min(this.#bytesPerTick, this.#buffer.length);
    while (budget-- > 0 && !this.offline) this.#run(this.#buffer.shift()!);
    this.#flowControl();
  }

  #flowControl(): void {
    const free = this.#capacity - this.#buffer.length;
    if (!this.#holding && free < XOFF_MARGIN && Number.isFinite(this.#bytesPerTick)) {
      this.#holding = true;
      this.#peer.inject(Uint8Array.of(XOFF));
    } else if (this.#holding && free >= this.#capacity / 2) {
      this.#holding = false;
      this.#peer.inject(Uint8Array.of(XON));
    }
  }

  #run(byte: number): void {
    if (this.#command.length > 0) {
      this.#command.push(byte);
      const length = commandLength(this.#command);
      if (length < 0) {
        this.unknown++;
        this.#command = [];
      } else if (length > 0 && this.#command.length === length) {
        this.#execute(this.#command);
        this.#command = [];
      }
    } else if (byte === 0x1b || byte === 0x1d || byte === 0x1c) {
      this.#command = [byte];
    } else if (byte === 0x0a) {
      this.#printLine();
    } else if (byte >= 0x20) {
      this.#line.push(byte);
    } else if (byte !== 0x0d) {
      this.unknown++;
    }
  }

  #execute(command: readonly number[]): void {
    const [first, second, n = 0] = command;
    if (first === 0x1b && second === 0x40) {
      this.#chinese = false;
      this.#bold = false;
      this.#scale = [1, 1];
      this.#align = 'left';
    } else if (first === 0x1b && second === 0x45) this.#bold = (n & 1) === 1;
    else if (first === 0x1b && second === 0x61) this.#align = ALIGNS[n % 48] ?? 'left';
    else if (first === 0x1b && second === 0x64) this.#feed(n);
    else if (first === 0x1c) this.#chinese = second === 0x26;
    else if (first === 0x1d && second === 0x21) this.#scale = [(n >> 4) + 1, (n & 0x0f) + 1];
    else if (first === 0x1d && second === 0x56) this.#cut();
    else if (first === 0x1d && second === 0x28) this.#qrFunction(command.slice(5));
    else this.unknown++;
  }

  #qrFunction([cn, fn, m, ...data]: readonly number[]): void {
    if (cn !== 0x31) this.unknown++;
    else if (fn === 0x50 && m === 0x30) this.#qr = String.fromCharCode(...data);
    else if (fn === 0x51 && m === 0x30) this.#printed({ qr: this.#qr, align: this.#align });
  }

  #printLine(): void {
    const bytes = Uint8Array.from(this.#line);
    this.#line = [];
    const text = new TextDecoder(this.#chinese ? 'gb18030' : 'latin1').decode(bytes);
    this.#printed({ text, scale: [this.#scale[0], this.#scale[1]], bold: this.#bold, align: this.#align });
  }

  #feed(lines: number): void {
    if (this.#line.length > 0) this.#printLine();
    if (lines > 0) this.#printed({ feed: lines });
  }

  #printed(line: PaperLine): void {
    this.#paper.push(line);
    if (--this.#linesLeft <= 0) this.paperOut = true;
  }

  #cut(): void {
    if (this.#line.length > 0) this.#printLine();
    this.#receipts.push({ lines: this.#paper });
    this.#paper = [];
  }
}

export function attachEscPosPrinter(io: VirtualIo, options: EscPosPrinterChipOptions): EscPosPrinterChip {
  return new EscPosPrinterChip(io.serial(options.port ?? 0), options);
}
