// The fall detector's memory is fixed at construction: on the real XS engine, after a warm-up, 100 000 more
// samples with hundreds of candidate impacts leave the live heap and the machine's allocation unchanged.
// XS counts are deterministic, unlike a Node heap measured between collections.
import { afterAll, expect, test } from '@jest/globals';
import { IMPACT_WAKE } from '../../firmware/sensing/impact-wake.js';
import { deviceWakes } from '../../scripts/falls/device-view.js';
import { fall } from '../../scripts/falls/synthetic.js';
import { XsSession } from '../support/xs/session.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

afterAll(() => killAllWorkers());

test('1e5 samples with hundreds of candidates do not grow the XS heap', async () => {
  const xs = await XsSession.start({ entry: 'test/xs/entries/fall-memory.ts' });
  try {
    const feed = (samples: number) => xs.call<{ candidates: number; alerts: number }>('feed', samples);
    await feed(20_000); // every code path has run once
    const before = await feed(0);
    const after = await feed(100_000);
    const again = await feed(0);
    expect(after.value.candidates - before.value.candidates).toBeGreaterThan(300);
    expect(after.value.alerts).toBeGreaterThan(10);
    // The glue around a call allocates a few slots per crank; a retained object per candidate would be hundreds.
    expect(again.heapSlots - before.heapSlots).toBeLessThanOrEqual(16);
    expect(again.allocatedBytes).toBe(before.allocatedBytes);
  } finally {
    await xs.close();
  }
}, 120_000);

test('a detector per wake on impact (IMPACT_WAKE.detectorOptions) runs on XS, alerts on each fall, and leaves nothing behind', async () => {
  const xs = await XsSession.start({ entry: 'test/xs/entries/fall-memory.ts' });
  try {
    // A fall as the device pipeline delivers it after a wake (the shipped IMPACT_WAKE, on Node).
    const [wake] = deviceWakes(fall(14, 10), IMPACT_WAKE, { untilJudged: IMPACT_WAKE.detectorOptions });
    expect((await xs.call<number>('useWake', wake!.samples)).value).toBeGreaterThan(200);
    const first = await xs.call<{ alerts: number }>('wakes', 2); // every code path has run once
    const again = await xs.call<{ alerts: number }>('wakes', 20);
    expect(first.value.alerts).toBe(2);
    expect(again.value.alerts).toBe(20);
    const after = await xs.call<{ alerts: number }>('wakes', 0);
    expect(after.heapSlots - first.heapSlots).toBeLessThanOrEqual(16);
  } finally {
    await xs.close();
  }
}, 120_000);
