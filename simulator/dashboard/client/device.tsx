// A device page: its state, the kind's own controls (the same world actions as the terminal commands), network
// cut/restore, restart and power cut, its latest events, for the SOS button the acceleration of the last
// replayed trace with the alert marked (uPlot), for the sorting station its compartments and fill plot (bin.tsx),
// for the kiosk its live screen, tappable, with its receipts and speech (kiosk.tsx).
// With the reference platform: the desired config (sent as JSON) and the reported one, a telemetry plot, and on a
// door reader a signed unlock, visitor passes and the credential list.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { DeviceDetail, DevicePlatform, MotionPlot } from '../wire.js';
import { BinControls } from './bin.js';
import { KioskControls, KioskPlatform } from './kiosk.js';
import { act, platformOp, useOutcome, type Store } from './conn.js';

export function DevicePage({ store, index }: { store: Store; index: number }) {
  const d = store.detail;
  if (!d || d.i !== index) return <section><a href="#/">← fleet</a><p class="muted">loading device {index}…</p></section>;
  return (
    <section class="device" data-testid="device-page" data-device={d.id}>
      <a href="#/">← fleet</a>
      <h2>{d.id} <span class="muted">{d.kind}</span></h2>
      <dl class="facts">
        <dt>state</dt><dd data-testid="device-state">{d.state}</dd>
        <dt>platform sees</dt><dd data-testid="device-status">{d.status}</dd>
        <dt>network</dt><dd>{d.net ? 'up' : 'CUT'}</dd>
        <dt>boots</dt><dd>{d.boots}</dd>
        <dt>queued</dt><dd>{d.queued ?? '—'}</dd>
        <dt>world</dt><dd data-testid="device-world">{d.world}</dd>
      </dl>
      <div class="controls">
        <button data-testid="net-toggle" onClick={() => act(d.i, 'net', [d.net ? 'down' : 'up'])}>{d.net ? 'Cut network' : 'Restore network'}</button>
        <button data-testid="restart" onClick={() => act(d.i, 'restart')}>Restart</button>
        <button data-testid="power-cut" onClick={() => act(d.i, 'power', ['1000'])}>Power cut (1 s)</button>
        <button data-testid="service-hold" title="held 10 s while running: a factory reset" onClick={() => act(d.i, 'service', ['11'])}>Hold service button (11 s: factory reset)</button>
      </div>
      {d.door ? <DoorControls d={d} /> : null}
      {d.sos ? <SosControls d={d} /> : null}
      {d.bin ? <BinControls d={d} /> : null}
      {d.kiosk ? <KioskControls d={d} /> : null}
      {d.platform && d.door ? <DoorPlatform d={d} platform={d.platform} /> : null}
      {d.platform?.notices ? <KioskPlatform d={d} notices={d.platform.notices} /> : null}
      {d.platform ? <PlatformPanel d={d} platform={d.platform} /> : null}
      <h3>Latest events</h3>
      <table class="small">
        <thead><tr><th>seq</th><th>type</th><th>data</th></tr></thead>
        <tbody data-testid="device-events">
          {[...d.events].reverse().map((e) => <tr key={`${e.seq}/${e.at}`}><td>{e.seq}</td><td>{e.type}</td><td class="data">{JSON.stringify(e.data)}</td></tr>)}
        </tbody>
      </table>
    </section>
  );
}

