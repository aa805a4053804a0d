// The dashboard's one WebSocket and the store it fills; views re-render (at most once a frame) when it changes.
import { useEffect, useState } from 'preact/hooks';
import type {
  AlarmStep, ClientMessage, PlatformOp, ConsoleAlarm, ConsoleChain, ConsoleGap, ConsoleRepair, DeviceDetail, FleetRow, RepairStep, ServerMessage, StreamEvent,
} from '../wire.js';

export interface Store {
  site: string;
  platform: boolean;
  connected: boolean;
  rows: Map<number, FleetRow>;
  /** Bumped whenever rows change, so views can memoise on it. */
  rowsVersion: number;
  events: StreamEvent[];
  detail: DeviceDetail | null;
  alarms: ConsoleAlarm[];
  gaps: ConsoleGap[];
  chains: ConsoleChain[];
  repairs: ConsoleRepair[];
  results: string[];
}

const MAX_EVENTS = 2000;
const store: Store = {
  site: '', platform: false, connected: false, rows: new Map(), rowsVersion: 0, events: [], detail: null,
  alarms: [], gaps: [], chains: [], repairs: [], results: [],
};
let socket: WebSocket | undefined;
let watching: number | null = null;
let nextReq = 1;
/** Requests whose outcome a view awaits (platform actions). */
const pending = new Map<number, (outcome: { ok: boolean; text: string }) => void>();
const listeners = new Set<() => void>();
let scheduled = false;

function changed(): void {
  if (scheduled) return;
  scheduled = true;
  requestAnimationFrame(() => {
    scheduled = false;
    for (const listener of listeners) listener();
  });
}

export function useStore(): Store {
  const [, setTick] = useState(0);
  useEffect(() => {
    const listener = () => setTick((n) => n + 1);
    listeners.add(listener);
    return () => void listeners.delete(listener);
  }, []);
  return store;
}

function send(message: ClientMessage): void {
  if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}

/** Sends a device action; its outcome goes to the result log. */
export function act(i: number, action: string, args: string[] = []): void {
  send({ t: 'act', req: nextReq++, i, action, args });
}

export function alarmStep(id: number, step: AlarmStep, staff?: string): void {
  send({ t: 'alarm', req: nextReq++, id, step, ...(staff ? { staff } : {}) });
}

export function repairStep(dev: string, ref: string, step: RepairStep, staff?: string): void {
  send({ t: 'repair', req: nextReq++, dev, ref, step, ...(staff ? { staff } : {}) });
}

/** A platform action on device `i`; resolves to its outcome (also logged in the results). */
export function platformOp(i: number, op: PlatformOp, arg?: string): Promise<{ ok: boolean; text: string }> {
  const req = nextReq++;
  return new Promise((resolve) => {
    if (socket?.readyState !== WebSocket.OPEN) {
      resolve({ ok: false, text: 'not connected' });
      return;
    }
    pending.set(req, resolve);
    send({ t: 'platform', req, i, op, ...(arg !== undefined ? { arg } : {}) });
  });
}

/** An outcome line: "…" while waiting, then ✓/✗ and the text. */
export function useOutcome(): [string, (run: Promise<{ ok: boolean; text: string }>) => Promise<{ ok: boolean; text: string }>] {
  const [text, setText] = useState('');
  return [text, async (run) => {
    setText('…');
    const outcome = await run;
    setText(`${outcome.ok ? '✓' : '✗'} ${outcome.text}`);
    return outcome;
  }];
}

export function watch(i: number | null): void {
  watching = i;
  if (i === null) store.detail = null;
  send({ t: 'watch', i });
}

function receive(message: ServerMessage): void {
  switch (message.t) {
    case 'hello':
      store.site = message.site;
      store.platform = message.platform;
      break;
    case 'rows':
      if (message.full) store.rows = new Map();
      for (const row of message.rows) store.rows.set(row.i, row);
      store.rowsVersion++;
      break;
    case 'events':
      store.events = store.events.concat(message.events);
      if (store.events.length > MAX_EVENTS) store.events = store.events.slice(-MAX_EVENTS);
      break;
    case 'device':
      store.detail = message.detail;
      break;
    case 'console':
      store.alarms = message.alarms;
      store.gaps = message.gaps;
      store.chains = message.chains;
      store.repairs = message.repairs;
      break;
    case 'result':
      store.results = [`${message.ok ? '✓' : '✗'} ${message.text}`, ...store.results].slice(0, 8);
      pending.get(message.req)?.({ ok: message.ok, text: message.text });
      pending.delete(message.req);
      break;
    default:
      break;
  }
  changed();
}

export function connect(): void {
  const ws = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
  socket = ws;
  ws.onopen = () => {
    store.connected = true;
    if (watching !== null) send({ t: 'watch', i: watching });
    changed();
  };
  ws.onmessage = (event) => receive(JSON.parse(String(event.data)) as ServerMessage);
  ws.onclose = () => {
    store.connected = false;
    for (const resolve of pending.values()) resolve({ ok: false, text: 'connection lost' });
    pending.clear();
    changed();
    setTimeout(connect, 1000);
  };
}

