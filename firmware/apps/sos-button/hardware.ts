// The pendant's peripherals, built from the board's pin map: button, LED, buzzer, vibration motor, LIS3DH on
// I2C (INT1 for wake on motion) and the battery divider on an ADC pin. A missing part is logged and left out
// (no accelerometer: a plain SOS button), never a crash at boot.
import type { Hal } from '../../../hal/contract/index.js';
import { Battery } from '../../drivers/battery/battery.js';
import { LIS3DH } from '../../drivers/lis3dh/lis3dh.js';
import { Button } from '../../io/button.js';
import { Indicator } from '../../io/indicator.js';
import type { BatteryGauge } from './battery-watch.js';
import type { Accelerometer } from './fall-watch.js';

export interface PatternPlayer {
  play(pattern: readonly number[], repeat?: number | true): void;
  stop(): void;
  /** A pattern is still running (absent: the player cannot tell). */
  readonly playing?: boolean;
}

export interface ButtonHandlers {
  onPress(): void;
  onLongPress(): void;
  onRelease(heldMs: number): void;
}

export interface SosHardware {
  readonly led?: PatternPlayer;
  readonly buzzer?: PatternPlayer;
  readonly vibration?: PatternPlayer;
  readonly accel?: Accelerometer;
  readonly gauge?: BatteryGauge;
  /** INT1 is wired: motion() handlers are called on wake-on-motion. */
  readonly wakeLine: boolean;
  readonly longPressMs: number;
  /** Receives INT1 rising edges. */
  onMotion: (() => void) | undefined;
  /** Starts watching the button. */
  button(handlers: ButtonHandlers): void;
  close(): void;
}

export interface SosHardwareOptions {
  /** Cell voltage / ADC pin voltage. Default 2. */
  batteryDivider?: number;
  /** I2C address of the LIS3DH. Default 0x18. */
  accelAddress?: number;
  longPressMs?: number;
}

export function createSosHardware(hal: Hal, options: SosHardwareOptions = {}): SosHardware {
  const { io, board } = hal.device;
  const { timers, clock } = hal;
  const log = (message: string) => hal.system.log('warn', message);
  const closers: (() => void)[] = [];
  const pin = (name: string) => board.pin[name];
  const activeLow = (name: string) => board.activeLow?.includes(name) ?? false;

  const indicator = (name: string): PatternPlayer | undefined => {
    const number = pin(name);
    if (number === undefined) return undefined;
    const output = new Indicator({ io: io.Digital, pin: number, timers, activeLow: activeLow(name) });
    closers.push(() => output.close());
    return output;
  };

  const longPressMs = options.longPressMs ?? 2000;
  const interrupt = pin('accelInterrupt');
  let accel: LIS3DH | undefined;
  if (board.i2c && io.SMBus) {
    try {
      accel = new LIS3DH({
        sensor: { ...board.i2c, io: io.SMBus, address: options.accelAddress ?? 0x18 },
        ...(interrupt === undefined ? {} : { alert: { io: io.Digital, pin: interrupt }, onAlert: () => hardware.onMotion?.() }),
      });
      const opened = accel;
      closers.push(() => opened.close());
    } catch (error) {
      log(`no accelerometer: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  let gauge: Battery | undefined;
  const batteryPin = pin('battery');
  if (batteryPin !== undefined && io.Analog) {
    try {
      gauge = new Battery({ analog: { io: io.Analog, pin: batteryPin }, dividerRatio: options.batteryDivider ?? 2, window: 4 });
      const opened = gauge;
      closers.push(() => opened.close());
    } catch (error) {
      log(`no battery gauge: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  const hardware: SosHardware = {
    led: indicator('led'),
    buzzer: indicator('buzzer'),
    vibration: indicator('vibration'),
    ...(accel ? { accel } : {}),
    ...(gauge ? { gauge } : {}),
    wakeLine: accel !== undefined && interrupt !== undefined,
    longPressMs,
    onMotion: undefined,
    button(handlers) {
      const number = pin('button');
      if (number === undefined) {
        log('board has no "button" pin');
        return;
      }
      const button = new Button({ io: io.Digital, pin: number, timers, clock, longPressMs, ...handlers });
      closers.push(() => button.close());
    },
    close() {
      for (const close of closers.splice(0).reverse()) {
        try {
          close();
        } catch {
          // Closing one part must not keep the others open.
        }
      }
    },
  };
  return hardware;
}
