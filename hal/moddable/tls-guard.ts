// The SDK's TLS socket (examples/io/tcp/tlssocket) runs its handshake and record layer inside the callbacks of the
// TCP socket under it and catches nothing: a rejected certificate or a handshake alert is an exception thrown from
// a socket callback, which XS treats as unhandled and aborts on (found on the Linux build). This wraps the TCP
// class the TLS socket is given so that such an exception becomes a socket error (the TLS socket reports onError
// and closes) and its message reaches `onException`; tlsSocketConfig() below hands it to the MQTT client as the
// reason ("TLS: <why>"). Engine-neutral (the SDK classes are parameters), so Node tests run it.
//
// The TLS session keeps its own `readable`/`writable` counts as properties on the socket object, so the wrapper is
// a plain object that forwards read, write, close and format and accepts those properties.

import type { MqttTlsOptions } from '../contract/mqtt.js';
import type { SocketConfig, TcpSocket, TcpSocketConstructor, TcpSocketOptions } from '../contract/socket.js';

/** The native TCP socket as the TLS session uses it (read and write with more argument forms than the contract's). */
export interface NativeTcpSocket {
  read(...args: unknown[]): unknown;
  write(...args: unknown[]): number;
  close(): void;
  format: string;
}

export interface NativeTcpOptions {
  onReadable?(count: number): void;
  onWritable?(count: number): void;
  onError?(error?: unknown): void;
  [option: string]: unknown;
}

export type NativeTcpConstructor = new (options: NativeTcpOptions) => NativeTcpSocket;

/** A TCP class like `io` whose callbacks never throw: an exception is handed to `onException`, then onError runs. */
export function guardTcp(io: NativeTcpConstructor, onException: (error: unknown) => void): NativeTcpConstructor {
  return class GuardedTcp implements NativeTcpSocket {
    readonly #socket: NativeTcpSocket;
    #failed = false;
    [expando: string]: unknown;

    constructor(options: NativeTcpOptions) {
      const fail = (error: unknown) => {
        if (this.#failed) return;
        this.#failed = true;
        onException(error);
        try {
          options.onError?.();
        } catch (again) {
          onException(again);
        }
      };
      const guard = <A extends unknown[]>(callback: ((...args: A) => void) | undefined) =>
        callback && ((...args: A) => {
          if (this.#failed) return;
          try {
            callback(...args);
          } catch (error) {
            fail(error);
          }
        });
      const guarded: NativeTcpOptions = { ...options };
      const onReadable = guard(options.onReadable);
      const onWritable = guard(options.onWritable);
      const onError = guard(options.onError);
      if (onReadable) guarded.onReadable = onReadable;
      if (onWritable) guarded.onWritable = onWritable;
      if (onError) guarded.onError = onError;
      this.#socket = new io(guarded);
    }

    // Arguments pass through as given: the native socket tells read() from read(undefined).
    read(...args: unknown[]): unknown {
      return this.#socket.read(...args);
    }

    write(...args: unknown[]): number {
      return this.#socket.write(...args);
    }

    close(): void {
      this.#socket.close();
    }

    get format(): string {
      return this.#socket.format;
    }

    set format(format: string) {
      this.#socket.format = format;
    }
  };
}

/**
 * One TLS connection's socket configuration: the provisioned CA as the only trust anchor (DER), the name the
 * certificate must carry (also SNI; the socket defaults it to the host name), and the TCP class under it guarded
 * (tls-guard.ts), so a failed handshake becomes an ordinary connection failure instead of an XS abort.
 */
export function tlsSocketConfig(tls: MqttTlsOptions, TLSSocket: TcpSocketConstructor, TCP: NativeTcpConstructor): SocketConfig {
  const secure: { certificate?: ArrayBuffer; serverName?: string } = {};
  if (tls.ca) secure.certificate = tls.ca.slice().buffer as ArrayBuffer;
  if (tls.serverName) secure.serverName = tls.serverName;
  let failure: string | undefined;
  const tcp = guardTcp(TCP, (error) => {
    failure ??= error instanceof Error ? error.message : String(error);
  });
  return { io: withTlsReason(TLSSocket, () => failure), TCP: { io: tcp }, secure };
}

/** The SDK's TLS socket calls onError() without a reason: this one adds what the guarded TCP socket caught. */
function withTlsReason(TLSSocket: TcpSocketConstructor, failure: () => string | undefined): TcpSocketConstructor {
  return class TlsSocketWithReason implements TcpSocket {
    readonly #socket: TcpSocket;

    constructor(options: TcpSocketOptions & Record<string, unknown>) {
      const onError = options.onError;
      this.#socket = new TLSSocket({
        ...options,
        onError: () => {
          const why = failure();
          onError?.(why === undefined ? undefined : new Error(`TLS: ${why}`));
        },
      });
    }

    read(count?: number): ArrayBuffer | undefined {
      return this.#socket.read(count);
    }

    write(data: ArrayBuffer | ArrayBufferView): number {
      return this.#socket.write(data);
    }

    close(): void {
      this.#socket.close();
    }
  };
}
