// The dashboard in the browser: preact views over one WebSocket. Routes: #/ fleet, #/device/N, #/events,
// #/console. The fleet list is virtualised (only the visible rows are in the DOM) and updates arrive batched.
import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import type { AlarmStep, RepairStep } from '../wire.js';
import { alarmStep, connect, repairStep, useStore, watch, type Store } from './conn.js';
import { DevicePage } from './device.js';
import { FleetView } from './fleet.js';
import './style.css';

function useRoute(): string {
  const [hash, setHash] = useState(location.hash || '#/');
  useEffect(() => {
    const onHash = () => setHash(location.hash || '#/');
    addEventListener('hashchange', onHash);
    return () => removeEventListener('hashchange', onHash);
  }, []);
  return hash;
}

function EventStream({ store }: { store: Store }) {
  const [dev, setDev] = useState('');
  const shown = useMemo(() => store.events.filter((e) => dev === '' || e.dev === dev).slice(-300).reverse(), [store.events, dev]);
  const gaps = store.gaps.length > 0 ? store.gaps : store.events.filter((e) => e.gap).map((e) => ({ dev: e.dev, from: e.gap![0], to: e.gap![1] }));
  return (
    <section class="events" data-testid="events">
      <h2>Event stream</h2>
      <label>device <input value={dev} placeholder="sim-1" onInput={(e) => setDev((e.target as HTMLInputElement).value.trim())} /></label>
      <div class="cols">
        <div>
          <h3>Gaps in seq ({gaps.length})</h3>
          <ul data-testid="gaps">{gaps.slice(-50).map((g) => <li>{g.dev}: {g.from === g.to ? `#${g.from}` : `#${g.from}–#${g.to}`} missing</li>)}</ul>
        </div>
        <div>
          <h3>Access-event chain</h3>
          {store.chains.length === 0 ? <p class="muted">{store.platform ? 'no access events yet' : 'needs the platform'}</p> : (
            <ul data-testid="chains">{store.chains.map((c) => <li class={c.ok ? 'ok' : 'bad'}>{c.dev}: {c.ok ? 'intact' : `BROKEN: ${c.problem ?? ''}`} ({c.linked} linked)</li>)}</ul>
          )}
        </div>
      </div>
      <table>
        <thead><tr><th>dev</th><th>seq</th><th>boot</th><th>type</th><th>data</th><th /></tr></thead>
        <tbody>
          {shown.map((e) => (
            <tr key={`${e.dev}/${e.seq}/${e.at}`} class={e.gap ? 'gap' : e.dup ? 'dup' : ''}>
              <td>{e.dev}</td><td>{e.seq}</td><td>{e.boot}</td><td>{e.type}</td><td class="data">{JSON.stringify(e.data)}</td>
              <td>{e.gap ? `gap #${e.gap[0]}–#${e.gap[1]}` : e.dup ? 'retransmission' : ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

const NEXT_STEP: Record<string, [AlarmStep, string] | undefined> = {
  raised: ['accept', 'Accept'],
  accepted: ['dispatch', 'Dispatch'],
  dispatched: ['arrive', 'On site'],
  onsite: ['resolve', 'Resolve'],
  resolved: ['close', 'Close'],
  cancelled: ['close', 'Close'],
};

const NEXT_REPAIR_STEP: Record<string, [RepairStep, string] | undefined> = {
  submitted: ['accept', 'Accept'],
  accepted: ['dispatch', 'Dispatch'],
  dispatched: ['arrive', 'On site'],
  onsite: ['resolve', 'Resolve'],
};

/** A link to the device's page when the fleet has it. */
function deviceLink(store: Store, dev: string) {
  const row = [...store.rows.values()].find((r) => r.id === dev);
  return row ? <a href={`#/device/${row.i}`}>{dev}</a> : dev;
}

function ConsoleView({ store }: { store: Store }) {
  const [staff, setStaff] = useState('Sam Guard');
  if (!store.platform) return <section><h2>Operator console</h2><p class="muted">No platform runs behind this simulator.</p></section>;
  return (
    <section class="console" data-testid="console">
      <h2>Operator console</h2>
      <label>staff <input data-testid="staff" value={staff} onInput={(e) => setStaff((e.target as HTMLInputElement).value)} /></label>
      <table>
        <thead><tr><th>device</th><th>alarm</th><th>cause</th><th>state</th><th>staff</th><th>steps</th><th /></tr></thead>
        <tbody>
          {store.alarms.map((a) => {
            const next = NEXT_STEP[a.state];
            return (
              <tr key={a.id} data-testid="alarm" data-device={a.dev} data-incident={a.id} class={a.state === 'raised' ? 'bad' : ''}>
                <td>{deviceLink(store, a.dev)}</td><td>{a.alarmId}</td><td>{a.cause}</td>
                <td data-testid="alarm-state">{a.state}{a.reminders ? ` (${a.reminders} reminders)` : ''}</td><td>{a.staff ?? ''}</td>
                <td class="muted">{a.steps.map(([s, at]) => `${s} ${new Date(at).toLocaleTimeString()}`).join(' → ')}</td>
                <td>{next ? <button data-testid={`step-${next[0]}`} onClick={() => alarmStep(a.id, next[0], next[0] === 'dispatch' ? staff : undefined)}>{next[1]}</button> : null}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {store.alarms.length === 0 ? <p class="muted">no alarms</p> : null}
      <RepairsView store={store} staff={staff} />
    </section>
  );
}

/** Repair reports filed on kiosks: each staff step is shown on the kiosk that filed it ("shown" lags while it is away). */
function RepairsView({ store, staff }: { store: Store; staff: string }) {
  return (
    <div data-testid="repairs">
      <h3>Repair reports</h3>
      {store.repairs.length === 0 ? <p class="muted">no repair reports</p> : (
        <table>
          <thead><tr><th>kiosk</th><th>ref</th><th>what</th><th>where</th><th>stage</th><th>on the kiosk</th><th>staff</th><th>rating</th><th /></tr></thead>
          <tbody>
            {store.repairs.map((r) => {
              const next = NEXT_REPAIR_STEP[r.stage];
              return (
                <tr key={`${r.dev}/${r.ref}`} data-testid="repair" data-device={r.dev} data-ref={r.ref}>
                  <td>{deviceLink(store, r.dev)}</td><td>{r.ref}</td><td>{r.category} · {r.phrase}</td><td>{r.location}</td>
                  <td data-testid="repair-stage">{r.stage}</td>
                  <td data-testid="repair-shown" class={r.problem ? 'bad' : ''}>{r.problem ?? (r.resident ? r.shown ?? '—' : 'filed without a card')}</td>
                  <td>{r.staff ?? ''}</td><td data-testid="repair-stars">{r.stars !== undefined ? '★'.repeat(r.stars) : ''}</td>
                  <td>{next ? <button data-testid={`repair-${next[0]}`} onClick={() => repairStep(r.dev, r.ref, next[0], next[0] === 'dispatch' ? staff : undefined)}>{next[1]}</button> : null}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function App() {
  const s = useStore();
  const route = useRoute();
  const deviceMatch = /^#\/device\/(\d+)/.exec(route);
  const deviceIndex = deviceMatch ? Number(deviceMatch[1]) : null;
  useEffect(() => watch(deviceIndex), [deviceIndex]);
  return (
    <div class="app">
      <header>
        <strong>Community terminals</strong> <span class="muted">site {s.site}</span>
        <nav>
          <a href="#/" class={route === '#/' ? 'on' : ''}>Fleet</a>
          <a href="#/events" class={route === '#/events' ? 'on' : ''}>Events</a>
          <a href="#/console" class={route === '#/console' ? 'on' : ''}>Console{s.alarms.some((a) => a.state === 'raised') ? ' ●' : ''}</a>
        </nav>
        <span data-testid="connection" class={s.connected ? 'ok' : 'bad'}>{s.connected ? 'live' : 'disconnected'}</span>
      </header>
      <main>
        {deviceIndex !== null ? <DevicePage store={s} index={deviceIndex} />
          : route === '#/events' ? <EventStream store={s} />
          : route === '#/console' ? <ConsoleView store={s} />
          : <FleetView store={s} />}
      </main>
      <footer data-testid="results">{s.results.map((r) => <div>{r}</div>)}</footer>
    </div>
  );
}

connect();
const root = document.getElementById('app')!;
root.textContent = ''; // the "loading…" placeholder
render(<App />, root);
