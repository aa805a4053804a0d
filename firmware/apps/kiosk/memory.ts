// What the kiosk remembers for the screen model (KioskMemory), in its key-value domain: elderly mode per card, the
// queue ticket counter, and the residents' repair reports and pass requests (so "my reports" and the platform's
// late updates survive a reboot). Written on a change only (a resident switching mode, a ticket taken, a report
// filed, moved on or rated, a pass requested), never per tap.
// Elderly mode is kept per card under a 6-byte tag of the card's keyed hash (12 hex digits): a tag collision
// only shares a display mode, and 256 tags fit one record (13 bytes each, 3328 bytes < 3999). Least recently
// switched first: the oldest is forgotten when the record is full.
// Reports and pass requests keep the resident's full keyed hash, never a tag: a tag collision would show one
// resident another's report. One record each, the model's newest REPORTS_KEPT (32), entries ';'-separated:
// - reports: `ref hash category stage stars` (stage 0–4 in REPORT_STAGES' order, stars 0 = not rated). At most
//   32 (ref) + 64 (the longest hash the model takes; the app's are 32) + 9 (category id) + 1 + 1 + 5 separators
//   = 112 bytes, 32 × 112 = 3584 < 3999: all 32 fit, so none is dropped for size.
// - passes: `ref hash`, at most 98 bytes, 32 × 98 = 3136. The pass itself (a payload of up to 512 bytes) is not
//   kept: after a reboot the platform's (re)sent kiosk.pass is still taken and shown.
// A record that does not parse whole reads as none: never a crash, never half a list.
import type { KeyValueStore } from '../../../hal/contract/index.js';
import { CATEGORIES, findChoice, REPORT_STAGES } from './screen/catalogue.js';
import { isRef, isResidentHash } from './screen/inbound.js';
import { REPORTS_KEPT, type KioskMemory, type SavedPass } from './screen/machine.js';
import type { Report } from './screen/views.js';

const ELDERLY_KEY = 'elderly';
const TICKET_KEY = 'ticket';
const REPORTS_KEY = 'reports';
const PASSES_KEY = 'passes';
const TAG_CHARS = 12;
const ENTRY_CHARS = TAG_CHARS + 1;
export const ELDERLY_MAX = 256;
/** Desk numbers run 1–999, then start again. */
export const TICKET_MAX = 999;

export class KioskStore implements KioskMemory {
  #kv: KeyValueStore;
  #domain: string;
  /** tag → '1' (elderly) or '0' (standard), in insertion order (oldest first). */
  #modes = new Map<string, string>();

  constructor(kv: KeyValueStore, domain: string) {
    this.#kv = kv;
    this.#domain = domain;
    const text = kv.get(domain, ELDERLY_KEY);
    if (typeof text !== 'string') return;
    for (let i = 0; i + ENTRY_CHARS <= text.length; i += ENTRY_CHARS) {
      const tag = text.slice(i, i + TAG_CHARS);
      const mode = text[i + TAG_CHARS]!;
      if (/^[0-9a-f]{12}$/.test(tag) && (mode === '0' || mode === '1')) this.#modes.set(tag, mode);
    }
  }

  /** Cards with a remembered mode. */
  get remembered(): number {
    return this.#modes.size;
  }

  elderly(residentHash: string): boolean | undefined {
    const mode = this.#modes.get(residentHash.slice(0, TAG_CHARS));
    return mode === undefined ? undefined : mode === '1';
  }

  rememberElderly(residentHash: string, on: boolean): void {
    const tag = residentHash.slice(0, TAG_CHARS);
    const mode = on ? '1' : '0';
    if (this.#modes.get(tag) === mode) return;
    this.#modes.delete(tag);
    this.#modes.set(tag, mode);
    while (this.#modes.size > ELDERLY_MAX) this.#modes.delete(this.#modes.keys().next().value!);
    let text = '';
    for (const [t, m] of this.#modes) text += t + m;
    this.#kv.set(this.#domain, ELDERLY_KEY, text);
  }

  savedReports(): Report[] {
    return this.#entries(REPORTS_KEY, 5, ([ref, resident, category, stage, stars]) => {
      const at = Number(stage);
      const rated = Number(stars);
      if (!findChoice(CATEGORIES, category!) || !/^[0-9]$/.test(stage!) || at >= REPORT_STAGES.length || !/^[0-5]$/.test(stars!)) return undefined;
      return { ref: ref!, resident: resident!, category: category!, stage: REPORT_STAGES[at]!, rated: rated || undefined };
    });
  }

  saveReports(reports: readonly Report[]): void {
    this.#kv.set(this.#domain, REPORTS_KEY, reports.slice(-REPORTS_KEPT)
      .map((r) => `${r.ref} ${r.resident} ${r.category} ${REPORT_STAGES.indexOf(r.stage)} ${r.rated ?? 0}`).join(';'));
  }

  savedPasses(): SavedPass[] {
    return this.#entries(PASSES_KEY, 2, ([ref, resident]) => ({ ref: ref!, resident: resident! }));
  }

  savePasses(passes: readonly SavedPass[]): void {
    this.#kv.set(this.#domain, PASSES_KEY, passes.slice(-REPORTS_KEPT).map((p) => `${p.ref} ${p.resident}`).join(';'));
  }

  /** A saved list: entries of `fields` words, a ref and a resident hash first, each checked by `parse`; none if
   * any is bad. */
  #entries<T>(key: string, fields: number, parse: (words: string[]) => T | undefined): T[] {
    const text = this.#kv.get(this.#domain, key);
    if (typeof text !== 'string' || text === '') return [];
    const out: T[] = [];
    for (const entry of text.split(';')) {
      const words = entry.split(' ');
      const parsed = words.length === fields && isRef(words[0]) && isResidentHash(words[1]) ? parse(words) : undefined;
      if (parsed === undefined || out.length === REPORTS_KEPT) return [];
      out.push(parsed);
    }
    return out;
  }

  nextTicket(): number {
    const last = this.#kv.get(this.#domain, TICKET_KEY);
    const next = typeof last === 'number' && last >= 1 && last < TICKET_MAX ? last + 1 : 1;
    this.#kv.set(this.#domain, TICKET_KEY, next);
    return next;
  }
}
