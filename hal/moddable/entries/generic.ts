// Entry point of manifests/generic.json: the runtime with no app (status, commands, config, health only).
// Each device manifest names its own entry here (door-reader.ts, sos-button.ts) that calls startDevice with its app.
import config from 'mc/config';
import { startDevice } from '../boot.js';
import { traceLog } from '../system.js';

try {
  startDevice({ model: typeof config.model === 'string' ? config.model : 'generic' });
} catch (error) {
  traceLog('error', `start-up failed: ${error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error)}`);
}
