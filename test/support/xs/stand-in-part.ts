// A part that opens to a stand-in object: XS entries fit them where the XS HAL proxy has no bus (I2C, ADC), fed
// by the test instead of a chip.
import type { KioskParts } from '../../../firmware/apps/kiosk/app.js';
import type { KioskEvents } from '../../../firmware/apps/kiosk/parts.js';
import type { SmartBinParts } from '../../../firmware/apps/smart-bin/app.js';
import { SMART_BIN_PARTS, type SmartBinEvents } from '../../../firmware/apps/smart-bin/parts.js';
import type { SosButtonParts } from '../../../firmware/apps/sos-button/app.js';
import { SOS_BUTTON_PARTS } from '../../../firmware/apps/sos-button/parts.js';
import { ACCEL_SETTINGS } from '../../../firmware/apps/sos-button/fall-watch.js';
import type { Closable, Part, PartContext } from '../../../firmware/parts/part.js';
import type { MonotonicClock } from '../../../hal/contract/time.js';

function standInPart<Thing extends Closable>(open: (context: PartContext) => Thing): Part<Thing, never> {
  return { kind: 'stand-in', pins: {}, open };
}

/**
 * The SOS button's parts for XS: its own LED, buzzer and button on Digital pins, and stand-ins for the
 * accelerometer (samples from `readFifo`) and the battery gauge (`battery()`), which need I2C and ADC.
 */
export function sosButtonStandInParts(stand: {
  configure?(clock: MonotonicClock, rate: number): void;
  /** The rate the accelerometer is found at when it opens (default 50 Hz). */
  bootRate?(): number;
  readFifo(into: Int16Array, clock: MonotonicClock): number;
  battery(): { mv: number; percent: number };
}): SosButtonParts {
  return {
    accel: standInPart(({ clock }) => {
      let rate = stand.bootRate?.() ?? ACCEL_SETTINGS.rateHz;
      return {
        get rate() { return rate; },
        configure: (options: { rate?: number }) => {
          rate = options.rate ?? rate;
          stand.configure?.(clock, rate);
        },
        readFifo: (into: Int16Array) => stand.readFifo(into, clock),
        enableWakeOnMotion() {},
        disableWakeOnMotion() {},
        acknowledgeWake: () => false,
        powerDown() {},
        close() {},
      };
    }),
    battery: standInPart(() => ({ read: () => stand.battery(), close() {} })),
    led: SOS_BUTTON_PARTS.led,
    buzzer: SOS_BUTTON_PARTS.buzzer,
    button: SOS_BUTTON_PARTS.button,
  };
}

/** What the station's stand-ins do: the bench's waste, and the resident at the reader. */
export interface BinStandIn {
  /** Distance compartment `c`'s level sensor hears now, mm. */
  distanceMm(c: number): number;
  /** Raw load-cell counts of compartment `c` now. */
  rawCounts(c: number): number;
}

/**
 * The smart bin's parts for XS (two compartments): LED and buzzer on Digital pins, stand-ins for what needs a bus
 * (level sensors, load cells, thermistor, accelerometer, battery, NFC) and for the servos with their lid switches
 * (a stand-in servo reports its lid shut a moment after it is sent to 0°). `card(uid)` and `select(c)` reach the
 * app's events as the NFC reader and the select buttons would.
 */
export function smartBinStandInParts(stand: BinStandIn): { parts: SmartBinParts; card(uid: Uint8Array): void; select(c: number): void } {
  let events: SmartBinEvents | undefined;
  const grab = (context: PartContext) => {
    events = context.events as SmartBinEvents;
  };
  const parts: Record<string, Part<Closable, string, SmartBinEvents>> = {
    nfc: standInPart((context) => {
      grab(context);
      return { close() {} };
    }),
    temperature: standInPart(() => ({ sample: () => 21, close() {} })),
    accel: standInPart(() => ({ configure() {}, sample: () => ({ x: 0, y: 0, z: 1000 }), close() {} })),
    battery: standInPart(() => ({ read: () => ({ mv: 3900, percent: 70 }), close() {} })),
    led: SMART_BIN_PARTS.led,
    buzzer: SMART_BIN_PARTS.buzzer,
  };
  for (const c of [0, 1] as const) {
    let shut = true;
    parts[`level${c}`] = standInPart(({ timers }) => ({
      measure: () => void timers.set(() => (events![`level${c}`] as (reading: { mm: number }) => void)({ mm: stand.distanceMm(c) }), 100),
      close() {},
    }));
    parts[`lid${c}`] = standInPart(({ timers }) => ({
      angle(degrees: number) {
        timers.set(() => {
          const now = degrees < 3;
          if (now !== shut) (events![`lidSwitch${c}`] as (closed: boolean) => void)((shut = now));
        }, 600);
      },
      release() {},
      close() {},
    }));
    parts[`lidSwitch${c}`] = standInPart(() => ({ get active() { return shut; }, close() {} }));
    parts[`scale${c}`] = standInPart(({ timers }) => ({
      sample(count: number, done: (raws: number[]) => void) {
        timers.set(() => done(Array.from({ length: count }, () => stand.rawCounts(c))), count * 100);
      },
      close() {},
    }));
  }
  return {
    parts,
    card: (uid) => events?.card(uid),
    select: (c) => (events?.[`select${c as 0 | 1}`] as (() => void) | undefined)?.(),
  };
}

/**
 * The kiosk's parts for XS: a stand-in NFC reader (`card(uid)` reaches the app's card event) and a stand-in
 * receipt printer with paper that answers each status poll and prints each receipt 200 ms later.
 */
export function kioskStandInParts(): { parts: KioskParts; card(uid: Uint8Array): void; printed(): number } {
  let events: KioskEvents | undefined;
  let printed = 0;
  const ready = { responding: true, offline: false, coverOpen: false, paperOut: false, paperNearEnd: false, error: false };
  const parts: KioskParts = {
    nfc: standInPart((context) => {
      events = context.events as KioskEvents;
      return { close() {} };
    }),
    printer: standInPart(({ timers }) => {
      let busy = false;
      return {
        get printing() { return busy; },
        poll: () => void timers.set(() => events?.printer(ready), 10),
        print(_receipt: unknown, done: (result: { ok: true; status: typeof ready; unprintable: number }) => void) {
          busy = true;
          timers.set(() => {
            busy = false;
            printed++;
            done({ ok: true, status: ready, unprintable: 0 });
          }, 200);
        },
        close() {},
      };
    }),
  };
  return { parts, card: (uid) => events?.card(uid), printed: () => printed };
}
