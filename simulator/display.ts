// What the simulator shows. On a terminal: one screen redrawn in place (never scrolling) that fits the terminal
// at any size down to 80×24 and follows its resizes: a summary of the fleet, as many table rows as fit (columns
// sized to the width, paged and filtered when the fleet is large), a "recent" pane of decisions, alarms and other
// notable events, a wrapped command footer and the command line. Otherwise (a pipe, a CI log): one line per change.
import type { Writable } from 'node:stream';
import type { EventMessage } from '../firmware/protocol/messages.js';
import { footerLines, helpLines, wrap } from './commands.js';
import type { SimDevice } from './device.js';
import type { DeviceRow, Monitor, MonitorUpdate } from './monitor.js';

export interface DisplayContext {
  monitor: Monitor;
  devices: readonly SimDevice[];
  header: string;
  /** Host ms when the simulation started. */
  startedAt: number;
}

export interface Display {
  /** A note from the simulator or a device log line (several lines: one note each). */
  note(text: string): void;
  /** The command line being typed (TTY only). */
  setInput(text: string): void;
  /**
   * A command for the view itself (help, filter, page): handles it and returns what to note ('' for nothing), or
   * undefined when the line is not a view command (then it goes to the devices).
   */
  command?(line: string): string | undefined;
  close(): void;
}

/** A terminal-like output: its size, and 'resize' events when it changes. */
export type DisplayOutput = Writable & { isTTY?: boolean; columns?: number; rows?: number };

/** Notes kept for the recent pane (the pane shows the newest that fit). */
const NOTES_KEPT = 200;
const REDRAW_MS = 200;
/** What the table display assumes when the output does not tell its size. */
const DEFAULT_SIZE = { columns: 120, rows: 30 };
const MIN_COLUMNS = 40;
const MIN_ROWS = 8;

export function createDisplay(output: DisplayOutput, context: DisplayContext, tty: boolean): Display {
  return tty ? new TableDisplay(output, context) : new LineDisplay(output, context);
}

const time = () => new Date().toISOString().slice(11, 19);

/** One line for an event: its type, then how and who for door decisions, else its data in short. */
export function describeEvent(device: string, message: Pick<EventMessage, 'seq' | 'type' | 'data'>): string {
  const { type, data } = message;
  const parts: string[] = [];
  const rest: Record<string, unknown> = { ...data };
  // Chain links and signatures say nothing to a reader.
  for (const key of ['prev', 'hash', 'sig', 'mac']) delete rest[key];
  if (type.startsWith('access.')) {
    // kind and reader: how (card on nfc or wiegand, pin, qr, exit, remote); ref: whose credential; reason: why
    // it was refused. The door number and a false `offline` are the usual case.
    for (const key of ['kind', 'reader', 'ref', 'reason']) {
      const value = rest[key];
      delete rest[key];
      if (value === undefined || (key === 'reason' && value === 'granted')) continue;
      parts.push(key === 'ref' ? `ref ${String(value)}` : String(value));
    }
    if (rest.door === 0) delete rest.door;
    if (rest.offline === false) delete rest.offline;
  }
  for (const [key, value] of Object.entries(rest)) parts.push(`${key}=${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  const what = type.startsWith('alarm.') || type.startsWith('fall.') || type.startsWith('sos.') ? `ALARM ${type}`
    : type === 'access.granted' ? 'GRANTED access.granted'
      : type.startsWith('access.denied') ? `DENIED ${type}` : type;
  const detail = parts.join(' · ');
  return `${device} #${message.seq} ${what}${detail ? ` · ${detail.length > 120 ? `${detail.slice(0, 119)}…` : detail}` : ''}`;
}

class LineDisplay implements Display {
  #output: Writable;
  #unsubscribe: () => void;
  /** Last telemetry figures logged per device: telemetry is logged only when they change. */
  #figures = new Map<string, string>();

  constructor(output: Writable, context: DisplayContext) {
    this.#output = output;
    this.#write(context.header);
    this.#unsubscribe = context.monitor.onUpdate((update) => this.#update(update));
  }

  note(text: string): void {
    for (const line of text.split('\n')) this.#write(line);
  }

  setInput(): void {}

  close(): void {
    this.#unsubscribe();
  }

  #update(update: MonitorUpdate): void {
    const { row } = update;
    if (update.kind === 'invalid') {
      this.#write(`${row.device} INVALID ${update.channel}: ${update.error}`);
      return;
    }
    const { message } = update;
    switch (message.msg) {
      case 'status':
        this.#write(`${row.device} status ${message.state} boot=${message.boot}${message.conn ? ` conn=${message.conn}` : ''}`
          + `${message.reset ? ` reset=${message.reset}` : ''}${update.retained ? ' (retained)' : ''}${update.stale ? ' (stale, ignored)' : ''}`);
        break;
      case 'event': {
        const detail = describeEvent(row.device, message).split(' · ').slice(1).join(' · ');
        this.#write(`${row.device} event #${message.seq} ${message.type} boot=${message.boot}${detail ? ` · ${detail}` : ''}`);
        break;
      }
      case 'telemetry': {
        const figures = `outbox=${row.outboxDepth ?? '?'} reconnects=${row.reconnects ?? '?'}`;
        if (this.#figures.get(row.device) === figures) break;
        this.#figures.set(row.device, figures);
        this.#write(`${row.device} telemetry up=${formatUptime(row.up)} ${figures}`);
        break;
      }
      case 'result':
        this.#write(`${row.device} result ${message.reqId} ${message.code}${message.reason ? ` (${message.reason})` : ''}`);
        break;
      case 'config.reported':
        this.#write(`${row.device} config v${message.version}${message.last ? ` (last ${message.last.version} ${message.last.status})` : ''}`);
        break;
    }
  }

  #write(text: string): void {
    this.#output.write(`${new Date().toISOString().slice(11, 23)} ${text}\n`);
  }
}

