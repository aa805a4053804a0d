// One scenario through the io pieces and the door drivers, with the virtual IO, stepped clock and simulated
// chips running in the same engine. Engine-neutral on purpose: io-xs.test.ts runs it on Node and on XS and
// expects the same outcome.
import { SteppedClock } from '../../../hal/host/clock.js';
import { VirtualIo } from '../../../hal/host/io/bus.js';
import { toHex } from '../../../firmware/lib/hex.js';
import { Relay } from '../../../firmware/io/relay.js';
import { Indicator } from '../../../firmware/io/indicator.js';
import { Button } from '../../../firmware/io/button.js';
import { Contact } from '../../../firmware/io/contact.js';
import { Mfrc522 } from '../../../firmware/drivers/mfrc522/mfrc522.js';
import { Wiegand } from '../../../firmware/drivers/wiegand/wiegand.js';
import { QrScanner } from '../../../firmware/drivers/qr-scanner/qr-scanner.js';
import { attachMfrc522 } from '../../../simulator/chips/mfrc522.js';
import { attachWiegand } from '../../../simulator/chips/wiegand.js';
import { attachQrScanner } from '../../../simulator/chips/qr-scanner.js';

export function main(): Record<string, unknown> {
  const clock = new SteppedClock();
  const timers = clock.timers;
  const io = new VirtualIo({ clock, defer: (callback) => timers.set(callback, 0) });
  const { Digital, SPI, Serial } = io.classes;
  const history = (pin: number) => io.pin(pin).history.map((change) => `${change.at}:${change.level}`);
  const events: string[] = [];
  const log = (text: string) => events.push(`${clock.now()} ${text}`);

  const relay = new Relay({ io: Digital, pin: 26 });
  const relayAtBoot = history(26);
  relay.pulse(300, timers);
  const led = new Indicator({ io: Digital, pin: 2, timers });
  led.play([50, 50], 2);
  new Button({ io: Digital, pin: 13, timers, clock, onPress: () => log('press'), onLongPress: () => log('long'), onRelease: (ms) => log(`release ${ms}`) });
  new Contact({ io: Digital, pin: 27, timers, onChange: (active) => log(`contact ${active}`) });
  io.pin(13).setInput(0);
  clock.advance(2500);
  io.pin(13).setInput(1);
  io.pin(27).setInput(0);
  clock.advance(100);

  const chip = attachMfrc522(io, { select: 5 });
  const nfc = new Mfrc522({ spi: { out: 23, in: 19, clock: 18, hz: 5_000_000, io: SPI!, select: 5 } });
  const cards: string[] = [];
  const poll = () => {
    const read = nfc.sample();
    if (read) cards.push(toHex(read.uid));
  };
  chip.present([0xde, 0xad, 0xbe, 0xef]);
  for (let i = 0; i < 5; i++) poll();
  chip.remove();
  poll();
  poll();
  chip.present([0x04, 0x52, 0x8a, 0x1a, 0x3b, 0x64, 0x80]);
  poll();

  const wiegand = new Wiegand({ data0: 36, data1: 39, io: Digital, timers, onRead: (frame) => log(frame.kind === 'card' ? `card ${frame.bits} ${toHex(frame.id)}` : `key ${frame.key}`) });
  const tx = attachWiegand(io, { data0: 36, data1: 39, timers });
  tx.sendCard(26, [0x7b, 0x30, 0x39]);
  tx.sendBits([1, 0, 1]);
  tx.sendKeys('12#', 8);
  const qr = new QrScanner({ serial: { baud: 9600, port: 2, io: Serial! }, onRead: (text) => log(`qr ${text}`) });
  const scanner = attachQrScanner(io, { port: 2 });
  scanner.raw([0x00, 0x41, 0x0d]);
  scanner.scan('PASS.abc');
  clock.advance(2000);

  return { relayAtBoot, relay: history(26), led: history(2), events, cards, wiegandFramingErrors: wiegand.framingErrors, qrDropped: qr.dropped };
}
