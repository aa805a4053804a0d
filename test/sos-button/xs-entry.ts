// The SOS button app on the real XS engine (test/sos-button/xs.test.ts): the app, the runtime, the button, LED
// and buzzer parts over the host-backed HAL's Digital pins; the accelerometer and the battery gauge are stand-ins
// inside XS (the XS HAL proxy has no I2C or ADC), fed by the test.
import { SosButtonApp } from '../../firmware/apps/sos-button/app.js';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import { createHalProxy } from '../support/xs/hal-proxy.js';
import { sosButtonStandInParts } from '../support/xs/stand-in-part.js';

let runtime: DeviceRuntime;
let app: SosButtonApp;
const fifo: number[] = [];
let batteryMv = 3900;
let polls = 0;

const parts = sosButtonStandInParts({
  readFifo(into) {
    polls++;
    const count = Math.min(Math.floor(into.length / 3), fifo.length / 3);
    for (let i = 0; i < count * 3; i++) into[i] = fifo[i]!;
    fifo.splice(0, count * 3);
    return count;
  },
  battery: () => ({ mv: batteryMv, percent: batteryMv >= 3800 ? 40 : 10 }),
});

export function start(): void {
  app = new SosButtonApp({ parts });
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
