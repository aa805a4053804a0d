// The fuzzer (scripts/fuzz, `npm run fuzz`), run programmatically: a small fixed-seed run over every target finds
// nothing and really exercises each target on Node and inside XS; a deliberately broken target shows that
// crashes and hangs are caught on both engines, saved, and make the same findings for the same seed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from '@jest/globals';
import { runFuzz, type FuzzReport } from '../../scripts/fuzz/runner.js';
import type { FuzzTarget } from '../../scripts/fuzz/target.js';
import { allTargets } from '../../scripts/fuzz/targets/index.js';
import { killAllWorkers } from '../support/xs/xsnap.js';

const dirs: string[] = [];
function crashDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fuzz-test-'));
  dirs.push(dir);
  return dir;
}

afterAll(() => {
  killAllWorkers();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('npm run fuzz, small and seeded', () => {
  let report: FuzzReport;

  test('3000 inputs over every target: no crash, no hang', async () => {
    report = await runFuzz({ count: 3000, seed: 20_260_101, xsShare: 0.05, targets: allTargets(), crashDir: crashDir(), watchdogMs: 60_000 });
    const findings = report.findings.map((f) => `${f.target} #${f.index} ${f.engine} ${f.kind}: ${f.message}`);
    expect(findings).toEqual([]);
    expect(report.crashes).toBe(0);
    expect(report.hangs).toBe(0);
    expect(report.inputs).toBe(3000);
    expect(report.summary).toBe(`inputs=3000 crashes=0 hangs=0 targets=${report.targets}`);
  }, 240_000);

  test('at least seven targets, among them each input path the issue names, each run on Node and on XS', () => {
    expect(report.targets).toBeGreaterThanOrEqual(7);
    expect(report.stats.map((s) => s.name)).toEqual(expect.arrayContaining([
      'mqtt-packets', 'command', 'config-desired', 'alarm', 'cred-sync', 'visitor-pass', 'wiegand-frames', 'qr-serial',
    ]));
    for (const stat of report.stats) {
      expect({ name: stat.name, node: stat.node > 0, xs: stat.xs > 0, sum: stat.node + stat.xs === stat.inputs })
        .toEqual({ name: stat.name, node: true, xs: true, sum: true });
      // Inputs really ran inside XS: each costs computrons.
      expect(stat.maxComputrons).toBeGreaterThan(0);
    }
  });
});

/**
 * Input byte 0 decides: 1 throws on Node (and in the XS core `selftest`), 2 never returns inside XS (its
 * computron budget stops it), anything else passes.
 */
function brokenTarget(): FuzzTarget {
  return {
    name: 'deliberately-broken',
    format: 'bytes',
    seeds: () => [Uint8Array.of(0, 0, 0, 0)],
    mutate: (input, rng) => {
      const out = input.slice();
      out[0] = rng.pick([0, 0, 0, 0, 1, 2]);
      return out;
    },
    run(input) {
      if (input[0] === 1) throw new TypeError('deliberate crash');
    },
    xsCore: 'selftest',
    xsBudget: 2_000_000,
  };
}

describe('crashes and hangs are caught', () => {
  test('on Node and inside XS, saved with what replays them, the same for the same seed', async () => {
    const run = () => runFuzz({ count: 60, seed: 5, xsShare: 0.25, targets: [brokenTarget()], crashDir: crashDir(), watchdogMs: 0 });
    const report = await run();
    const kinds = new Set(report.findings.map((f) => `${f.engine} ${f.kind}`));
    expect([...kinds].sort()).toEqual(['node crash', 'xs crash', 'xs hang']);
    expect(report.crashes).toBe(report.findings.filter((f) => f.kind === 'crash').length);
    expect(report.hangs).toBe(report.findings.filter((f) => f.kind === 'hang').length);
    expect(report.summary).toBe(`inputs=60 crashes=${report.crashes} hangs=${report.hangs} targets=1`);

    const nodeCrash = report.findings.find((f) => f.engine === 'node')!;
    expect(nodeCrash.message).toBe('TypeError: deliberate crash');
    expect(report.findings.find((f) => f.engine === 'xs' && f.kind === 'crash')!.message).toMatch(/selftest: deliberate crash/);
    expect(report.findings.find((f) => f.kind === 'hang')!.message).toMatch(/computron budget/);
    // The input and a description to replay it are saved.
    expect(existsSync(nodeCrash.file!)).toBe(true);
    expect(readFileSync(nodeCrash.file!)[0]).toBe(1);
    expect(JSON.parse(readFileSync(nodeCrash.file!.replace(/\.bin$/, '.json'), 'utf8'))).toMatchObject({
      target: 'deliberately-broken', engine: 'node', index: nodeCrash.index, runSeed: nodeCrash.runSeed,
    });

    // XS work after a worker death goes on: every input was accounted for, and a second run finds the same.
    const again = await run();
    const key = (r: FuzzReport) => r.findings.map((f) => `${f.engine}:${f.kind}:${f.index}`).sort();
    expect(key(again)).toEqual(key(report));
  }, 120_000);

  test('a hang on Node: an input over the wall-time budget', async () => {
    const slow: FuzzTarget = {
      ...brokenTarget(),
      name: 'deliberately-slow',
      run(input) {
        if (input[0] !== 2) return;
        // Burns 60 ms of this process's CPU (not of wall time): a hang is judged on both, and a busy machine
        // must not make this input look fast.
        const start = process.cpuUsage();
        let spin = 0;
        while (process.cpuUsage(start).user + process.cpuUsage(start).system < 60_000) spin++;
        if (spin < 0) throw new Error('unreachable');
      },
      xsCore: undefined,
    };
    const report = await runFuzz({ count: 30, seed: 2, xsShare: 0, targets: [slow], crashDir: crashDir(), nodeBudgetMs: 20, watchdogMs: 0 });
    expect(report.hangs).toBeGreaterThan(0);
    expect(report.findings.every((f) => f.kind === 'hang' && f.engine === 'node')).toBe(true);
  });
});
