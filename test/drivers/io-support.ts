// A host HAL on a stepped clock, for the io and door driver tests.
import { createHostHal, SteppedClock, type HostHal } from '../../hal/host/index.js';
import { createHostStorage } from '../../hal/host/storage/index.js';

export type SteppedHal = HostHal & { readonly clock: SteppedClock };

export function steppedHal(): SteppedHal {
  return createHostHal({ storage: createHostStorage(), clock: new SteppedClock() }) as SteppedHal;
}
