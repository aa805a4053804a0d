// The dashboard's server without a browser: the page and bundle need nothing from outside, the socket sends the
// full fleet once and then only the rows that changed, batched; the model numbers gaps and retransmissions per
// device and refuses bad actions with a reason.
import { afterEach, describe, expect, test } from '@jest/globals';
import { get } from 'node:http';
import WebSocket from 'ws';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { SimulatorModel, startDashboard, type Dashboard } from '../../simulator/dashboard/index.js';
import type { FleetRow, ServerMessage } from '../../simulator/dashboard/wire.js';
import type { Monitor, MonitorUpdate } from '../../simulator/monitor.js';

function fetchText(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    get(url, (response) => {
      let text = '';
      response.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve(text)).on('error', reject);
    }).on('error', reject);
  });
}

const row = (i: number, last = ''): FleetRow => ({ i, id: `dev-${i}`, kind: 'generic', state: 'online', status: 'online', net: true, last, health: '', world: '' });

function messages(url: string): { ws: WebSocket; next: (match: (m: ServerMessage) => boolean) => Promise<ServerMessage> } {
  const ws = new WebSocket(url.replace('http', 'ws') + 'ws');
  const queue: ServerMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.on('message', (data) => {
    queue.push(JSON.parse(String(data)) as ServerMessage);
    for (const wake of waiters.splice(0)) wake();
  });
  const next = async (match: (m: ServerMessage) => boolean): Promise<ServerMessage> => {
    for (;;) {
      const index = queue.findIndex(match);
      if (index >= 0) return queue.splice(index, 1)[0]!;
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  return { ws, next };
}

describe('dashboard server', () => {
  let dashboard: Dashboard | undefined;
  afterEach(async () => {
    await dashboard?.close();
    dashboard = undefined;
  });

  test('serves a self-contained page and bundle; sends the fleet once, then only changed rows', async () => {
    const rows = Array.from({ length: 1000 }, (_, k) => row(k + 1));
    dashboard = await startDashboard({ port: 0, source: { rows: () => rows }, tickMs: 20, site: 'test' });
    const page = await fetchText(dashboard.url);
    expect(page).toContain('<script src="/app.js">');
    const js = await fetchText(`${dashboard.url}app.js`);
    expect(js.length).toBeGreaterThan(10_000);
    expect(js).not.toMatch(/https?:\/\/(?!www\.w3\.org)[a-z0-9.-]+\.(com|net|org|io)\//i); // no CDN: only SVG/XML namespaces

    const { ws, next } = messages(dashboard.url);
    const hello = await next((m) => m.t === 'hello');
    expect(hello).toMatchObject({ site: 'test', platform: false });
    const full = await next((m) => m.t === 'rows' && m.full === true);
    expect(full.t === 'rows' && full.rows.length).toBe(1000);
    rows[41] = row(42, 'sim.button #7');
    rows[998] = row(999, 'sim.button #8');
    const update = await next((m) => m.t === 'rows' && !m.full && m.rows.length > 0 && m.rows.length < 1000);
    expect(update.t === 'rows' && update.rows.map((r) => r.i)).toEqual([42, 999]);
    ws.close();
  });

  test('a port in use is refused with EADDRINUSE, and nothing is left running', async () => {
    dashboard = await startDashboard({ port: 0, source: { rows: () => [] } });
    await expect(startDashboard({ port: dashboard.port, source: { rows: () => [] } })).rejects.toMatchObject({ code: 'EADDRINUSE' });
  });

  test('an action without a simulator, or an unknown step, is answered with a reason', async () => {
    dashboard = await startDashboard({ port: 0, source: { rows: () => [row(1)] }, tickMs: 20 });
    const { ws, next } = messages(dashboard.url);
    await next((m) => m.t === 'hello');
    ws.send(JSON.stringify({ t: 'act', req: 1, i: 1, action: 'restart', args: [] }));
    expect(await next((m) => m.t === 'result')).toEqual({ t: 'result', req: 1, ok: false, text: 'no simulator behind this dashboard' });
    ws.send(JSON.stringify({ t: 'alarm', req: 2, id: 1, step: 'accept' }));
    expect(await next((m) => m.t === 'result')).toMatchObject({ req: 2, ok: false, text: 'no platform behind this dashboard' });
    ws.send('not json');
    ws.close();
  });
});

describe('SimulatorModel event stream', () => {
  test('marks a gap in a device\'s seq and a retransmission, per device', () => {
    let listener: ((update: MonitorUpdate) => void) | undefined;
    const monitor = { onUpdate: (l: (update: MonitorUpdate) => void) => { listener = l; return () => {}; }, row: () => undefined } as unknown as Monitor;
    const model = new SimulatorModel({ site: 's', devices: [], monitor });
    const event = (dev: string, seq: number): MonitorUpdate => ({
      kind: 'message', channel: 'event', retained: false, stale: false, row: { device: dev, events: 0, invalid: 0, lastSeen: 0 },
      message: { v: 1, msg: 'event', dev, seq, boot: 1, type: 'sim.button', data: {}, ts: 0, tv: true, up: seq * 10 } as EventMessage,
    });
    for (const [dev, seq] of [['a', 1], ['a', 2], ['b', 1], ['a', 5], ['a', 2], ['b', 2]] as const) listener!(event(dev, seq));
    const stream = model.takeNewEvents();
    expect(stream.map((e) => [e.dev, e.seq, e.gap ?? null, e.dup ?? false])).toEqual([
      ['a', 1, null, false], ['a', 2, null, false], ['b', 1, null, false], ['a', 5, [3, 4], false], ['a', 2, null, true], ['b', 2, null, false],
    ]);
    expect(model.takeNewEvents()).toEqual([]);
    expect(() => model.act(9, 'restart', [])).toThrow('no device 9');
    model.close();
  });
});
