// The door reader's parts. The relay is the one the door cannot do without; the door contact, exit button and
// each reader (Wiegand, NFC, QR) are left out when missing or silent and reported (health `hardware`), and the
// door keeps working with the others. The relay comes first: its driver writes OFF once and waits.
import type { WiegandFrame } from '../../drivers/wiegand/wiegand.js';
import { button } from '../../parts/button.js';
import { contact } from '../../parts/contact.js';
import { indicator } from '../../parts/indicator.js';
import { mfrc522 } from '../../parts/mfrc522.js';
import { qrScanner } from '../../parts/qr-scanner.js';
import { relay } from '../../parts/relay.js';
import { wiegand } from '../../parts/wiegand.js';

/** Where the parts' callbacks go (door-reader.ts). */
export interface DoorEvents {
  /** The door contact settled: closed to ground while the door is shut. */
  doorClosed(closed: boolean): void;
  exit(): void;
  wiegand(frame: WiegandFrame): void;
  nfcCard(uid: Uint8Array): void;
  qr(text: string): void;
}

export const DOOR_READER_PARTS = Object.freeze({
  relay: relay({ pin: 'relay', required: true }),
  led: indicator({ pin: 'led' }),
  buzzer: indicator({ pin: 'buzzer' }),
  doorContact: contact({ pin: 'doorContact', on: { change: 'doorClosed' } }),
  exitButton: button({ pin: 'exitButton', on: { press: 'exit' } }),
  wiegand: wiegand({ data0: 'wiegandData0', data1: 'wiegandData1', on: { read: 'wiegand' } }),
  nfc: mfrc522({ select: 'nfcSelect', on: { card: 'nfcCard' } }),
  qr: qrScanner({ serial: 'qr', on: { read: 'qr' } }),
});
