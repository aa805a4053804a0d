// What the fuzzer found, kept as regression cases: attacker-chosen keys used to reach a result's `reason` or
// config/reported's `last.reason` raw (control characters, DEL, any length), so the device sent messages its own
// protocol validators refuse. Each payload goes through the fuzz harness, which checks every message the device
// sends with parseOutbound.
import { afterAll, describe, expect, test } from '@jest/globals';
import { FuzzDevice } from '../../scripts/fuzz/device-harness.js';
import { LIVE_EXP } from '../../scripts/fuzz/targets/messages.js';

const devices: FuzzDevice[] = [];
afterAll(() => {
  for (const device of devices) device.dispose();
});

function device(kind: 'door-reader' | 'sos-button'): FuzzDevice {
  const made = new FuzzDevice(kind);
  devices.push(made);
  return made;
}

const bytes = (text: string) => new TextEncoder().encode(text);

function results(published: { topic: string; payload: string }[], channel: string): Record<string, unknown>[] {
  return published.filter((p) => p.topic.endsWith(`/${channel}`)).map((p) => JSON.parse(p.payload) as Record<string, unknown>);
}

describe('reasons built from keys a sender chose are valid reasons', () => {
  test.each([
    ['a NUL key', '"\\u0000"'],
    ['a DEL key', '"\u007f"'],
    ['a long key of control characters', `"${'\\u0001'.repeat(60)}"`],
    ['a 5000-character key', `"${'k'.repeat(5000)}"`],
  ])('door command args with %s', (_what, key) => {
    const door = device('door-reader');
    const seen = door.deliver('command', bytes(`{"v":1,"msg":"command","reqId":"k-1","name":"door.normal","exp":${LIVE_EXP},"args":{${key}:0,"sig":"${'0'.repeat(64)}"}}`), false, 0);
    expect(results(seen.published, 'result')).toEqual([expect.objectContaining({ reqId: 'k-1', code: 'invalid', reason: expect.stringMatching(/^args\[".*: not allowed$/) })]);
  });

  test.each([
    ['a DEL in a known key', '"\u007fcheckInS"'],
    ['a NUL key', '"\\u0000"'],
    ['a long key of control characters', `"${'\\u0001'.repeat(60)}"`],
  ])('config/desired with %s', (_what, key) => {
    const sosButton = device('sos-button');
    const seen = sosButton.deliver('config/desired', bytes(`{"v":1,"msg":"config.desired","version":9,"config":{${key}:1}}`), true, 0);
    const [reported] = results(seen.published, 'config/reported');
    expect(reported).toMatchObject({ last: { version: 9, status: 'rejected', reason: expect.stringMatching(/^unknown setting "/) } });
  });

  test('an unknown command field whose name holds DEL', () => {
    const door = device('door-reader');
    const seen = door.deliver('command', bytes(`{"v":1,"msg":"command","reqId":"k-2","name":"ping","exp":${LIVE_EXP},"x\u007f":1}`), false, 0);
    expect(results(seen.published, 'result')).toEqual([expect.objectContaining({ reqId: 'k-2', code: 'invalid', reason: 'command: unknown field "x\\u007f"' })]);
  });
});
