// The setup session of a device that is not set up yet (docs/protocol.md §17.6), whatever brought it the code: a
// scanned QR, the setup page on its access point, or the serial line (setup-commands.ts). Three installer steps: power it (the
// session opens the access point, its password the label's setup secret), hand it the code, pick the Wi-Fi.
// Then the device restarts onto the new settings, on trial (settings-trial.ts), and the session reports each
// proof as it comes: Wi-Fi joined, time set, broker reached, TLS verified.
//
// A device is in setup while it has no usable provisioning, or while `setup/run` says a setup is not finished.
// `setup/run` is written before a code is applied and deleted once every proof passed, so a power cut anywhere
// leaves a device that opens its setup again (never one provisioned, off the network and without a setup page);
// a trial that fails reverts the Wi-Fi, and the session shows why and asks for the network again.
import type { Hal, SetupNetwork, SetupConsole as LineConsole, StationState } from '../../hal/contract/index.js';
import { utf8Encode } from '../lib/utf8.js';
import { CODE_PREFIX } from './code-layout.js';
import { runConsoleLine } from './setup-commands.js';
import { APPLIED_KEY, applyProvisioningCode, checkProvisioningCode, PROVISIONED_EVENT, readSetupSecret, SETUP_DOMAIN, type CodeContext } from './provisioning-code.js';
import { effectiveProvisioning, effectiveWifi, stageSettings } from './settings-trial.js';
import { setupPageResponse } from './setup-page.js';
import type { ProofName, ProofState, SetupAnswer, SetupControl, SetupPhase, SetupProblem, SetupStatus } from './setup-status.js';

const RUN_KEY = 'run';
/** How often the proofs are looked at. */
const POLL_MS = 500;
/** The page's answer leaves before the restart. */
const RESTART_DELAY_MS = 1_000;
/** The access point stays this long after the last proof, so the installer sees the result. */
const LINGER_MS = 5 * 60_000;
const SSID_MAX_BYTES = 32;
const PASS_MIN = 8;
const PASS_MAX = 63;

/** What the session reads of the runtime it belongs to. */
export interface SetupHost {
  /** The runtime's state (`online` once CONNACKed). */
  readonly state: string;
  /** Why the last connection attempt failed, if it did. */
  readonly lastFailure: string | undefined;
  /** Queues a durable event (the runtime's emit): the code's announcement once setup is done. */
  emit?(type: string, data: Record<string, unknown>): unknown;
}

export interface SetupOptions {
  hal: Hal;
  model: string;
  /** The build's provisioning key (parseProvisioningKey). */
  provisioningKey: Uint8Array | undefined;
  host: SetupHost;
  /** Every change of the status, for the LED or screen. */
  onChange?(status: SetupStatus): void;
}

/** Whether a device boots into setup: no usable provisioning, or a setup not finished (reads kv only, so a binding can ask before its HAL exists). */
export function setupNeeded(hal: Pick<Hal, 'storage'>): boolean {
  return typeof effectiveProvisioning(hal.storage.kv) === 'string' || hal.storage.kv.get(SETUP_DOMAIN, RUN_KEY) !== undefined;
}

/** The setup access point's name: the model and the hardware id's end, as printed on the label. */
export function setupSsid(model: string, hardwareId: string): string {
  return `CT-${model}-${hardwareId.slice(-4).toUpperCase()}`.slice(0, SSID_MAX_BYTES);
}

export class SetupSession implements SetupControl {
  #options: SetupOptions;
  #problem: SetupProblem | undefined;
  /** A network chosen before the code came (kept in RAM: nothing to stage it over yet). */
  #pendingWifi: { ssid: string; password: string } | undefined;
  #phase: SetupPhase;
  #proofs: Record<ProofName, ProofState> = { wifi: 'waiting', time: 'waiting', broker: 'waiting', tls: 'waiting' };
  #poll: object | undefined;
  #linger: object | undefined;
  #console: LineConsole | undefined;
  #last = '';

  constructor(options: SetupOptions) {
    this.#options = options;
    this.#problem = readRun(options.hal)?.f;
    this.#phase = this.#phaseFromStore();
  }

