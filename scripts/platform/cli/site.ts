// `platform broker-config` (scripts/platform/broker-config.ts's Mosquitto configuration for a site, as a verb) and
// `platform site-keys` (a new site keys file with random keys).
import { randomBytes } from 'node:crypto';
import { accessSync, chmodSync, constants, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { brokerConfig, parseDeviceList, writeBrokerConfig } from '../broker-config.js';
import { FailureError, idOption, intOption, KEY_NAMES, output, UsageError } from './common.js';

interface BrokerConfigOptions {
  site: string; devices?: string; devicesFile?: string; out: string; port: string; bind?: string; cert: string; key: string;
  cafile?: string; plainPort?: string; platformUser?: string; persistence?: string; force?: boolean; json?: boolean;
}

function readable(path: string, name: string): string {
  try {
    accessSync(path, constants.R_OK);
  } catch {
    throw new UsageError(`${name}: cannot read ${path}`);
  }
  return path;
}

export function brokerConfigCommand(program: Command): void {
  program.command('broker-config')
    .description('write a Mosquitto 2.0 configuration for one site: TLS listener, per-device users and ACL, credentials')
    .requiredOption('--site <id>', 'site id')
    .option('--devices <list>', 'device ids, comma-separated')
    .option('--devices-file <file>', 'device ids, one per line (# comments)')
    .requiredOption('--out <dir>', 'output directory (created 0700)')
    .option('--port <n>', 'TLS port', '8883')
    .option('--bind <address>', 'address the TLS listener binds to (default: all)')
    .requiredOption('--cert <file>', 'the broker\'s certificate chain, PEM (certificate, then CA)')
    .requiredOption('--key <file>', 'the broker\'s private key, PEM')
    .option('--cafile <file>', 'CA for client certificates (optional)')
    .option('--plain-port <n>', 'also a plain listener on 127.0.0.1 only (tests)')
    .option('--platform-user <name>', 'the platform\'s user name (default SITE.platform)')
    .option('--persistence <dir>', 'keep sessions and queued messages in DIR/mosquitto.db (default: off)')
    .option('--force', 'replace files already in the output directory')
    .option('--json', 'print the files written as JSON (never the passwords)')
    .addHelpText('after', '\nWrites DIR/mosquitto.conf, DIR/passwd (0600), DIR/acl and DIR/credentials.json (0600, the clear passwords).')
    .action((options: BrokerConfigOptions) => {
      let devices: string[];
      try {
        devices = [
          ...(options.devices === undefined ? [] : options.devices.split(',').map((id) => id.trim())),
          ...(options.devicesFile === undefined ? [] : parseDeviceList(readFileSync(readable(options.devicesFile, '--devices-file'), 'utf8'), options.devicesFile)),
        ];
      } catch (error) {
        throw error instanceof UsageError ? error : new UsageError(error instanceof Error ? error.message : String(error));
      }
      let config;
      try {
        config = brokerConfig({
          site: options.site,
          devices,
          dir: options.out,
          cert: readable(options.cert, '--cert'),
          key: readable(options.key, '--key'),
          ...(options.cafile === undefined ? {} : { cafile: readable(options.cafile, '--cafile') }),
          port: intOption(options.port, '--port', 1, 65535),
          ...(options.bind === undefined ? {} : { bind: options.bind }),
          ...(options.plainPort === undefined ? {} : { plainPort: intOption(options.plainPort, '--plain-port', 1, 65535) }),
          ...(options.platformUser === undefined ? {} : { platformUser: options.platformUser }),
          ...(options.persistence === undefined ? {} : { persistence: options.persistence }),
        });
      } catch (error) {
        throw error instanceof UsageError ? error : new UsageError(error instanceof Error ? error.message : String(error));
      }
      const out = resolve(options.out);
      let written: string[];
      try {
        written = writeBrokerConfig(out, config, options.force === true);
      } catch (error) {
        throw new FailureError(error instanceof Error ? error.message : String(error));
      }
      const report = output(options.json);
      report.line(`site ${config.credentials.site}: ${config.credentials.devices.length} device user(s) and platform user ${config.credentials.platform.user}`);
      for (const path of written) report.line(`  wrote ${path}`);
      report.line(`SECRET: ${join(out, 'credentials.json')} holds every password in clear text; hand it to provisioning only, then delete it.`);
      report.line(`Run: mosquitto -c ${join(out, 'mosquitto.conf')}`);
      report.line(`(started as root, mosquitto switches to user "mosquitto", which must be able to read ${out} and the key: chown -R mosquitto: ${out})`);
      report.data({
        site: config.credentials.site, platformUser: config.credentials.platform.user,
        devices: config.credentials.devices.map((device) => device.device), written, secret: join(out, 'credentials.json'),
      });
    });
}

interface SiteKeysOptions {
  out: string;
  site?: string;
  passKeyId: string;
  demo?: boolean;
  force?: boolean;
  print?: boolean;
}

export function siteKeysCommand(program: Command): void {
  program.command('site-keys')
    .description('write a new site keys file (random hashKey, syncKey, passKey, commandKey), mode 0600')
    .requiredOption('--out <file>', 'the keys file to write')
    .option('--site <id>', 'site id to record in the file (the default for --site)')
    .option('--pass-key-id <n>', 'id of the pass key, 0–255', '1')
    .option('--demo', 'the simulator\'s fixed demo keys instead of random ones (npm start\'s door readers hold them; never for a real site)')
    .option('--force', 'replace an existing file (devices keep the old keys until re-provisioned)')
    .option('--print', 'also print the file (it holds the site\'s secrets)')
    .addHelpText('after', '\nThe same keys go into every door reader of the site (cred/hashKey, cred/syncKey, door keys) when it is provisioned.')
    .action(async (options: SiteKeysOptions) => {
      let file: Record<string, unknown>;
      if (options.demo) {
        // Loaded only here: the door reader's simulator kind brings the whole app with it.
        const { DEMO_KEYS } = await import('../../../simulator/kinds/door-reader.js');
        file = {
          '//': 'The simulator\'s demo site keys (simulator/kinds/door-reader.ts): public, for trying the CLI on npm start only.',
          site: options.site === undefined ? 'demo' : idOption(options.site, '--site'),
          ...Object.fromEntries(KEY_NAMES.map((name) => [name, Buffer.from(DEMO_KEYS[name]).toString('hex')])),
          passKeyId: DEMO_KEYS.passKeyId,
        };
      } else {
        file = {
          '//': 'SECRET: site keys for the platform CLI (npm run platform). Keep it off shared storage and out of version control.',
          ...(options.site === undefined ? {} : { site: idOption(options.site, '--site') }),
          ...Object.fromEntries(KEY_NAMES.map((name) => [name, randomBytes(32).toString('hex')])),
          passKeyId: intOption(options.passKeyId, '--pass-key-id', 0, 255),
        };
      }
      const text = `${JSON.stringify(file, null, 2)}\n`;
      try {
        writeFileSync(options.out, text, { mode: 0o600, flag: options.force ? 'w' : 'wx' });
        chmodSync(options.out, 0o600);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST') throw new UsageError(`--out: ${options.out} exists: keys in use would be lost; --force replaces it`);
        throw new UsageError(`--out: cannot write ${options.out}${code ? ` (${code})` : ''}`);
      }
      process.stdout.write(options.print ? text : `wrote ${resolve(options.out)} (0600)\n`);
    });
}
