// Small figures helpers for the load and soak scripts.

/** The p-th percentile (0–100) by nearest rank; NaN for no samples. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** A text histogram of `samples` (ms) in `buckets` equal bins from 0 to the maximum. */
export function histogram(samples: readonly number[], buckets = 10, width = 40): string[] {
  if (samples.length === 0) return ['(no samples)'];
  const max = Math.max(...samples);
  const step = Math.max(1, Math.ceil((max + 1) / buckets));
  const counts = new Array<number>(buckets).fill(0);
  for (const sample of samples) counts[Math.min(buckets - 1, Math.floor(sample / step))]!++;
  const top = Math.max(...counts);
  return counts.map((count, i) => {
    const from = i * step;
    const label = `${String(from).padStart(6)}–${String(from + step).padEnd(6)} ms`;
    return `${label} ${String(count).padStart(6)} ${'#'.repeat(Math.round((count / top) * width))}`;
  });
}

/** Resident memory of this process in MB. */
export function rssMb(): number {
  return process.memoryUsage.rss() / (1024 * 1024);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `done` every `everyMs` until it holds or `timeoutMs` passes; returns whether it held. */
export async function until(done: () => boolean, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > end) return false;
    await sleep(everyMs);
  }
  return true;
}
