// Runs the firmware's impact finder over recordings and keeps every candidate's features, so that
// classifiers can be trained and cross-validated without re-reading the data.
import { ImpactFinder, type ImpactFeatures, type ImpactOptions } from '../../firmware/sensing/impact-features.js';
import { asFifo, readRecordings, type Recording } from './recordings.js';

/** A recording's labels, its length in samples and the candidates found in it. */
export interface RecordingCandidates extends Pick<Recording, 'id' | 'dataset' | 'subject' | 'activity' | 'fall' | 'placement'> {
  samples: number;
  candidates: ImpactFeatures[];
}

export function findCandidates(recording: Recording, options: Partial<ImpactOptions> = {}): RecordingCandidates {
  const finder = new ImpactFinder(options);
  const candidates: ImpactFeatures[] = [];
  const s = recording.samples;
  for (let i = 0; i + 2 < s.length; i += 3) {
    const f = finder.push(s[i], s[i + 1], s[i + 2]);
    if (f) candidates.push({ ...f });
  }
  const { id, dataset, subject, activity, fall, placement } = recording;
  return { id, dataset, subject, activity, fall, placement, samples: s.length / 3, candidates };
}

/** Every recording's candidates; with `fifo`, found on the samples as the device's FIFO delivers them. */
export async function loadCandidates(paths: string[], options: Partial<ImpactOptions> = {}, fifo = false): Promise<RecordingCandidates[]> {
  const out: RecordingCandidates[] = [];
  for (const path of paths) {
    for await (const recording of readRecordings(path)) out.push(findCandidates(fifo ? asFifo(recording) : recording, options));
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { writeFileSync } = await import('node:fs');
  const [outFile, ...paths] = process.argv.slice(2);
  if (!outFile || paths.length === 0) {
    process.stderr.write('usage: tsx scripts/falls/candidates.ts OUT.json FILE.jsonl.gz...\n');
    process.exit(2);
  }
  const options = process.env.IMPACT_OPTIONS ? JSON.parse(process.env.IMPACT_OPTIONS) as Partial<ImpactOptions> : {};
  writeFileSync(outFile, JSON.stringify(await loadCandidates(paths, options)));
}
