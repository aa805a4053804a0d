// One boot of the door reader: peripherals in, decisions, the door, feedback and events out.
import type { Hal, TimerId } from '../../../hal/contract/index.js';
import { credentialHash, type CredentialKind } from '../../identity/credential-hash.js';
import { HASH_KEY, readSiteKey } from '../../identity/site-keys.js';
import { toHex } from '../../lib/hex.js';
import { offerScannedCode } from '../../lifecycle/setup.js';
import { openParts, type OpenedParts } from '../../parts/open-parts.js';
import type { DeviceRuntime } from '../../runtime/device-runtime.js';
import type { CommandOutcome } from '../../runtime/dispatcher.js';
import { DOOR_CONFIG, doorSettings, type DoorSettingsView } from './config.js';
import type { CredentialSource } from './credential-source.js';
import { type Decision, type DecisionContext, decideCredential, decidePass, type PinCheck } from './decision.js';
import { DOOR_DOMAIN, readCommandKey, readPassKey } from './door-keys.js';
import { DenialLimit } from './denial-limit.js';
import { DoorTime } from './door-time.js';
import { Door, type DoorAlarm, type DoorAlarmKind, type DoorMode } from './door.js';
import { Feedback } from './feedback.js';
import { DOOR_READER_PARTS, type DoorEvents } from './parts.js';
import { PassUses } from './pass-uses.js';
import { PinPad } from './pin-pad.js';
import { isPassText, type PassKey, readPass } from './visitor-pass.js';

export interface DoorReaderOptions {
  runtime: DeviceRuntime<typeof DOOR_CONFIG>;
  store: CredentialSource | undefined;
  /** Why there is no store. */
  storeProblem?: string;
}

/** How a person (or the platform) asked to pass. */
export type AccessKind = 'card' | 'pin' | 'card+pin' | 'qr' | 'qr+pin' | 'pass' | 'exit' | 'remote';

/** A card or resident QR code that needs its PIN next. */
interface PendingPin {
  kind: 'card' | 'qr';
  secret: Uint8Array | string;
  extra: Record<string, unknown>;
}

const MODE_KEY = 'mode';
/** Wrong PINs in a row, or 'locked' (see PinPad). */
const PIN_FAILURES_KEY = 'pinFails';
/** Bytes of the keyed hash that identify a credential in events (the credential list's tag). */
const REF_BYTES = 6;

export class DoorReader {
  readonly hal: Hal;
  #runtime: DeviceRuntime<typeof DOOR_CONFIG>;
  #store: CredentialSource | undefined;
  #storeProblem: string | undefined;
  #hardware: OpenedParts<typeof DOOR_READER_PARTS>;
  #door: Door;
  #feedback: Feedback;
  #pinPad: PinPad;
  #passUses: PassUses;
  #time: DoorTime;
  #passKey: PassKey | undefined;
  #commandKey: Uint8Array | undefined;
  #pending: PendingPin | undefined;
  #pendingTimer: TimerId | undefined;
  #alarmIds = new Map<DoorAlarmKind, string>();
  #alarmCount = 0;
  #granted = 0;
  #denied = 0;
  #denials: DenialLimit;

