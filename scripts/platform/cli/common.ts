// Shared pieces of the platform CLI (scripts/platform/cli.ts): the exit-code convention, the site keys file, and
// the platform's MQTT client (connect, check that a device exists, publish commands and wait for their results).
//
// Exit codes: 0 done; 2 the command line or an input file is wrong (nothing was sent); 1 the operation failed
// (broker unreachable, unknown device, a device's refusal, no result in time).
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { PROTOCOL_VERSION, type CommandMessage, type ResultMessage, type StatusMessage } from '../../../firmware/protocol/messages.js';
import { isValidId, topicFor, type DeviceAddress } from '../../../firmware/protocol/topics.js';

/** Wrong command line or input: exit 2. */
export class UsageError extends Error {}

/** The operation failed: exit 1. */
export class FailureError extends Error {}

/**
 * A site keys file: JSON with the site's secrets as 64 lowercase or uppercase hex digits (32 bytes each). Every
 * field is optional; a verb asks for the keys it needs. `site` is the default for --site.
 *
 *   { "site": "oak-court", "hashKey": "…", "syncKey": "…", "passKey": "…", "passKeyId": 1, "commandKey": "…" }
 */
export interface SiteKeysFile {
  site?: string;
  /** Credential hash key (cred/hashKey on the door readers). */
  hashKey?: Uint8Array;
  /** Signs credential sync manifests (cred/syncKey). */
  syncKey?: Uint8Array;
  /** Signs visitor passes, with its id 0–255. */
  passKey?: Uint8Array;
  passKeyId?: number;
  /** Signs door.* commands. */
  commandKey?: Uint8Array;
}

export type KeyName = 'hashKey' | 'syncKey' | 'passKey' | 'commandKey';
export const KEY_NAMES: readonly KeyName[] = ['hashKey', 'syncKey', 'passKey', 'commandKey'];
const KEY_FLAGS: Readonly<Record<KeyName, string>> = {
  hashKey: '--hash-key', syncKey: '--sync-key', passKey: '--pass-key', commandKey: '--command-key',
};

/** Options every verb that needs keys takes (commander camel-cases the flags). */
export interface KeyOptions {
  keys?: string;
  hashKey?: string;
  syncKey?: string;
  passKey?: string;
  passKeyId?: string;
  commandKey?: string;
}

export function hexKey(text: string, name: string): Uint8Array {
  // The message names the input, never echoes it: it may be a key with one digit wrong.
  if (!/^[0-9a-fA-F]{64}$/.test(text)) throw new UsageError(`${name}: expected 64 hex digits (32 bytes)`);
  return new Uint8Array(Buffer.from(text, 'hex'));
}

/** Reads and checks a keys file. Errors name the file and the field, never a key's value. */
export function readKeysFile(path: string): SiteKeysFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--keys: cannot read ${path}${code === 'ENOENT' ? ': no such file' : code ? ` (${code})` : ''}`);
  }
  try {
    if ((statSync(path).mode & 0o077) !== 0) process.stderr.write(`warning: ${path} holds site secrets and others can read it: chmod 600 ${path}\n`);
  } catch {
    // read just now; a stat failure is no reason to stop
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new UsageError(`--keys: ${path} is not JSON`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new UsageError(`--keys: ${path}: expected a JSON object`);
  const record = json as Record<string, unknown>;
  const out: SiteKeysFile = {};
  for (const [field, value] of Object.entries(record)) {
    if (field === '//' || field === 'comment') continue;
    if (field === 'site') {
      if (!isValidId(value)) throw new UsageError(`--keys: ${path}: "site" is not a valid site id (1–64 of A-Z a-z 0-9 _ -)`);
      out.site = value;
    } else if (field === 'passKeyId') {
      if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 255) throw new UsageError(`--keys: ${path}: "passKeyId" must be an integer 0–255`);
      out.passKeyId = value as number;
    } else if ((KEY_NAMES as readonly string[]).includes(field)) {
      if (typeof value !== 'string') throw new UsageError(`--keys: ${path}: "${field}" must be a string of 64 hex digits`);
      out[field as KeyName] = hexKey(value, `--keys: ${path}: "${field}"`);
    } else {
      throw new UsageError(`--keys: ${path}: unknown field "${field}" (known: site, ${KEY_NAMES.join(', ')}, passKeyId)`);
    }
  }
  return out;
}

/** The keys file (--keys, or $CT_SITE_KEYS) with any key flags on top. */
export function loadKeys(options: KeyOptions): SiteKeysFile {
  const path = options.keys ?? process.env.CT_SITE_KEYS;
  const keys: SiteKeysFile = path ? readKeysFile(path) : {};
  for (const name of KEY_NAMES) {
    const flag = options[name];
    if (flag !== undefined) keys[name] = hexKey(flag, KEY_FLAGS[name]);
  }
  if (options.passKeyId !== undefined) keys.passKeyId = intOption(options.passKeyId, '--pass-key-id', 0, 255);
  return keys;
}

/** The named keys, or a usage error saying where to put them. */
export function requireKeys<K extends KeyName>(keys: SiteKeysFile, ...names: K[]): Record<K, Uint8Array> {
  const missing = names.filter((name) => keys[name] === undefined);
  if (missing.length > 0) {
    throw new UsageError(`missing ${missing.map((name) => `${name} (${KEY_FLAGS[name]})`).join(', ')}: give a site keys file with --keys FILE (or $CT_SITE_KEYS) holding ${missing.map((name) => `"${name}"`).join(', ')}`);
  }
  return Object.fromEntries(names.map((name) => [name, keys[name]!])) as Record<K, Uint8Array>;
}

export function intOption(text: string, name: string, min: number, max: number): number {
  if (!/^-?\d+$/.test(text.trim())) throw new UsageError(`${name}: expected an integer ${min}–${max}, got ${JSON.stringify(text)}`);
  const value = Number(text);
  if (value < min || value > max) throw new UsageError(`${name}: expected an integer ${min}–${max}, got ${value}`);
  return value;
}

export function idOption(text: string | undefined, name: string): string {
  if (text === undefined) throw new UsageError(`${name} is required`);
  if (!isValidId(text)) throw new UsageError(`${name}: ${JSON.stringify(text)} is not a valid id (1–64 of A-Z a-z 0-9 _ -)`);
  return text;
}

const REQ_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function reqIdOption(text: string | undefined, name = '--req-id'): string {
  if (text === undefined) return `cli-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
  if (!REQ_ID.test(text)) throw new UsageError(`${name}: ${JSON.stringify(text)}: 1–64 of A-Z a-z 0-9 . _ : -`);
  return text;
}

