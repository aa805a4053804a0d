// The platform's provisioning ledger (simulator/platform/provisioning.ts, docs/protocol.md §17): a device's
// `lifecycle.provisioned { codeId }` marks the code used; the same device again is a repeat; a second device with
// the same single-use code is flagged; malformed reports are refused.
import Database from 'better-sqlite3';
import { afterEach, describe, expect, test } from '@jest/globals';
import { PROVISIONED_EVENT } from '../../firmware/lifecycle/provisioning-code.js';
import type { EventMessage } from '../../firmware/protocol/messages.js';
import { genericKind } from '../../simulator/kinds/generic.js';
import type { PlatformChange } from '../../simulator/platform/types.js';
import { ProvisioningLedger } from '../../simulator/platform/provisioning.js';
import { Rig } from './rig.js';

const CODE = 'c0de'.repeat(8);
const OTHER = 'feed'.repeat(8);

function provisioned(data: Record<string, unknown>): EventMessage {
  return { v: 1, msg: 'event', dev: 'x', seq: 1, boot: 1, up: 0, ts: 0, tv: true, type: PROVISIONED_EVENT, data };
}

describe('ProvisioningLedger', () => {
  const db = new Database(':memory:');
  const ledger = new ProvisioningLedger((sql) => db.prepare(sql));

  test('first report recorded, a repeat from the same device taken as one, another device flagged', () => {
    expect(ledger.onEvent('door-1', provisioned({ codeId: CODE }), 1000)).toEqual({ kind: 'recorded' });
    expect(ledger.onEvent('door-1', provisioned({ codeId: CODE }), 2000)).toEqual({ kind: 'repeat' });
    expect(ledger.onEvent('door-2', provisioned({ codeId: CODE }), 3000)).toEqual({ kind: 'reused', by: 'door-2', owner: 'door-1' });
    expect(ledger.onEvent('door-2', provisioned({ codeId: OTHER }), 4000)).toEqual({ kind: 'recorded' });
    expect(ledger.list()).toEqual([
      { codeId: CODE, dev: 'door-1', appliedAt: 1000, reusedBy: ['door-2'] },
      { codeId: OTHER, dev: 'door-2', appliedAt: 4000, reusedBy: [] },
    ]);
  });

  test.each([
    [{}, /codeId/],
    [{ codeId: CODE.toUpperCase() }, /codeId/],
    [{ codeId: CODE.slice(2) }, /codeId/],
    [{ codeId: CODE, site: 'elsewhere' }, /data\.site not allowed/],
  ])('refuses %j', (data, error) => {
    const outcome = ledger.onEvent('door-3', provisioned(data), 5000);
    expect(outcome).toMatchObject({ kind: 'invalid', error: expect.stringMatching(error) });
    expect(ledger.list().some((code) => code.dev === 'door-3')).toBe(false);
  });
});

describe('the reference platform', () => {
  let rig: Rig | undefined;
  afterEach(async () => {
    await rig?.stop();
  });

  test('records the code each device says it applied, and flags one said by a second device', async () => {
    rig = await new Rig().start();
    const flagged: string[] = [];
    rig.platform.onChange((change: PlatformChange) => {
      if (change.kind === 'invalid' && /provisioning code/.test(change.error)) flagged.push(`${change.dev}: ${change.error}`);
    });
    const a = rig.device(genericKind, 'gen-a');
    const b = rig.device(genericKind, 'gen-b');
    await rig.platform.waitFor((p) => p.device('gen-a')?.state === 'online' && p.device('gen-b')?.state === 'online', 15_000, 'both online');
    a.runtime!.emit(PROVISIONED_EVENT, { codeId: CODE });
    await rig.platform.waitFor((p) => p.provisioningCodes().length === 1, 15_000, 'the code recorded');
    expect(rig.platform.provisioningCodes()).toEqual([{ codeId: CODE, dev: 'gen-a', appliedAt: expect.any(Number), reusedBy: [] }]);
    b.runtime!.emit(PROVISIONED_EVENT, { codeId: CODE });
    await rig.platform.waitFor((p) => p.provisioningCodes()[0]!.reusedBy.length === 1, 15_000, 'the reuse flagged');
    expect(flagged).toEqual([`gen-b: provisioning code ${CODE} already applied by gen-a`]);
  }, 30_000);
});
