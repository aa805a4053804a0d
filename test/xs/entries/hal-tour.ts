// Entry that exercises each part of the host-backed HAL from inside XS.
import type { Hal, TimerId } from '../../../hal/contract/index.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';
import { utf8Decode } from '../../../firmware/lib/utf8.js';

const hal: Hal = createHalProxy();
const fired: string[] = [];
const timers = new Map<string, TimerId>();

export function times(): { mono: number; wall: number; valid: boolean } {
  return { mono: hal.clock.now(), wall: hal.wallClock.now(), valid: hal.wallClock.valid };
}

export function setWall(epochMs: number): void {
  hal.wallClock.set(epochMs);
}

export function startTimer(name: string, ms: number, repeat: boolean): void {
  const callback = () => fired.push(`${name}@${hal.clock.now()}`);
  timers.set(name, repeat ? hal.timers.repeat(callback, ms) : hal.timers.set(callback, ms));
}

export function stopTimer(name: string): void {
  hal.timers.clear(timers.get(name));
}

export function firedTimers(): string[] {
  return fired.splice(0);
}

export function kvRoundTrip(): unknown[] {
  const kv = hal.storage.kv;
  kv.set('tour', 'text', 'hello');
  kv.set('tour', 'count', 42);
  kv.set('tour', 'flag', true);
  kv.set('tour', 'bytes', new Uint8Array([1, 2, 255]).buffer);
  const bytes = kv.get('tour', 'bytes');
  kv.delete('tour', 'flag');
  return [kv.get('tour', 'text'), kv.get('tour', 'count'), kv.get('tour', 'flag') ?? 'absent',
    bytes instanceof ArrayBuffer ? [...new Uint8Array(bytes)] : bytes, kv.keys('tour').sort()];
}

export function kvSet(key: string, value: string): string {
  try {
    hal.storage.kv.set('tour', key, value);
    return 'stored';
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

export function flashNor(): number[] {
  const flash = hal.storage.partition('outbox');
  if (!flash) throw new Error('no outbox partition');
  flash.erase(1);
  flash.write(flash.blockSize, 2, new Uint8Array([0xf0, 0x0f]));
  flash.write(flash.blockSize, 2, new Uint8Array([0x3c, 0xff]));
  return [...new Uint8Array(flash.read(flash.blockSize, 3)), flash.byteLength, hal.storage.partition('none') === undefined ? 1 : 0];
}

const hex = (bytes: Uint8Array) => Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');

export function digests(text: string): { sha: string; hmac: string; random: number } {
  return {
    sha: hex(hal.crypto.sha256(text)),
    hmac: hex(hal.crypto.hmacSha256(new Uint8Array([1, 2, 3]), text)),
    random: hal.crypto.randomBytes(16).length,
  };
}

const mqttLog: string[] = [];

export function mqttConnect(): void {
  hal.mqtt.connect(
    { host: 'broker', port: 1883, clientId: 'tour', keepAliveSeconds: 30, cleanSession: false,
      will: { topic: 'ct/v1/s/d/status', payload: '{"state":"offline"}', qos: 1, retain: true } },
    {
      onConnect: (sessionPresent) => {
        mqttLog.push(`connect ${sessionPresent}`);
        hal.mqtt.subscribe([{ topic: 'ct/v1/s/d/command', qos: 1 }]);
      },
      onClose: (reason) => mqttLog.push(`close ${reason}`),
      onMessage: (topic, payload, retained) => mqttLog.push(`message ${topic} ${utf8Decode(payload)} ${retained}`),
      onPublishAck: (packetId) => mqttLog.push(`puback ${packetId}`),
    },
  );
}

export function mqttPublish(payload: string, qos: 0 | 1): number | string {
  try {
    return hal.mqtt.publish('ct/v1/s/d/event', payload, qos, false);
  } catch (error) {
    return `refused: ${(error as Error).message}`;
  }
}

export function mqttEvents(): string[] {
  return mqttLog.splice(0);
}

export function system(): unknown {
  hal.system.log('info', 'tour says hi');
  hal.system.watchdog.start(5000);
  hal.system.watchdog.feed();
  return { id: hal.system.hardwareId, fw: hal.system.firmwareVersion, reset: hal.system.resetReason(), heap: hal.system.freeHeap() };
}

const edges: number[] = [];
let button: { read(): 0 | 1; close(): void } | undefined;

export function watchButton(pin: number): void {
  const { Digital } = hal.device.io;
  button = new Digital({ pin, mode: Digital.InputPullUp, edge: Digital.Falling, onReadable() { edges.push(this.read()); } });
}

export function buttonEdges(): number[] {
  return edges.splice(0);
}

export function readButton(): number {
  if (!button) throw new Error('no button');
  return button.read();
}
