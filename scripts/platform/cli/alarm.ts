// `platform alarm-update`: one step of an alarm's lifecycle (docs/protocol.md §9) on the device's `alarm` topic,
// QoS 1 and retained, so a device that restarts or wakes learns the state of its latest alarm. The message is
// checked with the protocol's own validator before it goes out.
import type { Command } from 'commander';
import type { AlarmState, AlarmUpdateMessage } from '../../../firmware/protocol/messages.js';
import { PROTOCOL_VERSION } from '../../../firmware/protocol/messages.js';
import { topicFor } from '../../../firmware/protocol/topics.js';
import { validateMessage } from '../../../firmware/protocol/validate.js';
import { connectToDevice, idOption, intOption, output, targetOf, UsageError, type BrokerOptions } from './common.js';
import { brokerFlags } from './flags.js';

export const ALARM_STATES: readonly AlarmState[] = ['raised', 'accepted', 'dispatched', 'onsite', 'resolved', 'cancelled'];
/** Spellings people use for a state. */
const ALIASES: Readonly<Record<string, AlarmState>> = { 'on-site': 'onsite', 'on_site': 'onsite', 'canceled': 'cancelled' };

interface AlarmOptions extends BrokerOptions {
  alarm: string;
  state: string;
  note?: string;
  eta?: string;
  ts?: string;
  dryRun?: boolean;
  json?: boolean;
}

export function alarmUpdateCommand(program: Command): void {
  const command = program.command('alarm-update')
    .description('send an alarm step (raised, accepted, dispatched, onsite, resolved, cancelled) to the device that shows it')
    .requiredOption('--alarm <id>', 'the alarm id (the device\'s data.alarmId from alarm.raised, e.g. DEV.SEQ)')
    .requiredOption('--state <state>', ALARM_STATES.join(' | '))
    .option('--note <text>', 'text the device shows, ≤ 140 characters (responder name, instructions)')
    .option('--eta <min>', 'dispatched only: expected minutes to arrival, 0–1440')
    .option('--ts <ms>', 'platform time of the change, ms since the epoch (default: now); a device ignores older ones')
    .option('--dry-run', 'print the message and its topic instead of publishing it')
    .option('--json', 'print what was published as JSON');
  brokerFlags(command);
  command.addHelpText('after', '\nA device ignores a step backwards, a repeat and anything after resolved/cancelled (§9).');
  command.action(async (options: AlarmOptions) => {
    const state = (ALIASES[options.state.toLowerCase()] ?? options.state.toLowerCase()) as AlarmState;
    if (!ALARM_STATES.includes(state)) throw new UsageError(`--state: ${JSON.stringify(options.state)}: expected one of ${ALARM_STATES.join(', ')}`);
    if (options.eta !== undefined && state !== 'dispatched') throw new UsageError('--eta: only with --state dispatched');
    const message: AlarmUpdateMessage = {
      v: PROTOCOL_VERSION, msg: 'alarm', alarmId: options.alarm, state,
      ts: options.ts === undefined ? Date.now() : intOption(options.ts, '--ts', 0, Number.MAX_SAFE_INTEGER),
      ...(options.note === undefined ? {} : { note: options.note }),
      ...(options.eta === undefined ? {} : { etaMin: intOption(options.eta, '--eta', 0, 1440) }),
    };
    const check = validateMessage(message);
    if (!check.ok) throw new UsageError(`the alarm message is not valid: ${check.error.replace(/^message\.alarmId/, '--alarm').replace(/^message\.note/, '--note')}`);
    const out = output(options.json);
    if (options.dryRun) {
      const site = idOption(options.site, '--site');
      const topic = topicFor({ site, device: idOption(options.device, '--device') }, 'alarm');
      if (out.json) out.data({ topic, retain: true, qos: 1, message });
      else process.stdout.write(`${topic}\n${JSON.stringify(message)}\n`);
      return;
    }
    const target = targetOf(options);
    const topic = topicFor(target, 'alarm');
    const { platform } = await connectToDevice(options, target);
    try {
      await platform.publish(topic, JSON.stringify(message), true);
    } finally {
      await platform.close();
    }
    out.line(`${target.device}: alarm ${message.alarmId} ${state} published (retained) on ${topic}`);
    out.data({ topic, retain: true, qos: 1, message });
  });
}
