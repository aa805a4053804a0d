// The browser dashboard's server: fastify serves the page and its bundle on 127.0.0.1, and a WebSocket (ws) on
// /ws carries the live view. Fastify rather than express: promise-first with typed routes and a clean async
// close(), which the simulator's stop() and the tests await. Updates are batched per tick (default 250 ms):
// only the fleet rows that changed, the events that arrived, the open device page when it changed, the console.
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { dashboardBundle } from './bundle.js';
import type { SimulatorModel } from './model.js';
import type {
  AlarmStep, ClientMessage, ConsoleAlarm, ConsoleChain, ConsoleGap, ConsoleRepair, DevicePlatform, FleetSource, PlatformOp, RepairStep,
  ServerMessage,
} from './wire.js';
import { PLATFORM_OPS, REPAIR_STEPS } from './wire.js';

/** The operator console's data and actions (the reference platform, through an adapter). */
export interface ConsoleSource {
  snapshot(): { alarms: ConsoleAlarm[]; gaps: ConsoleGap[]; chains: ConsoleChain[]; repairs: ConsoleRepair[] };
  /** One operator step on incident `id`; resolves to what happened. */
  step(id: number, step: AlarmStep, staff?: string): Promise<string> | string;
  /** One staff step on a kiosk's repair report; resolves to what happened. */
  repair?(dev: string, ref: string, step: RepairStep, staff?: string): Promise<string> | string;
  /** A device page's platform side (config, telemetry, a door's credential list). */
  device?(dev: string, door: boolean): DevicePlatform;
  /** A platform action from a device page (`door`: the reader's door number); resolves to what happened. */
  op?(dev: string, door: number | undefined, op: PlatformOp, arg?: string, deviceNow?: number): Promise<string>;
}

export interface DashboardOptions {
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Fleet rows: the simulator model, or a synthetic feed. */
  source: FleetSource;
  /** Device pages, actions and the event stream (absent: the fleet view only). */
  model?: SimulatorModel;
  console?: ConsoleSource;
  site?: string;
  kinds?: string[];
  /** Batch period, ms. Default 250. */
  tickMs?: number;
}

