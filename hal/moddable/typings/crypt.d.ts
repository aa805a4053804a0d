// "crypt" as the Moddable SDK 8.2 declares it ($(MODDABLE)/typings/crypt.d.ts; implementation
// $(MODDABLE)/modules/crypt/digest/crypt.js + modCrypt.c). @moddable/typings 5.6 lacks this module, so our own
// type-check (tsconfig.moddable.json) uses this copy of the members we call. Not listed in any manifest: on
// mcconfig builds the SDK's own declaration is used instead.
declare module 'crypt' {
  type DigestType = 'MD5' | 'SHA1' | 'SHA224' | 'SHA256' | 'SHA384' | 'SHA512';

  export class Digest {
    constructor(type: DigestType);
    /** Strings are hashed as their UTF-8 bytes up to the first NUL; pass bytes for anything else. */
    write(message: string | ArrayBuffer): void;
    /** Returns the digest; reset() makes the instance usable again (modCrypt.c re-creates the context). */
    close(): ArrayBuffer;
    reset(): void;
    get blockSize(): number;
    get outputSize(): number;
  }
}
