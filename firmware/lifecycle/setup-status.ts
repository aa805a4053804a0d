// What a setup session shows (the setup page, the console, the LED or screen) and what its front ends may ask of
// it. Its own module so that the page and the console depend on this, not on the session.
import type { SetupNetwork } from '../../hal/contract/index.js';

/** The proofs a device gives once set up, in the order they come. */
export const PROOFS = Object.freeze(['wifi', 'time', 'broker', 'tls'] as const);
export type ProofName = (typeof PROOFS)[number];
export type ProofState = 'waiting' | 'ok' | 'failed' | 'skipped';

/**
 * needs_code: no usable provisioning yet · needs_wifi: the code is in, the network is not · restarting: the choice
 * is staged, the device restarts to try it · proving: the proofs are coming in · done: every proof passed.
 */
export type SetupPhase = 'needs_code' | 'needs_wifi' | 'restarting' | 'proving' | 'done';

export interface SetupProblem {
  /** What failed: the code, the Wi-Fi choice, or a proof. */
  readonly step: 'code' | 'wifi' | ProofName;
  /** A short word (a code's refusal reason, `invalid`, `unreachable` ...). */
  readonly reason: string;
  readonly detail: string;
}

export interface SetupStatus {
  readonly phase: SetupPhase;
  readonly site?: string;
  readonly device?: string;
  /** The network chosen (never its password). */
  readonly wifi?: string;
  readonly proofs: Readonly<Record<ProofName, ProofState>>;
  /** The last refusal or failing proof, which and why; kept across the restart a failed try ends with. */
  readonly problem?: SetupProblem;
}

export type SetupAnswer = { readonly ok: true } | { readonly ok: false; readonly reason: string; readonly detail: string };

/** What the page and the console may do. */
export interface SetupControl {
  status(): SetupStatus;
  networks(): readonly SetupNetwork[];
  /** A provisioning code from any path (QR, page, console). */
  takeCode(text: string): SetupAnswer;
  /** The installer's network; an empty password for an open one. */
  chooseWifi(ssid: string, password: string): SetupAnswer;
}
