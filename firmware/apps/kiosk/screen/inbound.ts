// Checks on everything the screen model is handed from outside (the card reader, the platform) before it acts.
export interface Notice {
  readonly id: string;
  readonly title: { readonly zh: string; readonly en: string };
  readonly body: { readonly zh: string; readonly en: string };
  readonly expiresMs: number;
}

export const MAX_NOTICES = 16;
const TITLE_MAX = 80;
const BODY_MAX = 2000;
const PASS_MAX = 512;

/** Resident identities are keyed hashes (firmware/identity), hex. */
export const isResidentHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{16,64}$/.test(v);
export const isUnit = (v: unknown): v is string => typeof v === 'string' && /^[0-9A-Za-z-]{1,12}$/.test(v);
/** A pass's QR text: printable ASCII. */
export const isPassPayload = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= PASS_MAX && /^[\x20-\x7e]+$/.test(v);
export const isRef = (v: unknown): v is string => typeof v === 'string' && /^[\w.-]{1,32}$/.test(v);

// Printable text without control characters.
const isText = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max && !/[\u0000-\u001f\u007f]/.test(v.replace(/\n/g, ' '));
const isBilingual = (v: unknown, max: number): v is { zh: string; en: string } =>
  typeof v === 'object' && v !== null && isText((v as { zh?: unknown }).zh, max) && isText((v as { en?: unknown }).en, max);

/** The notices the platform pushed: the valid ones (at most MAX_NOTICES, ids unique) and how many were dropped. */
export function parseNotices(list: unknown): { notices: Notice[]; dropped: number } {
  if (!Array.isArray(list)) return { notices: [], dropped: 1 };
  const notices: Notice[] = [];
  const ids = new Set<string>();
  for (const n of list) {
    const ok = typeof n === 'object' && n !== null && isRef(n.id) && !ids.has(n.id) && isBilingual(n.title, TITLE_MAX) && isBilingual(n.body, BODY_MAX) &&
      typeof n.expiresMs === 'number' && Number.isFinite(n.expiresMs) && notices.length < MAX_NOTICES;
    if (!ok) continue;
    ids.add(n.id);
    notices.push(Object.freeze({ id: n.id, title: { zh: n.title.zh, en: n.title.en }, body: { zh: n.body.zh, en: n.body.en }, expiresMs: n.expiresMs }));
  }
  return { notices, dropped: list.length - notices.length };
}
