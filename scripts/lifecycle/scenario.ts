// `npm run scenario:lifecycle`: a door reader's whole life at a site (issue 12), on the embedded broker with the
// reference platform, every outcome taken from what the platform receives over MQTT (events, results, births) or
// from the device's setup page over HTTP, never from inside the device. It is set up from the box in the
// installer's steps (power, scan the provisioning code, pick the Wi-Fi on the page), updated with a signed image,
// handed an image that fails its self-test (rolled back), a forged and an unsigned image and a downgrade (refused),
// broker settings that cannot work (reverted), a crash loop (safe mode), and a signed factory reset (erased, its
// setup page back). It prints a line per step and then the summary line of the issue; exit 0 only when all held.
// test/lifecycle/scenario.test.ts runs it.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { FACTORY_RESET } from '../../firmware/lifecycle/factory-reset.js';
import { OTA_APPLIED, OTA_ROLLED_BACK } from '../../firmware/lifecycle/ota-manifest.js';
import { SETUP_DOMAIN, SETUP_SECRET_KEY } from '../../firmware/lifecycle/provisioning-code.js';
import { SETTINGS_REVERTED, TRIAL_MS } from '../../firmware/lifecycle/settings-trial.js';
import type { SetupPhase, SetupStatus } from '../../firmware/lifecycle/setup-status.js';
import { LOOP_RESETS } from '../../firmware/lifecycle/boot-guard.js';
import { makeSimImage, type ImageBehaviour } from '../../hal/host/firmware.js';
import { startEmbeddedBroker } from '../../simulator/broker.js';
import { SimDevice } from '../../simulator/device.js';
import { DEMO_KEYS, doorReaderKind } from '../../simulator/kinds/door-reader.js';
import { ReferencePlatform, type DeviceRecord } from '../../simulator/platform/platform.js';
import { startSetupPage } from '../../simulator/setup-page.js';
import { SIM_NETWORKS } from '../../simulator/simulator.js';
import { newSetupSecret } from '../platform/cli/label.js';
import { makeOtaImage, type OtaImage } from '../platform/ota-image.js';
import { makeProvisioningCode, publicKeyHex } from '../platform/provisioning-code.js';

/** The issue's summary, in its order: each flag 1 only when the platform saw it happen. */
export interface LifecycleSummary {
  provisioning_steps: number;
  ota_applied: 0 | 1;
  ota_rolled_back: 0 | 1;
  unsigned_refused: 0 | 1;
  downgrade_refused: 0 | 1;
  bad_network_reverted: 0 | 1;
  safe_mode: 0 | 1;
  factory_reset_erased: 0 | 1;
}

export interface LifecycleResult {
  summary: LifecycleSummary;
  /** The summary as the issue prints it. */
  line: string;
  /** Every flag 1 and at most MAX_PROVISIONING_STEPS installer steps. */
  ok: boolean;
  /** Each step's line as printed. */
  steps: string[];
}

export interface LifecycleOptions {
  site?: string;
  log?: (line: string) => void;
  /** Virtual time per real time. Default 30: the settings trial alone is 180 s of device time. */
  speed?: number;
  /** Per wait, in real ms, besides the device time a wait is bounded by (the settings trial's 180 s). Default 15 s. */
  timeoutMs?: number;
}

/** The issue's bound on the installer's actions. */
export const MAX_PROVISIONING_STEPS = 3;
const DEVICE = 'lobby-door';
const MODEL = doorReaderKind.model;
const FACTORY_VERSION = '1.0.0';
/** A port nothing listens on: the broker settings that cannot work. */
const DEAD_PORT = 1;

export function summaryLine(summary: LifecycleSummary): string {
  return Object.entries(summary).map(([key, value]) => `${key}=${value}`).join(' ');
}

