// `npm run scenario:lifecycle` (scripts/lifecycle/scenario.ts) in-process: a door reader set up from the box in three
// installer steps, updated, rolled back, refused a forged, an unsigned and an older image, reverted from broker
// settings that cannot work, put into safe mode by a crash loop and erased by a signed factory reset; every flag of
// the summary line comes from what the platform received over MQTT (or the setup page over HTTP).
import { describe, expect, test } from '@jest/globals';
import { runLifecycleScenario, summaryLine, summaryOk, type LifecycleSummary } from '../../scripts/lifecycle/scenario.js';

describe('scenario:lifecycle', () => {
  test('every step is observed and the summary line is the issue\'s', async () => {
    const result = await runLifecycleScenario();
    expect(result.line).toBe(
      'provisioning_steps=3 ota_applied=1 ota_rolled_back=1 unsigned_refused=1 downgrade_refused=1 bad_network_reverted=1 safe_mode=1 factory_reset_erased=1',
    );
    expect(result.ok).toBe(true);
    // The reasons are the device's own, as its results and events carried them.
    expect(result.steps).toEqual(expect.arrayContaining([
      expect.stringMatching(/^ota 1\.3\.0 signed with another key: refused \(ota\.begin: invalid forged: /),
      expect.stringMatching(/^ota 1\.3\.0 unsigned \(a zero signature\): refused \(ota\.begin: invalid forged: /),
      expect.stringMatching(/^ota 1\.0\.0 .*: refused \(ota\.begin: rejected downgrade: /),
      expect.stringMatching(/^lifecycle\.settings_reverted: no broker connection within 180 s/),
      expect.stringMatching(/safe: 3 abnormal resets in a row/),
    ]));
  });

  test('the summary keeps the issue\'s order; a flag missing or a fourth installer step is not ok', () => {
    const all: LifecycleSummary = {
      provisioning_steps: 3, ota_applied: 1, ota_rolled_back: 1, unsigned_refused: 1, downgrade_refused: 1,
      bad_network_reverted: 1, safe_mode: 1, factory_reset_erased: 1,
    };
    expect(summaryOk(all)).toBe(true);
    const missing = { ...all, ota_rolled_back: 0 as const };
    expect(summaryLine(missing)).toBe(
      'provisioning_steps=3 ota_applied=1 ota_rolled_back=0 unsigned_refused=1 downgrade_refused=1 bad_network_reverted=1 safe_mode=1 factory_reset_erased=1',
    );
    expect(summaryOk(missing)).toBe(false);
    expect(summaryOk({ ...all, provisioning_steps: 4 })).toBe(false);
    expect(summaryOk({ ...all, provisioning_steps: 0 })).toBe(false); // never set up
  });
});
