// The JSON spoken between the host-backed HAL inside XS (hal-proxy.ts) and its Node side (host-hal.ts).
// XS → host: `issueCommand(JSON request)` → JSON reply, synchronously. Host → XS: one JSON event per
// `handleCommand` crank (timer fired, MQTT traffic, input edge), delivered only while the worker is idle.
// Bytes travel as base64 (xsnap has a native Base64, so encoding costs XS almost no computrons).
import type { Board, DeepSleepOptions, MqttConnectOptions, QoS, ResetReason, WakeCause } from '../../../hal/contract/index.js';

/** A StoredValue on the wire: ArrayBuffers become `{ $bytes: base64 }`. */
export type WireStoredValue = string | number | boolean | { $bytes: string };

/** Text, or bytes as base64. */
export type WireData = { text: string } | { bytes: string };

export type HalRequest =
  | { op: 'hal.init' }
  | { op: 'clock.now' }
  | { op: 'wall.get' }
  | { op: 'wall.set'; epochMs: number }
  | { op: 'timer.set'; ms: number; repeat: boolean }
  | { op: 'timer.clear'; id: number }
  | { op: 'kv.get'; domain: string; key: string }
  | { op: 'kv.set'; domain: string; key: string; value: WireStoredValue }
  | { op: 'kv.delete'; domain: string; key: string }
  | { op: 'kv.keys'; domain: string }
  | { op: 'flash.read'; name: string; offset: number; byteLength: number }
  | { op: 'flash.write'; name: string; offset: number; byteLength: number; data: string }
  | { op: 'flash.erase'; name: string; block: number }
  | { op: 'crypto.sha256'; data: WireData }
  | { op: 'crypto.hmac'; key: string; data: WireData }
  | { op: 'crypto.random'; count: number }
  | { op: 'mqtt.connect'; options: MqttConnectOptions }
  | { op: 'mqtt.publish'; topic: string; payload: string; qos: QoS; retain: boolean }
  | { op: 'mqtt.subscribe'; filters: { topic: string; qos: QoS }[] }
  | { op: 'mqtt.close' }
  | { op: 'sys.restart' }
  | { op: 'sys.watchdog'; action: 'start' | 'feed' | 'stop'; timeoutMs?: number }
  | { op: 'sys.freeHeap' }
  | { op: 'sys.log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { op: 'sys.deepSleep'; options: DeepSleepOptions }
  | { op: 'digital.open'; pin: number; mode: number; edge: number }
  | { op: 'digital.read'; id: number }
  | { op: 'digital.write'; id: number; value: 0 | 1 }
  | { op: 'digital.close'; id: number }
  /** A test-specific host handler (`hostHandlers[name]`). */
  | { op: 'host'; name: string; payload: unknown };

export type HalReply = { ok: true; value?: unknown } | { ok: false; error: string };

export interface HalInit {
  board: Board;
  hardwareId: string;
  firmwareVersion: string;
  resetReason: ResetReason;
  /** Whether the host's System offers deepSleep, and what woke this boot from it. */
  deepSleep: boolean;
  wakeCause?: WakeCause;
  partitions: { name: string; byteLength: number; blockSize: number }[];
}

export type HalEvent =
  | { event: 'timer'; id: number }
  /** `conn` is the connection number mqtt.connect returned; events of an older connection are ignored. */
  | { event: 'mqtt.connect'; conn: number; sessionPresent: boolean }
  | { event: 'mqtt.close'; conn: number; reason: string }
  /** `payload`: the PUBLISH's bytes as base64 (they need not be UTF-8). */
  | { event: 'mqtt.message'; conn: number; topic: string; payload: string; retained: boolean }
  | { event: 'mqtt.puback'; conn: number; packetId: number }
  | { event: 'digital.readable'; id: number };
