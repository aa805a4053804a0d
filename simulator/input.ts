// Command input. Under the table display a terminal is put in raw mode and the line is edited here, so a redraw
// never eats the typed text; otherwise (a pipe, line output) input is read line by line.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

export interface InputHandlers {
  onLine(line: string): void;
  /** The line being typed, after each key (terminal only). */
  onEdit(text: string): void;
}

/** `edit`: we draw the line being typed (the table display does); otherwise the terminal echoes it. */
export function attachInput(
  input: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown },
  handlers: InputHandlers,
  edit: boolean,
): () => void {
  if (edit && input.isTTY && input.setRawMode) {
    let line = '';
    input.setRawMode(true);
    input.setEncoding('utf8');
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          const entered = line;
          line = '';
          handlers.onEdit(line);
          handlers.onLine(entered);
        } else if (char === '\x03' || char === '\x04') {
          handlers.onLine('q'); // Ctrl-C, Ctrl-D
        } else if (char === '\x7f' || char === '\b') {
          line = line.slice(0, -1);
          handlers.onEdit(line);
        } else if (char >= ' ' && line.length < 80) {
          line += char;
          handlers.onEdit(line);
        }
      }
    };
    input.on('data', onData);
    input.resume();
    return () => {
      input.off('data', onData);
      input.setRawMode?.(false);
      input.pause();
    };
  }
  const lines = createInterface({ input, terminal: false });
  lines.on('line', (line) => handlers.onLine(line));
  return () => lines.close();
}
