// A sorting station's page: each compartment's true fill (the world) beside what the station reports, its lid,
// mass and sensor; the station's alarms and what it shows and says; the controls (a resident's deposit by card or
// QR, fill, collection, fire, tip, a blocked opening, a dead sensor, the battery), all the kind's own commands or
// world methods; and the fill over time (uPlot) with the thresholds and the deposits marked.
import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import type { BinDetail, DeviceDetail } from '../wire.js';
import { act } from './conn.js';

const COLORS = ['#1565c0', '#c62828', '#2e7d32', '#ef6c00'];
/** The `fire` command's temperature is above this; the station's own limit (fireC) is lower still. */
const FIRE_SHOWN_ABOVE_C = 60;

export function BinControls({ d }: { d: DeviceDetail }) {
  const bin = d.bin!;
  const residents = [...bin.cards.map((name) => `card:${name}`), ...bin.qr.map((text) => `qr:${text}`)];
  const [resident, setResident] = useState(residents[0] ?? 'card:alice');
  const [c, setC] = useState(0);
  const [grams, setGrams] = useState('500');
  const [pct, setPct] = useState('90');
  const [mv, setMv] = useState(String(bin.batteryMv));
  const chosen = bin.compartments[c] ?? bin.compartments[0];
  const deposit = () => {
    const [via, who = ''] = splitOnce(resident);
    if (via === 'qr') act(d.i, 'qrdeposit', [who, String(c), grams]);
    else act(d.i, 'deposit', [who, String(c), grams]);
  };
  const fire = bin.celsius > FIRE_SHOWN_ABOVE_C;
  return (
    <div class="kind" data-testid="bin-controls">
      <h3>Sorting station</h3>
      <p>
        showing <b data-testid="bin-showing">{bin.showing}</b>
        {' · '}said <span data-testid="bin-prompts">{bin.prompts.length ? bin.prompts.join(' → ') : 'nothing yet'}</span>
        {' · '}{bin.credited} credited, {bin.refused} refused
      </p>
      <p>
        air {bin.celsius} °C (station reads {bin.stationC ?? '—'} °C) · tilt {bin.tiltDeg}° (station reads {bin.stationTiltDeg ?? '—'}°)
        {' · '}battery {bin.batteryMv} mV
      </p>
      <p data-testid="bin-alarms">alarms: {bin.alarms.length === 0 ? 'none' : bin.alarms.map((a) => (
        <b class="bad" data-testid="bin-alarm" data-cause={a.cause} key={a.key}>
          {' '}{a.cause}{a.c === undefined ? '' : ` #${a.c}`} ({a.state}{a.cleared ? ', cleared on the device' : ''})</b>
      ))}</p>
      <table class="small">
        <thead><tr><th>#</th><th>category</th><th>true fill</th><th>station reports</th><th>lid</th><th>mass</th><th>level sensor</th><th>opening</th></tr></thead>
        <tbody>
          {bin.compartments.map((k) => (
            <tr key={k.c} data-testid="bin-compartment" data-c={k.c}>
              <td>{k.c}</td><td>{k.category}</td>
              <td data-testid="bin-true">{k.truePct.toFixed(1)} %</td>
              <td data-testid="bin-reported" class={k.full ? 'bad' : ''}>
                {k.reportedPct === undefined ? 'no level yet' : `${k.reportedPct.toFixed(1)} %`}{k.full ? ' FULL' : k.empty ? ' empty' : ''}
              </td>
              <td data-testid="bin-lid">{k.lid} ({k.lidDeg}°)</td>
              <td>{(k.grams / 1000).toFixed(2)} kg</td>
              <td>{k.sensor}{k.sensorDead ? <b class="bad"> DEAD</b> : ''}</td>
              <td>{k.obstacle ? <b class="bad">BLOCKED</b> : 'clear'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <div class="controls">
        <select data-testid="bin-resident" value={resident} onChange={(e) => setResident((e.target as HTMLSelectElement).value)}>
          {residents.map((r) => <option value={r}>{r.replace(':', ' ')}</option>)}
        </select>
        <select data-testid="bin-compartment-select" value={String(c)} onChange={(e) => setC(Number((e.target as HTMLSelectElement).value))}>
          {bin.compartments.map((k) => <option value={String(k.c)}>#{k.c} {k.category}</option>)}
        </select>
        <input data-testid="bin-grams" value={grams} size={6} onInput={(e) => setGrams((e.target as HTMLInputElement).value)} /> g
        <button data-testid="bin-deposit" onClick={deposit}>Deposit</button>
      </div>
      <div class="controls">
        <label>#{c} to <input data-testid="bin-fill-pct" value={pct} size={4} onInput={(e) => setPct((e.target as HTMLInputElement).value)} /> %</label>
        <button data-testid="bin-fill" onClick={() => act(d.i, 'fill', [String(c), pct])}>Fill</button>
        <button data-testid="bin-empty" onClick={() => act(d.i, 'empty', [String(c)])}>Empty #{c} (collection)</button>
        <button data-testid="bin-block" onClick={() => act(d.i, 'block', [String(c), chosen?.obstacle ? 'off' : 'on'])}>
          {chosen?.obstacle ? `Clear #${c}'s opening` : `Block #${c}'s opening`}</button>
        <button data-testid="bin-sensor" onClick={() => act(d.i, 'sensor', [String(c), chosen?.sensorDead ? 'alive' : 'dead'])}>
          {chosen?.sensorDead ? `Revive #${c}'s sensor` : `Kill #${c}'s sensor`}</button>
      </div>
      <div class="controls">
        <button data-testid="bin-fire" onClick={() => act(d.i, 'fire', [fire ? 'off' : 'on'])}>{fire ? 'Put the fire out' : 'Fire'}</button>
        <button data-testid="bin-tip" onClick={() => act(d.i, 'tip', [bin.tiltDeg ? '0' : '90'])}>{bin.tiltDeg ? 'Stand upright' : 'Knock over'}</button>
        <input data-testid="bin-battery-mv" value={mv} size={6} onInput={(e) => setMv((e.target as HTMLInputElement).value)} />
        <button data-testid="bin-battery-set" onClick={() => act(d.i, 'battery', [mv])}>Set battery mV</button>
      </div>
      <FillChart bin={bin} />
    </div>
  );
}

function splitOnce(text: string): [string, string] {
  const at = text.indexOf(':');
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 1)];
}

/**
 * Per compartment the reported fill (solid) and the true fill (dashed) against world minutes; the thresholds as
 * horizontal lines, the deposits as ticks at the top. Both series are recorded when they change, so they are
 * drawn as steps. The chart is made once per station layout and fed new data as it comes.
 */
function FillChart({ bin }: { bin: BinDetail }) {
  const host = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const marks = useRef(bin);
  marks.current = bin;
  const n = bin.compartments.length;
  const data = (b: BinDetail): uPlot.AlignedData => [
    b.history.t.map((t) => t / 60),
    ...b.compartments.flatMap((_, c) => [b.history.reportedPct[c] ?? [], b.history.truePct[c] ?? []]),
  ];
  useEffect(() => {
    const el = host.current;
    if (!el) return undefined;
    const steps = uPlot.paths.stepped!({ align: 1 });
    const series: uPlot.Series[] = [{ label: 'min' }];
    for (let c = 0; c < n; c++) {
      const stroke = COLORS[c % COLORS.length]!;
      series.push({ label: `#${c} reported`, stroke, width: 2, paths: steps, points: { show: false } });
      series.push({ label: `#${c} true`, stroke, width: 1, dash: [6, 4], paths: steps, points: { show: false } });
    }
    const made = new uPlot({
      width: Math.min(900, el.clientWidth || 900), height: 260,
      scales: { x: { time: false }, y: { range: (_u, _min, max) => [0, Math.max(110, max)] } },
      axes: [{ label: 'world minutes since the station was made' }, { label: 'fill %' }],
      series,
      hooks: { draw: [(u: uPlot) => drawMarks(u, marks.current)] },
    }, data(bin), el);
    chart.current = made;
    return () => {
      made.destroy();
      chart.current = null;
    };
  }, [n]);
  const last = bin.history.t.length;
  useEffect(() => {
    chart.current?.setData(data(bin));
  }, [bin.history]);
  return (
    <div class="plot" data-testid="fill-plot" data-points={last}>
      <p>fill over time · thresholds: full {bin.highPct} %, empty {bin.lowPct} %{bin.overflowPct !== undefined ? `, overflow ${bin.overflowPct} %` : ''}
        {' · '}<span data-testid="plot-deposits">{bin.history.deposits.length} deposit{bin.history.deposits.length === 1 ? '' : 's'}</span> marked</p>
      <div ref={host} />
    </div>
  );
}

function drawMarks(u: uPlot, bin: BinDetail): void {
  const ctx = u.ctx;
  const { left, top, width, height } = u.bbox;
  ctx.save();
  const thresholds: [number | undefined, string][] = [[bin.highPct, '#b00'], [bin.lowPct, '#070'], [bin.overflowPct, '#700']];
  for (const [pct, color] of thresholds) {
    if (pct === undefined) continue;
    const y = u.valToPos(pct, 'y', true);
    ctx.strokeStyle = color;
    ctx.lineWidth = 1;
    ctx.setLineDash([2, 4]);
    ctx.beginPath();
    ctx.moveTo(left, y);
    ctx.lineTo(left + width, y);
    ctx.stroke();
  }
  ctx.setLineDash([]);
  ctx.font = `${Math.round(10 * devicePixelRatio)}px sans-serif`;
  for (const deposit of bin.history.deposits) {
    const x = u.valToPos(deposit.t / 60, 'x', true);
    if (x < left || x > left + width) continue;
    const color = COLORS[deposit.c % COLORS.length]!;
    ctx.strokeStyle = color;
    ctx.fillStyle = color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(x, top);
    ctx.lineTo(x, top + height * 0.08);
    ctx.stroke();
    ctx.fillText(`${deposit.grams} g`, x + 3, top + height * 0.08);
  }
  ctx.restore();
}
