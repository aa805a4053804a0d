// The SDK's ECDSA modules (modules/crypt/etc/ecdsa.js, curve.js; arith/ecp.js), which neither @moddable/typings nor
// the SDK's typings folder declare: the members hal/moddable/crypto.ts calls. Listed in manifests/shared.json's
// typescript types, so mcconfig's tsc sees it too.
declare module 'ecp' {
  export default class ECPoint {
    /** 04‖X‖Y; throws on any other first byte. Does not check that the point is on the curve. */
    static fromOctetString(octets: Uint8Array): ECPoint;
  }
}

declare module 'curve' {
  export default class Curve {
    constructor(name: 'secp256r1' | 'secp384r1');
  }
}

declare module 'ecdsa' {
  import type ECPoint from 'ecp';
  import type Curve from 'curve';
  export default class ECDSA {
    constructor(key: ECPoint, curve: Curve);
    /** `hash` the message's digest; `signature` r‖s (orderSize bytes each) unless `asn1`. Loops forever on s = 0. */
    verify(hash: ArrayBuffer, signature: ArrayBuffer, asn1?: boolean): boolean;
  }
}
