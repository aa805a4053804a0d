// Simulated devices with two firmware slots (factory image 1.0.0) on the platform rig's broker, for the update job
// tests: a fleet owns a test's rig and devices, and stops them all after each test.
import { afterEach } from '@jest/globals';
import type { DeviceApp } from '../../firmware/runtime/device-runtime.js';
import { SimDevice } from '../../simulator/device.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import { FIRMWARE_KEY } from '../lifecycle/ota-rig.js';
import { Rig, SPEED } from './rig.js';

/** Device clocks run SPEED times faster than the platform's: a command's exp must allow for it. */
export const OTA_JOB_OPTIONS = Object.freeze({ ttlMs: 600_000, outcomeMs: 15_000 });

/**
 * A booted device added to `devices`; `badFrom`: its app throws at start from that version on (why: `reason`);
 * `record`: the device records its traffic.
 */
export function slottedDevice(r: Rig, id: string, devices: SimDevice[], options: { badFrom?: string; reason?: string; record?: boolean } = {}): SimDevice {
  let self: SimDevice | undefined;
  const app = (): DeviceApp => ({
    start() {
      if (options.badFrom !== undefined && self?.image?.image.version === options.badFrom) throw new Error(options.reason ?? 'not supported on this unit');
    },
  });
  const d = new SimDevice({
    kind: genericKind, index: devices.length + 1,
    provisioning: { site: r.site, device: id, host: '127.0.0.1', port: r.broker.port },
    clock: { mode: 'real', speed: SPEED }, ...(options.record ? { record: true } : {}),
    firmware: { version: '1.0.0', behaviour: 'ok' }, firmwareKey: FIRMWARE_KEY, app,
  });
  self = d;
  devices.push(d);
  return d.boot();
}

/** A test file's rig and devices, stopped after each test; `options` apply to every device it makes. */
export class SlottedFleet {
  readonly #devices: SimDevice[] = [];
  #rig: Rig | undefined;

  constructor(readonly options: { reason?: string; record?: boolean } = {}) {
    afterEach(() => this.stop());
  }

  /** This test's rig (not started). */
  rig(): Rig {
    this.#rig = new Rig();
    return this.#rig;
  }

  device(r: Rig, id: string, badFrom?: string): SimDevice {
    return slottedDevice(r, id, this.#devices, { ...this.options, badFrom });
  }

  async stop(): Promise<void> {
    for (const device of this.#devices.splice(0)) device.stop();
    await this.#rig?.stop();
    this.#rig = undefined;
  }
}
