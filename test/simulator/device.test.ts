// SimDevice on the stepped clock: advance() drives the running instance, the reboot delay after a reset and the
// time a power cut lasts; the world's time runs on across them all.
import { describe, expect, test } from '@jest/globals';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { steppedDevice, WALL_TIME } from '../support/device.js';

function device() {
  return steppedDevice({
    kind: genericKind,
    provisioning: { site: 's', device: 'd', host: '127.0.0.1', port: 1883 },
    transport: () => new FakeMqtt(),
  }).boot();
}

describe('SimDevice on the stepped clock', () => {
  test('a restart the device asks for takes effect when it happens; it boots again after the reboot delay', () => {
    const d = device();
    const command = { v: 1, msg: 'command', reqId: 'r1', name: 'restart', exp: WALL_TIME + 60_000 };
    d.transport!.deliver('ct/v1/s/d/command', JSON.stringify(command));
    expect(d.messages<ResultMessage>('result')).toEqual([expect.objectContaining({ reqId: 'r1', code: 'ok' })]);
    d.advance(1000); // the runtime restarts 1 s after the result
    expect(d.restarts).toBe(1);
    expect(d.state).toBe('rebooting');
    expect(d.runtime).toBeUndefined();
    d.advance(1499);
    expect(d.state).toBe('rebooting');
    d.advance(1);
    expect(d.runtime?.boot).toBe(2);
    expect(d.hal?.system.resetReason()).toBe('software');
    expect(d.hal?.wallClock.now()).toBe(WALL_TIME + 2500); // wall time ran on while it was down
    expect(d.elapsed).toBe(2500);
    expect(d.boots).toBe(2);
  });

  test('a power cut lasts its gap: wall time and the world time move on by it, then the device boots at once', () => {
    const d = device();
    d.advance(5000);
    d.powerCycle(3_600_000);
    expect(d.runtime?.boot).toBe(2);
    expect(d.hal?.system.resetReason()).toBe('power-on');
    expect(d.hal?.wallClock.now()).toBe(WALL_TIME + 5000 + 3_600_000);
    expect(d.elapsed).toBe(3_605_000);
    expect(d.restarts).toBe(0);
  });
});
