// The IdP's login page on a terminal: the user types its form in, field by field, and fedkit
// submits it; the deadline stands still and the log is held meanwhile.

import type { PageScripts, Popup } from '../../agent/index.js';
import { promptLine } from '../terminal/prompt.js';
import type { TerminalInput, TerminalOutput } from '../terminal/streams.js';
import type { Deadline } from './deadline.js';
import type { Log } from './reporter.js';

/** Where the form is typed, and what waits meanwhile. */
export interface LoginFormContext {
  input: TerminalInput;
  output: TerminalOutput;
  log: Log;
  deadline: Deadline;
}

/** The login popup's form (one with a password field), typed in the terminal, then submitted. */
export async function fillLoginForm(page: PageScripts, popup: Popup, ctx: LoginFormContext): Promise<void> {
  const { input, output, log, deadline } = ctx;
  const { style } = log;
  await Promise.race([page.loaded, popup.result]);
  if (popup.closed || page.closed) return;
  const form = [...page.document.forms].find((f) => f.querySelector('input[type=password]') !== null);
  if (form === undefined) return;
  deadline.pause();
  log.hold();
  let cancelled = false;
  try {
    output.write(`${style.bold(`Sign in at ${popup.url.host}`)} ${style.dim(`(the IdP's login page, ${popup.url.href}; Esc cancels)`)}\n`);
    for (const field of form.querySelectorAll('input')) {
      const type = (field.getAttribute('type') ?? 'text').toLowerCase();
      if (!['text', 'email', 'password', 'tel', 'number', 'search', ''].includes(type) || field.disabled) continue;
      const label = field.labels?.[0]?.textContent?.trim() || field.getAttribute('placeholder') || field.name || type;
      const value = await promptLine(label, { input, output, style, secret: type === 'password', initial: type === 'password' ? '' : field.value, required: type === 'password' || field.required });
      if (value === undefined) {
        cancelled = true;
        break;
      }
      field.value = value;
    }
  } finally {
    log.release();
    deadline.resume();
  }
  if (cancelled) {
    log.step(`${style.yellow('✖')} The login popup was closed`);
    popup.close();
    return;
  }
  if (page.closed) return;
  log.step(`Submitting the IdP's login form`);
  form.requestSubmit();
}
