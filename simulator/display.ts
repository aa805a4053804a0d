// What the simulator shows. On a terminal: a status table redrawn in place, recent notes below it and a command
// line. Otherwise (a pipe, a CI log): one line per change.
import type { Writable } from 'node:stream';
import { COMMAND_HELP, kindHelp } from './commands.js';
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
  /** A note from the simulator or a device log line. */
  note(text: string): void;
  /** The command line being typed (TTY only). */
  setInput(text: string): void;
  close(): void;
}

const NOTES_SHOWN = 8;
const REDRAW_MS = 200;

export function createDisplay(output: Writable & { isTTY?: boolean; columns?: number }, context: DisplayContext, tty: boolean): Display {
  return tty ? new TableDisplay(output, context) : new LineDisplay(output, context);
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
    this.#write(text);
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
      case 'event':
        this.#write(`${row.device} event #${message.seq} ${message.type} boot=${message.boot}`);
        break;
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

class TableDisplay implements Display {
  #output: Writable & { columns?: number };
  #context: DisplayContext;
  #notes: string[] = [];
  #input = '';
  #timer: NodeJS.Timeout;
  #dirty = true;
  #unsubscribe: () => void;

  constructor(output: Writable & { columns?: number }, context: DisplayContext) {
    this.#output = output;
    this.#context = context;
    this.#unsubscribe = context.monitor.onUpdate((update) => {
      if (update.kind === 'invalid') this.note(`${update.row.device} INVALID ${update.channel}: ${update.error}`);
      this.#dirty = true;
    });
    // Redraw when something changed, and at least every second so ages and local states stay current.
    let ticks = 0;
    this.#timer = setInterval(() => {
      if (this.#dirty || ++ticks % 5 === 0) this.#draw();
    }, REDRAW_MS);
    this.#output.write('\x1b[2J');
    this.#draw();
  }

  note(text: string): void {
    this.#notes.push(`${new Date().toISOString().slice(11, 19)} ${text}`);
    if (this.#notes.length > NOTES_SHOWN) this.#notes.shift();
    this.#dirty = true;
  }

  setInput(text: string): void {
    this.#input = text;
    this.#draw();
  }

  close(): void {
    clearInterval(this.#timer);
    this.#unsubscribe();
    this.#input = '';
    this.#draw(false);
  }

  #draw(prompt = true): void {
    this.#dirty = false;
    const width = Math.max(60, this.#output.columns || 120);
    const lines = [
      `[${formatUptime(Date.now() - this.#context.startedAt)}] ${this.#context.header}`,
      '',
      ...table(this.#context),
      'STATUS…BAD: what the platform sees over MQTT · RUNTIME, QUEUED, NET: inside the simulated device',
      '',
      ...this.#notes,
    ];
    const fitted = lines.map((line) => (line.length > width ? `${line.slice(0, width - 1)}…` : line));
    let text = '\x1b[H' + fitted.map((line) => `${line}\x1b[K\n`).join('');
    const extra = kindHelp(this.#context.devices);
    if (prompt) text += `\x1b[K\ncommands: ${COMMAND_HELP}${extra ? `\x1b[K\n          ${extra}` : ''}\x1b[K\n> ${this.#input}\x1b[K\x1b[J`;
    else text += '\x1b[J';
    this.#output.write(text);
  }
}

function table(context: DisplayContext): string[] {
  // Platform view (from MQTT) first, then the device's own view (RUNTIME, QUEUED, NET); the widest column last.
  const header = ['#', 'DEVICE', 'MODEL', 'STATUS', 'BOOT', 'UPTIME', 'OUTBOX', 'RECONN', 'BAD', 'RUNTIME', 'QUEUED', 'NET', 'HARDWARE', 'LAST EVENT'];
  const rows: string[][] = [];
  const seen = new Set<string>();
  for (const device of context.devices) {
    seen.add(device.id);
    rows.push(rowCells(String(device.index), context.monitor.row(device.id), device.id, device));
  }
  // Devices of the site that this simulator does not run (an external broker may have others).
  for (const row of context.monitor.rows.values()) {
    if (!seen.has(row.device)) rows.push(rowCells('-', row, row.device, undefined));
  }
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((cells) => cells[column]!.length)));
  const format = (cells: string[]) => cells.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd();
  return [format(header), ...rows.map(format)];
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
  return s < 60 ? `${s}s ago` : `${Math.floor(s / 60)}m ago`;
}
