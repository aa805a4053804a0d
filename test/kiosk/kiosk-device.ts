// A kiosk under test: the simulator's kind (simulator/kinds/kiosk.ts: the real app over the simulated MFRC522 and
// ESC/POS printer, and the kiosk world with its last rendered view, receipts and speech) as a SimDevice on the
// stepped clock, with a scripted broker. Verbs a resident uses (tap by id, paging on to it; a card) and the
// platform's (commands, alarm updates), and what is on the screen as text.
import type { KioskApp } from '../../firmware/apps/kiosk/app.js';
import { tapIds, type LaidNode } from '../../firmware/apps/kiosk/screen/layout.js';
import type { KioskView } from '../../firmware/apps/kiosk/screen/machine.js';
import { translate } from '../../firmware/apps/kiosk/screen/strings/index.js';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { kioskKind, type KioskWorld } from '../../simulator/kinds/kiosk.js';
import { BrokerMqtt } from '../support/broker-mqtt.js';
import { RigDevice, steppedDevice, WALL_TIME } from '../support/device.js';

export { WALL_TIME };
export const PREFIX = 'ct/v1/test-site/kiosk-1';

export class KioskDevice extends RigDevice<KioskWorld, BrokerMqtt> {
  #reqId = 0;

  constructor() {
    super(steppedDevice({
      kind: kioskKind,
      provisioning: { site: 'test-site', device: 'kiosk-1', host: '127.0.0.1', port: 1883 },
      transport: (timers) => new BrokerMqtt(timers),
    }));
  }

  get app(): KioskApp {
    const boot = this.world.boot;
    if (!boot) throw new Error('the kiosk has not booted');
    return boot.app;
  }

  get mqtt(): BrokerMqtt {
    const transport = this.device.transport;
    if (!transport) throw new Error('the kiosk is not running');
    return transport;
  }

  /** What the screen shows now. */
  get view(): KioskView {
    const view = this.world.view;
    if (!view) throw new Error('the kiosk has rendered nothing');
    return view;
  }

  /** Taps `id`, paging forward to it as a resident would; fails when it is on no page. */
  go(id: string): void {
    while (!tapIds(this.view).includes(id) && tapIds(this.view).includes('page.next')) this.world.tap('page.next');
    if (!this.world.tap(id)) throw new Error(`"${id}" is not on screen ${this.view.screen} (${tapIds(this.view).join(', ')})`);
    this.advance(200);
  }

  /** Taps through ids in order. */
  through(...ids: string[]): void {
    for (const id of ids) this.go(id);
  }

  /** A resident's card on the reader, and the moment it takes to read. */
  card(name: string): void {
    this.world.presentCard(name);
    this.advance(1000);
  }

  /** Every node on this page of the screen (lists opened). */
  nodes(): LaidNode[] {
    const out: LaidNode[] = [];
    const walk = (list: readonly LaidNode[]) => list.forEach((n) => { out.push(n); if (n.items) walk(n.items); });
    walk([this.view.title, ...this.view.body, ...this.view.actions]);
    return out;
  }

  node(id: string): LaidNode | undefined {
    return this.nodes().find((n) => n.id === id);
  }

  /** The node `id`, paging forward to it as a resident would. */
  seek(id: string): LaidNode | undefined {
    while (!this.node(id) && tapIds(this.view).includes('page.next')) this.world.tap('page.next');
    return this.node(id);
  }

  /** All text on this page, in the screen's language. */
  shown(): string {
    return this.nodes().filter((n) => n.text).map((n) => translate(this.view.lang, n.text!.key, n.text!.params)).join(' | ');
  }

  command(name: string, args?: Record<string, unknown>): ResultMessage {
    const reqId = `r-${++this.#reqId}`;
    const exp = this.hal.wallClock.now() + 30_000;
    return this.deliverCommand(PREFIX, { reqId, name, exp, ...(args ? { args } : {}) }, () => this.advance(500));
  }

  alarmUpdate(alarmId: string, state: string): void {
    this.mqtt.deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId, state, ts: this.hal.wallClock.now() }), true);
    this.advance(500);
  }

  /** The data of every event of `type`, oldest first. */
  data(type: string): Record<string, unknown>[] {
    return this.events(type).map((event) => event.data as Record<string, unknown>);
  }
}
