// The fleet view: filters and a virtualised list (fixed row height; only the rows in view, plus a few, are
// rendered), so 5,000 devices scroll and update smoothly.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { FleetRow } from '../wire.js';
import type { Store } from './conn.js';

const ROW_HEIGHT = 28;
const VIEW_HEIGHT = 560;
const OVERSCAN = 8;

export function FleetView({ store }: { store: Store }) {
  const [kind, setKind] = useState('');
  const [state, setState] = useState('');
  const [text, setText] = useState('');
  const [scrollTop, setScrollTop] = useState(0);
  const all = useMemo(() => [...store.rows.values()].sort((a, b) => a.i - b.i), [store.rowsVersion]);
  const kinds = useMemo(() => [...new Set(all.map((r) => r.kind))].sort(), [all]);
  const states = useMemo(() => [...new Set(all.map((r) => r.state))].sort(), [all]);
  const needle = text.trim().toLowerCase();
  const rows = useMemo(() => all.filter((r) => (kind === '' || r.kind === kind) && (state === '' || r.state === state)
    && (needle === '' || `${r.i} ${r.id} ${r.kind} ${r.state} ${r.status} ${r.last} ${r.fill ?? ''} ${r.world}`.toLowerCase().includes(needle))), [all, kind, state, needle]);
  const viewport = useRef<HTMLDivElement>(null);
  useEffect(() => { // a new filter starts at the top
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, [kind, state, needle]);
  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((scrollTop + VIEW_HEIGHT) / ROW_HEIGHT) + OVERSCAN);
  const select = (value: string, set: (v: string) => void, options: string[], label: string, id: string) => (
    <label>{label} <select data-testid={id} value={value} onChange={(e) => set((e.target as HTMLSelectElement).value)}>
      <option value="">all</option>{options.map((o) => <option value={o}>{o}</option>)}
    </select></label>
  );
  return (
    <section class="fleet">
      <div class="filters">
        {select(kind, setKind, kinds, 'kind', 'filter-kind')}
        {select(state, setState, states, 'state', 'filter-state')}
        <label>text <input data-testid="filter-text" value={text} placeholder="id, event, state…" onInput={(e) => setText((e.target as HTMLInputElement).value)} /></label>
        <span data-testid="fleet-count">{rows.length} of {all.length} devices</span>
      </div>
      <div class="row head"><span>#</span><span>device</span><span>kind</span><span>state</span><span>status</span><span>last event</span><span>health</span><span>world</span></div>
      <div class="viewport" ref={viewport} data-testid="fleet" style={{ height: `${VIEW_HEIGHT}px` }} onScroll={(e) => setScrollTop((e.target as HTMLElement).scrollTop)}>
        <div style={{ height: `${rows.length * ROW_HEIGHT}px`, position: 'relative' }}>
          {rows.slice(first, last).map((row, k) => <Row key={row.i} row={row} top={(first + k) * ROW_HEIGHT} />)}
        </div>
      </div>
    </section>
  );
}

function Row({ row, top }: { row: FleetRow; top: number }) {
  return (
    <a class={`row ${row.net ? '' : 'netdown'} ${row.status === 'online' ? '' : 'notonline'}`} data-testid="fleet-row" data-device={row.id}
      href={`#/device/${row.i}`} style={{ top: `${top}px`, height: `${ROW_HEIGHT}px` }}>
      <span>{row.i}</span><span>{row.id}</span><span>{row.kind}</span><span>{row.state}</span><span>{row.status}{row.net ? '' : ' (net cut)'}</span>
      <span>{row.last}</span><span>{row.health}</span><span title={row.world}>{row.fill ? <><b data-testid="fleet-fill">{row.fill}</b> · </> : null}{row.world}</span>
    </a>
  );
}