interface Column {
  title: string;
  /** Columns are dropped lowest first when the terminal is too narrow. */
  keep: number;
  /** Flexible columns take the room that is left, cut with "…" down to `min`. */
  min?: number;
}

const COLUMNS: readonly Column[] = [
  { title: '#', keep: 100 },
  { title: 'DEVICE', keep: 99 },
  { title: 'MODEL', keep: 6 },
  { title: 'STATUS', keep: 98 },
  { title: 'BOOT', keep: 3 },
  { title: 'UPTIME', keep: 4 },
  { title: 'OUTBOX', keep: 2 },
  { title: 'RECONN', keep: 1 },
  { title: 'BAD', keep: 0 },
  { title: 'RUNTIME', keep: 8 },
  { title: 'QUEUED', keep: 5 },
  { title: 'NET', keep: 9 },
  { title: 'STATE', keep: 10, min: 14 },
  { title: 'LAST EVENT', keep: 7, min: 12 },
];

/** One device of the table; its cells are made only for the rows shown (a fleet may have thousands). */
interface TableEntry {
  index: string;
  id: string;
  row: DeviceRow | undefined;
  device: SimDevice | undefined;
}

class TableDisplay implements Display {
  #output: DisplayOutput;
  #context: DisplayContext;
  /** Wrapped at draw time: the width may change. `log`: a device's log line, the first to give way. */
  #notes: { text: string; log: boolean }[] = [];
  #input = '';
  #timer: NodeJS.Timeout;
  #dirty = true;
  #closed = false;
  #unsubscribe: () => void;
  #onResize = () => this.#draw();
  #filter = '';
  #page = 0;
  /** Help lines shown in place of the table while set, and the first one shown. */
  #help: { lines: string[]; from: number } | undefined;
  /** The status last noted per device, so a change makes a note. */
  #statuses = new Map<string, string>();

  constructor(output: DisplayOutput, context: DisplayContext) {
    this.#output = output;
    this.#context = context;
    this.#unsubscribe = context.monitor.onUpdate((update) => this.#update(update));
    // Redraw when something changed, and at least every second so ages and local states stay current.
    let ticks = 0;
    this.#timer = setInterval(() => {
      if (this.#dirty || ++ticks % 5 === 0) this.#draw();
    }, REDRAW_MS);
    output.on('resize', this.#onResize);
    // The alternate screen: the table never scrolls the user's terminal, which is as it was after the run.
    this.#output.write('\x1b[?1049h\x1b[2J');
    this.#draw();
  }

