// npm run bench:heap — what each device app keeps in the XS heap at steady state, on the real XS engine.
//
// Each app (generic, door reader with 100,000 credentials open, SOS button with fall detection running) boots in
// xsnap over the host-backed HAL, on the device's own MQTT client (firmware/net/mqtt MqttClient) whose socket
// pipes to a scripted broker on the host (test/xs/entries/heap-common.ts): CONNECT → CONNACK, SUBSCRIBE →
// SUBACK, QoS 1 PUBLISH → PUBACK, PINGREQ → PINGRESP, and the bench injects PUBLISH packets (commands, desired
// config, alarm updates) encoded with firmware/net/mqtt/packet.ts. It then runs through connected → events →
// commands → a health cycle (→ an alarm, SOS button) → steady, and measures the heap after each phase.
//
// Measuring: after each phase xsnap writes a heap snapshot (its `w` command: a full collection first), and the
// bench reads the snapshot's sections: HEAP holds every live slot, BLOC every live chunk (with its header), and
// each slot's kind tells what its chunk is. xsnap reports no chunk total per crank (its meter has only
// `currentHeapCount`, slots in use, and `allocate`, the blocks taken from the system), hence the snapshot.
// Every figure is the excess over the baseline: the same worker right after the bundle loaded (XS built-ins, all
// module code and module top levels: on the device those are preloaded into flash), so it is the app's RAM.
//
//   slot_bytes   live slots × 32 (sizeof(txSlot) in the 64-bit xsnap)
//   chunk_bytes  live chunk bytes as xsnap lays them out (16-byte header each, 8-byte alignment), without
//                function bytecode: xsnap runs source, so every closure made at run time gets a copy of its
//                bytecode in the chunk heap; the device runs preloaded code from flash (XS_CODE_X) and copies none
//   est_esp32_bytes  the same heap at the ESP32's 32-bit layout: slots × 16, chunk headers 8, arrays' element
//                slots 16 each, Map/Set tables 4 bytes an entry, other chunk bytes (strings, ArrayBuffers,
//                bigints) as measured
//   peak_*       the largest figure over the points measured (after each phase, after a collection); not the
//                high-water mark inside a crank, which xsnap does not report
//   max_est_esp32_kb  the largest est_esp32_bytes of the apps, in KiB (one decimal)
//
// Not in the estimate: the XS stack (creation.stack slots, 768 × 16 B = 12 KB on the device) and the key table
// (creation.keys pointers), both fixed at creation; the Moddable binding's own objects (hal/moddable: timers,
// Digital, flash, preference, the SDK's TCP socket and DNS resolver) and native memory (lwIP buffers, Wi-Fi,
// ESP-IDF), which xsnap replaces by the host-backed HAL proxy (made while the bundle loads, so in the baseline);
// string literals, which xsnap copies into chunks when code stores them and the device reads from flash (so
// chunks are over-counted there, never under); the drivers that need SPI, UART or I2C (MFRC522, QR scanner,
// LIS3DH: stand-ins feed their data); objects made at load that the app writes to later (on the device XS copies a
// preloaded object into RAM at its first write; here it stays in the baseline; the firmware keeps next to no
// mutable module state); a TLS device's CA certificate (the runtime keeps its DER, about 1 KB, from provisioning;
// the bench provisions plain MQTT to a loopback broker); and TLS. xsnap has no TLS stack, so no TLS connect runs
// here: the SDK's TLS handshake is budgeted as the constant TLS_HANDSHAKE_ESP32_BYTES (unmeasured, from issue 14:
// 30–40 KB) and printed with --detail.
//
// Options: --app NAME (repeatable; default all), --detail (a breakdown per measured point, and the TLS reserve).
import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDoorKeys } from '../../firmware/apps/door-reader/door-keys.js';
import { CredentialStore, writeCredentialKeys } from '../../firmware/apps/door-reader/credentials/index.js';
import { encodePublish } from '../../firmware/net/mqtt/packet.js';
import { PROTOCOL_VERSION } from '../../firmware/protocol/messages.js';
import { topicFor, type Channel } from '../../firmware/protocol/topics.js';
import { writeProvisioning } from '../../firmware/runtime/provisioning.js';
import { COMMAND_KEY, HASH_KEY, writeSiteKey } from '../../firmware/identity/site-keys.js';
import { simDoorReader } from '../../hal/boards/sim-door-reader.js';
import { simKiosk } from '../../hal/boards/sim-kiosk.js';
import { simSmartBin } from '../../hal/boards/sim-smart-bin.js';
import { simSosButton } from '../../hal/boards/sim-sos-button.js';
import { createHostCrypto } from '../../hal/host/crypto.js';
import { createHostStorage, type HostStorage } from '../../hal/host/storage/index.js';
import { cards, digest, playSync, PROFILES, SITE_KEYS, uid } from '../../test/support/door-reader/credential-device.js';
import { XsSession } from '../../test/support/xs/session.js';
import type { TestHalOptions } from '../../test/support/xs/test-hal.js';
import { killAllWorkers } from '../../test/support/xs/xsnap.js';
import { signCommand } from '../door/visitor-pass.js';
import { encodeList, snapshotSync } from '../platform/credential-encoder.js';

