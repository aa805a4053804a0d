// The flags several verbs share: where the site keys come from, and which broker and device to talk to.
import type { Command } from 'commander';

export function keyFlags(command: Command, which: readonly ('hash' | 'sync' | 'pass' | 'command')[] = ['hash', 'sync']): Command {
  command.option('--keys <file>', 'site keys file, JSON with hex keys (default: $CT_SITE_KEYS)');
  for (const key of which) command.option(`--${key}-key <hex>`, `the site ${key} key, 64 hex digits (instead of the keys file; visible to ps)`);
  if (which.includes('pass')) command.option('--pass-key-id <n>', 'id of the pass key, 0–255 (default: the keys file\'s passKeyId, else 0)');
  return command;
}

export function brokerFlags(command: Command, { device = true }: { device?: boolean } = {}): Command {
  command
    .option('--broker <url>', 'the site broker, mqtt://host:port or mqtts://host:port')
    .option('--user <name>', 'MQTT user name (the platform user, e.g. SITE.platform)')
    .option('--pass <password>', 'MQTT password (default: $CT_MQTT_PASS)')
    .option('--ca <file>', 'CA certificate for mqtts://, PEM')
    .option('--site <id>', 'site id (default: the keys file\'s "site")');
  if (device) {
    command
      .option('--device <id>', 'device id')
      .option('--no-check-device', 'skip the check that the broker holds a status for the device')
      .option('--timeout <s>', 'seconds to wait for each result');
  }
  return command;
}
