// The SDK's ECMA-419 TLS socket (examples/io/tcp/tlssocket), for mcconfig's TypeScript run, which does not see the
// SDK's own declaration of it. tsconfig.moddable.json excludes this file: @moddable/typings declares the module there.
declare module 'embedded:io/socket/tcp/tls' {
  export default class TLSSocket {
    constructor(options: Record<string, unknown>);
    close(): void;
    read(count?: number | ArrayBufferLike): ArrayBuffer | undefined;
    write(buffer: ArrayBufferLike | ArrayBufferView): number;
    get format(): string;
    set format(format: string);
  }
}