/** The SDK's TLS handshake on the ESP32, budgeted (not measured: xsnap has no TLS). Issue 14 says 30–40 KB. */
export const TLS_HANDSHAKE_ESP32_BYTES = 40 * 1024;
/** Budget of issue 14, per app at steady state (ESP32 estimate). */
export const STEADY_BUDGET_BYTES = 64 * 1024;

// ---- the heap snapshot ----

/** xsnap (64-bit) and ESP32 (32-bit) layouts. */
const HOST_SLOT = 32;
const HOST_CHUNK_HEADER = 16;
const ESP32_SLOT = 16;
const ESP32_CHUNK_HEADER = 8;
/** Slot kinds (xsAll.h, XS 13) whose chunk is an array of slots, a table of pointers, or bytecode. */
const KIND = { ARGUMENTS_SLOPPY: 14, ARGUMENTS_STRICT: 15, ARRAY: 16, CODE: 19, GLOBAL: 25, MAP: 27, SET: 33, STACK: 47 } as const;
const SLOT_ARRAY_KINDS: ReadonlySet<number> = new Set([KIND.ARGUMENTS_SLOPPY, KIND.ARGUMENTS_STRICT, KIND.ARRAY, KIND.STACK]);
const TABLE_KINDS: ReadonlySet<number> = new Set([KIND.GLOBAL, KIND.MAP, KIND.SET]);

/** One heap snapshot, summed. Chunk figures are bytes at xsnap's layout, headers included. */
export interface HeapCensus {
  slots: number;
  chunks: number;
  /** Chunks of bytecode (a closure's copy of its function's code). */
  codeBytes: number;
  /** Chunks that hold slots: array elements, arguments. */
  slotArrayBytes: number;
  /** Map, Set and global tables (pointers). */
  tableBytes: number;
  /** Everything else: strings, ArrayBuffers, bigints, host data. */
  dataBytes: number;
  /** Chunk bytes without bytecode, at the ESP32's layout. */
  esp32ChunkBytes: number;
  /** Entries in the key table (property names and symbols known to the machine). */
  keys: number;
}

/** Reads an xsnap snapshot (xsSnapshot.c fxWriteSnapshot): atoms of [size u32 BE][tag 4][body]. */
export function censusOf(snapshot: Buffer): HeapCensus {
  if (snapshot.toString('latin1', 4, 8) !== 'XS_M') throw new Error('not an XS snapshot');
  const atoms = new Map<string, Buffer>();
  for (let at = 8; at + 8 <= snapshot.length; ) {
    const size = snapshot.readUInt32BE(at);
    if (size < 8 || at + size > snapshot.length) throw new Error(`snapshot: bad atom size ${size} at ${at}`);
    atoms.set(snapshot.toString('latin1', at + 4, at + 8), snapshot.subarray(at + 8, at + size));
    at += size;
  }
  const version = atoms.get('VERS');
  const heap = atoms.get('HEAP');
  const chunks = atoms.get('BLOC');
  const keys = atoms.get('KEYS');
  if (!version || !heap || !chunks || !keys) throw new Error('snapshot: VERS, HEAP, BLOC or KEYS missing');
  if (version[3] !== HOST_SLOT) throw new Error(`snapshot: ${version[3]}-byte slots; the bench reads xsnap's 64-bit layout`);
  if (heap.length % HOST_SLOT !== 0) throw new Error('snapshot: HEAP is not whole slots');

  // Which chunk each slot owns, by the chunk's offset in BLOC (fxProjectChunk: offset + header size). Slots on the
  // stack and inside arrays own strings and other data only, so chunks no heap slot claims count as data.
  const owner = new Map<number, number>();
  for (let at = 0; at < heap.length; at += HOST_SLOT) {
    const kind = heap.readInt8(at + 8);
    if (kind === KIND.CODE || SLOT_ARRAY_KINDS.has(kind) || TABLE_KINDS.has(kind)) {
      const address = Number(heap.readBigUInt64LE(at + 16));
      if (address !== 0) owner.set(address - HOST_CHUNK_HEADER, kind);
    }
  }
  const census: HeapCensus = {
    slots: heap.length / HOST_SLOT, chunks: 0, codeBytes: 0, slotArrayBytes: 0, tableBytes: 0, dataBytes: 0, esp32ChunkBytes: 0,
    keys: keys.length / 8,
  };
  for (let at = 0; at < chunks.length; ) {
    const size = chunks.readUInt32LE(at) & 0x7fff_ffff;
    if (size < HOST_CHUNK_HEADER || at + size > chunks.length) throw new Error(`snapshot: bad chunk size ${size} at ${at}`);
    const payload = size - HOST_CHUNK_HEADER;
    const kind = owner.get(at);
    census.chunks++;
    if (kind === KIND.CODE) census.codeBytes += size;
    else if (kind !== undefined && SLOT_ARRAY_KINDS.has(kind)) {
      census.slotArrayBytes += size;
      census.esp32ChunkBytes += ESP32_CHUNK_HEADER + (payload / HOST_SLOT) * ESP32_SLOT;
    } else if (kind !== undefined && TABLE_KINDS.has(kind)) {
      census.tableBytes += size;
      census.esp32ChunkBytes += ESP32_CHUNK_HEADER + payload / 2;
    } else {
      census.dataBytes += size;
      census.esp32ChunkBytes += ESP32_CHUNK_HEADER + payload;
    }
    at += size;
  }
  return census;
}