/** Every flag 1, and the device set up in 1 to MAX_PROVISIONING_STEPS installer steps. */
export function summaryOk(summary: LifecycleSummary): boolean {
  const { provisioning_steps: steps, ...flags } = summary;
  return Object.values(flags).every((value) => value === 1) && steps > 0 && steps <= MAX_PROVISIONING_STEPS;
}

export async function runLifecycleScenario(options: LifecycleOptions = {}): Promise<LifecycleResult> {
  const site = options.site ?? `lifecycle-${Date.now().toString(36)}`;
  const speed = options.speed ?? 30;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const steps: string[] = [];
  const say = (line: string) => {
    steps.push(line);
    options.log?.(line);
  };
  // Commands carry an expiry the device checks on its own clock, which runs `speed` times faster since its boot.
  const ota = { ttlMs: 30 * 60_000, outcomeMs: timeoutMs };
  const ttl = { ttlMs: ota.ttlMs };
  const provisioningKey = newKey();
  const firmwareKey = newKey();
  const summary: LifecycleSummary = {
    provisioning_steps: 0, ota_applied: 0, ota_rolled_back: 0, unsigned_refused: 0, downgrade_refused: 0,
    bad_network_reverted: 0, safe_mode: 0, factory_reset_erased: 0,
  };

  const broker = await startEmbeddedBroker({ port: 0 });
  const cleanups: (() => unknown)[] = [() => broker.close()];
  try {
    const platform = await ReferencePlatform.start({ url: broker.url, site, keys: DEMO_KEYS, commandRetryMs: 1000 });
    cleanups.push(() => platform.stop());
    const device = new SimDevice({
      kind: doorReaderKind, index: 1, provisioning: false, clock: { mode: 'real', speed },
      setup: { networks: SIM_NETWORKS }, provisioningKey: pointOf(provisioningKey),
      firmware: { version: FACTORY_VERSION, behaviour: 'ok' }, firmwareKey: pointOf(firmwareKey),
    });
    // The factory flashes the label's setup secret with the firmware (`platform label --nvs-csv`).
    const labelSecret = newSetupSecret();
    device.storage.kv.set(SETUP_DOMAIN, SETUP_SECRET_KEY, labelSecret);
    cleanups.push(() => {
      device.stop();
      device.storage.close();
    });
    const page = await startSetupPage(device);
    cleanups.push(() => page.close());

    const record = (): DeviceRecord | undefined => platform.device(DEVICE);
    const waitPlatform = (what: string, holds: (seen: DeviceRecord | undefined) => boolean) => platform.waitFor(() => holds(record()), timeoutMs, what);
    const seenEvent = (type: string, matches: (data: Record<string, unknown>) => boolean = () => true) =>
      platform.events({ dev: DEVICE, type }).some((event) => matches(event.data));
    /** `deviceMs`: device time the event may take on top (a bound the firmware keeps, in real ms at this speed). */
    const waitEvent = (type: string, deviceMs = 0) => platform.waitFor(() => seenEvent(type), timeoutMs + deviceMs / speed, type);
    /** The next birth after boot `after`. */
    const nextBirth = (after: number | undefined) =>
      waitPlatform('a birth', (seen) => seen?.state === 'online' && seen.boot !== undefined && seen.boot > (after ?? 0));
    const phase = (wanted: SetupPhase) => setupPhase(page.url, wanted, timeoutMs);
    const image = (version: string, behaviour: ImageBehaviour = 'ok', key: KeyObject = firmwareKey): OtaImage =>
      makeOtaImage(makeSimImage({ version, behaviour }, 4096), { model: MODEL, version, chunkBytes: 1024 }, key);

    // 1. Set up in the installer's steps; done when the platform gets the birth.
    let actions = 0;
    device.boot();
    actions++;
    await phase('needs_code');
    say(`1 power on: the setup page is up on ${page.url} (needs_code)`);
    const now = Math.floor(Date.now() / 1000);
    const { text } = makeProvisioningCode({
      model: MODEL, site, device: DEVICE, host: '127.0.0.1', port: broker.port, tls: false, user: '', pass: '',
      keys: DEMO_KEYS, setupSecret: labelSecret, issuedAt: now - 60, expiresAt: now + 24 * 3600,
    }, provisioningKey);
    device.kindCommand('qr', [text]);
    actions++;
    await phase('needs_wifi');
    say(`2 scan the provisioning code (${text.length} characters) at the reader: needs_wifi`);
    const wifi = SIM_NETWORKS[0]!;
    const chosen = await post(page.url, '/wifi', { ssid: wifi.ssid, password: wifi.password });
    actions++;
    if (!chosen.ok) throw new Error(`the setup page refused the network: ${JSON.stringify(chosen.body)}`);
    await nextBirth(0);
    summary.provisioning_steps = actions;
    say(`3 pick "${wifi.ssid}" on the setup page: birth of ${DEVICE} (fw ${record()?.fw}) · provisioning_steps=${actions}`);

    // 2–5. Updates through the platform's update desk; results and reports come back over MQTT.
    const applied = await platform.updateFirmware(DEVICE, image('1.1.0'), ota);
    if (applied.result === 'applied' && seenEvent(OTA_APPLIED, (data) => data.to === '1.1.0')) summary.ota_applied = 1;
    say(`ota 1.1.0: ${describe(applied)} · ${OTA_APPLIED} ${summary.ota_applied ? 'seen' : 'NOT seen'}`);

    const bad = await platform.updateFirmware(DEVICE, image('1.2.0', 'fails-self-test'), ota);
    if (bad.result === 'rolled_back' && seenEvent(OTA_ROLLED_BACK, (data) => data.version === '1.2.0')) summary.ota_rolled_back = 1;
    say(`ota 1.2.0 (fails its self-test): ${describe(bad)} · ${OTA_ROLLED_BACK} ${summary.ota_rolled_back ? 'seen' : 'NOT seen'}`);

    const forged = await platform.updateFirmware(DEVICE, image('1.3.0', 'ok', newKey()), ota);
    const genuine = image('1.3.0');
    const unsigned = await platform.updateFirmware(DEVICE, { ...genuine, manifest: { ...genuine.manifest, sig: '0'.repeat(128) } }, ota);
    if ([forged, unsigned].every((outcome) => outcome.result === 'refused' && /forged/.test(outcome.reason ?? ''))) summary.unsigned_refused = 1;
    say(`ota 1.3.0 signed with another key: ${describe(forged)}`);
    say(`ota 1.3.0 unsigned (a zero signature): ${describe(unsigned)}`);

    const downgrade = await platform.updateFirmware(DEVICE, image(FACTORY_VERSION), ota);
    if (downgrade.result === 'refused' && /downgrade/.test(downgrade.reason ?? '')) summary.downgrade_refused = 1;
    say(`ota ${FACTORY_VERSION} (older than the running 1.1.0): ${describe(downgrade)}`);

    // 6. Broker settings that cannot work: tried, and reverted within the trial's bound.
    const connected = record();
    const staged = await platform.changeSettings(DEVICE, { port: DEAD_PORT }, ttl);
    say(`lifecycle.settings port ${DEAD_PORT}: ${staged.code} ${JSON.stringify(staged.data ?? staged.reason)}`);
    if (staged.code === 'ok') {
      await waitEvent(SETTINGS_REVERTED, TRIAL_MS);
      // Back on the old settings: a birth of a later connection (the new port never connected).
      await waitPlatform('a birth on the old settings', (seen) => seen?.state === 'online' && laterConnection(seen, connected));
      summary.bad_network_reverted = 1;
      const why = platform.events({ dev: DEVICE, type: SETTINGS_REVERTED }).at(-1)?.data.why;
      say(`${SETTINGS_REVERTED}: ${String(why)} · online again on port ${broker.port}`);
    }

    // 7. A crash loop: the chip panics after every birth until the boot guard steps in.
    for (let panics = 1; panics <= LOOP_RESETS && summary.safe_mode === 0; panics++) {
      const before = record()?.boot;
      device.restart('panic');
      await nextBirth(before);
      const seen = record();
      if (seen?.safe !== undefined) summary.safe_mode = 1;
      say(`panic ${panics}: birth of boot ${seen?.boot}${seen?.safe !== undefined ? `, safe: ${seen.safe} (resets ${seen.resets?.join(' ')})` : ''}`);
    }

    // 8. A signed factory reset: device.erasing over MQTT, then the device is unprovisioned (its setup page back).
    const bootBefore = record()?.boot;
    const reset = await platform.sendCommand(DEVICE, FACTORY_RESET, { target: 0 }, ttl);
    say(`${FACTORY_RESET}: ${reset.code} ${JSON.stringify(reset.data ?? reset.reason)}`);
    if (reset.code === 'ok') {
      await waitEvent('device.erasing');
      await phase('needs_code');
      // The setup page is served by a boot with no provisioning: that boot never had a birth.
      if (record()?.boot === bootBefore) summary.factory_reset_erased = 1;
      say(`device.erasing seen; the setup page is up again (needs_code), no birth since (boot ${record()?.boot})`);
    }
  } catch (error) {
    say(`stopped: ${error instanceof Error ? error.message : String(error)}`);
  } finally {
    for (const cleanup of cleanups.reverse()) {
      try {
        await cleanup();
      } catch {
        // already stopped
      }
    }
  }
  return { summary, line: summaryLine(summary), ok: summaryOk(summary), steps };
}