function DoorControls({ d }: { d: DeviceDetail }) {
  const door = d.door!;
  const [card, setCard] = useState(door.cards[0] ?? 'alice');
  const [pin, setPin] = useState('1234');
  const [uid, setUid] = useState('');
  return (
    <div class="kind" data-testid="door-controls">
      <h3>Door</h3>
      <p data-testid="door-state">
        <b class={door.unlocked ? 'ok' : ''}>{door.unlocked ? 'UNLOCKED' : 'locked'}</b> · door {door.open ? 'OPEN' : 'shut'} · mode {door.mode}
        {door.awaitingPin ? ' · PIN?' : ''}{door.alarms.length ? ` · ALARM ${door.alarms.join(', ')}` : ''}
        {door.lastDecision ? <span data-testid="door-decision"> · last: {door.lastDecision}</span> : null}
      </p>
      <div class="controls">
        <select data-testid="card" value={card} onChange={(e) => setCard((e.target as HTMLSelectElement).value)}>
          {door.cards.map((c) => <option value={c}>{c}</option>)}
        </select>
        <button data-testid="badge" onClick={() => act(d.i, 'card', [card])}>Badge card</button>
        <input data-testid="card-uid" value={uid} size={16} placeholder="card UID, hex" onInput={(e) => setUid((e.target as HTMLInputElement).value)} />
        <button data-testid="badge-uid" onClick={() => act(d.i, 'card', [uid.trim()])}>Badge UID</button>
        <input data-testid="pin" value={pin} size={8} onInput={(e) => setPin((e.target as HTMLInputElement).value)} />
        <button data-testid="pin-enter" onClick={() => act(d.i, 'pin', [pin])}>Enter PIN</button>
        <button data-testid="qr-visitor" onClick={() => act(d.i, 'qr', ['visitor'])}>QR visitor</button>
        <button data-testid="qr-resident" onClick={() => act(d.i, 'qr', ['resident'])}>QR resident</button>
        <button data-testid="door-open" onClick={() => act(d.i, 'door', ['open'])}>Open door</button>
        <button data-testid="door-close" onClick={() => act(d.i, 'door', ['close'])}>Shut door</button>
        <button data-testid="rex" onClick={() => act(d.i, 'rex')}>Exit button</button>
      </div>
    </div>
  );
}

function SosControls({ d }: { d: DeviceDetail }) {
  const sos = d.sos!;
  const [mv, setMv] = useState(String(sos.batteryMv));
  const alarm = sos.alarm as { state?: string; cause?: string; escalated?: boolean; id?: number } | undefined;
  const window = sos.window as { cause?: string; remainingMs?: number } | undefined;
  return (
    <div class="kind" data-testid="sos-controls">
      <h3>SOS button</h3>
      <p>
        alarm: <b data-testid="sos-alarm">{alarm ? `${alarm.state ?? '?'}${alarm.escalated ? ' (escalated)' : ''}` : window ? `window (${window.cause})` : 'none'}</b>
        {alarm?.cause ? ` · cause ${alarm.cause}` : ''}
        {window ? ` · alarm in ${Math.ceil((window.remainingMs ?? 0) / 1000)} s` : ''}
        {` · battery ${sos.batteryMv} mV`}{sos.batteryPct !== undefined ? ` (${sos.batteryPct} %)` : ''}
        {sos.showing ? ` · showing ${sos.showing}` : ''}{sos.buttonDown ? ' · button DOWN' : ''}
      </p>
      <div class="controls">
        <button data-testid="sos-press" onClick={() => act(d.i, 'press')}>Press</button>
        <button data-testid="sos-hold" onClick={() => act(d.i, 'hold', ['3'])}>Hold 3 s (cancel)</button>
        <button data-testid="sos-fall" onClick={() => act(d.i, 'fall')}>Fall replay</button>
        <button data-testid="sos-adl" onClick={() => act(d.i, 'adl')}>Daily-activity replay</button>
        <input data-testid="battery-mv" value={mv} size={6} onInput={(e) => setMv((e.target as HTMLInputElement).value)} />
        <button data-testid="battery-set" onClick={() => act(d.i, 'battery', [mv])}>Set battery mV</button>
      </div>
      {d.plot ? <MotionChart plot={d.plot} /> : <p class="muted">Replay a fall or an activity to plot its acceleration.</p>}
    </div>
  );
}

