// Target `escpos-status`: what an ESC/POS receipt printer sends back (real-time status answers to DLE EOT 1/2/4,
// XON/XOFF, garbage) as the driver receives it: the status parser against a reference, and the driver printing
// ticket after ticket through it (cores/escpos-status.ts, the same core on Node and in XS). Seeds: a good
// status, paper out, cover open, paper near end, an error, XOFF then XON around answers, garbage between answers,
// an answer cut short, a hold through several answers.
import { runEscposStatus } from '../cores/escpos-status.js';
import type { FuzzTarget } from '../target.js';

export function escposStatusSeeds(): Uint8Array[] {
  return [
    Uint8Array.of(0x12, 0x12, 0x12),
    Uint8Array.of(0x12, 0x12, 0x12, 0x1a, 0x32, 0x72),
    Uint8Array.of(0x1a, 0x16, 0x12, 0x12, 0x12, 0x12),
    Uint8Array.of(0x12, 0x12, 0x1e, 0x12, 0x12, 0x1e),
    Uint8Array.of(0x1a, 0x52, 0x12),
    Uint8Array.of(0x13, 0x12, 0x12, 0x12, 0x11, 0x12, 0x12, 0x12),
    Uint8Array.of(0x00, 0x12, 0xff, 0x12, 0x41, 0x12, 0x0d, 0x0a),
    Uint8Array.of(0x12, 0x12),
    Uint8Array.of(0x12, 0x12, 0x12, 0x13, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x12, 0x11, 0x12, 0x12, 0x12),
  ];
}

export function escposStatusTarget(): FuzzTarget {
  return {
    name: 'escpos-status',
    format: 'bytes',
    weight: 1,
    seeds: escposStatusSeeds,
    run: runEscposStatus,
    xsCore: 'escpos-status',
    xsBudget: 20_000_000,
  };
}
