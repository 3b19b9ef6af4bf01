// The progress line for long steps: a spinner with the time spent on a terminal, a line every
// few seconds elsewhere; it steps aside for other output and while a dialog has the terminal.

import type { TerminalOutput } from './streams.js';
import type { Style } from './style.js';

export interface Progress {
  /** Shows `label` with a spinner and the time spent (terminal), or a line every few seconds (not). */
  start(label: string): void;
  stop(): void;
  /** Clears the spinner line so that other output can be written; it comes back on the next tick. */
  clear(): void;
  /** Stops drawing until resume() (a dialog has the terminal). */
  pause(): void;
  resume(): void;
}

export function createProgress(output: TerminalOutput, style: Style, options: { interactive?: boolean; log?: (line: string) => void } = {}): Progress {
  const tty = options.interactive ?? output.isTTY === true;
  const frames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
  let label: string | undefined;
  let started = 0;
  let timer: NodeJS.Timeout | undefined;
  let shown = false;
  let paused = false;
  let tick = 0;
  let lastReport = 0;
  const seconds = (): string => `${((performance.now() - started) / 1000).toFixed(1)} s`;
  const clear = (): void => {
    if (shown) output.write('\r\x1b[K');
    shown = false;
  };
  const draw = (): void => {
    if (label === undefined || paused) return;
    if (tty) {
      output.write(`\r\x1b[K${style.cyan(frames[tick++ % frames.length]!)} ${label} ${style.dim(seconds())}`);
      shown = true;
    } else if (performance.now() - lastReport >= 5000 && performance.now() - started >= 5000) {
      // Without a terminal, a line now and then says the command is still working.
      lastReport = performance.now();
      (options.log ?? ((l: string) => output.write(`${l}\n`)))(`… ${label} (${seconds()})`);
    }
  };
  return {
    start(next) {
      label = next;
      started = performance.now();
      lastReport = started;
      if (timer === undefined) {
        timer = setInterval(draw, tty ? 100 : 1000);
        timer.unref();
      }
    },
    stop() {
      label = undefined;
      clear();
      if (timer !== undefined) clearInterval(timer);
      timer = undefined;
    },
    clear,
    pause() {
      paused = true;
      clear();
    },
    resume() {
      paused = false;
    },
  };
}
