// The SDK's callback HTTP server ("http", modules/network/http/http.js) as the setup access point uses it
// (hal/moddable/setup.ts); only the members used. @moddable/typings' http.d.ts pulls in the old socket typings,
// which tsconfig.moddable.json does not include. mcconfig builds use the SDK's own declaration.
declare module 'http' {
  /** 2 status (path, method) · 3 header (name, value) · 4 headers complete · 6 request complete (body) · 8 prepare response · 9 response fragment (bytes the socket takes) · -1 error. */
  export type ServerCallback = (this: Record<string, unknown>, message: number, value1?: unknown, value2?: unknown) => unknown;

  export class Server {
    constructor(options: { port?: number });
    close(): void;
    callback: ServerCallback;
  }
}
