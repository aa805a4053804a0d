// Entry for the harness sanity tests: plain computation, exceptions, host calls, a runaway loop.
import { callHost } from '../../support/xs/hal-proxy.js';

export function sumTo(n: number): number {
  let sum = 0;
  for (let i = 1; i <= n; i++) sum += i;
  return sum;
}

export function fail(message: string): never {
  throw new RangeError(message);
}

export function askHost(question: string): unknown {
  return callHost('answer', { question });
}

export async function later(value: number): Promise<number> {
  await Promise.resolve();
  return value * 2;
}

export function spin(): void {
  for (;;);
}

export function engine(): { hasConsole: boolean; hasProcess: boolean } {
  const global = globalThis as Record<string, unknown>;
  return { hasConsole: 'console' in global, hasProcess: 'process' in global };
}
