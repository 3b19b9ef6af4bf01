// Line input in the terminal (the IdP's login form, typed in): one line with Backspace, masked
// for a password. Keys typed after the Enter that ends it are kept for the next prompt.

import { decodeKeys, type Key } from './keys.js';
import type { TerminalInput, TerminalOutput } from './streams.js';
import type { Style } from './style.js';
import { keepTypeahead, takeTypeahead } from './typeahead.js';

export interface PromptOptions {
  input: TerminalInput;
  output: TerminalOutput;
  style: Style;
  /** Echo • for each character (a password). */
  secret?: boolean;
  /** The field's current value, editable. */
  initial?: string;
  /** Refuse an empty line at once (a password, a required field) and keep asking. */
  required?: boolean;
}

/** Reads one line with simple editing (Backspace); Esc or Ctrl-C gives undefined. */
export function promptLine(label: string, options: PromptOptions): Promise<string | undefined> {
  const { input, output, style } = options;
  return new Promise((resolve) => {
    let value = options.initial ?? '';
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const echo = (s: string): string => (options.secret ? '•'.repeat([...s].length) : s);
    const onKeys = (keys: Key[]): void => {
      for (const [i, key] of keys.entries()) {
        if (key === 'enter') {
          if (options.required === true && value === '') {
            output.write(` ${style.yellow('(required)')}\n${style.bold(label)}: `);
            continue;
          }
          keepTypeahead(input, keys.slice(i + 1));
          return finish(value);
        }
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
    const onData = (chunk: string | Buffer): void => onKeys(decodeKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
    let done = false;
    const finish = (result: string | undefined): void => {
      done = true;
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      output.write(result === undefined ? ` ${style.yellow('(cancelled)')}\n` : '\n');
      resolve(result);
    };
    output.write(`${style.bold(label)}: ${echo(value)}`);
    if (raw) input.setRawMode!(true);
    const ahead = takeTypeahead(input);
    if (ahead.length > 0) onKeys(ahead);
    if (done) return;
    input.on('data', onData);
    input.resume();
  });
}
