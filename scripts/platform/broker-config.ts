// The broker side of docs/protocol.md §11 for one site: a Mosquitto 2.0 configuration with a TLS listener, no
// anonymous access, one user per device (`site.device`, also its client id: `use_username_as_clientid`, so no
// device can take over another's session) plus one platform user, and an ACL that gives each device exactly its
// own topics and the platform the mirror image for the site. Passwords are random (192 bits) and hashed the way
// Mosquitto 2.0 stores them (PBKDF2-SHA512, `$7$`); the clear passwords go to credentials.json for provisioning.
// The command line is the platform CLI's verb (scripts/platform/cli/site.ts):
//   npm run platform -- broker-config --site S --devices a,b --cert chain.pem --key key.pem --out DIR
//   npm run broker:config -- --site S --devices-file devices.txt --cert chain.pem --key key.pem --out DIR
// Writes DIR/mosquitto.conf, DIR/passwd (0600), DIR/acl, DIR/credentials.json (0600, SECRET); DIR is 0700.
// Existing files are not overwritten without --force (new passwords lock out devices provisioned with the old).
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CHANNELS, TOPIC_ROOT, isValidId, type Channel } from '../../firmware/protocol/topics.js';

/** What Mosquitto 2.0's `mosquitto_passwd` uses: PBKDF2-HMAC-SHA512, 101 iterations, a 12-byte salt, 64-byte hash. */
export const PBKDF2_ITERATIONS = 101;
/** Mosquitto 2.0 refuses a `$7$` entry whose salt is not exactly 12 bytes (or whose hash is not 64). */
export const SALT_BYTES = 12;
const HASH_BYTES = 64;
/** Random bytes per generated password: 192 bits, 32 base64url characters. */
export const PASSWORD_BYTES = 24;

export interface BrokerConfigOptions {
  site: string;
  devices: readonly string[];
  /** Output directory: mosquitto.conf names passwd and acl by their absolute paths in it. */
  dir: string;
  /** The broker's certificate chain (its certificate, then the CA: the devices' TLS needs the chain), PEM. */
  cert: string;
  /** The broker's private key, PEM. */
  key: string;
  /** CA file for client certificates (optional; passwords are the devices' credentials). */
  cafile?: string;
  /** TLS port, default 8883. */
  port?: number;
  /** Address the TLS listener binds to (default: all). */
  bind?: string;
  /** A plain listener on 127.0.0.1 only, for tests. */
  plainPort?: number;
  /** Default `{site}.platform`. */
  platformUser?: string;
  /** Directory for mosquitto.db: persistence is off unless given. */
  persistence?: string;
  /** Injected in tests; default crypto.randomBytes. */
  random?: (size: number) => Buffer;
}

export interface Credential {
  user: string;
  pass: string;
}

export interface DeviceCredential extends Credential {
  site: string;
  device: string;
}

export interface SiteCredentials {
  site: string;
  port: number;
  platform: Credential;
  devices: DeviceCredential[];
}

export interface GeneratedFile {
  name: string;
  content: string;
  /** File mode: 0o600 for secrets and password hashes. */
  mode: number;
}

export interface BrokerConfig {
  files: GeneratedFile[];
  credentials: SiteCredentials;
}

/** Mosquitto 2.0's `sha512-pbkdf2` password file entry (after `user:`): `$7$iterations$salt$hash`, base64. */
export function hashPassword(password: string, salt: Uint8Array = randomBytes(SALT_BYTES), iterations = PBKDF2_ITERATIONS): string {
  if (salt.length !== SALT_BYTES) throw new RangeError(`salt: Mosquitto 2.0 reads ${SALT_BYTES}-byte salts only, got ${salt.length}`);
  if (!Number.isInteger(iterations) || iterations < 1) throw new RangeError(`iterations: expected a positive integer, got ${iterations}`);
  const hash = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, HASH_BYTES, 'sha512');
  return `$7$${iterations}$${Buffer.from(salt).toString('base64')}$${hash.toString('base64')}`;
}

/** Whether `password` matches a `$7$` entry (as Mosquitto checks it). */
export function verifyPassword(password: string, encoded: string): boolean {
  const match = /^\$7\$(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$/.exec(encoded);
  if (!match) return false;
  const salt = Buffer.from(match[2]!, 'base64');
  const expected = Buffer.from(match[3]!, 'base64');
  if (salt.length !== SALT_BYTES || expected.length !== HASH_BYTES) return false;
  const actual = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, Number(match[1]), HASH_BYTES, 'sha512');
  return timingSafeEqual(actual, expected);
}

