// `platform label` (scripts/platform/cli/label.ts): a device's setup secret made once and kept in the inventory,
// its label (setup network, password, the phone's join QR), and the NVS CSV that puts the secret on the device.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@jest/globals';
import { setupSsid } from '../../firmware/lifecycle/setup.js';
import { runCli } from './run.js';

describe('platform label', () => {
  test('makes a secret once, keeps it in the inventory (0600), prints the label and writes the NVS CSV', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'label-'));
    const inventory = join(dir, 'inventory.json');
    const csv = join(dir, 'door-3.csv');
    const first = await runCli(['label', '--device', 'door-3', '--model', 'door-reader', '--hw', '24:6F:28:AB:CD:EF', '--inventory', inventory, '--nvs-csv', csv, '--json']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const label = JSON.parse(first.stdout) as { setupSecret: string; ssid: string; joinQr: string; reused: boolean };
    expect(label.setupSecret).toMatch(/^[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}-[A-HJKMNP-Z2-9]{4}$/);
    expect(label.ssid).toBe(setupSsid('door-reader', '246f28abcdef'));
    expect(label.joinQr).toBe(`WIFI:T:WPA;S:${label.ssid};P:${label.setupSecret};;`);
    expect(label.reused).toBe(false);
    expect(statSync(inventory).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(inventory, 'utf8'))).toMatchObject({ devices: [{ device: 'door-3', model: 'door-reader', setupSecret: label.setupSecret, hardwareId: '246f28abcdef' }] });
    expect(readFileSync(csv, 'utf8')).toBe(`key,type,encoding,value\nsetup,namespace,,\nsecret,data,string,${label.setupSecret}\n`);

    // A reprint keeps the secret (the device has it in flash); another model for the same id is refused.
    const again = await runCli(['label', '--device', 'door-3', '--model', 'door-reader', '--inventory', inventory]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain(`password      ${label.setupSecret}`);
    expect(again.stdout).toContain(`setup Wi-Fi   ${label.ssid}`);
    const wrong = await runCli(['label', '--device', 'door-3', '--model', 'kiosk', '--inventory', inventory]);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('door-3 as a door-reader');
  }, 60_000);
});