/** One measured point, as the excess over the baseline. */
export interface HeapPoint {
  phase: string;
  slotBytes: number;
  chunkBytes: number;
  estEsp32Bytes: number;
  /** The parts, for --detail. */
  slots: number;
  codeBytes: number;
  slotArrayBytes: number;
  tableBytes: number;
  dataBytes: number;
  keys: number;
}

function excess(phase: string, now: HeapCensus, base: HeapCensus): HeapPoint {
  const slots = now.slots - base.slots;
  const slotArrayBytes = now.slotArrayBytes - base.slotArrayBytes;
  const tableBytes = now.tableBytes - base.tableBytes;
  const dataBytes = now.dataBytes - base.dataBytes;
  return {
    phase, slots, slotBytes: slots * HOST_SLOT, chunkBytes: slotArrayBytes + tableBytes + dataBytes,
    estEsp32Bytes: slots * ESP32_SLOT + (now.esp32ChunkBytes - base.esp32ChunkBytes),
    codeBytes: now.codeBytes - base.codeBytes, slotArrayBytes, tableBytes, dataBytes, keys: now.keys - base.keys,
  };
}

async function census(xs: XsSession): Promise<HeapCensus> {
  await xs.flush();
  const file = join(tmpdir(), `heap-bench-${process.pid}-${randomUUID()}.xss`);
  try {
    await xs.worker.snapshot(file);
    return censusOf(readFileSync(file));
  } finally {
    rmSync(file, { force: true });
  }
}

// ---- the broker ----

interface Received {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/**
 * A minimal MQTT 3.1.1 broker for one device, on the host: it reads what the device's client writes and answers
 * at once. Its state lives here, outside the measured heap.
 */
export class BenchBroker {
  readonly published: Received[] = [];
  connects = 0;
  subscriptions = 0;
  pings = 0;
  /** PUBACKs the device sent for the QoS 1 messages we injected. */
  acks = 0;
  #buffers = new Map<number, Buffer>();
  #nextConnection = 1;
  #current: number | undefined;
  #packetId = 0;

