// A sorting station under test: the simulator's kind (simulator/kinds/smart-bin.ts: the real app over simulated
// A02YYUW, VL53L1X, HX711s, servos, thermistor, LIS3DH, MFRC522 and QR scanner, and the bin world) as a SimDevice
// on the stepped clock, with a scripted broker whose PUBACKs come a moment later. The world (contents, mass,
// temperature, tilt) outlives reboots and power cuts, as the station does.
import { SmartBinApp, type SmartBinParts } from '../../firmware/apps/smart-bin/app.js';
import type { Board } from '../../hal/contract/board.js';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import type { DeviceRuntime } from '../../firmware/runtime/device-runtime.js';
import type { SimDevice } from '../../simulator/device.js';
import { DEMO_KEYS } from '../../simulator/kinds/door-reader.js';
import type { SimDeviceKind } from '../../simulator/kinds/kind.js';
import { smartBinKind, type BinBoot, type BinWorld } from '../../simulator/kinds/smart-bin.js';
import { signCommand } from '../../scripts/door/visitor-pass.js';
import { BrokerMqtt } from '../support/broker-mqtt.js';
import { RigDevice, steppedDevice, WALL_TIME } from '../support/device.js';

export { WALL_TIME };
export const PREFIX = 'ct/v1/test-site/bin-1';
const MINUTE = 60_000;

export interface SmartBinDeviceOptions {
  /** Settings sent as config/desired right after the first connection. */
  config?: Record<string, unknown>;
  /** Another parts table (compartments or parts left out); the world still wires every chip of the sim board. */
  parts?: SmartBinParts;
  /** Another board (e.g. one without a part's pins). */
  board?: Board;
}

/** The bin kind with another board or parts table: the same world and chips, the app over that table. */
function binKind(options: SmartBinDeviceOptions): SimDeviceKind<BinWorld> {
  const { parts, board } = options;
  if (!parts && !board) return smartBinKind;
  return {
    ...smartBinKind,
    ...(board ? { board } : {}),
    boot(hal, world) {
      const standard = world.attach(hal);
      if (!parts) return standard;
      const app = new SmartBinApp({ parts });
      world.boot!.app = app;
      return app;
    },
  };
}

export class SmartBinDevice extends RigDevice<BinWorld, BrokerMqtt> {
  #options: SmartBinDeviceOptions;
  #configVersion = 0;
  #reqId = 0;

  constructor(options: SmartBinDeviceOptions = {}) {
    super(steppedDevice({
      kind: binKind(options),
      provisioning: { site: 'test-site', device: 'bin-1', host: '127.0.0.1', port: 1883 },
      transport: (timers) => new BrokerMqtt(timers),
      onBoot: (device) => this.#booted(device),
    }));
    this.#options = options;
  }

  get app(): SmartBinApp {
    return this.#boot().app;
  }

  get chips(): BinBoot {
    return this.#boot();
  }

  override get runtime(): DeviceRuntime {
    return super.runtime;
  }

  get mqtt(): BrokerMqtt {
    const transport = this.device.transport;
    if (!transport) throw new Error('the station is not running');
    return transport;
  }

  configure(values: Record<string, unknown>): void {
    this.#configVersion++;
    this.mqtt.deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: this.#configVersion, config: values }), true);
    this.advance(1000);
  }

  /** A resident deposits: card, the compartment's button a second later, the waste in when the lid opens. */
  deposit(card: string, c: number, grams: number, litres = grams / 200): void {
    this.world.deposit(card, c, grams, litres);
  }

  /** Lets minutes pass. */
  minutes(n: number): void {
    this.advance(n * MINUTE);
  }

  command(name: string, args?: Record<string, unknown>, options: { reqId?: string; exp?: number } = {}): ResultMessage {
    const reqId = options.reqId ?? `r-${++this.#reqId}`;
    const exp = options.exp ?? this.hal.wallClock.now() + 30_000;
    return this.deliverCommand(PREFIX, { reqId, name, exp, ...(args ? { args } : {}) }, () => this.advance(500));
  }

  /** smart-bin.open signed with the demo site's command key (or `key`). */
  signedOpen(c: number, s?: number, key: Uint8Array = DEMO_KEYS.commandKey): ResultMessage {
    const reqId = `s-${++this.#reqId}`;
    const exp = this.hal.wallClock.now() + 30_000;
    const sig = signCommand(key, 'smart-bin.open', reqId, exp, c, s);
    return this.command('smart-bin.open', { c, ...(s === undefined ? {} : { s }), sig }, { reqId, exp });
  }

  alarmUpdate(alarmId: string, state: string, extra: Record<string, unknown> = {}): void {
    this.mqtt.deliver(`${PREFIX}/alarm`, JSON.stringify({ v: 1, msg: 'alarm', alarmId, state, ts: this.hal.wallClock.now(), ...extra }), true);
    this.advance(500);
  }

  /** The data of every event of `type`, oldest first. */
  data(type: string): Record<string, unknown>[] {
    return this.events(type).map((event) => event.data as Record<string, unknown>);
  }

  #booted(device: SimDevice<BinWorld, BrokerMqtt>): void {
    const config = this.#options.config;
    if (config && this.#configVersion === 0 && device.transport?.connected) {
      this.#configVersion++;
      device.transport.deliver(`${PREFIX}/config/desired`, JSON.stringify({ v: 1, msg: 'config.desired', version: this.#configVersion, config }), true);
    }
  }

  #boot(): BinBoot {
    const boot = this.world.boot;
    if (!boot) throw new Error('the station has not booted');
    return boot;
  }
}
