// Piu's declarations for the project's own type-check (tsconfig.moddable.json includes this folder): the
// @moddable/typings package's piu/MC, and piu/QRCode, which that package lacks. mcconfig does not read this file:
// a Piu build includes the SDK's own typings ($(MODDABLE)/typings/piu, through examples/manifest_typings.json).
/// <reference path="../../../node_modules/@moddable/typings/piu/MC.d.ts" />

declare module 'piu/QRCode' {
  import type { Content, ContentDictionary } from 'piu/MC';

  global {
    interface QRCode extends Content { string: string }
    const QRCode: new (behaviorData: unknown, dictionary?: ContentDictionary & { string?: string; maxVersion?: number }) => QRCode;
  }
}
