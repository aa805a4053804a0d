// The Node side of test/support/xs/p256.ts: the host handler that verifies with node:crypto and counts the calls.
import { verifyP256OnHost } from '../../../hal/host/crypto.js';

export function p256HostHandler(): { handler: (payload: unknown) => boolean; calls: () => number } {
  let calls = 0;
  return {
    handler: (payload) => {
      calls++;
      const { publicKey, message, signature } = payload as Record<string, string>;
      return verifyP256OnHost(Buffer.from(publicKey!, 'hex'), Buffer.from(message!, 'hex'), Buffer.from(signature!, 'hex'));
    },
    calls: () => calls,
  };
}
