// Virtual UARTs. The far end (a simulated card reader, a modem, a test) is a SerialPeer: it injects bytes
// the device will read and sees every byte the device writes. Callbacks are deferred like device events.
import type { BufferSource, Serial, SerialConstructor, SerialOptions } from '../../contract/io.js';
import { Closable, arrayBufferOf, bytesOf, type Defer } from './common.js';

/** Bytes the device can queue for sending before onWritable reports space again. */
const TX_SPACE = 1024;

export class SerialPeer {
  readonly port: number;
  #received: number[] = [];
  #written: number[] = [];
  #listeners = new Set<(bytes: Uint8Array) => void>();
  #onInject: (() => void) | undefined;

  constructor(port: number) {
    this.port = port;
  }

  /** Sends bytes to the device (they arrive on its receive pin). A string is sent as UTF-8. */
  inject(data: Uint8Array | string): void {
    const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
    this.#received.push(...bytes);
    if (bytes.length > 0) this.#onInject?.();
  }

  /** Everything the device wrote since the last takeWritten(). */
  get written(): Uint8Array {
    return Uint8Array.from(this.#written);
  }

  takeWritten(): Uint8Array {
    const bytes = this.written;
    this.#written = [];
    return bytes;
  }

  /** Calls `listener` with each write of the device. Returns the unsubscribe. */
  onWrite(listener: (bytes: Uint8Array) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  // ---- used by the Serial class ----

  get available(): number {
    return this.#received.length;
  }

  take(count: number): Uint8Array {
    return Uint8Array.from(this.#received.splice(0, count));
  }

  deviceWrote(bytes: Uint8Array): void {
    this.#written.push(...bytes);
    for (const listener of [...this.#listeners]) listener(bytes);
  }

  bind(onInject: (() => void) | undefined): void {
    this.#onInject = onInject;
  }
}

export function createSerialClass(peerOf: (port: number) => SerialPeer, defer: Defer): SerialConstructor {
  const open = new Set<number>();
  return class VirtualSerial implements Serial {
    #peer: SerialPeer;
    #state = new Closable('Serial');
    #onWritten: (() => void) | undefined;

    constructor(options: SerialOptions) {
      if (!(typeof options?.baud === 'number' && options.baud > 0)) throw new RangeError(`Serial: invalid baud ${String(options?.baud)}`);
      const port = options.port ?? 0;
      if (open.has(port)) throw new Error(`Serial port ${port} is in use`);
      open.add(port);
      this.#peer = peerOf(port);
      const { onReadable, onWritable } = options;
      const later = (callback: () => void) => defer(() => {
        if (!this.#state.closed) callback();
      });
      if (onWritable) this.#onWritten = () => later(() => onWritable.call(this, TX_SPACE));
      const readable = onReadable && (() => later(() => {
        if (this.#peer.available > 0) onReadable.call(this, this.#peer.available);
      }));
      this.#peer.bind(readable);
      this.#onWritten?.();
      if (readable && this.#peer.available > 0) readable();
    }

    read(count?: number): ArrayBuffer | undefined {
      this.#state.check();
      const available = this.#peer.available;
      if (available === 0) return undefined;
      const wanted = count === undefined ? available : Math.min(Math.max(0, Math.trunc(count)), available);
      return arrayBufferOf(this.#peer.take(wanted));
    }

    write(buffer: BufferSource): void {
      this.#state.check();
      this.#peer.deviceWrote(bytesOf(buffer));
      this.#onWritten?.();
    }

    close(): void {
      if (!this.#state.close()) return;
      this.#peer.bind(undefined);
      open.delete(this.#peer.port);
    }
  };
}
