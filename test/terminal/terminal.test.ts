// The terminal mode as a user sees it, in a real terminal (tmux): the screen fits 80×24 and 120×30, is redrawn in
// place (nothing scrolls into the history), follows a resize, shows door decisions in the recent pane, pages
// the help, and `q` quits with exit status 0.
import { resolve } from 'node:path';
import { hasTmux, Tmux, until } from './support.js';

const ROOT = resolve(import.meta.dirname, '../..');
// Node with tsx as a loader, as `npm start` runs it; the embedded broker and the dashboard on free ports.
const COMMAND = 'exec node --import tsx simulator/main.ts --port 0 --http 0';
// A start (node, tsx, 3 devices, broker) takes 2–4 s on a quiet machine; other work can slow it several times.
const START_MS = 20_000;

const available = hasTmux();
if (!available && process.env.CI) throw new Error('tmux is needed for the terminal tests (.ci/run installs it)');
const maybe = available ? describe : describe.skip;

maybe('terminal mode in tmux', () => {
  let tmux: Tmux;
  beforeEach(() => {
    tmux = new Tmux();
  });
  afterEach(() => tmux.kill());

  const fits = (screen: string[], columns: number, rows: number) => {
    const over = screen.filter((line) => line.length > columns);
    if (screen.length > rows || over.length > 0) throw new Error(`the screen does not fit ${columns}×${rows}:\n${screen.join('\n')}`);
  };
  const text = (session: string) => tmux.capture(session).join('\n');
  /** Waits for the screen of `session` to satisfy `probe`; a timeout shows the screen. */
  const wait = (session: string, what: string, probe: () => boolean, ms: number) => until(what, probe, ms, () => text(session));
  const online = (session: string) => wait(session, 'five devices online', () => /^5 devices \| online 5\b/m.test(text(session)), START_MS);

  // Five devices booting and a card decision through a real terminal: up to ~10 s under load, hence 60 s.
  test('80×24: fits, never scrolls, shows a card decision, pages the help and quits with 0', async () => {
    tmux.start('sim', 80, 24, ROOT, COMMAND);
    await online('sim');
    let screen = tmux.capture('sim');
    fits(screen, 80, 24);
    expect(screen[0]).toMatch(/^\[\d+:\d\d:\d\d\] simulator: 5 device\(s\)/);
    expect(screen.some((line) => /^# +DEVICE/.test(line))).toBe(true);
    for (const id of ['sim-1', 'sim-2', 'sim-3', 'sim-4', 'sim-5']) expect(screen.some((line) => line.includes(` ${id} `))).toBe(true);
    expect(screen.at(-1)).toMatch(/^>/);

    tmux.type('sim', 'card 1 alice');
    await wait('sim', 'the card decision in the recent pane', () => /sim-1 #\d+ GRANTED access\.granted · card · nfc · ref [0-9a-f]+/.test(text('sim')), 10_000);
    screen = tmux.capture('sim');
    fits(screen, 80, 24);
    expect(text('sim')).toMatch(/sim-1: card alice on the reader/);
    // Redrawn in place: nothing ever scrolled off into the pane's history.
    expect(tmux.format('sim', '#{history_size}')).toBe('0');

    tmux.type('sim', 'h');
    await wait('sim', 'the help', () => /^Commands \(1–\d+ of \d+\)/.test(tmux.capture('sim')[0] ?? ''), 5000);
    screen = tmux.capture('sim');
    fits(screen, 80, 24);
    expect(text('sim')).toMatch(/card N NAME\|UID/);
    tmux.type('sim', ''); // the next page: the SOS button's commands
    await wait('sim', 'the second help page', () => /battery N MV/.test(text('sim')), 5000);
    tmux.type('sim', 'h'); // back to the table
    await wait('sim', 'the table again', () => /^# +DEVICE/m.test(text('sim')), 5000);

    tmux.type('sim', 'q');
    await wait('sim', 'the simulator to exit', () => tmux.format('sim', '#{pane_dead}') === '1', 10_000);
    expect(tmux.format('sim', '#{pane_dead_status}')).toBe('0');
  }, 60_000);

  // As above: a start and a decision, up to ~10 s under load.
  test('120×30: the last column is whole; a resize to 80×24 and 100×30 redraws to the new size', async () => {
    tmux.start('wide', 120, 30, ROOT, COMMAND);
    await online('wide');
    tmux.type('wide', 'card 1 alice');
    await wait('wide', 'the decision in the table', () => tmux.capture('wide').some((line) => /^1 .* #\d+ access\.granted \d+s$/.test(line)), 10_000);
    fits(tmux.capture('wide'), 120, 30);

    tmux.run('resize-window', '-t', 'wide', '-x', '80', '-y', '24');
    await wait('wide', 'the 80-column screen', () => tmux.capture('wide').some((line) => /^── recent ─+$/.test(line) && line.length === 80), 5000);
    fits(tmux.capture('wide'), 80, 24);
    tmux.run('resize-window', '-t', 'wide', '-x', '100', '-y', '30');
    await wait('wide', 'the 100-column screen', () => tmux.capture('wide').some((line) => /^── recent ─+$/.test(line) && line.length === 100), 5000);
    fits(tmux.capture('wide'), 100, 30);
    expect(tmux.format('wide', '#{history_size}')).toBe('0');

    // Ctrl-C in the table (raw mode: a key, not a signal) quits cleanly.
    tmux.run('send-keys', '-t', 'wide', 'C-c');
    await wait('wide', 'the simulator to exit', () => tmux.format('wide', '#{pane_dead}') === '1', 10_000);
    expect(tmux.format('wide', '#{pane_dead_status}')).toBe('0');
  }, 60_000);

  // 60 devices booting at once: up to ~15 s under load.
  test('a large fleet at 80×24: summarised, paged and filtered', async () => {
    tmux.start('fleet', 80, 24, ROOT, `${COMMAND} --fleet generic:60`);
    await wait('fleet', 'sixty devices online', () => /60 devices \| online 60 \| generic 60/.test(text('fleet')), START_MS);
    let screen = tmux.capture('fleet');
    fits(screen, 80, 24);
    const pages = /^page 1\/(\d+) \(page next\|prev\|N\) · 60 devices/.exec(screen[1] ?? '');
    expect(pages).not.toBeNull();
    expect(screen.some((line) => line.includes(' sim-1 '))).toBe(true);

    tmux.type('fleet', 'page 2');
    await wait('fleet', 'page 2', () => /^page 2\//.test(tmux.capture('fleet')[1] ?? ''), 5000);
    expect(tmux.capture('fleet').some((line) => line.includes(' sim-1 '))).toBe(false);

    tmux.type('fleet', 'filter sim-4');
    await wait('fleet', 'the filtered table', () => /filter "sim-4": 11 · 60 devices/.test(text('fleet')), 5000);
    screen = tmux.capture('fleet');
    fits(screen, 80, 24);
    const rows = screen.filter((line) => /^\d+ +sim-/.test(line));
    expect(rows.map((line) => line.split(/ +/)[1])).toEqual(['sim-4', ...Array.from({ length: 10 }, (_, i) => `sim-${40 + i}`)]);
    expect(tmux.format('fleet', '#{history_size}')).toBe('0');
  }, 60_000);
});
