// A kiosk's page: its screen live (the view the app last rendered, drawn by kiosk-screen.tsx), where a tap goes
// to the kiosk as the kind's `tap` or `key` command, as a resident's finger would; a resident's card, back, the
// printer's paper and cover; the receipts the simulated printer cut and what the kiosk said.
import { useState } from 'preact/hooks';
import type { DeviceDetail } from '../wire.js';
import { act } from './conn.js';
import { KioskScreen, keypadKey } from './kiosk-screen.js';

/** The screen drawn 800 CSS px wide, the panel's own pixels. */
const SCREEN_CSS_WIDTH = 800;

export function KioskControls({ d }: { d: DeviceDetail }) {
  const kiosk = d.kiosk!;
  const [card, setCard] = useState(kiosk.cards[0] ?? 'alice');
  const tap = (id: string) => {
    const key = keypadKey(id);
    if (key === undefined) act(d.i, 'tap', [id]);
    else act(d.i, 'key', [key]);
  };
  const view = kiosk.view;
  return (
    <div class="kind" data-testid="kiosk-controls">
      <h3>Kiosk</h3>
      <div class="kiosk-frame" data-testid="kiosk-live">
        {view ? <KioskScreen view={view} scale={SCREEN_CSS_WIDTH / view.widthDp} onTap={tap} /> : <p class="muted">screen dark</p>}
      </div>
      <div class="controls">
        <select data-testid="kiosk-card" value={card} onChange={(e) => setCard((e.target as HTMLSelectElement).value)}>
          {kiosk.cards.map((name) => <option value={name}>{name}</option>)}
        </select>
        <button data-testid="kiosk-card-present" onClick={() => act(d.i, 'card', [card])}>Card on the reader</button>
        <button data-testid="kiosk-back" onClick={() => act(d.i, 'back')}>Back gesture</button>
        <button data-testid="kiosk-paper" onClick={() => act(d.i, 'paper', [kiosk.paperOut ? 'in' : 'out'])}>
          {kiosk.paperOut ? 'Load paper' : 'Paper runs out'}</button>
        <button data-testid="kiosk-cover" onClick={() => act(d.i, 'cover', [kiosk.coverOpen ? 'shut' : 'open'])}>
          {kiosk.coverOpen ? 'Shut the printer cover' : 'Open the printer cover'}</button>
      </div>
      <div class="cols">
        <div>
          <h4>Printed: <span data-testid="kiosk-printed">{kiosk.printed}</span></h4>
          {[...kiosk.receipts].reverse().map((lines, n) => <pre class="receipt" data-testid="kiosk-receipt" key={kiosk.printed - n}>{lines.join('\n')}</pre>)}
        </div>
        <div>
          <h4>Said</h4>
          <ol data-testid="kiosk-spoken">{kiosk.spoken.map((text, n) => <li key={n}>{text}</li>)}</ol>
        </div>
      </div>
    </div>
  );
}
