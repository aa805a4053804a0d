// The platform's notices, cached in flash so the kiosk shows them offline and after a reboot: one key-value
// record `{ version, notices }` (JSON, at most the `noticeBytes` setting, ≤ 3999). A list replaces the last one
// only when its version is newer (a late duplicate never brings old notices back). Expired notices are dropped
// when a list is stored; the screen model hides those that expire later.
import type { KeyValueStore } from '../../../hal/contract/index.js';
import { utf8Length } from '../../lib/utf8.js';
import { parseNotices, type Notice } from './screen/inbound.js';

const NOTICES_KEY = 'notices';

export type NoticeOutcome = { stored: true; kept: number } | { stored: false; reason: string; stale: boolean };

export class NoticeCache {
  #kv: KeyValueStore;
  #domain: string;
  #version = 0;
  #notices: Notice[] = [];

  constructor(kv: KeyValueStore, domain: string) {
    this.#kv = kv;
    this.#domain = domain;
    const text = kv.get(domain, NOTICES_KEY);
    if (typeof text !== 'string') return;
    try {
      const cached = JSON.parse(text) as { version?: unknown; notices?: unknown };
      if (typeof cached.version !== 'number' || !Number.isInteger(cached.version)) return;
      this.#version = cached.version;
      this.#notices = parseNotices(cached.notices).notices; // checked again: flash is input too
    } catch {
      // A torn or foreign record: no notices until the platform sends them again.
    }
  }

  get version(): number {
    return this.#version;
  }

  get notices(): readonly Notice[] {
    return this.#notices;
  }

  /** A validated list from the platform (command-args.ts), at wall time `nowMs`, within `maxBytes`. */
  store(version: number, list: unknown, nowMs: number, maxBytes: number): NoticeOutcome {
    if (version <= this.#version) return { stored: false, stale: true, reason: `version ${version} is not newer than ${this.#version}` };
    const notices = parseNotices(list).notices.filter((notice) => notice.expiresMs > nowMs);
    const text = JSON.stringify({ version, notices });
    const bytes = utf8Length(text);
    if (bytes > maxBytes) return { stored: false, stale: false, reason: `notices take ${bytes} bytes; the cache holds ${maxBytes}` };
    this.#kv.set(this.#domain, NOTICES_KEY, text);
    this.#version = version;
    this.#notices = notices;
    return { stored: true, kept: notices.length };
  }
}