export function generatePassword(random: (size: number) => Buffer = randomBytes): string {
  const bytes = random(PASSWORD_BYTES);
  if (bytes.length !== PASSWORD_BYTES) throw new Error('random source returned the wrong number of bytes');
  return bytes.toString('base64url');
}

/** A device's MQTT user name, which the broker also makes its client id. Ids never contain a dot. */
export function deviceUser(site: string, device: string): string {
  return `${site}.${device}`;
}

/** Device ids from a devices file: one per line; blank lines and `#` comments skipped. Throws on a bad id. */
export function parseDeviceList(text: string, source = 'devices file'): string[] {
  const ids: string[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    if (!isValidId(line)) throw new Error(`${source}:${index + 1}: ${JSON.stringify(line)} is not a valid device id (1–64 of A-Z a-z 0-9 _ -)`);
    ids.push(line);
  });
  return ids;
}

const OUTBOUND = channelsWhere('out');
const INBOUND = channelsWhere('in');

function channelsWhere(direction: 'in' | 'out'): Channel[] {
  return (Object.keys(CHANNELS) as Channel[]).filter((channel) => CHANNELS[channel].direction === direction);
}

/** Only printable ASCII without space, `:` (the passwd separator), `+`, `#` or `/`: safe in passwd, ACL and topics. */
const USER_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

function checkPort(value: number | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw new RangeError(`${name}: expected a port 1–65535, got ${value}`);
  return value;
}

/** Configuration line values must be one line, and Mosquitto splits options at spaces. */
function checkPath(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (value === '' || /\s/.test(value)) throw new Error(`${name}: a path without spaces or line breaks is required, got ${JSON.stringify(value)}`);
  return value;
}