export interface Dashboard {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** A client that has this much unsent is skipped this tick and resynchronised in full later. */
const MAX_BUFFERED = 4 * 1024 * 1024;
const MAX_EVENTS_PER_TICK = 500;

interface Client {
  ws: WebSocket;
  watch: number | null;
  lastDetail: string;
  lastConsole: string;
  needsFull: boolean;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Community terminals · simulator</title><link rel="stylesheet" href="/app.css"></head>
<body><div id="app">loading…</div><script src="/app.js"></script></body></html>`;

export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const bundle = await dashboardBundle();
  const app: FastifyInstance = Fastify({ logger: false });
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(PAGE));
  app.get('/app.js', async (_request, reply) => reply.type('text/javascript; charset=utf-8').send(bundle.js));
  app.get('/app.css', async (_request, reply) => reply.type('text/css; charset=utf-8').send(bundle.css));
  app.get('/api/fleet', async () => ({ rows: options.source.rows() }));

  const wss = new WebSocketServer({ server: app.server, path: '/ws', maxPayload: 64 * 1024 });
  wss.on('error', () => {}); // the HTTP server's own errors (a port in use) reach listen() below
  const clients = new Set<Client>();
  const lastRows = new Map<number, string>();

  const send = (client: Client, message: ServerMessage) => {
    if (client.ws.readyState === client.ws.OPEN) client.ws.send(JSON.stringify(message));
  };
  const reply = (client: Client, req: number, run: () => Promise<string> | string) => {
    Promise.resolve()
      .then(run)
      .then((text) => send(client, { t: 'result', req, ok: true, text }))
      .catch((error: unknown) => send(client, { t: 'result', req, ok: false, text: error instanceof Error ? error.message : String(error) }));
  };

  wss.on('connection', (ws) => {
    // The full fleet comes with the next tick, from the same rows the others get their changes from.
    const client: Client = { ws, watch: null, lastDetail: '', lastConsole: '', needsFull: true };
    clients.add(client);
    send(client, { t: 'hello', site: options.site ?? '', kinds: options.kinds ?? [], platform: options.console !== undefined });
    if (options.model) send(client, { t: 'events', events: options.model.events.slice(-MAX_EVENTS_PER_TICK) });
    ws.on('close', () => clients.delete(client));
    ws.on('error', () => clients.delete(client));
    ws.on('message', (data) => {
      let message: ClientMessage;
      try {
        message = JSON.parse(String(data)) as ClientMessage;
      } catch {
        return;
      }
      if (message.t === 'watch') {
        client.watch = typeof message.i === 'number' ? message.i : null;
        client.lastDetail = '';
        pushDetail(client);
      } else if (message.t === 'act') {
        const model = options.model;
        reply(client, message.req, () => {
          if (!model) throw new Error('no simulator behind this dashboard');
          const args = Array.isArray(message.args) ? message.args.map(String) : [];
          return model.act(Number(message.i), String(message.action), args);
        });
      } else if (message.t === 'alarm') {
        const platform = options.console;
        reply(client, message.req, () => {
          if (!platform) throw new Error('no platform behind this dashboard');
          const step = String(message.step) as AlarmStep;
          if (!['accept', 'dispatch', 'arrive', 'resolve', 'close'].includes(step)) throw new Error(`unknown step "${step}"`);
          return platform.step(Number(message.id), step, typeof message.staff === 'string' ? message.staff : undefined);
        });
      } else if (message.t === 'platform') {
        const platform = options.console;
        reply(client, message.req, () => {
          const detail = options.model?.detail(Number(message.i));
          if (!platform?.op || !detail) throw new Error('no platform or no such device behind this dashboard');
          const op = String(message.op) as PlatformOp;
          if (!PLATFORM_OPS.includes(op)) throw new Error(`unknown platform action "${op}"`);
          const arg = typeof message.arg === 'string' ? message.arg : undefined;
          return platform.op(detail.id, detail.door?.number, op, arg, options.model?.deviceWallClock(detail.i));
        });
      } else if (message.t === 'repair') {
        const platform = options.console;
        reply(client, message.req, () => {
          if (!platform?.repair) throw new Error('no platform behind this dashboard');
          const step = String(message.step) as RepairStep;
          if (!REPAIR_STEPS.includes(step)) throw new Error(`unknown step "${step}"`);
          return platform.repair(String(message.dev), String(message.ref), step, typeof message.staff === 'string' ? message.staff : undefined);
        });
      }
    });
  });

  const pushDetail = (client: Client) => {
    if (!options.model) return;
    const detail = client.watch === null ? null : options.model.detail(client.watch) ?? null;
    if (detail && options.console?.device) detail.platform = options.console.device(detail.id, detail.door !== undefined);
    const text = JSON.stringify(detail);
    if (text === client.lastDetail) return;
    client.lastDetail = text;
    send(client, { t: 'device', detail });
  };

  const tick = () => {
    options.model?.poll();
    const events = options.model?.takeNewEvents() ?? [];
    if (clients.size === 0) return;
    const rows = options.source.rows();
    const changed = [];
    for (const row of rows) {
      const text = JSON.stringify(row);
      if (lastRows.get(row.i) === text) continue;
      lastRows.set(row.i, text);
      changed.push(row);
    }
    const snapshot = options.console?.snapshot();
    const consoleText = snapshot ? JSON.stringify(snapshot) : '';
    for (const client of clients) {
      if (client.ws.bufferedAmount > MAX_BUFFERED) {
        client.needsFull = true;
        continue;
      }
      if (client.needsFull) {
        client.needsFull = false;
        send(client, { t: 'rows', full: true, rows, total: rows.length });
      } else if (changed.length > 0) send(client, { t: 'rows', rows: changed, total: rows.length });
      if (events.length > 0) send(client, { t: 'events', events: events.slice(-MAX_EVENTS_PER_TICK) });
      pushDetail(client);
      if (snapshot && consoleText !== client.lastConsole) {
        client.lastConsole = consoleText;
        send(client, { t: 'console', ...snapshot });
      }
    }
  };
  try {
    await app.listen({ port: options.port ?? 8080, host: options.host ?? '127.0.0.1' });
  } catch (error) {
    wss.close();
    await app.close().catch(() => {});
    throw error;
  }
  const timer = setInterval(() => {
    try {
      tick();
    } catch {
      // a device between boots can fail a read: the next tick shows it
    }
  }, options.tickMs ?? 250);
  const port = (app.server.address() as AddressInfo).port;
  const host = options.host ?? '127.0.0.1';
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/`,
    port,
    close: () => {
      closing ??= (async () => {
        clearInterval(timer);
        for (const client of clients) client.ws.terminate();
        await new Promise<void>((resolve) => wss.close(() => resolve()));
        await app.close();
      })();
      return closing;
    },
  };
}
