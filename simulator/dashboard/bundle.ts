// Bundles the dashboard's browser code (preact, uPlot and the views in ./client) with esbuild, in memory, once
// per process: the page then needs nothing from the network (no CDN), only this server.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface DashboardBundle {
  js: string;
  css: string;
}

const here = dirname(fileURLToPath(import.meta.url));
let cached: Promise<DashboardBundle> | undefined;

/** The client bundle (built on first use, then reused). */
export function dashboardBundle(): Promise<DashboardBundle> {
  cached ??= buildClient('main.tsx').catch((error: unknown) => {
    cached = undefined;
    throw error;
  });
  return cached;
}

/** One entry of ./client bundled for the browser (the dashboard's main.tsx; the kiosk's screen gallery). */
export async function buildClient(entry: string): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: [join(here, 'client', entry)],
    bundle: true,
    write: false,
    outdir: 'out',
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: join(here, 'client', 'tsconfig.json'),
    logLevel: 'silent',
    legalComments: 'none',
  });
  const js = result.outputFiles.find((file) => file.path.endsWith('.js'))?.text ?? '';
  const css = result.outputFiles.find((file) => file.path.endsWith('.css'))?.text ?? '';
  return { js, css };
}
