// Recording-level figures: a fall recording is detected when it raises at least one alert; an activity
// recording is a false alarm when it raises any. Alerts beyond the first on a fall, and every alert on an
// activity, count as false alerts.

export interface Outcome {
  fall: boolean;
  alerts: number;
}

export interface Summary {
  recordings: number;
  falls: number;
  adls: number;
  detected: number;
  falseAlarms: number;
  falseAlerts: number;
  /** Percent, or NaN when there are no falls. */
  sensitivity: number;
  /** Percent, or NaN when there are no activities. */
  specificity: number;
}

export function summarize(outcomes: Iterable<Outcome>): Summary {
  let recordings = 0, falls = 0, adls = 0, detected = 0, falseAlarms = 0, falseAlerts = 0;
  for (const o of outcomes) {
    recordings++;
    if (o.fall) {
      falls++;
      if (o.alerts > 0) detected++;
      if (o.alerts > 1) falseAlerts += o.alerts - 1;
    } else {
      adls++;
      if (o.alerts > 0) falseAlarms++;
      falseAlerts += o.alerts;
    }
  }
  return {
    recordings, falls, adls, detected, falseAlarms, falseAlerts,
    sensitivity: falls > 0 ? (100 * detected) / falls : Number.NaN,
    specificity: adls > 0 ? (100 * (adls - falseAlarms)) / adls : Number.NaN,
  };
}

export function percent(value: number): string {
  return Number.isNaN(value) ? 'n/a' : value.toFixed(2);
}
