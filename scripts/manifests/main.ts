// npm run manifests — regenerates the `modules` and `preload` lists of every device manifest from the import
// graph (scripts/manifests/device-manifests.ts). `npm run manifests -- --check` writes nothing and fails when a
// committed manifest differs from what would be generated.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deviceManifests } from './device-manifests.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const check = process.argv.includes('--check');

try {
  let stale = 0;
  for (const manifest of deviceManifests(root)) {
    const upToDate = manifest.committed === manifest.generated;
    if (!upToDate && !check) writeFileSync(join(root, manifest.path), manifest.generated);
    if (!upToDate) stale++;
    const state = upToDate ? 'up to date' : check ? 'STALE (run npm run manifests)' : 'updated';
    console.log(`${manifest.path}: ${state} (${Object.keys(manifest.modules).length} modules)`);
  }
  if (check && stale > 0) process.exitCode = 1;
} catch (error) {
  // An import that does not resolve: nothing is written.
  console.error(`manifests: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 2;
}