/** |a| and the three axes in g against seconds from the trace's start; the alert as a red vertical line. */
function MotionChart({ plot }: { plot: MotionPlot }) {
  const host = useRef<HTMLDivElement>(null);
  const key = `${plot.startUp}/${plot.boot}/${plot.samples.length}/${plot.detectS ?? ''}/${plot.alertS ?? ''}`;
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const n = Math.floor(plot.samples.length / 3);
    const t: number[] = [], x: number[] = [], y: number[] = [], z: number[] = [], m: number[] = [];
    for (let k = 0; k < n; k++) {
      t.push(k / plot.hz);
      x.push(plot.samples[3 * k]! / 1000);
      y.push(plot.samples[3 * k + 1]! / 1000);
      z.push(plot.samples[3 * k + 2]! / 1000);
      m.push(Math.hypot(x[k]!, y[k]!, z[k]!));
    }
    const marks: [number, string][] = [];
    if (plot.detectS !== undefined) marks.push([plot.detectS, '#e80']);
    if (plot.alertS !== undefined) marks.push([plot.alertS, '#e00']);
    const end = Math.max(n / plot.hz, ...marks.map(([at]) => at + 1));
    const chart = new uPlot({
      width: Math.min(900, el.clientWidth || 900), height: 260,
      scales: { x: { time: false, range: () => [0, end] } },
      axes: [{ label: 's since the trace started' }, { label: 'g' }],
      series: [{}, { label: '|a|', stroke: '#222', width: 2 }, { label: 'x', stroke: '#d55' }, { label: 'y', stroke: '#5a5' }, { label: 'z', stroke: '#55d' }],
      hooks: {
        draw: [(u: uPlot) => {
          const ctx = u.ctx;
          for (const [at, color] of marks) {
            const px = u.valToPos(at, 'x', true);
            ctx.save();
            ctx.strokeStyle = color;
            ctx.lineWidth = 2;
            ctx.beginPath();
            ctx.moveTo(px, u.bbox.top);
            ctx.lineTo(px, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.restore();
          }
        }],
      },
    }, [t, m, x, y, z], el);
    return () => chart.destroy();
  }, [key]);
  return (
    <div class="plot" data-testid="motion-plot">
      <p>{plot.fall ? 'fall' : 'daily activity'} <code>{plot.id}</code> · {(plot.samples.length / 3 / plot.hz).toFixed(1)} s at {plot.hz} Hz
        {plot.detectS !== undefined ? <span data-testid="plot-detect" style={{ color: '#e80' }}> · fall detected at {plot.detectS.toFixed(1)} s</span> : ''}
        {plot.alertS !== undefined ? <span data-testid="plot-alert" style={{ color: '#e00' }}> · {plot.alertType} at {plot.alertS.toFixed(1)} s</span> : ' · no alarm yet'}</p>
      <div ref={host} />
    </div>
  );
}

/** A door reader's platform actions: signed unlock, a visitor pass for this door, the credential list (CSV). */
function DoorPlatform({ d, platform }: { d: DeviceDetail; platform: DevicePlatform }) {
  const [unlock, track] = useOutcome();
  const [pass, setPass] = useState('');
  const [passOutcome, trackPass] = useOutcome();
  const [csv, setCsv] = useState(platform.credentialsCsv ?? '');
  const [sync, trackSync] = useOutcome();
  return (
    <div class="kind" data-testid="door-platform">
      <h3>Platform: door {d.door!.number}</h3>
      <div class="controls">
        <button data-testid="signed-unlock" onClick={() => void track(platformOp(d.i, 'unlock'))}>Signed unlock</button>
        <span data-testid="unlock-result">{unlock}</span>
      </div>
      <div class="controls">
        <button data-testid="issue-pass" onClick={() => void trackPass(platformOp(d.i, 'pass')).then((o) => setPass(o.ok ? o.text : ''))}>Issue visitor pass (1 use, 1 h)</button>
        {pass ? <><code data-testid="pass-text">{pass}</code> <button data-testid="scan-pass" onClick={() => act(d.i, 'qr', [pass])}>Scan it here</button></> : <span>{passOutcome}</span>}
      </div>
      <h4>Credentials{platform.credentialsVersion !== undefined ? ` (platform's version ${platform.credentialsVersion})` : ' (the demo list)'}</h4>
      <textarea data-testid="credentials-csv" rows={8} cols={80} value={csv} onInput={(e) => setCsv((e.target as HTMLTextAreaElement).value)} />
      <div class="controls">
        <button data-testid="credentials-sync" disabled={sync === '…'} onClick={() => void trackSync(platformOp(d.i, 'sync', csv))}>Sync</button>
        <button onClick={() => setCsv(platform.credentialsCsv ?? '')}>Reload</button>
        <span data-testid="sync-status">{sync === '…' ? 'syncing…' : sync}</span>
      </div>
    </div>
  );
}

