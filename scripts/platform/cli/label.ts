// `platform label`: a device's setup secret and the text of its label. The secret is the setup access point's
// WPA2 password and what provisioning codes are sealed to (docs/protocol.md §17.3, §17.6); it is made once per
// device, kept in the platform's inventory (`inventory.json` beside the provisioning ledger), written into the
// device's NVS when it is flashed (`--nvs-csv`: the CSV ESP-IDF's nvs_partition_gen.py takes) and printed on its
// label with a QR code phones join the setup network with.
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Command } from 'commander';
import { renderUnicodeCompact } from 'uqr';
import { MODEL_KEYS } from '../../../firmware/lifecycle/model-keys.js';
import { SETUP_DOMAIN, SETUP_SECRET_KEY } from '../../../firmware/lifecycle/provisioning-code.js';
import { setupSsid } from '../../../firmware/lifecycle/setup.js';
import { idOption, output, UsageError } from './common.js';

/** The inventory's file name, beside the provisioning ledger (the signing key's directory). */
export const INVENTORY_FILE = 'inventory.json';
/** Letters and digits a person cannot misread on a label (no 0 O 1 I L). */
const ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
/** 12 characters of 31: 59 bits, in groups of four (14 characters with the dashes, within WPA2's 8–63). */
const SECRET_GROUPS = 3;
const HARDWARE_ID = /^[0-9a-f]{12}$/;

export interface InventoryEntry {
  device: string;
  model: string;
  setupSecret: string;
  hardwareId?: string;
  createdAt: string;
}

interface LabelOptions {
  device?: string;
  model: string;
  hw?: string;
  inventory?: string;
  signingKey?: string;
  nvsCsv?: string;
  newSecret?: boolean;
  qr?: boolean;
  json?: boolean;
}

export function labelCommand(program: Command): void {
  program.command('label')
    .description('a device\'s setup secret (made once, kept in the inventory) and its label: setup network, password, join QR')
    .requiredOption('--device <id>', 'the device id')
    .requiredOption('--model <model>', `the device model (${Object.keys(MODEL_KEYS).join(', ')})`)
    .option('--hw <mac>', 'its hardware id (Wi-Fi MAC, 12 hex digits): names the setup network on the label')
    .option('--inventory <file>', `the inventory (default: ${INVENTORY_FILE} beside --signing-key)`)
    .option('--signing-key <file>', 'the provisioning signing key, to find the inventory beside it')
    .option('--nvs-csv <file>', 'also write the NVS CSV that puts the secret on the device when it is flashed')
    .option('--new-secret', 'replace the secret the inventory has (a label reprinted after a leak; old codes stop working)')
    .option('--qr', 'draw the label\'s join QR in the terminal')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nFlash the NVS image made from --nvs-csv (nvs_partition_gen.py generate FILE nvs.bin 0x4000) at the nvs partition\'s offset.')
    .action((options: LabelOptions) => {
      const device = idOption(options.device, '--device');
      if (!Object.prototype.hasOwnProperty.call(MODEL_KEYS, options.model)) throw new UsageError(`--model: ${options.model} is not one of ${Object.keys(MODEL_KEYS).join(', ')}`);
      const hardwareId = options.hw?.toLowerCase().replaceAll(':', '');
      if (hardwareId !== undefined && !HARDWARE_ID.test(hardwareId)) throw new UsageError('--hw: 12 hex digits (the Wi-Fi MAC)');
      const file = options.inventory ?? (options.signingKey ? join(dirname(resolve(options.signingKey)), INVENTORY_FILE) : undefined);
      if (!file) throw new UsageError('--inventory or --signing-key is required: the secret must be kept where provisioning codes are made');
      const inventory = readInventory(file);
      const known = inventory.devices.find((entry) => entry.device === device);
      if (known && known.model !== options.model) throw new UsageError(`--model: the inventory has ${device} as a ${known.model}`);
      const entry: InventoryEntry = known && !options.newSecret
        ? { ...known, ...(hardwareId ? { hardwareId } : {}) }
        : { device, model: options.model, setupSecret: newSetupSecret(), ...(hardwareId ? { hardwareId } : known?.hardwareId ? { hardwareId: known.hardwareId } : {}), createdAt: new Date().toISOString() };
      writeInventory(file, { devices: [...inventory.devices.filter((other) => other.device !== device), entry] });
      if (options.nvsCsv) writeFileSync(options.nvsCsv, nvsCsv(entry.setupSecret), { mode: 0o600 });
      const ssid = entry.hardwareId ? setupSsid(entry.model, entry.hardwareId) : undefined;
      const joinQr = ssid ? wifiQr(ssid, entry.setupSecret) : undefined;
      const out = output(options.json);
      out.data({ device, model: entry.model, setupSecret: entry.setupSecret, ...(ssid ? { ssid, joinQr } : {}), inventory: file, reused: known !== undefined && !options.newSecret });
      out.line(`device        ${device} (${entry.model})`);
      out.line(`setup Wi-Fi   ${ssid ?? `CT-${entry.model}-XXXX (XXXX: the last 4 hex digits of its MAC; --hw prints it)`}`);
      out.line(`password      ${entry.setupSecret}`);
      out.line(`设置网络密码   ${entry.setupSecret}`);
      if (options.qr && joinQr) out.line(renderUnicodeCompact(joinQr, { border: 2 }));
      out.line(`${known && !options.newSecret ? 'kept' : 'recorded'} in ${file}${options.nvsCsv ? `; NVS CSV in ${options.nvsCsv}` : ''}`);
    });
}

export function newSetupSecret(): string {
  const groups: string[] = [];
  for (let g = 0; g < SECRET_GROUPS; g++) {
    let group = '';
    for (let i = 0; i < 4; i++) group += ALPHABET[randomInt(ALPHABET.length)];
    groups.push(group);
  }
  return groups.join('-');
}

/** A phone's "join this network" QR text (the Wi-Fi QR convention); `\ ; , : "` escaped. */
export function wifiQr(ssid: string, password: string): string {
  const escape = (text: string) => text.replace(/([\\;,:"])/g, '\\$1');
  return `WIFI:T:WPA;S:${escape(ssid)};P:${escape(password)};;`;
}

/** The NVS partition generator's CSV: the `setup` namespace with `secret` (the device reads setup/secret). */
export function nvsCsv(secret: string): string {
  return `key,type,encoding,value\n${SETUP_DOMAIN},namespace,,\n${SETUP_SECRET_KEY},data,string,${secret}\n`;
}

export function readInventory(file: string): { devices: InventoryEntry[] } {
  if (!existsSync(file)) return { devices: [] };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { devices?: unknown };
    if (!Array.isArray(parsed.devices)) throw new Error('no devices array');
    return { devices: parsed.devices as InventoryEntry[] };
  } catch (error) {
    throw new UsageError(`--inventory: ${file} is not an inventory (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Whole, through a rename, 0600: it holds every device's secret. */
function writeInventory(file: string, inventory: { devices: InventoryEntry[] }): void {
  const temporary = `${file}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(inventory, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temporary, 0o600);
  renameSync(temporary, file);
}