  /** Opens the access point, the page and the console, and starts watching the proofs. */
  start(): void {
    const { hal, model } = this.#options;
    const access = hal.setup?.accessPoint;
    const secret = readSetupSecret(hal.storage.kv);
    if (access && secret !== undefined && secret.length >= PASS_MIN && secret.length <= PASS_MAX) {
      access.start(setupSsid(model, hal.system.hardwareId), secret);
      access.serve((request) => setupPageResponse(this, request));
    } else if (access) hal.system.log('warn', 'setup: no setup secret fit for a WPA2 password (setup/secret): no access point');
    const line = hal.setup?.console;
    if (line) {
      this.#console = line;
      line.onLine((text) => runConsoleLine(this, text, (out) => line.write(`${out}\n`)));
    }
    this.#poll = hal.timers.repeat(() => this.#watch(), POLL_MS);
    this.#watch();
    this.#changed();
  }

  close(): void {
    const { hal } = this.#options;
    hal.timers.clear(this.#poll);
    hal.timers.clear(this.#linger);
    this.#poll = this.#linger = undefined;
    hal.setup?.accessPoint?.stop();
    this.#console?.close();
    this.#console = undefined;
  }

  status(): SetupStatus {
    const provisioning = effectiveProvisioning(this.#options.hal.storage.kv);
    const wifi = this.#pendingWifi?.ssid ?? effectiveWifi(this.#options.hal.storage.kv).ssid;
    return {
      phase: this.#phase,
      ...(typeof provisioning === 'string' ? {} : { site: provisioning.site, device: provisioning.device }),
      ...(wifi === undefined ? {} : { wifi }),
      proofs: { ...this.#proofs },
      ...(this.#problem ? { problem: this.#problem } : {}),
    };
  }

  networks(): readonly SetupNetwork[] {
    return this.#options.hal.setup?.accessPoint?.scan() ?? [];
  }

  takeCode(text: string): SetupAnswer {
    const { hal } = this.#options;
    if (this.#phase === 'restarting' || this.#phase === 'done') return this.#refuse('code', 'busy', `setup is ${this.#phase}`);
    const context: CodeContext = {
      kv: hal.storage.kv,
      crypto: hal.crypto,
      model: this.#options.model,
      provisioningKey: this.#options.provisioningKey,
      now: hal.wallClock.valid ? Math.floor(hal.wallClock.now() / 1000) : undefined,
    };
    // Checked first, so that a refused code writes nothing, not even the setup record.
    const checked = checkProvisioningCode(text, context);
    if (!checked.ok) return this.#refuse('code', checked.reason, checked.detail);
    writeRun(hal, {});
    const outcome = applyProvisioningCode(text, context);
    if (!outcome.ok) return this.#refuse('code', outcome.reason, outcome.detail);
    hal.system.log('info', `setup: code ${outcome.codeId} applied: ${outcome.site}/${outcome.device}${outcome.timeChecked ? '' : ' (time unchecked)'}`);
    this.#problem = undefined;
    this.#phase = 'needs_wifi';
    const pending = this.#pendingWifi;
    this.#pendingWifi = undefined;
    if (pending) return this.chooseWifi(pending.ssid, pending.password);
    if (!hal.setup?.station) return this.#restart(); // no Wi-Fi of its own: the code is all it needs
    this.#changed();
    return { ok: true };
  }

  chooseWifi(ssid: string, password: string): SetupAnswer {
    if (this.#phase === 'restarting' || this.#phase === 'done') return this.#refuse('wifi', 'busy', `setup is ${this.#phase}`);
    if (typeof ssid !== 'string' || ssid.length === 0 || utf8Encode(ssid).length > SSID_MAX_BYTES) return this.#refuse('wifi', 'invalid', `the network name has 1 to ${SSID_MAX_BYTES} bytes`);
    if (typeof password !== 'string' || (password !== '' && (password.length < PASS_MIN || password.length > PASS_MAX))) {
      return this.#refuse('wifi', 'invalid', `the password has ${PASS_MIN} to ${PASS_MAX} characters (none for an open network)`);
    }
    if (this.#phase === 'needs_code') {
      this.#pendingWifi = { ssid, password };
      this.#changed();
      return { ok: true };
    }
    const staged = stageSettings(this.#options.hal.storage.kv, { wifiSsid: ssid, wifiPass: password === '' ? null : password });
    // The same network again (a try that failed at the broker): a restart tries it once more.
    if (typeof staged === 'string' && !staged.startsWith('nothing differs')) return this.#refuse('wifi', 'invalid', staged);
    return this.#restart();
  }

  #restart(): SetupAnswer {
    const { hal } = this.#options;
    writeRun(hal, {});
    this.#phase = 'restarting';
    this.#changed();
    hal.timers.set(() => hal.system.restart(), RESTART_DELAY_MS);
    return { ok: true };
  }

  #phaseFromStore(): SetupPhase {
    const { hal } = this.#options;
    if (typeof effectiveProvisioning(hal.storage.kv) === 'string') return 'needs_code';
    if (hal.setup?.station && hal.setup.station().state === 'none') return 'needs_wifi';
    return 'proving';
  }

  /** The proofs, as they come. */
  #watch(): void {
    if (this.#phase !== 'proving') return;
    const { hal, host } = this.#options;
    const provisioning = effectiveProvisioning(hal.storage.kv);
    if (typeof provisioning === 'string') return;
    const station: StationState | undefined = hal.setup?.station?.();
    const proofs = this.#proofs;
    proofs.wifi = !station ? 'skipped' : station.state === 'joined' ? 'ok' : station.state === 'failed' ? 'failed' : 'waiting';
    proofs.time = hal.wallClock.valid ? 'ok' : 'waiting';
    const online = host.state === 'online';
    proofs.broker = online ? 'ok' : 'waiting';
    proofs.tls = provisioning.tls ? (online ? 'ok' : 'waiting') : 'skipped';
    let problem: SetupProblem | undefined;
    if (station?.state === 'failed') problem = { step: 'wifi', reason: 'failed', detail: station.reason };
    else if (!online && host.lastFailure !== undefined) {
      const tls = provisioning.tls === true && /tls|certificate|handshake|alert/i.test(host.lastFailure);
      problem = { step: tls ? 'tls' : 'broker', reason: 'unreachable', detail: host.lastFailure.slice(0, 200) };
    }
    if (problem) {
      // Kept in setup/run (once per step) so that the page still says why after the trial reverts and restarts.
      if (problem.step !== this.#problem?.step) writeRun(hal, { f: problem });
      this.#problem = problem;
    }
    if (online) {
      this.#phase = 'done';
      this.#problem = undefined;
      this.#announceCode();
      hal.storage.kv.delete(SETUP_DOMAIN, RUN_KEY);
      hal.system.log('info', `setup done: ${PROOFS_TEXT(proofs)}`);
      hal.timers.clear(this.#poll);
      this.#poll = undefined;
      this.#linger = hal.timers.set(() => this.close(), LINGER_MS);
    }
    this.#changed();
  }

  /**
   * The code applied, said once (durable: queued before the key goes) so the platform's ledger can mark it used and
   * flag one applied by two devices. A cut between the two says it again: the platform takes a repeat as one.
   */
  #announceCode(): void {
    const { hal, host } = this.#options;
    const codeId = hal.storage.kv.get(SETUP_DOMAIN, APPLIED_KEY);
    if (typeof codeId !== 'string' || !host.emit) return;
    try {
      host.emit(PROVISIONED_EVENT, { codeId });
      hal.storage.kv.delete(SETUP_DOMAIN, APPLIED_KEY);
    } catch (error) {
      hal.system.log('warn', `setup: code ${codeId} not announced: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #refuse(step: SetupProblem['step'], reason: string, detail: string): SetupAnswer {
    this.#problem = { step, reason, detail };
    this.#changed();
    return { ok: false, reason, detail };
  }

  #changed(): void {
    const status = this.status();
    const text = JSON.stringify(status);
    if (text === this.#last) return;
    this.#last = text;
    this.#options.onChange?.(status);
  }
}

const PROOFS_TEXT = (proofs: Record<ProofName, ProofState>) => Object.entries(proofs).map(([name, state]) => `${name} ${state}`).join(', ');

interface Run {
  f?: SetupProblem;
}

function readRun(hal: Hal): Run | undefined {
  const text = hal.storage.kv.get(SETUP_DOMAIN, RUN_KEY);
  if (typeof text !== 'string') return undefined;
  try {
    const run = JSON.parse(text) as { f?: Partial<SetupProblem> };
    const f = run.f;
    return f && typeof f.step === 'string' && typeof f.reason === 'string' && typeof f.detail === 'string' ? { f: f as SetupProblem } : {};
  } catch {
    return {};
  }
}

function writeRun(hal: Hal, run: Run): void {
  hal.storage.kv.set(SETUP_DOMAIN, RUN_KEY, JSON.stringify(run));
}


/**
 * For apps with a QR scanner: a scanned provisioning code goes to the setup session while there is one (true:
 * taken, whatever its verdict, which the session shows); anything else is the app's.
 */
export function offerScannedCode(setup: SetupControl | undefined, text: string): boolean {
  if (!setup || !text.startsWith(CODE_PREFIX)) return false;
  setup.takeCode(text);
  return true;
}
