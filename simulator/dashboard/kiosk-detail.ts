// The kiosk on the dashboard: what its screen shows (the view the app last rendered, drawn in the browser by
// client/kiosk-screen.tsx), the receipts its printer cut as lines of text, and what it said.
import type { SimDevice } from '../device.js';
import type { PaperLine } from '../chips/escpos-printer.js';
import { kioskKind, type KioskWorld } from '../kinds/kiosk.js';
import type { KioskDetail } from './wire.js';

const RECEIPTS_SHOWN = 5;
const SPOKEN_SHOWN = 10;

export function isKiosk(device: SimDevice): device is SimDevice<KioskWorld> {
  return device.kind.model === kioskKind.model;
}

const paperText = (line: PaperLine): string[] => ('text' in line ? [line.text] : 'qr' in line ? [`[QR ${line.qr}]`] : []);

export function kioskDetail(world: KioskWorld): KioskDetail {
  const receipts = world.receipts();
  return {
    view: world.view ?? null,
    cards: world.cards.map((card) => card.name),
    printed: receipts.length,
    receipts: receipts.slice(-RECEIPTS_SHOWN).map((receipt) => receipt.lines.flatMap(paperText)),
    spoken: world.spoken.slice(-SPOKEN_SHOWN).map((said) => said.text),
    paperOut: world.paperOut,
    coverOpen: world.coverOpen,
  };
}
