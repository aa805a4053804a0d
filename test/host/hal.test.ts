import { describe, expect, test } from '@jest/globals';
import type { MqttConnectOptions, MqttHandlers, MqttTransport, QoS } from '../../hal/contract/mqtt.js';
import type { ResetReason } from '../../hal/contract/system.js';
import { simBoard } from '../../hal/boards/sim.js';
import { createHostCrypto, createHostHal, HostSystem, SteppedClock } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString('hex');

describe('crypto', () => {
  const crypto = createHostCrypto();

  test('SHA-256 and HMAC-SHA-256 match the standard test vectors, for text (UTF-8) and bytes', () => {
    expect(hex(crypto.sha256('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hex(crypto.sha256(Uint8Array.of(0x61, 0x62, 0x63)))).toBe(hex(crypto.sha256('abc')));
    expect(hex(crypto.sha256('é'))).toBe(hex(crypto.sha256(Uint8Array.of(0xc3, 0xa9))));
    // RFC 4231 test case 2
    const key = new TextEncoder().encode('Jefe');
    expect(hex(crypto.hmacSha256(key, 'what do ya want for nothing?')))
      .toBe('5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843');
  });

  test('results are plain Uint8Arrays; random bytes have the asked length', () => {
    expect(Object.getPrototypeOf(crypto.sha256('x'))).toBe(Uint8Array.prototype);
    const random = crypto.randomBytes(32);
    expect(random).toHaveLength(32);
    expect(hex(random)).not.toBe(hex(crypto.randomBytes(32)));
    expect(() => crypto.randomBytes(-1)).toThrow(RangeError);
  });
});

describe('system', () => {
  function system(onRestart?: (reason: ResetReason) => void) {
    const clock = new SteppedClock();
    return { clock, system: new HostSystem({ timers: clock.timers, ...(onRestart ? { onRestart } : {}) }) };
  }

  test('the watchdog bites on the virtual clock unless fed', async () => {
    const reasons: ResetReason[] = [];
    const { clock, system: sys } = system((reason) => reasons.push(reason));
    sys.watchdog.start(1000);
    clock.advance(900);
    sys.watchdog.feed();
    clock.advance(900);
    await Promise.resolve();
    expect(reasons).toEqual([]);
    clock.advance(100);
    await Promise.resolve();
    expect(reasons).toEqual(['watchdog']);
    expect(sys.restartReason).toBe('watchdog');
  });

  test('a stopped watchdog never bites; restart() reports once, after the caller returns', async () => {
    const reasons: ResetReason[] = [];
    const { clock, system: sys } = system((reason) => reasons.push(reason));
    sys.watchdog.start(1000);
    sys.watchdog.stop();
    clock.advance(5000);
    sys.restart();
    sys.restart();
    expect(reasons).toEqual([]);
    await Promise.resolve();
    expect(reasons).toEqual(['software']);
  });

  test('reset reason, heap and log sink', () => {
    const lines: string[] = [];
    const clock = new SteppedClock();
    const sys = new HostSystem({ timers: clock.timers, log: (level, message) => lines.push(`${level} ${message}`), logLimit: 2 });
    expect(sys.resetReason()).toBe('power-on');
    sys.setResetReason('brownout');
    expect(sys.resetReason()).toBe('brownout');
    expect(sys.freeHeap()).toBeUndefined();
    sys.log('info', 'one');
    sys.log('warn', 'two');
    sys.log('error', 'three');
    expect(lines).toEqual(['info one', 'warn two', 'error three']);
    expect(sys.logs).toEqual([{ level: 'warn', message: 'two' }, { level: 'error', message: 'three' }]);
  });
});

class SpyTransport implements MqttTransport {
  closed = 0;
  connect(_options: MqttConnectOptions, _handlers: MqttHandlers): void {}
  publish(_topic: string, _payload: string, _qos: QoS, _retain: boolean): number { return 0; }
  subscribe(): void {}
  close(): void { this.closed++; }
}

describe('createHostHal', () => {
  test('assembles a Hal whose device.io drives the virtual IO, and dispose ends the boot', () => {
    const clock = new SteppedClock({ wallTimeMs: 1_700_000_000_000, wallTimeValid: true });
    const transport = new SpyTransport();
    const storage = createHostStorage({ partitions: { outbox: 8192 } });
    const hal = createHostHal({ storage, clock, transport, system: { hardwareId: 'abc123', firmwareVersion: '1.2.3' } });
    expect(hal.device.board).toBe(simBoard);
    expect(hal.wallClock.valid).toBe(true);
    expect(hal.storage.partition('outbox')?.byteLength).toBe(8192);
    expect(hal.system.hardwareId).toBe('abc123');

    const { Digital } = hal.device.io;
    const edges: number[] = [];
    const button = new Digital({
      pin: simBoard.pin.button!, mode: Digital.InputPullUp, edge: Digital.Falling,
      onReadable() { edges.push(hal.clock.now()); },
    });
    hal.io.pin(simBoard.pin.button!).setInput(0);
    clock.advance(0); // edges come through the device's own timer queue
    expect(edges).toEqual([0]);
    button.close();

    let fired = 0;
    hal.timers.repeat(() => fired++, 100);
    hal.dispose();
    clock.advance(1000);
    expect(fired).toBe(0);
    expect(transport.closed).toBe(1);
  });
});