/** Where a verb writes: plain lines, or one JSON document with --json. */
export interface Output {
  json: boolean;
  line(text: string): void;
  data(value: unknown): void;
}

export function output(json: boolean | undefined): Output {
  return {
    json: json === true,
    line: (text) => { if (json !== true) process.stdout.write(`${text}\n`); },
    data: (value) => { if (json === true) process.stdout.write(`${JSON.stringify(value, null, 2)}\n`); },
  };
}

// ---- the platform's MQTT side ----

/** Options every verb that talks to a broker takes. */
export interface BrokerOptions {
  broker?: string;
  user?: string;
  pass?: string;
  ca?: string;
  site?: string;
  device?: string;
  checkDevice?: boolean;
  timeout?: string;
}

export interface Target extends DeviceAddress {
  broker: string;
}

export function targetOf(options: BrokerOptions, keys?: SiteKeysFile): Target {
  if (options.broker === undefined) throw new UsageError('--broker URL is required (or --dry-run)');
  if (!/^(mqtts?|wss?|tcp|ssl):\/\//.test(options.broker)) throw new UsageError(`--broker: ${JSON.stringify(options.broker)}: expected mqtt://host:port or mqtts://host:port`);
  return {
    broker: options.broker,
    site: idOption(options.site ?? keys?.site, '--site'),
    device: idOption(options.device, '--device'),
  };
}

export function timeoutOption(options: BrokerOptions, fallbackMs: number): number {
  return options.timeout === undefined ? fallbackMs : intOption(options.timeout, '--timeout', 1, 3600) * 1000;
}

export interface Platform {
  readonly client: MqttClient;
  /** The device's retained status, or undefined when the broker holds none within `waitMs`. */
  status(address: DeviceAddress, waitMs?: number): Promise<StatusMessage | undefined>;
  /** Subscribes to the device's results (before any command is sent). */
  watchResults(address: DeviceAddress): Promise<void>;
  /**
   * Publishes `command` and waits for its result; resends the same reqId every `retryMs` (§7.5: idempotent) until a
   * result arrives or `timeoutMs` has passed (then FailureError).
   */
  send(address: DeviceAddress, command: CommandMessage, timeoutMs: number, retryMs?: number): Promise<ResultMessage>;
  publish(topic: string, payload: string, retain: boolean): Promise<void>;
  close(): Promise<void>;
}

/** Connects as the platform (clean session, MQTT 3.1.1). --pass falls back to $CT_MQTT_PASS. */
export async function connectPlatform(options: BrokerOptions & { broker: string }, timeoutMs = 10_000): Promise<Platform> {
  const connect: IClientOptions = {
    protocolVersion: 4,
    clean: true,
    reconnectPeriod: 0,
    connectTimeout: timeoutMs,
    clientId: `platform-cli-${randomBytes(6).toString('hex')}`,
  };
  if (options.user !== undefined) connect.username = options.user;
  const pass = options.pass ?? process.env.CT_MQTT_PASS;
  if (pass !== undefined) connect.password = pass;
  if (options.ca !== undefined) {
    try {
      connect.ca = readFileSync(options.ca);
    } catch {
      throw new UsageError(`--ca: cannot read ${options.ca}`);
    }
  }
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(options.broker, connect);
  } catch (error) {
    throw new FailureError(`cannot connect to ${options.broker}: ${error instanceof Error ? error.message : String(error)}`);
  }
  client.on('error', () => {}); // reported by the awaiting call instead
  const results = new Map<string, (result: ResultMessage) => void>();
  const statuses = new Map<string, (status: StatusMessage) => void>();
  client.on('message', (topic, payload) => {
    if (payload.length === 0) return;
    let message: unknown;
    try {
      message = JSON.parse(payload.toString('utf8'));
    } catch {
      return;
    }
    if (typeof message !== 'object' || message === null) return;
    const m = message as { msg?: unknown; reqId?: unknown };
    if (topic.endsWith('/result') && m.msg === 'result' && typeof m.reqId === 'string') {
      results.get(`${topic} ${m.reqId}`)?.(message as ResultMessage);
    } else if (topic.endsWith('/status') && m.msg === 'status') {
      statuses.get(topic)?.(message as StatusMessage);
    }
  });

  return {
    client,
    async status(address, waitMs = 1500) {
      const topic = topicFor(address, 'status');
      const seen = new Promise<StatusMessage | undefined>((resolve) => {
        const timer = setTimeout(() => resolve(undefined), waitMs);
        statuses.set(topic, (status) => {
          clearTimeout(timer);
          resolve(status);
        });
      });
      await client.subscribeAsync(topic, { qos: 1 });
      const status = await seen;
      statuses.delete(topic);
      await client.unsubscribeAsync(topic);
      return status;
    },
    async watchResults(address) {
      await client.subscribeAsync(topicFor(address, 'result'), { qos: 1 });
    },
    async send(address, command, timeoutMs, retryMs = 5000) {
      const topic = topicFor(address, 'command');
      const key = `${topicFor(address, 'result')} ${command.reqId}`;
      const payload = JSON.stringify(command);
      return new Promise<ResultMessage>((resolve, reject) => {
        let retry: NodeJS.Timeout | undefined;
        const finish = (error: Error | undefined, result?: ResultMessage) => {
          clearTimeout(deadline);
          clearInterval(retry);
          results.delete(key);
          if (error) reject(error);
          else resolve(result!);
        };
        const deadline = setTimeout(() => finish(new FailureError(`no result for ${command.name} (reqId ${command.reqId}) from ${address.device} within ${Math.round(timeoutMs / 1000)} s: is the device online?`)), timeoutMs);
        results.set(key, (result) => finish(undefined, result));
        const publish = () => client.publishAsync(topic, payload, { qos: 1, retain: false }).catch((error: unknown) => finish(new FailureError(`publish to ${topic} failed: ${error instanceof Error ? error.message : String(error)}`)));
        void publish();
        retry = setInterval(() => void publish(), retryMs);
      });
    },
    async publish(topic, payload, retain) {
      try {
        await client.publishAsync(topic, payload, { qos: 1, retain });
      } catch (error) {
        throw new FailureError(`publish to ${topic} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    },
    async close() {
      await client.endAsync();
    },
  };
}

/** Connects and checks that the broker holds the device's status (unless --no-check-device). */
export async function connectToDevice(options: BrokerOptions, target: Target): Promise<{ platform: Platform; status: StatusMessage | undefined }> {
  const platform = await connectPlatform({ ...options, broker: target.broker });
  try {
    const status = await platform.status(target);
    if (status === undefined && options.checkDevice !== false) {
      throw new FailureError(`unknown device ${target.device} on site ${target.site}: the broker at ${target.broker} holds no status for it (check --site/--device; --no-check-device sends anyway)`);
    }
    return { platform, status };
  } catch (error) {
    await platform.close();
    throw error;
  }
}

export function commandMessage(name: string, reqId: string, exp: number, args?: Record<string, unknown>): CommandMessage {
  return { v: PROTOCOL_VERSION, msg: 'command', reqId, name, exp, ...(args === undefined ? {} : { args }) };
}

/**
 * Without --broker, prints the command JSON to publish; with it, sends the command to the device, waits up to the
 * command's own lifetime for its result, prints it, and fails unless it is `ok`.
 */
export async function printOrSend(options: BrokerOptions & { json?: boolean }, keys: SiteKeysFile | undefined, message: CommandMessage, ttlMs: number): Promise<void> {
  if (options.broker === undefined) {
    process.stdout.write(`${JSON.stringify(message)}\n`);
    return;
  }
  const target = targetOf(options, keys);
  const { platform } = await connectToDevice(options, target);
  try {
    await platform.watchResults(target);
    const result = await platform.send(target, message, timeoutOption(options, ttlMs));
    const out = output(options.json);
    out.line(`${target.device} ${message.name} (reqId ${message.reqId}): ${describeResult(result)}`);
    out.data(result);
    if (result.code !== 'ok') throw new FailureError(`${target.device} refused ${message.name}: ${describeResult(result)}`);
  } finally {
    await platform.close();
  }
}

/** One line for a result: `ok` or `<code>: <reason>`. */
export function describeResult(result: ResultMessage): string {
  return result.code === 'ok' ? 'ok' : `${result.code}: ${result.reason ?? '(no reason given)'}`;
}
