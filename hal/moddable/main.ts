// Entry point of manifests/generic.json: the runtime with no app (status, commands, config, health only).
// Device manifests point `creation.main` at their own entry that calls startDevice with their app.
import config from 'mc/config';
import { startDevice } from './boot.js';
import { traceLog } from './system.js';

try {
  startDevice({ model: typeof config.model === 'string' ? config.model : 'generic' });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
