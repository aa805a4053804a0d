// The door reader's peripherals, opened from the board's pin map. The relay and the door contact are what the
// door needs; each reader (NFC, Wiegand, QR) is optional: one that is missing or fails to answer is left out and
// reported (health `hardware`), and the door keeps working with the others.
import type { Device, MonotonicClock, Timers } from '../../../hal/contract/index.js';
import { Mfrc522 } from '../../drivers/mfrc522/mfrc522.js';
import { QrScanner } from '../../drivers/qr-scanner/qr-scanner.js';
import { Wiegand } from '../../drivers/wiegand/wiegand.js';
import { Button } from '../../io/button.js';
import { Contact } from '../../io/contact.js';
import { Indicator } from '../../io/indicator.js';
import { Relay } from '../../io/relay.js';

export interface DoorInputs {
  card(uid: Uint8Array, reader: 'nfc' | 'wiegand'): void;
  key(key: string): void;
  qr(text: string): void;
  /** The door contact settled: true = open. */
  door(open: boolean): void;
  exit(): void;
}

export interface DoorHardware {
  readonly relay: Relay;
  readonly led: Indicator | undefined;
  readonly buzzer: Indicator | undefined;
  readonly contact: Contact | undefined;
  /** Door open (from the contact); false without a contact. */
  readonly doorOpen: boolean;
  /** Peripherals that could not be opened, with why. */
  readonly problems: Readonly<Record<string, string>>;
  /** Reads the readers dropped (Wiegand parity/framing, QR garbage): noisy lines show here first. */
  readErrors(): Record<string, number>;
  close(): void;
}

interface Closable {
  close(): void;
}

/**
 * Opens the peripherals. The relay comes first and alone decides nothing: its driver writes OFF once and waits.
 * The door contact closes (to ground) when the door is shut, so "active" means closed.
 */
export function openDoorHardware(device: Device, timers: Timers, clock: MonotonicClock, inputs: DoorInputs): DoorHardware {
  const { io, board } = device;
  const pin = board.pin;
  const activeLow = (name: string) => board.activeLow?.includes(name) ?? false;
  const problems: Record<string, string> = {};
  const opened: Closable[] = [];
  const attempt = <T extends Closable>(name: string, open: () => T): T | undefined => {
    try {
      const thing = open();
      opened.push(thing);
      return thing;
    } catch (error) {
      problems[name] = error instanceof Error ? error.message : String(error);
      return undefined;
    }
  };
  const needPin = (name: string): number => {
    const value = pin[name];
    if (value === undefined) throw new Error(`board ${board.name} has no "${name}" pin`);
    return value;
  };

  const relay = new Relay({ io: io.Digital, pin: needPin('relay'), activeLow: activeLow('relay') });
  opened.push(relay);
  const indicator = (name: string) =>
    attempt(name, () => new Indicator({ io: io.Digital, pin: needPin(name), timers, activeLow: activeLow(name) }));
  const led = indicator('led');
  const buzzer = indicator('buzzer');
  const contact = attempt('doorContact', () =>
    new Contact({ io: io.Digital, pin: needPin('doorContact'), timers, onChange: (closed) => inputs.door(!closed) }));
  attempt('exitButton', () => new Button({ io: io.Digital, pin: needPin('exitButton'), timers, clock, onPress: () => inputs.exit() }));
  const wiegand = attempt('wiegand', () =>
    new Wiegand({
      data0: needPin('wiegandData0'),
      data1: needPin('wiegandData1'),
      io: io.Digital,
      timers,
      onRead: (frame) => (frame.kind === 'card' ? inputs.card(frame.id, 'wiegand') : inputs.key(frame.key)),
    }));
  attempt('nfc', () => {
    if (!io.SPI || !board.spi) throw new Error('no SPI bus');
    return new Mfrc522({
      spi: { ...board.spi, io: io.SPI, select: needPin('nfcSelect') },
      timers,
      onSample() {
        const read = this.sample();
        if (read) inputs.card(read.uid, 'nfc');
      },
    });
  });
  const qr = attempt('qr', () => {
    const serial = board.serial?.qr;
    if (!io.Serial || !serial) throw new Error('no "qr" serial port on the board');
    return new QrScanner({ serial: { ...serial, io: io.Serial }, onRead: (text) => inputs.qr(text) });
  });

  return {
    relay,
    led,
    buzzer,
    contact,
    get doorOpen() {
      return contact ? !contact.active : false;
    },
    problems,
    readErrors() {
      return {
        ...(wiegand ? { wiegandParity: wiegand.parityErrors, wiegandFraming: wiegand.framingErrors } : {}),
        ...(qr ? { qrDropped: qr.dropped } : {}),
      };
    },
    close() {
      for (const thing of opened.reverse()) {
        try {
          thing.close();
        } catch {
          // closing one peripheral must not keep the others open
        }
      }
    },
  };
}