/** Desired config (a JSON object, merged into the current one), the reported config, and the telemetry plot. */
function PlatformPanel({ d, platform }: { d: DeviceDetail; platform: DevicePlatform }) {
  const [text, setText] = useState(() => JSON.stringify(platform.desired?.config ?? platform.reported?.config ?? {}, null, 2));
  const [sent, track] = useOutcome();
  let error = '';
  try {
    const value = JSON.parse(text) as unknown;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) error = 'expected a JSON object';
  } catch (e) {
    error = e instanceof Error ? e.message : String(e);
  }
  const reported = platform.reported;
  return (
    <div class="kind" data-testid="platform-panel">
      <h3>Desired config</h3>
      <p>
        desired: <b data-testid="config-desired">{platform.desired ? `version ${platform.desired.version}` : 'none'}</b>
        {' · '}reported: <b data-testid="config-reported">{reported ? `version ${reported.version}` : 'none'}
          {reported?.last ? ` · last ${reported.last.version} ${reported.last.status}${reported.last.reason ? ` (${reported.last.reason})` : ''}` : ''}</b>
      </p>
      <textarea data-testid="desired-config" rows={6} cols={80} value={text} onInput={(e) => setText((e.target as HTMLTextAreaElement).value)} />
      <div class="controls">
        <button data-testid="config-send" disabled={error !== ''} onClick={() => void track(platformOp(d.i, 'config', text))}>Send</button>
        <span data-testid="config-error" class="bad">{error}</span>
        <span data-testid="config-outcome">{sent}</span>
      </div>
      {reported ? <details><summary>reported config</summary><pre class="data">{JSON.stringify(reported.config, null, 2)}</pre></details> : null}
      <h3>Telemetry</h3>
      {platform.telemetry.fields.length > 0 && platform.telemetry.at.length > 1
        ? <TelemetryChart telemetry={platform.telemetry} />
        : <p class="muted" data-testid="telemetry-empty">No telemetry yet ({platform.telemetry.at.length} points).</p>}
    </div>
  );
}

const COLORS = ['#222', '#d55', '#5a5', '#55d'];

/** The numeric health fields against host time (one axis each would crowd: they share one, with a legend). */
function TelemetryChart({ telemetry }: { telemetry: DevicePlatform['telemetry'] }) {
  const host = useRef<HTMLDivElement>(null);
  const key = `${telemetry.fields.join(',')}/${telemetry.at.length}/${telemetry.at[telemetry.at.length - 1] ?? ''}`;
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const chart = new uPlot({
      width: Math.min(900, el.clientWidth || 900), height: 220,
      series: [{}, ...telemetry.fields.map((field, k) => ({ label: field, stroke: COLORS[k % COLORS.length]!, spanGaps: true }))],
    }, [telemetry.at.map((at) => at / 1000), ...telemetry.series], el);
    return () => chart.destroy();
  }, [key]);
  return <div class="plot" data-testid="telemetry-plot"><div ref={host} /></div>;
}
