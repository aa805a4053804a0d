// `platform clear-retained`: decommissioning (docs/protocol.md §5.2) clears a device's retained topics with empty
// payloads (§3.4): every channel firmware/protocol/topics.ts marks retained, plus `command`, where an empty retained
// payload is the cure for a mistakenly retained command (§7.2). A device that is still online would publish its
// status again at once: the verb refuses unless --force.
// With a broker ACL as scripts/platform/broker-config.ts writes it, the platform user may write only the inbound
// channels: clearing `status` and `config/reported` needs a broker user allowed to write them (an administrator).
import type { Command } from 'commander';
import type { MqttClient } from 'mqtt';
import { CHANNELS, topicFor, type Channel } from '../../../firmware/protocol/topics.js';
import { connectToDevice, FailureError, idOption, output, targetOf, type BrokerOptions } from './common.js';
import { brokerFlags } from './flags.js';

/** The channels cleared, in this order: the device's own retained ones first. */
export const CLEARED_CHANNELS: readonly Channel[] = [
  ...(Object.keys(CHANNELS) as Channel[]).filter((channel) => CHANNELS[channel].retained),
  'command' as Channel,
].sort((a, b) => (CHANNELS[a].direction === CHANNELS[b].direction ? 0 : CHANNELS[a].direction === 'out' ? -1 : 1));

interface ClearOptions extends BrokerOptions {
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

export function clearRetainedCommand(program: Command): void {
  const command = program.command('clear-retained')
    .description('clear a decommissioned device\'s retained topics (empty retained payloads)')
    .option('--force', 'clear even when the device\'s status says it is online')
    .option('--dry-run', 'list the topics instead of clearing them')
    .option('--json', 'print the topics cleared as JSON');
  brokerFlags(command);
  command.addHelpText('after', `\nTopics: ct/v1/SITE/DEVICE/{${CLEARED_CHANNELS.join(',')}}.`);
  command.action(async (options: ClearOptions) => {
    const out = output(options.json);
    if (options.dryRun) {
      const address = { site: idOption(options.site, '--site'), device: idOption(options.device, '--device') };
      const topics = CLEARED_CHANNELS.map((channel) => topicFor(address, channel));
      if (out.json) out.data({ device: address.device, topics, cleared: false });
      else for (const topic of topics) process.stdout.write(`${topic}\n`);
      return;
    }
    const target = targetOf(options);
    const { platform, status } = await connectToDevice(options, target);
    const topics = CLEARED_CHANNELS.map((channel) => topicFor(target, channel));
    try {
      if (status?.state === 'online' && options.force !== true) {
        throw new FailureError(`${target.device} is online (boot ${status.boot}): it would publish its status again; power it off first, or --force`);
      }
      for (const topic of topics) await platform.publish(topic, '', true);
      // A broker may acknowledge a publish its ACL dropped (MQTT 3.1.1 has no way to say no): look again.
      const left = await stillRetained(platform.client, topics);
      if (left.length > 0) {
        throw new FailureError(`the broker still holds retained messages on ${left.join(', ')}: this MQTT user may not write them (the site ACL lets the platform user write only command, config/desired and alarm); use an administrative user`);
      }
    } finally {
      await platform.close();
    }
    for (const topic of topics) out.line(`cleared ${topic}`);
    out.data({ device: target.device, topics, cleared: true });
  });
}

/** The topics among `topics` on which a fresh subscription still gets a retained message. */
async function stillRetained(client: MqttClient, topics: readonly string[], waitMs = 1000): Promise<string[]> {
  const left = new Set<string>();
  const onMessage = (topic: string, payload: Buffer, packet: { retain?: boolean }) => {
    if (packet.retain && payload.length > 0 && topics.includes(topic)) left.add(topic);
  };
  client.on('message', onMessage);
  try {
    await client.subscribeAsync([...topics], { qos: 1 });
    await new Promise((resolve) => setTimeout(resolve, waitMs));
    await client.unsubscribeAsync([...topics]);
  } finally {
    client.off('message', onMessage);
  }
  return [...left];
}
