// An ESC/POS thermal receipt printer on a UART (Epson TM-T20-class, and the Chinese 58/80 mm printers that copy
// it), ECMA-419 sensor class style:
//
//   const printer = new EscPosPrinter({ serial: { ...board.serial.printer, io: device.io.Serial }, timers,
//     onStatus(status) { ... } });
//   printer.print(queueTicket({ ... }), (result) => { ... });   // exactly one result per print()
//
// Before a job the printer's real-time status (DLE EOT) is asked: a printer that is offline, out of paper, has its
// cover open or does not answer refuses the job with that reason, and nothing is sent. The job then goes out in
// chunks, each only when the UART has room (onWritable) and the printer has not said XOFF, each followed by a
// status query: a status that turns bad mid-way fails the job ('during') with its reason, so a ticket is never
// lost unnoticed. `ok` means the printer took every byte, had room again (no XOFF) and still reported a good status
// after the last chunk; what is left in its buffer then (at most half of it with the usual XON threshold, often
// the last lines) may still be printing: a paper-out there shows at the next status query (onStatus).
import type { Serial, SerialConstructor, SerialOptions } from '../../../hal/contract/io.js';
import type { TimerId, Timers } from '../../../hal/contract/time.js';
import { STATUS_QUERY } from './commands.js';
import { TICKET_GLYPHS, type GlyphTable } from './gb18030.js';
import { encodeReceipt, type Receipt } from './receipt.js';
import { sameStatus, SILENT_STATUS, StatusReader, statusProblem, type PrinterProblem, type PrinterStatus } from './status.js';

export interface EscPosPrinterOptions {
  /** `{ ...board.serial.printer, io: device.io.Serial }` (9600 or 19200 baud, XON/XOFF handshaking set on the printer). */
  serial: Omit<SerialOptions, 'onReadable' | 'onWritable'> & { io: SerialConstructor };
  timers: Timers;
  /** Characters the printer's Chinese font is addressed with. Default TICKET_GLYPHS. */
  glyphs?: GlyphTable;
  /** Bytes written between status queries. Default 64: below any printer's XOFF margin. */
  chunkBytes?: number;
  /** How long the printer may take to answer a status query. Default 500 ms. */
  statusTimeoutMs?: number;
  /** While the printer holds the line (XOFF): status asked this often. Default 1000 ms. */
  holdPollMs?: number;
  /** A job held this long in all fails 'stalled'. Default 30 s. */
  stallMs?: number;
  /** Each status that differs from the last (the first one too). */
  onStatus?(status: PrinterStatus): void;
}

export type PrintResult =
  | { readonly ok: true; readonly status: PrinterStatus; readonly unprintable: number }
  | {
    readonly ok: false;
    readonly reason: PrinterProblem | 'stalled' | 'busy' | 'invalid' | 'closed';
    /** 'before': nothing was sent; 'during': part of the job was, and may have printed. */
    readonly stage: 'before' | 'during';
    readonly detail?: string;
  };

interface Job {
  readonly bytes: Uint8Array;
  readonly unprintable: number;
  readonly done: (result: PrintResult) => void;
  sent: number;
  heldMs: number;
}

export class EscPosPrinter {
  #serial: Serial;
  #timers: Timers;
  #glyphs: GlyphTable;
  #chunkBytes: number;
  #statusTimeoutMs: number;
  #holdPollMs: number;
  #stallMs: number;
  #onStatus: ((status: PrinterStatus) => void) | undefined;
  #reader: StatusReader;
  #status: PrinterStatus | undefined;
  #job: Job | undefined;
  /** Bytes the UART can take now (its last onWritable, less what was written since). */
  #room = 0;
  #held = false;
  /** A status query is out, or waits for room to go out (#queryWaiting). */
  #asking = false;
  #queryWaiting = false;
  /** The job was given while an earlier query was out: it waits for a query of its own. */
  #askAgain = false;
  #timer: TimerId | undefined;
  #holdTimer: TimerId | undefined;
  #closed = false;

