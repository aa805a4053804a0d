// A kiosk's page: its screen live (the view the app last rendered, drawn by kiosk-screen.tsx), where a tap goes
// to the kiosk as the kind's `tap` or `key` command, as a resident's finger would; a resident's card, back, the
// printer's paper and cover; the receipts the simulated printer cut and what the kiosk said.
import { useState } from 'preact/hooks';
import type { DeviceDetail, DevicePlatform } from '../wire.js';
import { act, platformOp, useOutcome } from './conn.js';
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

/** The platform's notices, which every kiosk shows (cached in its flash): publish one, see which version this kiosk took. */
export function KioskPlatform({ d, notices }: { d: DeviceDetail; notices: NonNullable<DevicePlatform['notices']> }) {
  const [zh, setZh] = useState('停水通知');
  const [en, setEn] = useState('Water cut');
  const [body, setBody] = useState('Tuesday 9:00–12:00: no water in building 3.');
  const [outcome, track] = useOutcome();
  return (
    <div class="kind" data-testid="kiosk-platform">
      <h3>Platform: notices</h3>
      <p>
        in force: <b data-testid="notices-version">{notices.version ? `version ${notices.version}` : 'none'}</b>
        {' · '}this kiosk took: <b data-testid="notices-taken">{notices.taken !== undefined ? `version ${notices.taken}` : 'none yet'}</b>
      </p>
      <ul data-testid="notices-titles">{notices.titles.map((title) => <li>{title}</li>)}</ul>
      <div class="controls">
        <label>title (zh) <input data-testid="notice-zh" value={zh} onInput={(e) => setZh((e.target as HTMLInputElement).value)} /></label>
        <label>title (en) <input data-testid="notice-en" value={en} onInput={(e) => setEn((e.target as HTMLInputElement).value)} /></label>
      </div>
      <textarea data-testid="notice-body" rows={3} cols={80} value={body} onInput={(e) => setBody((e.target as HTMLTextAreaElement).value)} />
      <div class="controls">
        <button data-testid="notice-publish" onClick={() => void track(platformOp(d.i, 'notice', JSON.stringify({ zh, en, body, hours: 24 })))}>Publish to every kiosk (24 h)</button>
        <span data-testid="notice-outcome">{outcome}</span>
      </div>
    </div>
  );
}
