// The captive DNS's answers to a list of queries (hex in, hex or null out), engine-neutral on purpose:
// captive-dns.test.ts runs it on Node and on XS and expects the same bytes.
import { captiveDnsAnswer, ipv4Bytes } from '../../../firmware/lifecycle/captive-dns.js';
import { fromHex, toHex } from '../../../firmware/lib/hex.js';

export function main(address: string, queries: string[]): (string | null)[] {
  const self = ipv4Bytes(address)!;
  return queries.map((query) => {
    const answer = captiveDnsAnswer(fromHex(query), self);
    return answer ? toHex(answer) : null;
  });
}
