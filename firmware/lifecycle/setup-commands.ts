// The setup console on the USB serial port (bench setup): one command a line, one answer line.
//   provision <code>            the provisioning code (CTP1.…), as the platform CLI printed it
//   wifi <ssid> [<password>]    the network; quote a name with spaces: wifi "Oak Court" secret123
//   status                      phase, proofs and the last problem
//   help
// Answers start with `ok`, `refused <reason>: <detail>` or `error: <why>`. Every line is checked; nothing echoes a
// password back.
import type { SetupControl, SetupStatus } from './setup-status.js';

/** The longest line taken: `provision ` and the longest code (4296 characters), with room for a CR. */
export const CONSOLE_LINE_MAX = 4400;

const HELP = 'commands: provision <code> | wifi <ssid> [<password>] | status | help';

export function runConsoleLine(control: SetupControl, raw: string, write: (line: string) => void): void {
  if (typeof raw !== 'string') return;
  if (raw.length > CONSOLE_LINE_MAX) return write(`error: line longer than ${CONSOLE_LINE_MAX} characters`);
  const line = raw.replace(/\r$/, '').trim();
  if (line === '') return;
  const space = line.indexOf(' ');
  const verb = (space < 0 ? line : line.slice(0, space)).toLowerCase();
  const rest = space < 0 ? '' : line.slice(space + 1).trim();
  switch (verb) {
    case 'provision': {
      if (rest === '' || rest.includes(' ')) return write('error: provision takes one code');
      const answer = control.takeCode(rest);
      return write(answer.ok ? `ok ${describe(control.status())}` : `refused ${answer.reason}: ${answer.detail}`);
    }
    case 'wifi': {
      const words = splitWords(rest);
      if (typeof words === 'string') return write(`error: ${words}`);
      if (words.length < 1 || words.length > 2) return write('error: wifi <ssid> [<password>]');
      const answer = control.chooseWifi(words[0]!, words[1] ?? '');
      return write(answer.ok ? `ok ${describe(control.status())}` : `refused ${answer.reason}: ${answer.detail}`);
    }
    case 'status':
      return write(`ok ${describe(control.status())}`);
    case 'help':
      return write(HELP);
    default:
      return write(`error: unknown command "${verb.slice(0, 16)}" (${HELP})`);
  }
}

/** One line: `phase=proving site=s device=d wifi="x" wifi:ok time:ok broker:waiting tls:skipped problem=broker/unreachable "…"`. */
export function describe(status: SetupStatus): string {
  const parts = [`phase=${status.phase}`];
  if (status.site !== undefined) parts.push(`site=${status.site}`, `device=${status.device ?? ''}`);
  if (status.wifi !== undefined) parts.push(`wifi=${JSON.stringify(status.wifi)}`);
  for (const [name, state] of Object.entries(status.proofs)) parts.push(`${name}:${state}`);
  if (status.problem) parts.push(`problem=${status.problem.step}/${status.problem.reason} ${JSON.stringify(status.problem.detail)}`);
  return parts.join(' ');
}

/** Words split on spaces; "double quotes" keep spaces, \" and \\ escape inside them. */
function splitWords(text: string): string[] | string {
  const words: string[] = [];
  let at = 0;
  while (at < text.length) {
    if (text[at] === ' ') {
      at++;
      continue;
    }
    if (text[at] !== '"') {
      const end = text.indexOf(' ', at);
      words.push(text.slice(at, end < 0 ? text.length : end));
      at = end < 0 ? text.length : end;
      continue;
    }
    let word = '';
    at++;
    for (;;) {
      if (at >= text.length) return 'a quote is not closed';
      const char = text[at++]!;
      if (char === '"') break;
      if (char === '\\' && at < text.length) word += text[at++]!;
      else word += char;
    }
    words.push(word);
  }
  return words;
}
