// The interactive chooser: draws a Menu (a dialog's header and items) in the terminal, moves
// through it with the keys (arrows, j/k, Home/End, 1–9) and resolves with the item chosen by
// Enter, or with nothing on Esc, q or Ctrl-C.

import type { DialogAction } from '../../agent/index.js';
import { decodeKeys, type Key } from './keys.js';
import type { TerminalInput, TerminalOutput } from './streams.js';
import { visible, type Style } from './style.js';
import { keepTypeahead, takeTypeahead } from './typeahead.js';

export interface MenuItem {
  /** First line, then any detail lines. */
  lines: string[];
  action: DialogAction;
  /** What the log says when this is chosen. */
  summary: string;
}

export interface Menu {
  header: string[];
  items: MenuItem[];
  /** Esc / q. */
  cancel: DialogAction;
}

interface AskContext {
  input: TerminalInput;
  output: TerminalOutput;
  style: Style;
  onOpen?: () => void;
  onClose?: () => void;
}

/** Draws the menu and waits for Enter (the item) or Esc/q/Ctrl-C (undefined). */
export function ask(menu: Menu, signal: AbortSignal, ctx: AskContext): Promise<MenuItem | undefined> {
  const { input, output, style } = ctx;
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    let index = 0;
    let rows = 0;
    // A terminal that reports no width (0, or none) is taken to be 80 columns wide.
    const columns = (): number => (output.columns !== undefined && output.columns > 0 ? output.columns : 80);
    const render = (): string[] => [
      ...menu.header,
      '',
      ...menu.items.flatMap((item, i) => {
        const selected = i === index;
        const first = selected ? `${style.cyan('›')} ${style.inverse(` ${item.lines[0] ?? ''} `)}` : `   ${item.lines[0] ?? ''}`;
        return [first, ...item.lines.slice(1).map((l) => `    ${l}`)];
      }),
      '',
      style.dim('↑/↓ move · enter choose · esc or q cancel'),
    ];
    const clear = (): void => {
      // Back to the first row drawn, then erase to the end of the screen.
      if (rows > 0) output.write(`\x1b[${rows}A\r\x1b[J`);
      rows = 0;
    };
    const draw = (): void => {
      clear();
      const lines = render();
      output.write(`${lines.join('\n')}\n`);
      rows = lines.reduce((n, l) => n + Math.max(1, Math.ceil(visible(l).length / columns())), 0);
    };
    const raw = input.isTTY === true && typeof input.setRawMode === 'function';
    const onData = (chunk: string | Buffer): void => onKeys(decodeKeys(typeof chunk === 'string' ? chunk : chunk.toString('utf8')));
    const onKeys = (keys: Key[]): void => {
      for (const [i, key] of keys.entries()) {
        // What follows the key that ends the dialog belongs to whatever reads the keyboard next.
        const rest = (): void => keepTypeahead(input, keys.slice(i + 1));
        const n = menu.items.length;
        if (key === 'up') index = (index - 1 + n) % n;
        else if (key === 'down') index = (index + 1) % n;
        else if (key === 'home') index = 0;
        else if (key === 'end') index = n - 1;
        else if (key === 'enter') return (rest(), finish(menu.items[index]));
        else if (key === 'escape' || key === 'interrupt') return (rest(), finish(undefined));
        else if (typeof key === 'object') {
          if (key.char === 'q') return (rest(), finish(undefined));
          if (key.char === 'k') index = (index - 1 + n) % n;
          else if (key.char === 'j') index = (index + 1) % n;
          else if (/^[1-9]$/.test(key.char) && Number(key.char) <= n) {
            index = Number(key.char) - 1;
          } else continue;
        }
        draw();
      }
    };
    let done = false;
    const cleanup = (): void => {
      done = true;
      input.off('data', onData);
      if (raw) input.setRawMode!(false);
      input.pause();
      signal.removeEventListener('abort', onAbort);
      clear();
      output.write('\x1b[?25h');
      ctx.onClose?.();
    };
    const finish = (item: MenuItem | undefined): void => {
      if (done) return;
      cleanup();
      output.write(`${menu.header[0] ?? ''}\n${item ? `${style.green('✔')} ${item.summary}` : style.yellow('✖ cancelled')}\n`);
      resolve(item);
    };
    const onAbort = (): void => {
      if (done) return;
      cleanup();
      output.write(`${style.dim('(the dialog was closed)')}\n`);
      reject(signal.reason);
    };
    ctx.onOpen?.();
    signal.addEventListener('abort', onAbort, { once: true });
    if (raw) input.setRawMode!(true);
    output.write('\x1b[?25l');
    draw();
    const ahead = takeTypeahead(input);
    if (ahead.length > 0) onKeys(ahead);
    if (done) return;
    input.on('data', onData);
    input.resume();
  });
}
