// What a fuzz target is: valid seeds, how to mutate them, how to run one input on Node, and which engine-neutral
// core runs its inputs inside XS.
import type { Prng } from './prng.js';

export interface MutateContext {
  /** The seeds of this target. */
  readonly seeds: readonly Uint8Array[];
  /** The generic mutation (byte havoc, or JSON-aware for format 'json'). */
  generic(input: Uint8Array): Uint8Array;
}

export interface FuzzTarget {
  readonly name: string;
  /** 'json': the generic mutation is mostly JSON-aware. */
  readonly format: 'bytes' | 'json';
  /** Share of --count relative to the other targets (default 1). */
  readonly weight?: number;
  /** Valid inputs the mutations start from (built once per run). */
  seeds(): Uint8Array[];
  /** Structure-aware mutation; default: the generic one. */
  mutate?(input: Uint8Array, rng: Prng, context: MutateContext): Uint8Array;
  /** Called once before the first input. */
  open?(): void;
  /**
   * Runs one input on Node. `runSeed` drives the run's own choices (chunk sizes, retained flag, time steps) so an
   * input with its run seed replays exactly. Throwing = a crash (an InvariantError for a broken property).
   */
  run(input: Uint8Array, runSeed: number): void;
  close?(): void;
  /** The core in scripts/fuzz/xs-entry.ts that runs this target's inputs inside XS. */
  readonly xsCore?: string;
  /** What the XS core gets for an input (default: the input), e.g. with a placeholder resolved. */
  xsInput?(input: Uint8Array): Uint8Array;
  /** Computrons one input may take inside XS before it counts as a hang (default 5e7). */
  readonly xsBudget?: number;
}
