// A terminal with no peripherals: the device runtime alone (status, events, commands, config, health).
import { simBoard } from '../../hal/boards/sim.js';
import type { SimDeviceKind } from './kind.js';

export const genericKind: SimDeviceKind<null> = {
  model: 'generic',
  board: simBoard,
  partitions: { outbox: 64 * 1024 },
  createWorld: () => null,
  boot: () => undefined,
};
