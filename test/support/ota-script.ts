// Engine-neutral (runs on XS and Node): an update's commands played on firmware/lifecycle/ota.ts against an
// in-memory slot, so the XS test can compare the manifest checks and the chunk verification path with Node's.
import type { BootOutcome, Firmware, Hal, RunningImage } from '../../hal/contract/index.js';
import { OtaAgent } from '../../firmware/lifecycle/ota.js';
import { fromHex } from '../../firmware/lib/hex.js';
import type { CommandMessage } from '../../firmware/protocol/messages.js';

/** A slot in RAM: what is written is what is read; finish() just remembers it was asked. */
export class MemoryFirmware implements Firmware {
  readonly capacity: number;
  readonly bytes: Uint8Array;
  finished = false;
  #version: string;

  constructor(capacity: number, version: string) {
    this.capacity = capacity;
    this.bytes = new Uint8Array(capacity).fill(0xff);
    this.#version = version;
  }

  running(): RunningImage {
    return { version: this.#version, state: 'valid' };
  }

  lastBoot(): BootOutcome {
    return { rolledBack: false };
  }

  begin(size: number): void {
    this.bytes.fill(0xff, 0, size);
  }

  write(offset: number, bytes: Uint8Array): void {
    this.bytes.set(bytes, offset);
  }

  read(offset: number, byteLength: number): Uint8Array {
    return this.bytes.slice(offset, offset + byteLength);
  }

  finish(): void {
    this.finished = true;
  }

  markValid(): void {}
}

export interface OtaStep {
  name: string;
  args: Record<string, unknown>;
}

export interface OtaStepOutcome {
  code: string;
  reason?: string;
  data?: Record<string, unknown>;
}

/**
 * Plays `steps` (validate, then run, as the dispatcher does) on an agent for model `generic` running 1.0.0 with the
 * given key; returns each outcome and a digest of the slot's bytes.
 */
export function playOta(hal: Hal, keyHex: string, steps: readonly OtaStep[]): { outcomes: OtaStepOutcome[]; slot: string; finished: boolean } {
  const firmware = new MemoryFirmware(16 * 1024, '1.0.0');
  const agent = new OtaAgent({ hal: { ...hal, firmware }, model: 'generic', key: fromHex(keyHex), emit: () => undefined });
  const commands = agent.commands();
  const outcomes = steps.map(({ name, args }): OtaStepOutcome => {
    const spec = commands[name]!;
    const command = { v: 1, msg: 'command', reqId: 'x', name, exp: 0, args } as CommandMessage;
    const problem = spec.validate?.(args, command);
    if (problem !== undefined) return { code: 'invalid', reason: problem };
    const outcome = spec.run(args, command);
    return { code: outcome.code, ...(outcome.reason === undefined ? {} : { reason: outcome.reason }), ...(outcome.data === undefined ? {} : { data: outcome.data }) };
  });
  agent.stop();
  let sum = 0;
  for (let i = 0; i < firmware.bytes.length; i++) sum = (sum * 31 + firmware.bytes[i]!) >>> 0;
  return { outcomes, slot: sum.toString(16), finished: firmware.finished };
}
