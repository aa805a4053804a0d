// validate(args, command): a command's own validation sees the whole command (a signature over reqId and exp
// needs it), and what it refuses is answered from RAM without writing the flash.
import { jest } from '@jest/globals';
import { Dispatcher, type CommandOutcome } from '../../firmware/runtime/dispatcher.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';
import { MemoryKeyValueStore } from '../../hal/host/storage/kv.js';

const NOW = 1_800_000_000_000;

it('hands the command to validate and keeps refusals out of the key-value store', () => {
  const kv = new MemoryKeyValueStore();
  const set = jest.spyOn(kv, 'set');
  const results: [string, CommandOutcome][] = [];
  const dispatcher = new Dispatcher({ wallClock: { now: () => NOW, valid: true, set() {} }, kv, send: (reqId, outcome) => results.push([reqId, outcome]) });
  const seen: string[] = [];
  dispatcher.register('door.unlock', {
    validate: (args, command) => {
      seen.push(`${command.reqId}@${command.exp}`);
      return args.sig === `${command.reqId}:${command.exp}` ? undefined : 'args.sig: signature does not match';
    },
    run: () => ({ code: 'ok' }),
  });
  const send = (reqId: string, sig: string) => {
    const command: CommandMessage = { v: 1, msg: 'command', reqId, name: 'door.unlock', exp: NOW + 1000, args: { sig } };
    dispatcher.dispatch(command);
  };
  for (let i = 0; i < 20; i++) send(`forged-${i}`, 'nope');
  expect(set).not.toHaveBeenCalled();
  send('real', `real:${NOW + 1000}`);
  expect(set).toHaveBeenCalledTimes(1);
  expect(seen.at(-1)).toBe(`real@${NOW + 1000}`);
  expect(results.map(([reqId, outcome]) => `${reqId}:${outcome.code}`).slice(-2)).toEqual(['forged-19:invalid', 'real:ok']);
});