  constructor(options: DoorReaderOptions) {
    const runtime = options.runtime;
    const hal = (this.hal = runtime.hal);
    const kv = hal.storage.kv;
    this.#runtime = runtime;
    this.#store = options.store;
    this.#storeProblem = options.storeProblem;
    this.#time = new DoorTime(hal.wallClock, hal.clock, kv);
    this.#passUses = new PassUses(kv);
    this.#passKey = readPassKey(kv);
    this.#commandKey = readCommandKey(kv);
    const events: DoorEvents = {
      doorClosed: (closed) => this.#door.contact(!closed),
      exit: () => this.exitRequest(),
      wiegand: (frame) => (frame.kind === 'card' ? this.presentCard(frame.id, 'wiegand') : this.pressKey(frame.key)),
      nfcCard: (uid) => this.presentCard(uid, 'nfc'),
      qr: (text) => this.scanQr(text),
    };
    this.#hardware = openParts(DOOR_READER_PARTS, {
      device: hal.device, timers: hal.timers, clock: hal.clock, events, log: (message) => hal.system.log('warn', `door: ${message}`),
    });
    const { relay, led, buzzer, doorContact } = this.#hardware.parts;
    this.#door = new Door({
      relay,
      timers: hal.timers,
      clock: hal.clock,
      // The contact closes (to ground) while the door is shut; without one the door counts as shut.
      open: doorContact ? !doorContact.active : false,
      settings: () => this.settings,
      onAlarm: (alarm) => this.#alarm(alarm),
    });
    this.#feedback = new Feedback({ led, buzzer, timers: hal.timers });
    this.#pinPad = new PinPad({
      timers: hal.timers,
      clock: hal.clock,
      settings: () => {
        const settings = this.settings;
        return { timeoutMs: settings.pinTimeoutMs, maxAttempts: settings.pinMaxAttempts, lockoutMs: settings.pinLockoutMs };
      },
      onSubmit: (pin) => this.#pin(pin),
      memory: {
        read: () => {
          const stored = kv.get(DOOR_DOMAIN, PIN_FAILURES_KEY);
          return stored === 'locked' || typeof stored === 'number' ? stored : undefined;
        },
        write: (state) => {
          try {
            if (state === undefined) kv.delete(DOOR_DOMAIN, PIN_FAILURES_KEY);
            else kv.set(DOOR_DOMAIN, PIN_FAILURES_KEY, state);
          } catch (error) {
            hal.system.log('error', `door: PIN failures not saved: ${error instanceof Error ? error.message : String(error)}`);
          }
        },
      },
    });
    this.#denials = new DenialLimit({
      clock: hal.clock,
      timers: hal.timers,
      perMinute: () => this.settings.deniedPerMinute,
      onHeldBack: (summary) => this.#emit('access.denied.held_back', { ...summary }),
    });
    this.#restoreMode();
  }

  /** A card that needs its PIN was read and the keypad waits for it. */
  get awaitingPin(): boolean {
    return this.#pending !== undefined;
  }

  get settings(): DoorSettingsView {
    return doorSettings(this.#runtime.config.values);
  }

  get commandKey(): Uint8Array | undefined {
    return this.#commandKey;
  }

  get door(): Door {
    return this.#door;
  }

  get feedback(): Feedback {
    return this.#feedback;
  }

  /** A card from the NFC reader or a Wiegand reader (its UID or facility + number bytes). */
  presentCard(uid: Uint8Array, reader: 'nfc' | 'wiegand'): void {
    this.#credential('card', uid, { reader });
  }

  /** A key from the keypad. */
  pressKey(key: string): void {
    this.#pinPad.key(key);
  }

  /** A scanned QR code: a provisioning code while setting up, a signed visitor pass, or a resident's code. */
  scanQr(text: string): void {
    if (offerScannedCode(this.#runtime.setup, text)) return;
    if (!isPassText(text)) return this.#credential('qr', text, {});
    this.#endPending();
    const reading = readPass(text, this.#passKey, this.hal.crypto);
    if (!reading.ok) return this.#outcome({ granted: false, reason: 'pass_forged' }, 'pass', {});
    const pass = reading.pass;
    const decision = decidePass(pass, this.#passUses.uses(pass.passId), this.#context());
    const extra: Record<string, unknown> = { pass: pass.passId };
    if (decision.granted && pass.maxUses > 0) {
      extra.use = this.#passUses.count(pass.passId, pass.validTo, Math.floor(this.#time.now() / 1000));
      extra.maxUses = pass.maxUses;
    }
    this.#outcome(decision, 'pass', extra);
  }

  /** The exit button (request to exit): egress never needs a credential, not even in lockdown. */
  exitRequest(): void {
    const settings = this.settings;
    if (settings.exitReleases) this.#door.release(settings.unlockMs, true);
    else this.#door.authorize(settings.unlockMs);
    this.#emitAccess({ granted: true, reason: 'granted' }, 'exit', {});
  }

  /** door.unlock: a signed remote release; works in lockdown too (the operator decided). */
  remoteUnlock(ms: number | undefined, reqId: string): CommandOutcome {
    const unlockMs = ms ?? this.settings.unlockMs;
    this.#door.release(unlockMs, true);
    this.#feedback.granted(unlockMs);
    this.#emitAccess({ granted: true, reason: 'granted' }, 'remote', { reqId });
    return { code: 'ok', data: { door: this.settings.door, mode: this.#door.mode, unlockMs } };
  }

  /** door.hold_open, door.lockdown, door.normal. */
  setMode(mode: DoorMode, reqId: string): CommandOutcome {
    const previous = this.#door.mode;
    if (previous !== mode) {
      this.#door.setMode(mode);
      this.#saveMode(mode);
      this.#emit('door.mode', { mode, previous, cause: 'command', reqId });
      this.#showIdle();
    }
    return { code: 'ok', data: { door: this.settings.door, mode, previous } };
  }

  connectionChanged(_online: boolean): void {
    this.#showIdle();
  }

  health(): Record<string, unknown> {
    return {
      door: this.#door.mode,
      doorOpen: this.#door.open,
      lockReleased: this.#door.released,
      alarms: this.#door.alarms,
      granted: this.#granted,
      denied: this.#denied,
      deniedHeldBack: this.#denials.heldBack,
      credentials: this.#store ? { version: this.#store.version, count: this.#store.count } : { problem: this.#storeProblem ?? 'none' },
      passUses: this.#passUses.size,
      keypadLocked: this.#pinPad.locked,
      timeTrusted: this.#time.trusted,
      readErrors: this.#readErrors(),
      ...this.#hardware.health(),
    };
  }

  close(): void {
    this.#endPending();
    this.#pinPad.close();
    this.#door.close();
    this.#feedback.close();
    this.#denials.close();
    this.#hardware.close();
  }

  /** Reads the readers dropped (Wiegand parity/framing, QR garbage): noisy lines show here first. */
  #readErrors(): Record<string, number> {
    const { wiegand, qr } = this.#hardware.parts;
    return {
      ...(wiegand ? { wiegandParity: wiegand.parityErrors, wiegandFraming: wiegand.framingErrors } : {}),
      ...(qr ? { qrDropped: qr.dropped } : {}),
    };
  }

  // ---- decisions ----

  #credential(kind: 'card' | 'qr', secret: Uint8Array | string, extra: Record<string, unknown>): void {
    // Digits already typed stay: people type the PIN while the reader is still busy with the card.
    this.#endPending();
    const record = this.#store?.lookup(kind, secret);
    // Known or not: the platform can match the tag to its list, or see the same unknown card come back.
    const ref = this.#ref(kind, secret);
    const details = { ...extra, ...(ref ? { ref } : {}) };
    const decision = this.#decide(record, 'none');
    if (decision.reason !== 'pin_required') return this.#outcome(decision, kind, details);
    if (this.#pinPad.locked) return this.#outcome({ granted: false, reason: 'pin_locked' }, `${kind}+pin`, details);
    this.#pending = { kind, secret, extra: details };
    const timeoutMs = this.settings.pinTimeoutMs;
    this.#feedback.pinPrompt(timeoutMs);
    this.#pendingTimer = this.hal.timers.set(() => {
      this.#pendingTimer = undefined;
      const pending = this.#pending;
      this.#pending = undefined;
      this.#pinPad.clear();
      if (pending) this.#outcome({ granted: false, reason: 'pin_required' }, `${pending.kind}+pin`, pending.extra);
    }, timeoutMs);
  }

  #pin(pin: string): void {
    const pending = this.#pending;
    this.#endPending();
    const kind: AccessKind = pending ? `${pending.kind}+pin` : 'pin';
    if (this.#pinPad.locked) return this.#outcome({ granted: false, reason: 'pin_locked' }, kind, pending?.extra ?? {});
    let decision: Decision;
    let extra: Record<string, unknown>;
    if (pending) {
      const right = this.#store?.checkPin(pending.kind, pending.secret, pin) === true;
      decision = this.#decide(this.#store?.lookup(pending.kind, pending.secret), right ? 'right' : 'wrong');
      extra = pending.extra;
    } else {
      const record = this.#store?.lookup('pin', pin);
      decision = this.#decide(record, 'none');
      // A PIN-only code is named only when it opened the door: a refused guess is nobody's credential.
      const ref = decision.granted ? this.#ref('pin', pin) : undefined;
      extra = ref ? { ref } : {};
    }
    const wrongPin = decision.reason === 'wrong_pin' || (kind === 'pin' && decision.reason === 'unknown');
    if (wrongPin && this.#pinPad.failed()) extra = { ...extra, keypadLocked: true };
    this.#outcome(decision, kind, extra);
  }

  #decide(record: ReturnType<CredentialSource['lookup']>, pin: PinCheck): Decision {
    const profile = record ? this.#store?.profile(record.profile) : undefined;
    return decideCredential(record, profile, pin, this.#context());
  }

  #context(): DecisionContext {
    const settings = this.settings;
    return { door: settings.door, now: this.#time.now(), tzOffsetMin: settings.tzOffsetMin, lockdown: this.#door.mode === 'lockdown' };
  }

  #outcome(decision: Decision, kind: AccessKind, extra: Record<string, unknown>): void {
    if (decision.granted) {
      const unlockMs = this.settings.unlockMs;
      this.#door.release(unlockMs);
      this.#feedback.granted(unlockMs);
    } else this.#feedback.denied();
    this.#emitAccess(decision, kind, extra);
  }

  #endPending(): void {
    this.hal.timers.clear(this.#pendingTimer);
    this.#pendingTimer = undefined;
    if (this.#pending) this.#feedback.endPrompt();
    this.#pending = undefined;
  }

  /** The credential's tag in the list (first bytes of its keyed hash): the platform knows whose it is. */
  #ref(kind: CredentialKind, secret: Uint8Array | string): string | undefined {
    const key = readSiteKey(this.hal.storage.kv, HASH_KEY);
    return key ? toHex(credentialHash(this.hal.crypto, key, kind, secret).subarray(0, REF_BYTES)) : undefined;
  }

  // ---- door state ----

  #alarm(alarm: DoorAlarm): void {
    if (alarm.state === 'raised') {
      const alarmId = `door.${alarm.kind}.${this.#runtime.boot}.${++this.#alarmCount}`;
      this.#alarmIds.set(alarm.kind, alarmId);
      this.#emit(`door.${alarm.kind}`, { alarmId, openMs: alarm.openMs });
    } else {
      const alarmId = this.#alarmIds.get(alarm.kind);
      this.#alarmIds.delete(alarm.kind);
      this.#emit(`door.${alarm.kind}.cleared`, { ...(alarmId ? { alarmId } : {}), openMs: alarm.openMs });
    }
    this.#feedback.setAlarm(this.#door.alarms.length > 0);
  }

  #restoreMode(): void {
    const stored = this.hal.storage.kv.get(DOOR_DOMAIN, MODE_KEY);
    if (stored === 'lockdown') this.#door.setMode('lockdown'); // the relay is already at rest: nothing moves
    else if (stored === 'hold_open') {
      // Holding open would mean energizing the relay at boot, which never happens: the platform is told instead.
      this.#saveMode('normal');
      this.#emit('door.mode', { mode: 'normal', previous: 'hold_open', cause: 'restart' });
    }
    this.#showIdle();
  }

  #saveMode(mode: DoorMode): void {
    try {
      if (mode === 'normal') this.hal.storage.kv.delete(DOOR_DOMAIN, MODE_KEY);
      else this.hal.storage.kv.set(DOOR_DOMAIN, MODE_KEY, mode);
    } catch (error) {
      this.hal.system.log('error', `door: mode not saved: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  #showIdle(): void {
    const mode = this.#door.mode;
    this.#feedback.setIdle(mode !== 'normal' ? mode : this.#runtime.state === 'online' ? 'online' : 'offline');
  }

  // ---- events ----

  #emitAccess(decision: Decision, kind: AccessKind, extra: Record<string, unknown>): void {
    if (decision.granted) this.#granted++;
    else {
      this.#denied++;
      // The denial that locks the keypad is always recorded: it names an attack in progress.
      if (extra.keypadLocked === undefined && !this.#denials.admit(decision.reason)) return;
    }
    const data: Record<string, unknown> = { kind, reason: decision.reason, ...extra };
    if (!this.#time.trusted) data.timeTrusted = false;
    this.#emit(decision.granted ? 'access.granted' : 'access.denied', data);
  }

  /** Every door event joins the `access` chain. A failing store never stops the door. */
  #emit(type: string, data: Record<string, unknown>): void {
    try {
      this.#runtime.emit(type, { door: this.settings.door, ...data, offline: this.#runtime.state !== 'online' }, { chain: 'access' });
    } catch (error) {
      this.hal.system.log('error', `door: event ${type} not stored: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}
