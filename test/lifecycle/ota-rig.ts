// A device with two firmware slots and a bootloader (hal/host/firmware.ts) for the update tests, and the platform's
// signed images for it: the generic kind on a scripted broker, factory image 1.0.0.
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import type { ResultMessage } from '../../firmware/protocol/messages.js';
import { otaData, type ImageBehaviour } from '../../hal/host/firmware.js';
import { makeSimImage } from '../../hal/host/firmware.js';
import { makeOtaImage, type OtaImage } from '../../scripts/platform/ota-image.js';
import { publicKeyHex } from '../../scripts/platform/provisioning-code.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import { FakeMqtt } from '../support/fake-mqtt.js';
import { RigDevice, steppedDevice } from '../support/device.js';

export const PREFIX = 'ct/v1/test-site/dev-1';
export const SIGNING_KEY: KeyObject = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
export const FIRMWARE_KEY = new Uint8Array(Buffer.from(publicKeyHex(SIGNING_KEY), 'hex'));

/** A signed update for the generic model: a simulated image of `size` bytes in chunks of 1 KB. */
export function signedImage(version: string, behaviour: ImageBehaviour = 'ok', options: { size?: number; model?: string; key?: KeyObject } = {}): OtaImage {
  const bytes = makeSimImage({ version, behaviour }, options.size ?? 2600);
  return makeOtaImage(bytes, { model: options.model ?? 'generic', version, chunkBytes: 1024 }, options.key ?? SIGNING_KEY);
}

export class OtaDevice extends RigDevice<null, FakeMqtt> {
  #reqs = 0;

  /** `factory`: how the factory image behaves (default ok). */
  constructor(options: { firmwareKey?: Uint8Array | false; factory?: ImageBehaviour } = {}) {
    super(steppedDevice({
      kind: genericKind,
      provisioning: { site: 'test-site', device: 'dev-1', host: '127.0.0.1', port: 1883 },
      firmware: { version: '1.0.0', behaviour: options.factory ?? 'ok' },
      ...(options.firmwareKey === false ? {} : { firmwareKey: options.firmwareKey ?? FIRMWARE_KEY }),
      transport: () => new FakeMqtt(),
    }));
  }

  /** The version the running boot runs and its state as the bootloader keeps it. */
  get running(): { version: string; state: string } | undefined {
    return this.device.hal?.firmware?.running();
  }

  get slots(): ReturnType<typeof otaData> {
    return otaData(this.storage);
  }

  /** Sends a command and returns its one result (undefined when none came: the power was cut). */
  send(name: string, args: Record<string, unknown> = {}): ResultMessage | undefined {
    const fake = this.device.transport;
    if (!fake?.connected) return undefined;
    const before = this.messages('result').length;
    const reqId = `r${++this.#reqs}`;
    fake.deliver(`${PREFIX}/command`, JSON.stringify({ v: 1, msg: 'command', reqId, name, exp: this.hal.wallClock.now() + 60_000, args }));
    this.advance(20);
    const results = this.messages<ResultMessage>('result').slice(before);
    return results.find((result) => result.reqId === reqId);
  }

  command(name: string, args: Record<string, unknown> = {}): ResultMessage {
    const result = this.send(name, args);
    if (!result) throw new Error(`no result for ${name}`);
    return result;
  }

  /** begin, every chunk, apply: the results, the first refusal ending it. */
  update(image: OtaImage): ResultMessage[] {
    const results = [this.command('ota.begin', { ...image.manifest })];
    if (results[0]!.code !== 'ok') return results;
    for (const chunk of image.chunks) {
      const result = this.command('ota.chunk', { version: image.manifest.version, ...chunk });
      results.push(result);
      if (result.code !== 'ok') return results;
    }
    results.push(this.command('ota.apply', { version: image.manifest.version }));
    return results;
  }
}
