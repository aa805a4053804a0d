// An MFRC522 NFC reader (firmware/drivers/mfrc522) on the board's SPI bus, selected by `select`: it polls, and
// each newly presented card's UID reaches the app's `card` event.
import { Mfrc522 } from '../drivers/mfrc522/mfrc522.js';
import { fitPart, type FittedPart, type NoOthers, type PartSpec } from './part.js';

export interface Mfrc522Callbacks {
  card(uid: Uint8Array): void;
}

export interface Mfrc522Spec extends PartSpec<Mfrc522Callbacks> {
  readonly select: string;
  /** Poll period, ms (driver default 150). */
  readonly interval?: number;
}

type Mfrc522Part<S extends Mfrc522Spec> = FittedPart<Mfrc522, S['select'], Mfrc522Callbacks, S> & { readonly bus: 'spi' };

export function mfrc522<const S extends Mfrc522Spec>(spec: S & NoOthers<S, Mfrc522Spec>): Mfrc522Part<S> {
  const { select, on, required, ...options } = spec;
  return fitPart(spec, {
    kind: 'mfrc522',
    pins: { select },
    bus: 'spi',
    options,
    open(context) {
      const card = context.callback<[uid: Uint8Array]>('card');
      return new Mfrc522({
        spi: { ...context.spi(), select: context.pin('select') },
        timers: context.timers,
        ...options,
        onSample() {
          const read = this.sample();
          if (read) card?.(read.uid);
        },
      });
    },
  }) as Mfrc522Part<S>;
}
