// The platform CLI's smart-bin verbs, run as a user runs them (a child process under tsx): bin-open prints a
// command signed as the bin checks it, tare and calibrate refuse bad input with exit 2, and deposits-csv reads the
// reference platform's data dir (deposits once per id, or the credits ledger).
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import type { CommandMessage } from '../../firmware/protocol/messages.js';
import { signedText } from '../../firmware/protocol/signed-command.js';
import { topicFor } from '../../firmware/protocol/topics.js';
import { runAll } from '../platform-cli/run.js';
import { Rig } from './rig.js';

const hex = (byte: number) => Buffer.alloc(32, byte).toString('hex');
const rig = new Rig();

afterAll(() => rig.stop());

describe('platform bin verbs', () => {
  test('bin-open signs over name, reqId, exp, compartment and seconds; bad input is exit 2, nothing printed', async () => {
    const keys = join(rig.tempDir(), 'keys.json');
    writeFileSync(keys, JSON.stringify({ site: 'oak', commandKey: hex(4) }), { mode: 0o600 });
    const [open, noKey, badC, badGrams, tare, help] = await runAll([
      ['bin-open', '--c', '2', '--s', '90', '--keys', keys, '--req-id', 'm-1'],
      ['bin-open', '--c', '2'],
      ['bin-tare', '--c', '4'],
      ['bin-calibrate', '--c', '0', '--grams', '50'],
      ['bin-tare', '--c', '1', '--req-id', 't-1'],
      ['deposits-csv', '--help'],
    ]);
    expect(open!.code).toBe(0);
    const command = JSON.parse(open!.stdout) as CommandMessage;
    const sig = createHmac('sha256', Buffer.from(hex(4), 'hex')).update(signedText('smart-bin.open', 'm-1', command.exp, 2, 90)).digest('hex');
    expect(command).toEqual({ v: 1, msg: 'command', reqId: 'm-1', name: 'smart-bin.open', exp: command.exp, args: { c: 2, s: 90, sig } });
    expect([noKey!.code, badC!.code, badGrams!.code]).toEqual([2, 2, 2]);
    expect(noKey!.stderr).toMatch(/commandKey/);
    expect(badC!.stderr).toMatch(/--c: expected an integer 0–3/);
    expect(badGrams!.stderr).toMatch(/--grams: expected an integer 100–100000/);
    expect(badC!.stdout + badGrams!.stdout).toBe('');
    expect(JSON.parse(tare!.stdout)).toMatchObject({ name: 'smart-bin.tare', reqId: 't-1', args: { c: 1 } });
    expect(help!.stdout).toContain('Usage: platform deposits-csv');
  }, 90_000); // six CLI processes, two at a time, each ~1–2 s of tsx start-up (more on a loaded machine)

  test('deposits-csv: one row per deposit id from the platform\'s data dir; --ledger sums per resident and category', async () => {
    await rig.start();
    const dataDir = rig.tempDir();
    const platform = await rig.startPlatform({ dataDir, clientId: `${rig.site}.csv` });
    const client = await rig.client();
    const resident = 'c3'.repeat(32);
    const deposits = [[1, 1200, 24], [2, 300, 6], [1, 1200, 24]] as const; // the third: a replay of the first
    let seq = 0;
    for (const [n, grams, credits] of deposits) {
      seq++;
      await client.publishAsync(topicFor({ site: rig.site, device: 'bin7' }, 'event'), JSON.stringify({
        v: 1, msg: 'event', dev: 'bin7', seq, boot: 1, up: seq, ts: 1_800_000_000_000, tv: true, type: 'bin.deposit',
        data: { id: `bin7.${n}`, c: 0, category: 'recyclable', grams, credits, resident, via: 'qr' },
      }), { qos: 1 });
    }
    await platform.waitFor((p) => p.events({ dev: 'bin7' }).length === 3, 5000);
    await platform.stop();
    const [csv, ledger, missing] = await runAll([
      ['deposits-csv', '--data-dir', dataDir],
      ['deposits-csv', '--data-dir', dataDir, '--ledger'],
      ['deposits-csv', '--data-dir', join(dataDir, 'nowhere')],
    ]);
    expect(csv!.stdout.split('\r\n').map((line) => line.split(',').slice(0, 8).join(','))).toEqual([
      'dev,id,c,category,grams,credits,resident,via',
      `bin7,bin7.1,0,recyclable,1200,24,${resident},qr`,
      `bin7,bin7.2,0,recyclable,300,6,${resident},qr`,
      '',
    ]);
    expect(ledger!.stdout).toBe(`resident,category,credits,grams,deposits\r\n${resident},recyclable,30,1500,2\r\n`);
    expect(missing!.code).toBe(2);
    expect(missing!.stderr).toMatch(/no platform\.db/);
  }, 60_000); // three CLI processes
});
