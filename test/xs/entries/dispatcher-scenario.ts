// The command path on XS: MQTT message → parseInbound → Dispatcher (idempotency in the host's key-value store)
// → result published through the host's scripted broker.
import type { Hal } from '../../../hal/contract/index.js';
import type { CommandMessage, ResultMessage } from '../../../firmware/protocol/messages.js';
import { topicFor } from '../../../firmware/protocol/topics.js';
import { parseInbound } from '../../../firmware/protocol/validate.js';
import { Dispatcher, type CommandOutcome } from '../../../firmware/runtime/dispatcher.js';
import { createHalProxy } from '../../support/xs/hal-proxy.js';

const ADDRESS = { site: 'site-1', device: 'door-7' };
let hal: Hal;
let dispatcher: Dispatcher;
/** Doors the `door.open` command really opened, this boot. */
const opened: number[] = [];
/** Inbound messages dropped without a result (no readable reqId). */
const dropped: string[] = [];

export function boot(): void {
  hal = createHalProxy();
  const resultTopic = topicFor(ADDRESS, 'result');
  dispatcher = new Dispatcher({
    wallClock: hal.wallClock,
    kv: hal.storage.kv,
    send: (reqId, outcome) => hal.mqtt.publish(resultTopic, JSON.stringify(result(reqId, outcome)), 1, false),
  });
  dispatcher.register('door.open', {
    validate: (args) => (Number.isInteger(args.door) ? undefined : 'args.door: expected an integer'),
    run: (args) => {
      opened.push(args.door as number);
      return { code: 'ok', data: { door: args.door, openCount: opened.length } };
    },
  });
  const commandTopic = topicFor(ADDRESS, 'command');
  hal.mqtt.connect(
    { host: 'broker', port: 1883, clientId: `${ADDRESS.site}.${ADDRESS.device}`, keepAliveSeconds: 30, cleanSession: false },
    {
      onConnect: () => hal.mqtt.subscribe([{ topic: commandTopic, qos: 1 }]),
      onClose: () => {},
      onMessage: (topic, payload, retained) => {
        if (topic !== commandTopic) return;
        const parsed = parseInbound('command', payload, retained);
        // As DeviceRuntime routes it: a refusal with a readable reqId gets a result, anything else is dropped.
        if (parsed.ok) dispatcher.dispatch(parsed.message as CommandMessage);
        else if (parsed.reqId !== undefined) dispatcher.refuse(parsed.reqId, parsed.code ?? 'invalid', parsed.error);
        else dropped.push(parsed.error);
      },
      onPublishAck: () => {},
    },
  );
}

function result(reqId: string, outcome: CommandOutcome): ResultMessage {
  const message: ResultMessage = {
    v: 1, msg: 'result', dev: ADDRESS.device, reqId, code: outcome.code,
    up: hal.clock.now(), ts: hal.wallClock.now(), tv: hal.wallClock.valid,
  };
  if (outcome.reason !== undefined) message.reason = outcome.reason;
  if (outcome.data !== undefined) message.data = outcome.data;
  return message;
}

export function status(): { opened: number[]; executed: number; dropped: string[] } {
  return { opened: [...opened], executed: dispatcher.executed, dropped: [...dropped] };
}
