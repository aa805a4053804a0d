// Settings of the kiosk (config/desired keys), on top of the runtime's own (healthIntervalS). Screen timeouts are
// the screen model's (screen/modes.ts: fixed by the accessibility rules, not a setting).
import type { ConfigSpec } from '../../runtime/config.js';

export const KIOSK_CONFIG = {
  /** Print queue tickets and visitor passes; off: shown on screen only (a kiosk without paper loaded). */
  printer: { type: 'boolean', default: true },
  /** Bytes of flash the notice cache may take (one key-value record: at most 3999). */
  noticeBytes: { type: 'integer', min: 512, max: 3999, default: 3999 },
  /** Seconds the platform has to accept a help call before the kiosk reminds it, and reminders at most. */
  acceptTimeoutS: { type: 'integer', min: 15, max: 86_400, default: 120 },
  maxReminders: { type: 'integer', min: 0, max: 100, default: 10 },
} satisfies ConfigSpec;

export type KioskConfig = typeof KIOSK_CONFIG;

/** The kiosk's key-value domain: elderly mode per card, the ticket counter, the notice cache, the help alarm. */
export const KIOSK_DOMAIN = 'kiosk';
