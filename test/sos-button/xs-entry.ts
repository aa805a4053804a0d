// The SOS button app on the real XS engine (test/sos-button/xs.test.ts): the app, the runtime, the button, LED
// and buzzer parts over the host-backed HAL's Digital pins; the accelerometer and the battery gauge are stand-ins
// inside XS (the XS HAL proxy has no I2C or ADC), fed by the test. With `impactLine` the stand-in accelerometer's
// INT1 is on the board's accelInterrupt pin (wake on impact, impact-wake-xs.test.ts) and the detector is a stand-in
// that alerts on the first sample at the shipped detector's candidate threshold.
import { SosButtonApp } from '../../firmware/apps/sos-button/app.js';
import { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import { impactDefaults } from '../../firmware/sensing/impact-features.js';
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

/** Alerts once on the first sample at 1.6 g or more. */
function standInDetector() {
  let alerted = false;
  return {
    push(x: number, y: number, z: number) {
      const mg = Math.sqrt(x * x + y * y + z * z);
      if (alerted || mg < impactDefaults.impactMg) return undefined;
      alerted = true;
      return { score: 1, peakMg: Math.round(mg), angleDeg: 80, stillMg: 20 };
    },
  };
}

export function start(options: { impactLine?: boolean } = {}): void {
  app = options.impactLine
    ? new SosButtonApp({ parts: { ...parts, accel: { ...parts.accel!, pins: { interrupt: 'accelInterrupt' } } }, detector: standInDetector })
    : new SosButtonApp({ parts });
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
