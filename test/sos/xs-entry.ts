// The SOS pendant app on the real XS engine (test/sos/xs.test.ts): the app, the runtime, the Button and the
// Indicators over the host-backed HAL's Digital pins; the accelerometer and the battery gauge are stand-ins
// inside XS (the XS HAL proxy has no I2C or ADC), fed by the test.
import { SosButtonApp } from '../../firmware/apps/sos-button/app.js';
import type { SosHardware } from '../../firmware/apps/sos-button/hardware.js';
import { Button } from '../../firmware/io/button.js';
import { Indicator } from '../../firmware/io/indicator.js';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { Hal } from '../../hal/contract/index.js';
import { createHalProxy } from '../support/xs/hal-proxy.js';

let runtime: DeviceRuntime;
let app: SosButtonApp;
const fifo: number[] = [];
let batteryMv = 3900;
let polls = 0;

function hardware(hal: Hal): SosHardware {
  const { Digital } = hal.device.io;
  const { pin } = hal.device.board;
  return {
    led: new Indicator({ io: Digital, pin: pin.led!, timers: hal.timers }),
    buzzer: new Indicator({ io: Digital, pin: pin.buzzer!, timers: hal.timers }),
    accel: {
      configure() {},
      readFifo(into: Int16Array): number {
        polls++;
        const count = Math.min(Math.floor(into.length / 3), fifo.length / 3);
        for (let i = 0; i < count * 3; i++) into[i] = fifo[i]!;
        fifo.splice(0, count * 3);
        return count;
      },
      enableWakeOnMotion() {},
      disableWakeOnMotion() {},
      acknowledgeWake: () => false,
      powerDown() {},
      close() {},
    },
    gauge: { read: () => ({ mv: batteryMv, percent: batteryMv >= 3800 ? 40 : 10 }) },
    wakeLine: false,
    longPressMs: 2000,
    onMotion: undefined,
    button(handlers) {
      new Button({ io: Digital, pin: pin.button!, timers: hal.timers, clock: hal.clock, ...handlers });
    },
    close() {},
  };
}

export function start(): void {
  app = new SosButtonApp({ hardware });
  runtime = new DeviceRuntime({ hal: createHalProxy(), model: 'sos-button', app });
  runtime.start();
}

/** Queues accelerometer samples (x, y, z milli-g) for the next FIFO reads. */
export function feed(samples: number[]): number {
  for (const value of samples) fifo.push(value);
  return fifo.length / 3;
}

export function setBattery(mv: number): void {
  batteryMv = mv;
}

export function snapshot(): Record<string, unknown> {
  return { state: runtime.state, showing: app.showing ?? null, status: app.status(), health: runtime.health(), polls };
}