  readonly handlers = {
    'broker.open': () => this.#open(),
    'broker.write': (payload: unknown) => {
      const { id, bytes } = payload as { id: number; bytes: string };
      return this.#write(id, Buffer.from(bytes, 'base64')).toString('base64');
    },
    'broker.close': (payload: unknown) => {
      const { id } = payload as { id: number };
      this.#buffers.delete(id);
      if (this.#current === id) this.#current = undefined;
      return null;
    },
  };

  get connected(): boolean {
    return this.#current !== undefined;
  }

  /** A QoS 1 PUBLISH from the broker, as base64 for the entry's deliver(). */
  packet(topic: string, payload: string, retain = false): string {
    this.#packetId = this.#packetId === 65_535 ? 1 : this.#packetId + 1;
    return Buffer.from(encodePublish(Buffer.from(topic), Buffer.from(payload), 1, retain, this.#packetId)).toString('base64');
  }

  on(channel: string): Received[] {
    return this.published.filter((message) => message.topic.endsWith(`/${channel}`));
  }

  #open(): number {
    const id = this.#nextConnection++;
    this.#buffers.set(id, Buffer.alloc(0));
    this.#current = id;
    return id;
  }

  #write(id: number, bytes: Buffer): Buffer {
    let buffer = Buffer.concat([this.#buffers.get(id) ?? Buffer.alloc(0), bytes]);
    const answers: Buffer[] = [];
    for (;;) {
      let length = 0;
      let at = 1;
      for (let multiplier = 1; ; multiplier *= 128, at++) {
        if (at >= buffer.length) break;
        length += (buffer[at]! & 0x7f) * multiplier;
        if ((buffer[at]! & 0x80) === 0) break;
      }
      if (at >= buffer.length || buffer.length < at + 1 + length) break;
      const body = buffer.subarray(at + 1, at + 1 + length);
      const answer = this.#packet(id, buffer[0]!, body);
      if (answer) answers.push(answer);
      buffer = buffer.subarray(at + 1 + length);
    }
    if (this.#buffers.has(id)) this.#buffers.set(id, buffer);
    return Buffer.concat(answers);
  }

  #packet(id: number, first: number, body: Buffer): Buffer | undefined {
    switch (first >> 4) {
      case 1: // CONNECT
        this.connects++;
        return Buffer.from([0x20, 2, 0, 0]);
      case 3: { // PUBLISH
        const qos = (first >> 1) & 3;
        const topicLength = body.readUInt16BE(0);
        const topic = body.toString('utf8', 2, 2 + topicLength);
        const packetId = qos ? body.readUInt16BE(2 + topicLength) : 0;
        const payload = body.toString('utf8', 2 + topicLength + (qos ? 2 : 0));
        this.published.push({ topic, payload, qos, retain: (first & 1) === 1 });
        return qos ? Buffer.from([0x40, 2, packetId >> 8, packetId & 0xff]) : undefined;
      }
      case 4: // PUBACK
        this.acks++;
        return undefined;
      case 8: { // SUBSCRIBE
        const granted: number[] = [];
        for (let at = 2; at < body.length; ) {
          const length = body.readUInt16BE(at);
          granted.push(Math.min(body[at + 2 + length]!, 1));
          at += 2 + length + 1;
        }
        this.subscriptions += granted.length;
        return Buffer.from([0x90, 2 + granted.length, body[0]!, body[1]!, ...granted]);
      }
      case 12: // PINGREQ
        this.pings++;
        return Buffer.from([0xd0, 0]);
      case 14: // DISCONNECT
        this.#buffers.delete(id);
        if (this.#current === id) this.#current = undefined;
        return undefined;
      default:
        throw new Error(`broker: unexpected packet type ${first >> 4} from the device`);
    }
  }
}

// ---- the apps and their steady state ----

interface Bench {
  xs: XsSession;
  broker: BenchBroker;
  address: { site: string; device: string };
}

interface AppSpec {
  name: string;
  entry: string;
  hostOptions(): TestHalOptions;
  /** Phases after start() and the broker's CONNACK, in order; the heap is measured after each. */
  phases: [string, (bench: Bench) => Promise<void>][];
}

const SITE = 'site-1';

async function inject(bench: Bench, channel: Channel, message: object, retain = false): Promise<void> {
  const packet = bench.broker.packet(topicFor(bench.address, channel), JSON.stringify(message), retain);
  const delivered = (await bench.xs.call<boolean>('deliver', packet)).value;
  if (!delivered) throw new Error(`bench: no connection to deliver ${channel} to (device is ${(await bench.xs.call('state')).value})`);
}

async function command(bench: Bench, reqId: string, name: string, args?: Record<string, unknown>): Promise<void> {
  const exp = bench.xs.host.clock.wallClock.now() + 600_000;
  await inject(bench, 'command', { v: PROTOCOL_VERSION, msg: 'command', reqId, name, exp, ...(args ? { args } : {}) });
}

function expectResults(bench: Bench, expected: string[]): void {
  const results = bench.broker.on('result').map((message) => {
    const result = JSON.parse(message.payload) as { reqId: string; code: string };
    return `${result.reqId}:${result.code}`;
  });
  if (JSON.stringify(results) !== JSON.stringify(expected))
    throw new Error(`bench: results ${JSON.stringify(results)}, expected ${JSON.stringify(expected)}`);
}

function expectSome(bench: Bench, channel: string, atLeast: number): void {
  const count = bench.broker.on(channel).length;
  if (count < atLeast) throw new Error(`bench: ${count} ${channel} message(s), expected at least ${atLeast}`);
}

/** Steps the clock in slices, so a long advance fires the device's timers as the chip would. */
async function run(bench: Bench, ms: number, slice = 1000): Promise<void> {
  for (let t = 0; t < ms; t += slice) await bench.xs.advance(Math.min(slice, ms - t));
}

/** Commands every app answers, and a desired configuration; then results are checked by the caller. */
async function runtimeCommands(bench: Bench): Promise<void> {
  await command(bench, 'c-1', 'ping');
  await command(bench, 'c-2', 'health.get');
  await command(bench, 'c-3', 'config.get');
  await command(bench, 'c-4', 'no.such.command');
  await inject(bench, 'command', { v: 1, msg: 'command', reqId: 'c-5' }); // malformed: invalid
  await inject(bench, 'config/desired', { v: 1, msg: 'config.desired', version: 2, config: { healthIntervalS: 300 } }, true);
  await run(bench, 2000);
}

const RUNTIME_RESULTS = ['c-1:ok', 'c-2:ok', 'c-3:ok', 'c-4:unsupported', 'c-5:invalid'];

/** A health cycle (healthIntervalS = 300) and a little more. */
async function healthCycle(bench: Bench): Promise<void> {
  const before = bench.broker.on('telemetry').length;
  await run(bench, 305_000);
  if (bench.broker.on('telemetry').length <= before) throw new Error('bench: no health telemetry in a health cycle');
}

const GENERIC: AppSpec = {
  name: 'generic',
  entry: 'test/xs/entries/heap-generic.ts',
  hostOptions: () => ({ wallTimeMs: Date.UTC(2026, 0, 9, 9, 0), wallTimeValid: true }),
  phases: [
    ['connected', (bench) => run(bench, 2000)],
    ['events', async (bench) => {
      for (let i = 0; i < 10; i++) await bench.xs.call('emit', 'probe.reading', { n: i, value: 20 + i / 10 });
      await run(bench, 2000);
      expectSome(bench, 'event', 10);
    }],
    ['commands', async (bench) => {
      await runtimeCommands(bench);
      expectResults(bench, RUNTIME_RESULTS);
    }],
    ['health', healthCycle],
    ['steady', (bench) => run(bench, 60_000)],
  ],
};

const DOOR_CREDENTIALS = 100_000;
/** Per slot: 100k credentials + 10k PIN entries + profiles need about 1.42 MB (as in bench:door). */
const DOOR_SLOT_BYTES = 1536 * 1024;
const DOOR_KEYS = { passKey: digest('bench pass key'), passKeyId: 3, commandKey: digest('bench command key') };

/** The platform's sync package for the list: made once per process (about 5 s), played into fresh flash per run. */
let doorSync: ReturnType<typeof snapshotSync> | undefined;

function doorStorage(): HostStorage {
  const storage = createHostStorage({ partitions: { outbox: 64 * 4096, credA: DOOR_SLOT_BYTES, credB: DOOR_SLOT_BYTES } });
  writeCredentialKeys(storage.kv, SITE_KEYS);
  writeDoorKeys(storage.kv, DOOR_KEYS);
  const store = new CredentialStore({ storage, crypto: createHostCrypto() });
  doorSync ??= snapshotSync(SITE_KEYS, encodeList(SITE_KEYS, 1, cards(DOOR_CREDENTIALS), PROFILES));
  const last = playSync(store, doorSync).at(-1)!;
  if (last.status !== 'done') throw new Error(`bench: credential sync failed: ${JSON.stringify(last)}`);
  return storage;
}

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

const DOOR_READER: AppSpec = {
  name: 'door-reader',
  entry: 'test/xs/entries/heap-door-reader.ts',
  // Day 2200 of the list (2026-01-09), 10:00 local: credentials 0..99,999 are valid (cards() in credential-device).
  hostOptions: () => ({ storage: doorStorage(), board: simDoorReader, wallTimeMs: Date.UTC(2026, 0, 9, 9, 0), wallTimeValid: true }),
  phases: [
    ['connected', async (bench) => {
      await run(bench, 2000);
      const credentials = (await bench.xs.call<{ count?: number }>('credentials')).value;
      if (credentials?.count !== DOOR_CREDENTIALS) throw new Error(`bench: the door sees ${JSON.stringify(credentials)}`);
    }],
    ['events', async (bench) => {
      // Granted (profile 0, no PIN), unknown, revoked, wrong door (profile 1), card + PIN, an unreadable QR code.
      for (const secret of [uid(3), digest('stranger').subarray(0, 7), uid(7), uid(4), uid(6)]) {
        await bench.xs.call('card', hex(secret));
        await run(bench, 6000);
      }
      await bench.xs.call('card', hex(uid(30)));
      await bench.xs.call('keys', '1030#');
      await run(bench, 6000);
      await bench.xs.call('qr', 'NOT-A-PASS');
      await run(bench, 6000);
      expectSome(bench, 'event', 7);
    }],
    ['commands', async (bench) => {
      await runtimeCommands(bench);
      const exp = bench.xs.host.clock.wallClock.now() + 600_000;
      const sig = signCommand(DOOR_KEYS.commandKey, 'door.unlock', 'd-1', exp, 0);
      await inject(bench, 'command', { v: 1, msg: 'command', reqId: 'd-1', name: 'door.unlock', exp, args: { door: 0, sig } });
      const forged = '0'.repeat(64);
      await inject(bench, 'command', { v: 1, msg: 'command', reqId: 'd-2', name: 'door.unlock', exp, args: { door: 0, sig: forged } });
      await command(bench, 'd-3', 'cred.sync.status');
      await run(bench, 6000);
      expectResults(bench, [...RUNTIME_RESULTS, 'd-1:ok', 'd-2:invalid', 'd-3:ok']);
    }],
    ['health', healthCycle],
    ['steady', (bench) => run(bench, 60_000)],
  ],
};

async function press(bench: Bench): Promise<void> {
  const button = bench.xs.host.io.pin(simSosButton.pin.button!);
  button.setInput(0);
  await run(bench, 200, 100);
  button.setInput(undefined);
}

async function alarmUpdate(bench: Bench, cause: string, state: string): Promise<void> {
  type Raised = { type: string; data: { alarmId: string; cause: string } };
  const raised = bench.broker.on('event').map((message) => JSON.parse(message.payload) as Raised)
    .filter((event) => event.type === 'alarm.raised' && event.data.cause === cause);
  if (raised.length !== 1) throw new Error(`bench: ${raised.length} alarm.raised events with cause ${cause}`);
  const ts = bench.xs.host.clock.wallClock.now();
  await inject(bench, 'alarm', { v: 1, msg: 'alarm', alarmId: raised[0]!.data.alarmId, state, ts }, true);
}

const SOS_BUTTON: AppSpec = {
  name: 'sos-button',
  entry: 'test/xs/entries/heap-sos-button.ts',
  hostOptions: () => ({ board: simSosButton, wallTimeMs: Date.UTC(2026, 0, 9, 9, 0), wallTimeValid: true }),
  phases: [
    ['connected', (bench) => run(bench, 2000, 500)],
    ['commands', async (bench) => {
      await runtimeCommands(bench);
      await command(bench, 's-1', 'sos-button.status');
      await run(bench, 1000, 500);
      expectResults(bench, [...RUNTIME_RESULTS, 's-1:ok']);
    }],
    // The button: confirmation, alarm.raised, the platform accepts; the alarm keeps the radio up meanwhile.
    ['events', async (bench) => {
      await press(bench);
      await run(bench, 4000, 500);
      await alarmUpdate(bench, 'button', 'accepted');
      await run(bench, 2000, 500);
    }],
    ['health', healthCycle],
    // The alarm is resolved, the radio goes to sleep; then a fall: cancel window, alarm, accepted, resolved.
    ['alarm', async (bench) => {
      await alarmUpdate(bench, 'button', 'resolved');
      await run(bench, 20_000, 500);
      await bench.xs.call('fall');
      await run(bench, 50_000, 500);
      await alarmUpdate(bench, 'fall', 'accepted');
      await run(bench, 5000, 500);
      await alarmUpdate(bench, 'fall', 'resolved');
      await run(bench, 5000, 500);
    }],
    ['steady', (bench) => run(bench, 60_000, 500)],
  ],
};

const BIN_COMMAND_KEY = digest('bench bin command key');

function binStorage(): HostStorage {
  const storage = createHostStorage({ partitions: { outbox: 64 * 4096 } });
  writeSiteKey(storage.kv, HASH_KEY, SITE_KEYS.hashKey);
  writeSiteKey(storage.kv, COMMAND_KEY, BIN_COMMAND_KEY);
  return storage;
}

const SMART_BIN: AppSpec = {
  name: 'smart-bin',
  entry: 'test/xs/entries/heap-smart-bin.ts',
  hostOptions: () => ({ storage: binStorage(), board: simSmartBin, wallTimeMs: Date.UTC(2026, 0, 9, 9, 0), wallTimeValid: true }),
  phases: [
    ['connected', (bench) => run(bench, 2000, 500)],
    ['commands', async (bench) => {
      await runtimeCommands(bench);
      await command(bench, 'b-1', 'smart-bin.status');
      await command(bench, 'b-2', 'smart-bin.measure');
      const exp = bench.xs.host.clock.wallClock.now() + 600_000;
      const sig = signCommand(BIN_COMMAND_KEY, 'smart-bin.open', 'b-3', exp, 1, 30);
      await inject(bench, 'command', { v: 1, msg: 'command', reqId: 'b-3', name: 'smart-bin.open', exp, args: { c: 1, s: 30, sig } });
      await inject(bench, 'command', { v: 1, msg: 'command', reqId: 'b-4', name: 'smart-bin.open', exp, args: { c: 1, sig: '0'.repeat(64) } });
      await run(bench, 40_000, 500);
      expectResults(bench, [...RUNTIME_RESULTS, 'b-1:ok', 'b-2:ok', 'b-3:ok', 'b-4:invalid']);
    }],
    // Two residents deposit: card, button, the waste in, the lid shuts, weighed and credited; then the levels.
    ['events', async (bench) => {
      for (const [c, grams] of [[0, 1500], [1, 600]] as const) {
        await bench.xs.call('card', hex(uid(c + 3)));
        await run(bench, 1000, 500);
        await bench.xs.call('select', c);
        await run(bench, 4000, 500);
        await bench.xs.call('drop', c, grams);
        await run(bench, 25_000, 500);
      }
      await run(bench, 90_000, 1000);
      const deposits = bench.broker.on('event').filter((message) => message.payload.includes('"bin.deposit"')).length;
      if (deposits !== 2) throw new Error(`bench: ${deposits} bin.deposit events, expected 2`);
    }],
    ['health', healthCycle],
    ['steady', (bench) => run(bench, 60_000, 1000)],
  ],
};

const KIOSK_NOTICE = (i: number, expiresMs: number) => ({
  id: `n${i}`, title: { zh: `第${i}号通知`, en: `Notice ${i}` },
  body: { zh: '本周三上午九点至下午三点停水检修，请提前储水。', en: 'Water is off on Wednesday 9:00-15:00 for repairs; please keep some ready.' }, expiresMs,
});

async function kioskTaps(bench: Bench, ...ids: string[]): Promise<void> {
  const missed = (await bench.xs.call<string[]>('taps', ids)).value;
  if (missed.length) throw new Error(`bench: kiosk taps not on screen: ${missed.join(', ')}`);
  await run(bench, 1000, 500);
}

const KIOSK: AppSpec = {
  name: 'kiosk',
  entry: 'test/xs/entries/heap-kiosk.ts',
  hostOptions: () => ({ storage: binStorage(), board: simKiosk, wallTimeMs: Date.UTC(2026, 0, 9, 9, 0), wallTimeValid: true }),
  phases: [
    ['connected', (bench) => run(bench, 2000, 500)],
    ['commands', async (bench) => {
      await runtimeCommands(bench);
      const now = bench.xs.host.clock.wallClock.now();
      await command(bench, 'k-1', 'kiosk.notices', { version: 1, notices: [1, 2, 3, 4].map((i) => KIOSK_NOTICE(i, now + i * 86_400_000)) });
      await run(bench, 1000, 500);
      expectResults(bench, [...RUNTIME_RESULTS, 'k-1:ok']);
    }],
    // A resident files a repair report, reads the notices, takes a queue ticket (printed) and calls for help.
    ['events', async (bench) => {
      await kioskTaps(bench, 'svc.repair');
      await bench.xs.call('card', hex(uid(3)));
      await run(bench, 1000, 500);
      await kioskTaps(bench, 'cat.water', 'loc.corridor', 'phrase.leak', 'repair.send', 'nav.home');
      await kioskTaps(bench, 'svc.notices', 'notice.n1', 'nav.home', 'svc.queue', 'queue.take', 'nav.home', 'svc.help', 'help.call');
      await run(bench, 2000, 500);
      await alarmUpdate(bench, 'help', 'accepted');
      await run(bench, 2000, 500);
      const events = bench.broker.on('event').filter((message) => /"kiosk\.(repair|ticket)"/.test(message.payload)).length;
      if (events !== 2) throw new Error(`bench: ${events} kiosk.repair/kiosk.ticket events, expected 2`);
    }],
    ['health', healthCycle],
    ['steady', (bench) => run(bench, 60_000, 1000)],
  ],
};

export const APPS: readonly AppSpec[] = [GENERIC, DOOR_READER, SOS_BUTTON, SMART_BIN, KIOSK];

export interface AppFigures {
  app: string;
  steady: HeapPoint;
  peakSlotBytes: number;
  peakChunkBytes: number;
  peakEstEsp32Bytes: number;
  points: HeapPoint[];
  /** What the broker saw, for --detail. */
  traffic: Record<string, number>;
}

/** Boots one app on XS and takes it through its phases; the figures of every point. */
export async function measureApp(spec: AppSpec): Promise<AppFigures> {
  const hostOptions = spec.hostOptions();
  const broker = new BenchBroker();
  const xs = await XsSession.start({ entry: spec.entry, hostOptions, hostHandlers: broker.handlers, name: `heap:${spec.name}` });
  try {
    const address = { site: SITE, device: `${spec.name}-1` };
    writeProvisioning(xs.host.storage.kv, { ...address, host: '127.0.0.1', port: 1883, user: address.device, pass: 'bench-secret' });
    const bench: Bench = { xs, broker, address };
    const base = await census(xs);
    await xs.call('start');
    if (!broker.connected || broker.connects !== 1 || broker.subscriptions === 0)
      throw new Error(`bench: ${spec.name} did not connect (${(await xs.call('state')).value})`);
    const points: HeapPoint[] = [];
    for (const [phase, play] of spec.phases) {
      await play(bench);
      points.push(excess(phase, await census(xs), base));
    }
    const unexpected = xs.worker.stderr.trim();
    if (unexpected) throw new Error(`bench: ${spec.name} wrote to stderr:\n${unexpected}`);
    return {
      app: spec.name,
      steady: points.at(-1)!,
      peakSlotBytes: Math.max(...points.map((point) => point.slotBytes)),
      peakChunkBytes: Math.max(...points.map((point) => point.chunkBytes)),
      peakEstEsp32Bytes: Math.max(...points.map((point) => point.estEsp32Bytes)),
      points,
      traffic: {
        connects: broker.connects, published: broker.published.length, events: broker.on('event').length,
        results: broker.on('result').length, telemetry: broker.on('telemetry').length, pings: broker.pings, acks: broker.acks,
      },
    };
  } finally {
    await xs.close();
  }
}

export function appLine(figures: AppFigures): string {
  const { steady } = figures;
  return `app=${figures.app} slot_bytes=${steady.slotBytes} chunk_bytes=${steady.chunkBytes} peak_slot_bytes=${figures.peakSlotBytes} `
    + `peak_chunk_bytes=${figures.peakChunkBytes} est_esp32_bytes=${steady.estEsp32Bytes}`;
}

export function maxLine(all: readonly AppFigures[]): string {
  return `max_est_esp32_kb=${(Math.max(...all.map((figures) => figures.steady.estEsp32Bytes)) / 1024).toFixed(1)}`;
}

function detailLines(figures: AppFigures): string[] {
  const lines = figures.points.map((point) =>
    `  ${figures.app} ${point.phase}: slots=${point.slots} slot_array_bytes=${point.slotArrayBytes} table_bytes=${point.tableBytes} `
    + `data_bytes=${point.dataBytes} code_bytes_not_counted=${point.codeBytes} keys=${point.keys} est_esp32_bytes=${point.estEsp32Bytes}`);
  lines.push(`  ${figures.app} traffic: ${Object.entries(figures.traffic).map(([key, value]) => `${key}=${value}`).join(' ')}`);
  const peak = figures.peakEstEsp32Bytes;
  lines.push(`  ${figures.app} peak_est_esp32_bytes=${peak} with_tls_handshake_est_bytes=${peak + TLS_HANDSHAKE_ESP32_BYTES}`);
  return lines;
}

/** Measures the named apps (default all) in order; returns the output lines. */
export async function runHeapBench(names?: readonly string[], detail = false): Promise<string[]> {
  const specs = names && names.length > 0 ? names.map((name) => {
    const spec = APPS.find((candidate) => candidate.name === name);
    if (!spec) throw new Error(`bench: no app "${name}" (apps: ${APPS.map((app) => app.name).join(', ')})`);
    return spec;
  }) : APPS;
  const all: AppFigures[] = [];
  const lines: string[] = [];
  for (const spec of specs) {
    const figures = await measureApp(spec);
    all.push(figures);
    lines.push(appLine(figures));
    if (detail) lines.push(...detailLines(figures));
  }
  lines.push(maxLine(all));
  return lines;
}

async function main(argv: string[]): Promise<void> {
  const names: string[] = [];
  let detail = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--app' && argv[i + 1]) names.push(argv[++i]!);
    else if (argv[i] === '--detail') detail = true;
    else throw new Error(`usage: npm run bench:heap -- [--app generic|door-reader|sos-button|smart-bin|kiosk]... [--detail]`);
  }
  for (const line of await runHeapBench(names, detail)) console.log(line);
}

if (process.argv[1] && /bench[\\/]heap\.ts$/.test(process.argv[1])) {
  main(process.argv.slice(2))
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.stack : error);
      process.exitCode = 1;
    })
    .finally(() => killAllWorkers());
}
