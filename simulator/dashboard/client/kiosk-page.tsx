// A page with one kiosk screen and nothing else, for `npm run kiosk:screens` and the accessibility test
// (scripts/kiosk/gallery.ts): Node hands it a laid-out view through window.showKiosk and screenshots or checks it.
// Taps are recorded for the caller to read.
import { render } from 'preact';
import type { KioskView } from '../../../firmware/apps/kiosk/screen/machine.js';
import { KioskScreen } from './kiosk-screen.js';

declare global {
  interface Window {
    showKiosk: (view: KioskView, scale: number) => void;
    kioskTaps: string[];
  }
}

window.kioskTaps = [];
window.showKiosk = (view, scale) => {
  document.documentElement.lang = view.lang === 'zh' ? 'zh-CN' : 'en';
  render(<main><KioskScreen view={view} scale={scale} onTap={(id) => window.kioskTaps.push(id)} /></main>, document.getElementById('root')!);
};
