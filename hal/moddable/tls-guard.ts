// The SDK's TLS socket (examples/io/tcp/tlssocket) runs its handshake and record layer inside the callbacks of the
// TCP socket under it and catches nothing: a rejected certificate or a handshake alert is an exception thrown from
// a socket callback, which XS treats as unhandled and aborts on (found on the Linux build). This wraps the TCP
// class the TLS socket is given so that such an exception becomes a socket error (the TLS socket, then the MQTT
// client, report onError and close) and its message reaches the caller, who reports it as the reason.
//
// The TLS session keeps its own `readable`/`writable` counts as properties on the socket object, so the wrapper is
// a plain object that forwards read, write, close and format and accepts those properties.

export interface TcpSocket {
  read(...args: unknown[]): unknown;
  write(...args: unknown[]): number;
  close(): void;
  format: string;
}

export interface TcpOptions {
  onReadable?(count: number): void;
  onWritable?(count: number): void;
  onError?(error?: unknown): void;
  [option: string]: unknown;
}

export type TcpConstructor = new (options: TcpOptions) => TcpSocket;

/** A TCP class like `io` whose callbacks never throw: an exception is handed to `onException`, then onError runs. */
export function guardTcp(io: TcpConstructor, onException: (error: unknown) => void): TcpConstructor {
  return class GuardedTcp implements TcpSocket {
    readonly #socket: TcpSocket;
    #failed = false;
    [expando: string]: unknown;

    constructor(options: TcpOptions) {
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
      const guarded: TcpOptions = { ...options };
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