  constructor(options: EscPosPrinterOptions) {
    this.#timers = options.timers;
    this.#glyphs = options.glyphs ?? TICKET_GLYPHS;
    this.#chunkBytes = options.chunkBytes ?? 64;
    this.#statusTimeoutMs = options.statusTimeoutMs ?? 500;
    this.#holdPollMs = options.holdPollMs ?? 1000;
    this.#stallMs = options.stallMs ?? 30_000;
    this.#onStatus = options.onStatus;
    if (!(Number.isInteger(this.#chunkBytes) && this.#chunkBytes > 0)) throw new RangeError('ESC/POS: chunkBytes must be a positive integer');
    this.#reader = new StatusReader({ status: (status) => this.#answered(status), hold: (held) => this.#hold(held) });
    this.#serial = new options.serial.io({
      ...options.serial,
      onReadable: () => this.#onReadable(),
      onWritable: (count) => this.#onWritable(count),
    });
  }

  /** The last status the printer gave (SILENT_STATUS after an unanswered query), undefined before the first. */
  get status(): PrinterStatus | undefined {
    return this.#status;
  }

  /** Bytes from the printer thrown away: garbage and unasked status bytes. */
  get dropped(): number {
    return this.#reader.dropped;
  }

  get printing(): boolean {
    return this.#job !== undefined;
  }

  /** Asks the printer's status (onStatus hears a change); while a job runs, it asks anyway. */
  poll(): void {
    if (this.#closed) throw new Error('ESC/POS: closed');
    if (!this.#asking) this.#ask();
  }

  /** Prints `receipt`; `done` is called exactly once, with the outcome. */
  print(receipt: Receipt, done: (result: PrintResult) => void): void {
    if (this.#closed) throw new Error('ESC/POS: closed');
    if (this.#job !== undefined) {
      done({ ok: false, reason: 'busy', stage: 'before' });
      return;
    }
    const encoded = encodeReceipt(receipt, this.#glyphs);
    if ('invalid' in encoded) {
      done({ ok: false, reason: 'invalid', stage: 'before', detail: encoded.invalid });
      return;
    }
    this.#job = { bytes: encoded.bytes, unprintable: encoded.unprintable, done, sent: 0, heldMs: 0 };
    // An answer already on its way may predate the job: the job waits for a query of its own.
    if (this.#asking) this.#askAgain = true;
    else this.#ask();
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopTimers();
    this.#serial.close();
    this.#finish({ ok: false, reason: 'closed', stage: this.#job?.sent ? 'during' : 'before' });
  }

  #onReadable(): void {
    const data = this.#serial.read();
    if (data !== undefined) this.#reader.take(new Uint8Array(data));
  }

  #onWritable(count: number): void {
    this.#room = count;
    if (this.#queryWaiting) this.#sendQuery();
    else if (!this.#asking) this.#send();
  }

  /** The timeout runs from the ask, so a UART that never has room also ends as a silent printer. */
  #ask(): void {
    this.#asking = true;
    this.#queryWaiting = true;
    this.#timer = this.#timers.set(() => {
      this.#timer = undefined;
      this.#queryWaiting = false;
      this.#reader.cancel();
      this.#answered(SILENT_STATUS);
    }, this.#statusTimeoutMs);
    this.#sendQuery();
  }

  #sendQuery(): void {
    if (this.#room < STATUS_QUERY.length) return; // onWritable comes back
    this.#queryWaiting = false;
    this.#write(Uint8Array.from(STATUS_QUERY));
    this.#reader.expect();
  }

  #answered(status: PrinterStatus): void {
    this.#timers.clear(this.#timer);
    this.#timer = undefined;
    this.#asking = false;
    const changed = this.#status === undefined || !sameStatus(this.#status, status);
    this.#status = status;
    if (changed) this.#onStatus?.(status);
    if (this.#closed) return;
    const job = this.#job;
    if (job === undefined) return;
    if (this.#askAgain) {
      this.#askAgain = false;
      this.#ask();
      return;
    }
    const problem = statusProblem(status);
    if (problem !== undefined) this.#finish({ ok: false, reason: problem, stage: job.sent === 0 ? 'before' : 'during' });
    else if (job.sent === job.bytes.length && !this.#held) this.#finish({ ok: true, status, unprintable: job.unprintable });
    else this.#send();
  }

  #hold(held: boolean): void {
    this.#held = held;
    if (!held && !this.#asking) this.#send();
  }

  /**
   * The next chunk, once the line is free; while the printer holds it (its buffer full), its status is watched,
   * also after the last chunk: the job ends when the printer has room again and a last status is good.
   */
  #send(): void {
    const job = this.#job;
    if (job === undefined || this.#closed || this.#asking) return;
    if (this.#held) {
      this.#holdTimer ??= this.#timers.set(() => {
        this.#holdTimer = undefined;
        job.heldMs += this.#holdPollMs;
        if (job.heldMs >= this.#stallMs) this.#finish({ ok: false, reason: 'stalled', stage: job.sent === 0 ? 'before' : 'during' });
        else this.#ask();
      }, this.#holdPollMs);
      return;
    }
    this.#timers.clear(this.#holdTimer);
    this.#holdTimer = undefined;
    job.heldMs = 0;
    if (job.sent === job.bytes.length) {
      this.#ask();
      return;
    }
    const room = this.#room - STATUS_QUERY.length;
    if (room <= 0) return; // onWritable comes back
    const end = Math.min(job.bytes.length, job.sent + Math.min(room, this.#chunkBytes));
    this.#write(job.bytes.subarray(job.sent, end));
    job.sent = end;
    this.#ask();
  }

  #write(bytes: Uint8Array): void {
    this.#room -= bytes.length;
    this.#serial.write(bytes);
  }

  #finish(result: PrintResult): void {
    const job = this.#job;
    if (job === undefined) return;
    this.#job = undefined;
    this.#askAgain = false;
    this.#timers.clear(this.#holdTimer);
    this.#holdTimer = undefined;
    job.done(result);
  }

  #stopTimers(): void {
    this.#timers.clear(this.#timer);
    this.#timers.clear(this.#holdTimer);
    this.#timer = undefined;
    this.#holdTimer = undefined;
  }
}