  note(text: string): void {
    // Device log lines come as "<device> <level>: ..." (simulator.ts); warnings and errors stay notable.
    const log = /^\S+ (info|debug): /.test(text);
    for (const line of text.split('\n')) this.#notes.push({ text: `${time()} ${line}`, log });
    if (this.#notes.length > NOTES_KEPT) this.#notes.splice(0, this.#notes.length - NOTES_KEPT);
    this.#dirty = true;
  }

  setInput(text: string): void {
    this.#input = text;
    this.#draw();
  }

  command(line: string): string | undefined {
    const [verb = '', ...args] = line.trim().split(/\s+/);
    if (this.#help !== undefined) {
      // While the help is shown: Enter pages on, anything else closes it (and runs).
      const { rows } = this.#size();
      if (verb === '' && this.#help.from + rows - 3 < this.#help.lines.length) {
        this.#help.from += rows - 3;
        this.#draw();
        return '';
      }
      this.#help = undefined;
      this.#draw();
      if (verb === '' || verb === 'h' || verb === 'help' || verb === '?') return '';
    }
    switch (verb) {
      case 'h':
      case 'help':
      case '?':
        this.#help = { lines: helpLines(this.#context.devices.map((device) => device.kind), this.#size().columns), from: 0 };
        this.#draw();
        return '';
      case 'filter':
        this.#filter = args.join(' ').toLowerCase();
        this.#page = 0;
        this.#dirty = true;
        return this.#filter ? `showing devices matching "${this.#filter}"` : 'showing every device';
      case 'page': {
        const [which = 'next'] = args;
        if (which === 'next') this.#page++;
        else if (which === 'prev') this.#page = Math.max(0, this.#page - 1);
        else if (/^[0-9]+$/.test(which) && Number(which) >= 1) this.#page = Number(which) - 1;
        else return 'page next|prev|N';
        this.#dirty = true;
        return '';
      }
      default:
        return undefined;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#timer);
    this.#output.off('resize', this.#onResize);
    this.#unsubscribe();
    // Back to the normal screen, where the last notes stay readable.
    const { columns } = this.#size();
    const last = this.#notes.slice(-5).map((note) => fit(note.text, columns));
    this.#output.write(`\x1b[?1049l${last.map((line) => `${line}\n`).join('')}`);
  }

  #update(update: MonitorUpdate): void {
    this.#dirty = true;
    const { row } = update;
    if (update.kind === 'invalid') {
      this.note(`${row.device} INVALID ${update.channel}: ${update.error}`);
      return;
    }
    const { message } = update;
    if (message.msg === 'event') this.note(describeEvent(row.device, message));
    else if (message.msg === 'status' && !update.stale) {
      const status = `${message.state}${message.reset && message.state === 'online' ? ` (boot ${message.boot}, ${message.reset})` : ''}`;
      if (this.#statuses.get(row.device) !== message.state) this.note(`${row.device} ${status}`);
      this.#statuses.set(row.device, message.state);
    } else if (message.msg === 'result') {
      this.note(`${row.device} result ${message.reqId} ${message.code}${message.reason ? ` (${message.reason})` : ''}`);
    }
  }

  #size(): { columns: number; rows: number } {
    const columns = this.#output.columns || DEFAULT_SIZE.columns;
    const rows = this.#output.rows || DEFAULT_SIZE.rows;
    return { columns: Math.max(MIN_COLUMNS, columns), rows: Math.max(MIN_ROWS, rows) };
  }

  #draw(): void {
    if (this.#closed) return;
    this.#dirty = false;
    const size = this.#size();
    const lines = this.#help ? this.#helpScreen(size) : this.#screen(size);
    // Home, each line then "erase to the end of the line" (not after a full-width line: the cursor waits in the
    // last column there and the erase would take the last character), no newline after the last line, erase below.
    const text = lines.map((line) => (line.length < size.columns ? `${line}\x1b[K` : line)).join('\r\n');
    this.#output.write(`\x1b[H${text}\x1b[J`);
  }

  #helpScreen({ columns, rows }: { columns: number; rows: number }): string[] {
    const help = this.#help!;
    const shown = help.lines.slice(help.from, help.from + rows - 3);
    const more = help.from + shown.length < help.lines.length;
    return [
      fit(`Commands (${help.from + 1}–${help.from + shown.length} of ${help.lines.length})`, columns),
      ...shown.map((line) => fit(line, columns)),
      fit(more ? 'Enter: more · any command: back to the table' : 'Enter: back to the table', columns),
      fit(`> ${this.#input}`, columns - 1),
    ];
  }

