// CSV (RFC 4180) for the platform's exports: CRLF rows, fields quoted when they hold a comma, quote or line break.
// A text field starting with = + - @ (or a tab / CR) gets a leading apostrophe, so a spreadsheet never runs
// device-supplied text as a formula (OWASP "CSV injection"); numbers are written as they are.

export type CsvValue = string | number | boolean | null | undefined;

export function csvField(value: CsvValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function toCsv(header: readonly string[], rows: readonly (readonly CsvValue[])[]): string {
  return [header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';
}