/** The configuration files for one site. Pure apart from the random passwords and salts. */
export function brokerConfig(options: BrokerConfigOptions): BrokerConfig {
  const { site } = options;
  if (!isValidId(site)) throw new Error(`--site: ${JSON.stringify(site)} is not a valid site id (1–64 of A-Z a-z 0-9 _ -)`);
  if (options.devices.length === 0) throw new Error('no devices: give --devices and/or --devices-file');
  const seen = new Set<string>();
  for (const device of options.devices) {
    if (!isValidId(device)) throw new Error(`device ${JSON.stringify(device)} is not a valid device id (1–64 of A-Z a-z 0-9 _ -)`);
    if (seen.has(device)) throw new Error(`device ${device} is listed twice`);
    seen.add(device);
  }
  const port = checkPort(options.port, '--port') ?? 8883;
  const plainPort = checkPort(options.plainPort, '--plain-port');
  if (plainPort === port) throw new Error(`--plain-port ${plainPort} is the TLS port`);
  const platformUser = options.platformUser ?? `${site}.platform`;
  if (!USER_NAME.test(platformUser)) throw new Error(`--platform-user: ${JSON.stringify(platformUser)}: use 1–128 of A-Z a-z 0-9 _ . -`);
  const clash = options.devices.find((device) => deviceUser(site, device) === platformUser);
  if (clash !== undefined) throw new Error(`--platform-user ${platformUser} is also device ${clash}'s user name: rename one`);
  const dir = resolve(checkPath(options.dir, '--out')!);
  const cert = resolve(checkPath(options.cert, '--cert')!);
  const key = resolve(checkPath(options.key, '--key')!);
  const cafile = options.cafile === undefined ? undefined : resolve(checkPath(options.cafile, '--cafile')!);
  const persistence = options.persistence === undefined ? undefined : resolve(checkPath(options.persistence, '--persistence')!);
  const bind = options.bind === undefined ? undefined : checkPath(options.bind, '--bind');

  const random = options.random ?? randomBytes;
  const platform: Credential = { user: platformUser, pass: generatePassword(random) };
  const devices: DeviceCredential[] = options.devices.map((device) => ({
    site, device, user: deviceUser(site, device), pass: generatePassword(random),
  }));
  const generated = `generated by scripts/platform/broker-config.ts for site ${site}`;

  const conf = [
    `# Mosquitto 2.0 configuration, ${generated} (docs/protocol.md §11).`,
    '# Regenerate rather than edit. passwd, acl and the certificate files must be readable by the user mosquitto',
    '# runs as (started as root it switches to "mosquitto").',
    '',
    '# Authentication and ACL apply to every listener alike.',
    'per_listener_settings false',
    'allow_anonymous false',
    `password_file ${join(dir, 'passwd')}`,
    `acl_file ${join(dir, 'acl')}`,
    '',
    ...(persistence === undefined
      ? ['# Sessions and queued messages live in memory only: a broker restart drops them (commands carry exp).', 'persistence false']
      : ['persistence true', `persistence_location ${persistence}/`]),
    '',
    '# MQTT over TLS for the devices and the platform. The certificate file holds the chain (certificate, then CA).',
    // use_username_as_clientid is a listener option: the client id becomes the user name (site.device), so a
    // client can only ever replace its own session.
    `listener ${port}${bind === undefined ? '' : ` ${bind}`}`,
    'use_username_as_clientid true',
    `certfile ${cert}`,
    `keyfile ${key}`,
    ...(cafile === undefined ? [] : [`cafile ${cafile}`]),
    'tls_version tlsv1.2',
    ...(plainPort === undefined ? [] : [
      '',
      '# Plain MQTT on the loopback interface only (tests, local tools). Same users and ACL.',
      `listener ${plainPort} 127.0.0.1`,
      'use_username_as_clientid true',
    ]),
    '',
  ].join('\n');

  const passwd = [platform, ...devices].map((c) => `${c.user}:${hashPassword(c.pass, random(SALT_BYTES))}\n`).join('');

  const topic = (device: string, channel: Channel) => `${TOPIC_ROOT}/${site}/${device}/${channel}`;
  const acl = [
    `# Mosquitto 2.0 ACL, ${generated}.`,
    '# Explicit rules per user, no patterns and nothing for anonymous clients. "topic read" is what a client may',
    '# receive (Mosquitto 2.0 checks it on every delivery, including retained messages; a subscription to anything',
    '# else is granted but delivers nothing); "topic write" is what it may publish (anything else is dropped).',
    '# Nothing needs readwrite: no one both publishes and receives on the same topic.',
    '',
    ...devices.flatMap((d) => [
      `user ${d.user}`,
      ...OUTBOUND.map((channel) => `topic write ${topic(d.device, channel)}`),
      ...INBOUND.map((channel) => `topic read ${topic(d.device, channel)}`),
      '',
    ]),
    `# The platform: every device of site ${site}, the mirror image.`,
    `user ${platform.user}`,
    ...OUTBOUND.map((channel) => `topic read ${topic('+', channel)}`),
    ...INBOUND.map((channel) => `topic write ${topic('+', channel)}`),
    '',
  ].join('\n');

  const credentials: SiteCredentials = { site, port, platform, devices };
  const secret = {
    '//': `SECRET: the MQTT passwords of site ${site} in clear text, made by scripts/platform/broker-config.ts. `
      + 'For provisioning (prov/user, prov/pass) and the platform only: keep it off shared storage and out of version '
      + 'control, and delete it once used.',
    ...credentials,
  };

  return {
    files: [
      { name: 'mosquitto.conf', content: conf, mode: 0o644 },
      { name: 'passwd', content: passwd, mode: 0o600 },
      { name: 'acl', content: acl, mode: 0o644 },
      { name: 'credentials.json', content: `${JSON.stringify(secret, null, 2)}\n`, mode: 0o600 },
    ],
    credentials,
  };
}

/** Writes the files into `dir` (created 0700). Refuses to replace existing files unless `force`. */
export function writeBrokerConfig(dir: string, config: BrokerConfig, force = false): string[] {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (!force) {
    const existing = config.files.filter((file) => existsSync(join(dir, file.name))).map((file) => file.name);
    if (existing.length > 0) throw new Error(`${dir} already holds ${existing.join(', ')}: new passwords would lock out provisioned devices; use --force to replace them`);
  }
  return config.files.map((file) => {
    const path = join(dir, file.name);
    // Created with its mode (never readable by others in between), then chmod in case it existed or umask differs.
    writeFileSync(path, file.content, { mode: file.mode, flag: force ? 'w' : 'wx' });
    chmodSync(path, file.mode);
    return path;
  });
}
