// P-256 on XS tests: xsnap has no P-256, so an entry's crypto runs the same range guard as the Moddable binding
// (isP256Input) in the engine and only then asks the host (`callHost('verifyP256')`), where node:crypto verifies.
// `p256Crypto` is the XS side (imported by entries); `p256HostHandler` the Node side (a session's hostHandlers), which
// counts what reached it so a test can prove the guard kept a bad signature away.
import type { Crypto } from '../../../hal/contract/index.js';
import { isP256Input } from '../../../hal/contract/crypto.js';
import { toHex } from '../../../firmware/lib/hex.js';
import { callHost } from './hal-proxy.js';

export function p256Crypto(proxy: Crypto): Crypto {
  return {
    sha256: (data) => proxy.sha256(data),
    hmacSha256: (key, data) => proxy.hmacSha256(key, data),
    randomBytes: (count) => proxy.randomBytes(count),
    verifyP256: (publicKey, message, signature) => isP256Input(publicKey, signature)
      && callHost('verifyP256', { publicKey: toHex(publicKey), message: toHex(message), signature: toHex(signature) }) === true,
  };
}
