// The SOS button's alarm causes on the shared lifecycle (firmware/alarms): a press opens the confirmation window
// (pressConfirmS; 0: the alarm goes out at once), a detected fall the cancel window (fallCancelS). A long press
// cancels either, reported as `sos.cancelled` or `fall.cancelled`; each window plays its own pattern.
import type { AlarmCauseSpec, AlarmIndication } from '../../alarms/alarm-lifecycle.js';
import type { Indication } from './patterns.js';

export type SosCause = 'button' | 'fall';

export function sosCauses(seconds: (key: 'pressConfirmS' | 'fallCancelS') => number): Readonly<Record<SosCause, AlarmCauseSpec>> {
  return {
    button: { windowS: () => seconds('pressConfirmS'), cancelledEvent: 'sos.cancelled' },
    fall: { windowS: () => seconds('fallCancelS'), cancelledEvent: 'fall.cancelled' },
  };
}

const WINDOWS: Readonly<Record<SosCause, Indication>> = { button: 'confirm', fall: 'fallWindow' };

/** The pattern for what the lifecycle shows. */
export function sosIndication(indication: AlarmIndication, cause: SosCause): Indication {
  return indication === 'window' ? WINDOWS[cause] : indication;
}
