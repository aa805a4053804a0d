// Entry of manifests/kiosk-screens.json: the kiosk's Piu screens on Moddable's simulator (mcsim) or a board, with
// no app, network or storage. It plays the screen model's tour (every screen, standard then elderly mode), one
// step every few seconds, and loops; touching the screen stops the tour and the screens then follow the touches.
import config from 'mc/config';
import Timer from 'timer';
import { KioskScreens } from '../../../firmware/apps/kiosk/screen/machine.js';
import { apply, MemoryFake, tour } from '../../../test/xs/entries/kiosk-screen.js';
import { settingDpi } from './display.js';
import { deliver } from './input.js';
import { manifestFonts } from './manifest-fonts.js';
import { createKioskApplication, PiuKioskRenderer } from './piu-renderer.js';

const settings = config as unknown as Readonly<Record<string, unknown>>;
const STEP_MS = 2500;
const dpi = settingDpi(settings) ?? 160;

const app = createKioskApplication();
const screen = { widthPx: app.width, heightPx: app.height, dpi };

let kiosk = new KioskScreens({ screen, memory: new MemoryFake() });
let touched = false;
const renderer = new PiuKioskRenderer(app, {
  dpi,
  fonts: manifestFonts(settings),
  onTouch(id) {
    touched = true;
    if (deliver(kiosk, id)) renderer.show(kiosk.view);
  },
});
renderer.show(kiosk.view);

let round = 0;
let steps = tour(false);
let at = 0;
Timer.repeat(() => {
  if (touched) return;
  if (at === steps.length) {
    round++;
    kiosk = new KioskScreens({ screen, memory: new MemoryFake() });
    const elderly = round % 2 === 1;
    if (elderly) kiosk.tap('mode');
    steps = tour(elderly);
    at = 0;
  } else {
    apply(kiosk, steps[at++]!);
    kiosk.takeIntents();
  }
  renderer.show(kiosk.view);
}, STEP_MS);
