// The SOS button app on XS with its own detector (FallDetector; IMPACT_WAKE.detectorOptions on a wake on impact)
// for impact-wake-xs.test.ts. The accelerometer is a stand-in (the XS HAL proxy has no I2C) that plays what the
// LIS3DH would give the driver after an INT1 wake, in time: found running at the sleep rate, the FIFO's history at
// the first read, then, once the app sets 50 Hz, one sample per 20 ms, the oldest overwritten past 32 unread. The
// test computes the samples on Node with the simulated chip and the real driver (scripts/falls/device-view.ts),
// so only the app and the detector run here.
import { ACCEL_SETTINGS } from '../../../firmware/apps/sos-button/fall-watch.js';
import { SosButtonApp } from '../../../firmware/apps/sos-button/app.js';
import { FIFO_DEPTH } from '../../../firmware/drivers/lis3dh/registers.js';
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';
import { sosButtonStandInParts } from '../../support/xs/stand-in-part.js';

const SAMPLE_MS = 1000 / ACCEL_SETTINGS.rateHz;
let app: SosButtonApp;
let history: number[] = [];
let historyRate: number = ACCEL_SETTINGS.rateHz;
let samples: number[] = [];
/** When the app set 50 Hz (the stream after the history starts then). */
let streamingSince: number | undefined;
let historyRead = false;
let delivered = 0;

const parts = sosButtonStandInParts({
  bootRate: () => historyRate,
  configure(clock, rate) {
    if (rate === ACCEL_SETTINGS.rateHz) streamingSince ??= clock.now();
  },
  readFifo(into, clock) {
    if (!historyRead) {
      historyRead = true;
      const count = Math.min(history.length / 3, Math.floor(into.length / 3));
      for (let i = 0; i < count * 3; i++) into[i] = history[i]!;
      streamingSince ??= historyRate === ACCEL_SETTINGS.rateHz ? clock.now() : undefined;
      return count;
    }
    if (streamingSince === undefined) return 0;
    const measured = Math.min(samples.length / 3, Math.floor((clock.now() - streamingSince) / SAMPLE_MS));
    delivered = Math.max(delivered, measured - FIFO_DEPTH); // overwritten before they were read
    const count = Math.min(measured - delivered, Math.floor(into.length / 3));
    for (let i = 0; i < count * 3; i++) into[i] = samples[delivered * 3 + i]!;
    delivered += count;
    return count;
  },
  battery: () => ({ mv: 3900, percent: 40 }),
});

export function start(): void {
  app = new SosButtonApp({ parts: { ...parts, accel: { ...parts.accel!, pins: { interrupt: 'accelInterrupt' } } } });
  new DeviceRuntime({ hal: createHalProxy(), model: 'sos-button', app }).start();
}

/**
 * What the driver reads from the boot on (x, y, z milli-g): the FIFO's content at the wake, measured at
 * `rate`, then the 50 Hz samples after it.
 */
export function feed(trace: { history: number[]; rate: number; after: number[] }): number {
  history = trace.history;
  historyRate = trace.rate;
  samples = trace.after;
  historyRead = false;
  streamingSince = undefined;
  delivered = 0;
  return history.length / 3 + samples.length / 3;
}

/** What the screen shows and the open window's cause (a fall's cancel window: 'fall'). */
export function fallWindow(): { showing: string | null; cause: string | null } {
  const window = app.status().window as { cause?: string } | undefined;
  return { showing: app.showing ?? null, cause: window?.cause ?? null };
}
