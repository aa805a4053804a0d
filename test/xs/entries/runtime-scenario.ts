// The whole device runtime on XS over the host-backed HAL: boot, connect, birth, commands, events, reconnect.
import { DeviceRuntime } from '../../../firmware/runtime/device-runtime.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';

let runtime: DeviceRuntime;

export function start(): void {
  runtime = new DeviceRuntime({
    hal: createHalProxy(),
    model: 'xs-probe',
    app: { commands: { 'probe.echo': { run: (args) => ({ code: 'ok', data: args }) } } },
  });
  runtime.start();
}

export function snapshot(): { state: string; boot: number; reconnects: number; health: Record<string, unknown> } {
  return { state: runtime.state, boot: runtime.boot, reconnects: runtime.reconnects, health: runtime.health() };
}

export function emit(type: string, data: Record<string, unknown>): number {
  return runtime.emit(type, data);
}