  #screen({ columns, rows }: { columns: number; rows: number }): string[] {
    const context = this.#context;
    const all = tableEntries(context);
    const shown = this.#filter ? all.filter((entry) => searchText(entry).includes(this.#filter)) : all;
    const footer = footerLines(context.devices.map((device) => device.kind), columns);
    // Fixed lines: title, summary, table header, the recent pane's title, the footer, the prompt.
    let fixed = 5 + footer.length;
    let footerShown = footer;
    if (rows - fixed < 3) {
      footerShown = [];
      fixed = 5;
    }
    const room = Math.max(1, rows - fixed);
    const notes = this.#notes.map((note) => ({ lines: wrap(note.text, columns, '    '), log: note.log }));
    const noteLines = notes.reduce((sum, note) => sum + note.lines.length, 0);
    // Rows first, but the recent pane keeps some room (a third of it, as many lines as there are notes, at least 2).
    const recentReserve = Math.min(room - 1, Math.max(2, Math.min(Math.floor(room / 3), noteLines)));
    const pageSize = Math.max(1, Math.min(shown.length || 1, room - recentReserve));
    const pages = Math.max(1, Math.ceil(shown.length / pageSize));
    this.#page = Math.min(this.#page, pages - 1);
    const pageRows = shown.slice(this.#page * pageSize, (this.#page + 1) * pageSize)
      .map(({ index, row, id, device }) => ({ cells: rowCells(index, row, id, device) }));
    const recentRoom = Math.max(0, room - Math.max(1, pageRows.length));
    const { header, lines } = layoutTable(pageRows, columns);

    // Paging and filter first on the line: the summary after them may be cut.
    let where = '';
    if (pages > 1) where += `page ${this.#page + 1}/${pages} (page next|prev|N) · `;
    if (this.#filter) where += `filter "${this.#filter}": ${shown.length} · `;
    const screen = [
      fit(`[${formatUptime(Date.now() - context.startedAt)}] ${context.header}`, columns),
      fit(`${where}${summary(context)}`, columns),
      header,
      ...(lines.length ? lines : [fit(this.#filter ? `  no device matches "${this.#filter}" (filter: all)` : '  no devices', columns)]),
      `── recent ${'─'.repeat(columns)}`.slice(0, columns),
      ...recent(notes, recentRoom),
    ];
    while (screen.length < rows - footerShown.length - 1) screen.push('');
    return [...screen.slice(0, rows - footerShown.length - 1), ...footerShown, fit(`> ${this.#input}`, columns - 1)];
  }
}

/**
 * The newest notes that fit `room` lines, in order. When not all fit, device log lines give way first: decisions,
 * alarms, command results and warnings stay longest.
 */
function recent(notes: readonly { lines: string[]; log: boolean }[], room: number): string[] {
  const chosen = new Set<number>();
  let left = room;
  for (const log of [false, true]) {
    for (let index = notes.length - 1; index >= 0 && left > 0; index--) {
      const note = notes[index]!;
      if (note.log !== log || note.lines.length > left) continue;
      chosen.add(index);
      left -= note.lines.length;
    }
  }
  return notes.flatMap((note, index) => (chosen.has(index) ? note.lines : []));
}

/** Counts by kind and by platform status, and how many devices have their network cut. */
function summary(context: DisplayContext): string {
  const kinds = new Map<string, number>();
  const statuses = new Map<string, number>();
  let down = 0;
  for (const device of context.devices) {
    kinds.set(device.kind.model, (kinds.get(device.kind.model) ?? 0) + 1);
    const status = context.monitor.row(device.id)?.status ?? 'unseen';
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (!device.networkUp) down++;
  }
  const list = (counts: Map<string, number>) => [...counts].map(([name, n]) => `${name} ${n}`).join(' · ');
  return `${context.devices.length} devices | ${list(statuses)}${down ? ` | network cut ${down}` : ''} | ${list(kinds)}`;
}

function tableEntries(context: DisplayContext): TableEntry[] {
  const entries: TableEntry[] = [];
  const seen = new Set<string>();
  for (const device of context.devices) {
    seen.add(device.id);
    entries.push({ index: String(device.index), id: device.id, row: context.monitor.row(device.id), device });
  }
  // Devices of the site that this simulator does not run (an external broker may have others).
  for (const row of context.monitor.rows.values()) {
    if (!seen.has(row.device)) entries.push({ index: '-', id: row.device, row, device: undefined });
  }
  return entries;
}

/** Number, id, model, status, runtime state, network and local state: what `filter` looks at, lower case. */
function searchText({ index, id, row, device }: TableEntry): string {
  const net = device === undefined ? '' : device.networkUp ? 'up' : 'down';
  return `${index} ${id} ${device?.kind.model ?? row?.model ?? ''} ${row?.status ?? ''} ${device?.state ?? ''} ${net} ${device?.describe() ?? ''}`.toLowerCase();
}

/** Chooses the columns that fit `width` (dropping the least useful first) and sizes the flexible ones. */
export function layoutTable(rows: readonly { cells: string[] }[], width: number): { header: string; lines: string[]; columns: string[] } {
  const natural = COLUMNS.map((column, index) => Math.max(column.title.length, ...rows.map((row) => row.cells[index]!.length)));
  // BAD matters as soon as a message failed validation.
  const keep = COLUMNS.map((column, index) => (index === 8 && rows.some((row) => row.cells[8] !== '0') ? 50 : column.keep));
  let chosen = COLUMNS.map((_, index) => index);
  const full = (indices: number[], gap: number) => indices.reduce((sum, index) => sum + natural[index]!, 0) + gap * (indices.length - 1);
  // Two spaces between columns when everything fits so, else one.
  const separator = full(chosen, 2) <= width ? 2 : 1;
  const need = (indices: number[]) => indices.reduce((sum, index) => sum + Math.min(natural[index]!, COLUMNS[index]!.min ?? Infinity), 0)
    + separator * (indices.length - 1);
  const dropLowest = (below: number) => {
    const lowest = chosen.reduce((low, index) => (keep[index]! < keep[low]! ? index : low), chosen[0]!);
    if (keep[lowest]! >= below) return false;
    chosen = chosen.filter((index) => index !== lowest);
    return true;
  };
  // First the figures a user rarely needs go, so that state and last event stay whole; then, if the table still
  // does not fit, those two are cut down to their minimum; then more columns go.
  const flexKeep = Math.min(...COLUMNS.filter((column) => column.min !== undefined).map((column) => column.keep));
  while (full(chosen, separator) > width && dropLowest(flexKeep));
  while (chosen.length > 1 && need(chosen) > width && dropLowest(Infinity));
  const widths = new Map(chosen.map((index) => [index, Math.min(natural[index]!, COLUMNS[index]!.min ?? Infinity)]));
  let spare = width - need(chosen);
  for (const index of chosen) {
    if (COLUMNS[index]!.min === undefined || spare <= 0) continue;
    const grow = Math.min(spare, natural[index]! - widths.get(index)!);
    widths.set(index, widths.get(index)! + grow);
    spare -= grow;
  }
  const format = (cells: readonly string[]) => fit(chosen.map((index, position) => {
    const cell = fit(cells[index]!, widths.get(index)!);
    return position === chosen.length - 1 ? cell : cell.padEnd(widths.get(index)!);
  }).join(' '.repeat(separator)).trimEnd(), width);
  return { header: format(COLUMNS.map((column) => column.title)), lines: rows.map((row) => format(row.cells)), columns: chosen.map((index) => COLUMNS[index]!.title) };
}

/** At most `width` characters: longer text is cut with "…". */
function fit(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

function rowCells(index: string, row: DeviceRow | undefined, id: string, device: SimDevice | undefined): string[] {
  const event = row?.lastEvent ? `#${row.lastEvent.seq} ${row.lastEvent.type} ${formatAge(Date.now() - row.lastEvent.at)}` : '-';
  return [
    index,
    id,
    device?.kind.model ?? row?.model ?? '-',
    row?.status ?? '-',
    row?.boot === undefined ? '-' : String(row.boot),
    formatUptime(row?.up),
    row?.outboxDepth === undefined ? '-' : String(row.outboxDepth),
    row?.reconnects === undefined ? '-' : String(row.reconnects),
    String(row?.invalid ?? 0),
    device?.state ?? '-',
    device?.queued === undefined ? '-' : String(device.queued),
    device === undefined ? '-' : device.networkUp ? 'up' : 'DOWN',
    device?.describe() || '-',
    event,
  ];
}

export function formatUptime(ms: number | undefined): string {
  if (ms === undefined) return '-';
  const total = Math.floor(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  return `${h}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`;
}

function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}
