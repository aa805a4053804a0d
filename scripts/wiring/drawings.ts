// Which board carries which app, read from the device entry points (hal/moddable/entries/*.ts: each imports one
// app and one board), and each pair's drawing as it would be written to docs/wiring/<board>.svg.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Board } from '../../hal/contract/board.js';
import type { DeviceDefinition } from '../../firmware/parts/device.js';
import { fillTables } from './markdown.js';
import { isWiredBoard, wiringOf, type Wiring } from './model.js';
import { renderSvg } from './svg.js';

export interface Drawing {
  readonly board: Board;
  readonly app: string;
  readonly wiring: Wiring;
  /** Relative to the repository's root. */
  readonly path: string;
  readonly generated: string;
  /** What is committed at `path`; undefined when there is no file. */
  readonly committed: string | undefined;
}

export interface EntryPair {
  readonly entry: string;
  readonly app: string;
  readonly board: string;
}

/** The app and board each entry point starts; entries without an app (generic) are not drawn. */
export function entryPairs(root: string): EntryPair[] {
  const folder = join(root, 'hal/moddable/entries');
  return readdirSync(folder).filter((file) => file.endsWith('.ts')).sort().flatMap((file) => {
    const source = readFileSync(join(folder, file), 'utf8');
    const app = /from '\.\.\/\.\.\/\.\.\/firmware\/apps\/([\w-]+)\/index\.js'/.exec(source)?.[1];
    const board = /from '\.\.\/\.\.\/boards\/([\w-]+)\.js'/.exec(source)?.[1];
    return app === undefined || board === undefined ? [] : [{ entry: `hal/moddable/entries/${file}`, app, board }];
  });
}

export async function drawings(root: string): Promise<Drawing[]> {
  const result: Drawing[] = [];
  for (const pair of entryPairs(root)) {
    const board = findExport<Board>(await import(`../../hal/boards/${pair.board}.js`), (value) => typeof value.name === 'string' && typeof value.pin === 'object');
    const device = findExport<DeviceDefinition>(await import(`../../firmware/apps/${pair.app}/index.js`), (value) => typeof value.model === 'string' && typeof value.parts === 'object');
    if (board === undefined || device === undefined) throw new Error(`${pair.entry}: no board or device definition exported by ${pair.board} / ${pair.app}`);
    if (!isWiredBoard(board)) throw new Error(`hal/boards/${pair.board}.ts has no wiring block ({ module, chip, notes?, fixtures? }): npm run wiring needs it`);
    const wiring = wiringOf(board, device.parts);
    const path = `docs/wiring/${board.name}.svg`;
    const file = join(root, path);
    result.push({
      board,
      app: pair.app,
      wiring,
      path,
      generated: renderSvg(wiring, [`hal/boards/${pair.board}.ts`, `firmware/apps/${pair.app}/parts.ts`]),
      committed: existsSync(file) ? readFileSync(file, 'utf8') : undefined,
    });
  }
  return result;
}

/** The installer's guide with its pin tables as generated (markdown.ts). */
export const GUIDE = 'docs/installing.md';

export function guide(root: string, all: readonly Drawing[]): { committed: string; generated: string } {
  const committed = readFileSync(join(root, GUIDE), 'utf8');
  return { committed, generated: fillTables(committed, all.map((drawing) => drawing.wiring)) };
}

function findExport<T>(module: Record<string, unknown>, test: (value: Record<string, unknown>) => boolean): T | undefined {
  const found = Object.values(module).find((value) => typeof value === 'object' && value !== null && test(value as Record<string, unknown>));
  return found as T | undefined;
}
