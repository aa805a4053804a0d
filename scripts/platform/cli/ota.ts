// `platform ota-image`: a firmware image signed for updates (docs/protocol.md §18) — its manifest (for ota.begin) and
// every chunk (for ota.chunk) in one JSON file that the platform's updateFirmware() and update jobs send. The signing
// key is a P-256 key in the provisioning key's form (`platform provisioning-key --out firmware.pem` makes one; keep it
// apart from the provisioning key); its public key is the device build's config "firmwareKey".
import { readFileSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { MAX_OTA_CHUNK_BYTES, MIN_OTA_CHUNK_BYTES, versionRank } from '../../../firmware/lifecycle/ota-manifest.js';
import { makeSimImage, IMAGE_BEHAVIOURS, type ImageBehaviour } from '../../../hal/host/firmware.js';
import { makeOtaImage } from '../ota-image.js';
import { readSigningKey } from '../provisioning-code.js';
import { output, UsageError } from './common.js';

interface OtaImageOptions {
  image?: string;
  sim?: string;
  model: string;
  version: string;
  signingKey: string;
  chunkBytes: string;
  out: string;
  json?: boolean;
}

export function otaImageCommand(program: Command): void {
  program.command('ota-image')
    .description('sign a firmware image for updates: its manifest and chunks as one JSON file')
    .option('--image <file>', 'the image (the build\'s .bin)')
    .option('--sim <behaviour>', `instead of --image, a simulated image (${IMAGE_BEHAVIOURS.join(', ')}) for the simulator`)
    .requiredOption('--model <model>', 'the device model it is built for')
    .requiredOption('--version <x.y.z>', 'its version: MAJOR.MINOR.PATCH, above every device\'s running one')
    .requiredOption('--signing-key <file>', 'the firmware signing key (PKCS#8 PEM, P-256)')
    .option('--chunk-bytes <n>', `bytes per chunk (${MIN_OTA_CHUNK_BYTES} … ${MAX_OTA_CHUNK_BYTES})`, String(MAX_OTA_CHUNK_BYTES))
    .requiredOption('--out <file>', 'the JSON file to write')
    .option('--json', 'print the manifest as JSON')
    .action((options: OtaImageOptions) => {
      if (versionRank(options.version) === undefined) throw new UsageError('--version: expected MAJOR.MINOR.PATCH (0 … 65535 each)');
      const chunkBytes = Number(options.chunkBytes);
      if (!Number.isInteger(chunkBytes) || chunkBytes < MIN_OTA_CHUNK_BYTES || chunkBytes > MAX_OTA_CHUNK_BYTES) {
        throw new UsageError(`--chunk-bytes: expected an integer ${MIN_OTA_CHUNK_BYTES} … ${MAX_OTA_CHUNK_BYTES}`);
      }
      if ((options.image === undefined) === (options.sim === undefined)) throw new UsageError('give --image or --sim (one of them)');
      if (options.sim !== undefined && !IMAGE_BEHAVIOURS.includes(options.sim as ImageBehaviour)) throw new UsageError(`--sim: expected ${IMAGE_BEHAVIOURS.join(', ')}`);
      let bytes: Uint8Array;
      try {
        bytes = options.image !== undefined ? new Uint8Array(readFileSync(options.image)) : makeSimImage({ version: options.version, behaviour: options.sim as ImageBehaviour }, 6000);
      } catch {
        throw new UsageError(`--image: cannot read ${options.image}`);
      }
      if (bytes.length === 0) throw new UsageError('--image: the file is empty');
      let key;
      try {
        key = readSigningKey(readFileSync(options.signingKey, 'utf8'));
      } catch (error) {
        throw new UsageError(`--signing-key: ${error instanceof Error ? error.message : String(error)}`);
      }
      const image = makeOtaImage(bytes, { model: options.model, version: options.version, chunkBytes }, key);
      writeFileSync(options.out, `${JSON.stringify(image)}\n`);
      const out = output(options.json);
      out.line(`wrote ${options.out}: ${options.model} ${options.version}, ${bytes.length} bytes in ${image.chunks.length} chunks`);
      out.data(image.manifest);
    });
}
