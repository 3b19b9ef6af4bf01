// Line input in the terminal (the IdP's login form, typed in): one line with Backspace, masked
// for a password.

import { decodeKeys } from './keys.js';
import type { TerminalInput, TerminalOutput } from './streams.js';
import type { Style } from './style.js';

export interface PromptOptions {
  input: TerminalInput;
  output: TerminalOutput;
  style: Style;
  /** Echo • for each character (a password). */
  secret?: boolean;
  /** The field's current value, editable. */
  initial?: string;
}

/** Reads one line with simple editing (Backspace); Esc or Ctrl-C gives undefined. */
export function promptLine(label: string, options: PromptOptions): Promise<string | undefined> {
  const { input, output, style } = options;
  return new Promise((resolve) => {
    let value = options.initial ?? '';
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const echo = (s: string): string => (options.secret ? '•'.repeat([...s].length) : s);
    const onData = (chunk: string | Buffer): void => {
      for (const key of decodeKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8'))) {
        if (key === 'enter') return finish(value);
        if (key === 'escape' || key === 'interrupt') return finish(undefined);
        if (typeof key !== 'object') continue;
        if (key.char === '\x7f' || key.char === '\b') {
          if (value === '') continue;
          value = [...value].slice(0, -1).join('');
          output.write('\b \b');
        } else if (key.char >= ' ') {
          value += key.char;
          output.write(echo(key.char));
        }
      }
    };
    const finish = (result: string | undefined): void => {
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write(result === undefined ? ` ${style.yellow('(cancelled)')}\n` : '\n');
      resolve(result);
    };
    output.write(`${style.bold(label)}: ${echo(value)}`);
    if (raw) input.setRawMode!(true);
    input.on('data', onData);
    input.resume();
  });
}