function newKey(): KeyObject {
  return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
}

/** The 65-byte public point a build carries for `key`. */
function pointOf(key: KeyObject): Uint8Array {
  return new Uint8Array(Buffer.from(publicKeyHex(key), 'hex'));
}

/** `seen`'s (boot, conn) comes after `before`'s. */
function laterConnection(seen: DeviceRecord, before: DeviceRecord | undefined): boolean {
  const [boot, conn] = [before?.boot ?? 0, before?.conn ?? 0];
  return (seen.boot ?? 0) > boot || ((seen.boot ?? 0) === boot && (seen.conn ?? 0) > conn);
}

function describe(outcome: { result: string; reason?: string }): string {
  return outcome.reason ? `${outcome.result} (${outcome.reason})` : outcome.result;
}

async function post(url: string, path: string, body: unknown): Promise<{ ok: boolean; body: unknown }> {
  const response = await fetch(new URL(path, url), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { ok: response.ok, body: await response.json() as unknown };
}

/** Polls the setup page until it shows `wanted` (it answers 503 while the device restarts). */
async function setupPhase(url: string, wanted: SetupPhase, timeoutMs: number): Promise<SetupStatus> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    const response = await fetch(new URL('/status', url));
    last = response.status === 200 ? ((await response.json()) as { status: SetupStatus }).status : response.status;
    if (typeof last === 'object' && (last as SetupStatus).phase === wanted) return last as SetupStatus;
    if (Date.now() > deadline) throw new Error(`the setup page never showed ${wanted}: ${JSON.stringify(last)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { json: { type: 'boolean' }, speed: { type: 'string' } } });
  const speed = values.speed === undefined ? undefined : Number(values.speed);
  // Faster, and the image's 120 s to pass its self-test would be under 0.6 s of a loaded machine's real time.
  if (speed !== undefined && !(speed > 0 && speed <= 200)) {
    process.stderr.write('--speed: expected a number above 0, at most 200\n');
    process.exit(2);
  }
  runLifecycleScenario({ ...(speed !== undefined ? { speed } : {}), ...(values.json ? {} : { log: (line) => process.stdout.write(`${line}\n`) }) }).then(
    (result) => {
      process.stdout.write(values.json ? `${JSON.stringify({ ok: result.ok, summary: result.summary, steps: result.steps })}\n` : `${result.line}\n`);
      if (!result.ok) process.exitCode = 1;
    },
    (error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
