// A scripted transport whose PUBACKs come a moment after the publish, on the device's timers, as from a broker.
// (FakeMqtt's autoAck acknowledges inside publish(), before the outbox has noted the packet id, so the outbox
// never empties.)
import type { Timers } from '../../hal/contract/index.js';
import { FakeMqtt } from './fake-mqtt.js';

export class BrokerMqtt extends FakeMqtt {
  /** Puts a PUBACK off; undefined: the broker acknowledges nothing (any more). */
  defer: ((callback: () => void) => void) | undefined;

  /** `timers`: the device's (SimDevice passes each boot's), on which the PUBACKs come. */
  constructor(timers?: Timers) {
    super();
    this.autoAck = false;
    if (timers) this.defer = (callback) => timers.set(callback, 0);
  }

  override publish(topic: string, payload: string, qos: 0 | 1, retain: boolean): number {
    const packetId = super.publish(topic, payload, qos, retain);
    if (qos === 1) this.defer?.(() => this.connected && this.ackAll());
    return packetId;
  }
}
