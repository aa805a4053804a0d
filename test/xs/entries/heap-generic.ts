// Heap bench (scripts/bench/heap.ts): the generic device — the runtime with no app — on the device's own MQTT
// client (heap-common.ts).
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { benchHal } from './heap-common.js';

export { deliver } from './heap-common.js';

let runtime: DeviceRuntime | undefined;

export function start(): void {
  runtime = new DeviceRuntime({ hal: benchHal(), model: 'generic' });
  runtime.start();
}

/** An app event, as a device app would queue one. */
export function emit(type: string, data: Record<string, unknown>): number {
  return runtime!.emit(type, data);
}

export function state(): string {
  return runtime!.state;
}
