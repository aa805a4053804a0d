// The browser dashboard for a running simulator (see server.ts for the server, model.ts for what it shows).
import { DEVICE_KINDS } from '../kinds/index.js';
import type { ReferencePlatform } from '../platform/index.js';
import { SimulatorModel, type DashboardSimulator } from './model.js';
import { platformConsole, type PlatformConsole } from './platform-console.js';
import { startDashboard, type Dashboard } from './server.js';

export type { Dashboard, ConsoleSource } from './server.js';
export { startDashboard } from './server.js';
export { SimulatorModel } from './model.js';
export { platformConsole } from './platform-console.js';

export interface DashboardForOptions {
  /** Default 8080; 0: any free port. */
  port?: number;
  host?: string;
  /** The reference platform behind the operator console and the event stream's gap and chain checks. */
  platform?: ReferencePlatform;
  tickMs?: number;
}

/** Starts the dashboard over a simulator's devices and monitor (and its platform's console, when given). */
export async function startDashboardFor(sim: DashboardSimulator, options: DashboardForOptions = {}): Promise<Dashboard> {
  const model = new SimulatorModel(sim);
  const { platform, ...rest } = options;
  const console: PlatformConsole | undefined = platform ? platformConsole(platform) : undefined;
  try {
    const dashboard = await startDashboard({
      ...rest, source: model, model, site: sim.site, kinds: Object.keys(DEVICE_KINDS), ...(console ? { console } : {}),
    });
    return {
      url: dashboard.url,
      port: dashboard.port,
      close: async () => {
        model.close();
        console?.close();
        await dashboard.close();
      },
    };
  } catch (error) {
    model.close();
    console?.close();
    throw error;
  }
}
