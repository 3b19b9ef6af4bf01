// `fedkit signin <rp-url>`: the agent as a terminal browser. It loads the RP page and runs its
// scripts (the page's own navigator.credentials.get()), or with --config-url and --client-id
// calls get() itself, shows the dialogs in the terminal (or answers them from --account), and
// prints every step: each request, the dialog, the chosen account, the credential (and the
// token's claims when it is a JWT: decoded, not verified), and every diagnostic.
//
// Exit codes: 0 a credential was returned, 1 the sign-in failed or timed out, 2 usage.
//
// This file is the command: it parses the options, wires the terminal, the log and the deadline
// to an agent, runs one mode (direct.ts or page-mode.ts) and prints the outcome (result.ts).

import { createAgent, jsdomPopups, type Agent, type PageScripts, type Popup } from '../../agent/index.js';
import { UsageError, type Parsed } from '../args.js';
import { leaf, type Io, type Leaf } from '../command.js';
import { terminalMediator } from '../terminal/mediator.js';
import { createProgress } from '../terminal/progress.js';
import type { TerminalInput, TerminalOutput } from '../terminal/streams.js';
import { colourEnabled, createStyle } from '../terminal/style.js';
import { Deadline } from './deadline.js';
import { direct } from './direct.js';
import { fillLoginForm } from './login-form.js';
import { connection } from '../connection.js';
import { MORE_HELP, OPTIONS, settings, SUMMARY, USAGE } from './options.js';
import { pageMode } from './page-mode.js';
import { errorMessage, errorName, Log } from './reporter.js';
import { finish } from './result.js';

/** The terminal `signin` uses; tests pass fake streams through `Io`. */
export interface SigninTerminal {
  input?: TerminalInput;
  output?: TerminalOutput;
  /** Ask with the keyboard (default: when the input is a terminal). */
  interactive?: boolean;
  /** Colour in the log and the chooser (default: stdout is a terminal and NO_COLOR is unset). */
  colour?: boolean;
}

/** `Io` with an optional terminal (process.stdin/stdout by default). */
export interface SigninIo extends Io {
  terminal?: SigninTerminal;
}

export const signinCommand: Leaf = leaf(SUMMARY, USAGE, OPTIONS, (p, io) => signin(p, io as SigninIo), { positionals: true, moreHelp: MORE_HELP });

/** One run: the mode its options ask for, within the deadline; returns the exit code. */
async function signin(p: Parsed, io: SigninIo): Promise<number> {
  const s = settings(p);
  const agentOptions = connection(p);
  const terminal = io.terminal ?? {};
  const input = terminal.input ?? (process.stdin as TerminalInput);
  const output: TerminalOutput = terminal.output ?? (s.json ? process.stderr : process.stdout);
  const interactive = terminal.interactive ?? input.isTTY === true;
  const style = createStyle(terminal.colour ?? colourEnabled(s.json ? process.stderr : process.stdout));
  const progress = s.json ? createProgress(output, style, { interactive: false, log: () => {} }) : createProgress(output, style, { log: (l) => log.line(style.dim(l)) });
  const log: Log = new Log(io, s.json, style, progress, s.direct ? 'direct' : 'page', s.url.href);

  // The deadline: paused while a dialog waits for the user at the keyboard.
  const deadline = new Deadline(s.timeoutMs);
  void io.stopped.then(() => deadline.abort(new Error('interrupted')));

  const mediator = terminalMediator({
    input,
    output,
    interactive,
    colour: style.enabled,
    ...(s.account === undefined ? {} : { account: s.account }),
    onOpen: () => {
      deadline.pause();
      log.hold();
    },
    onClose: () => {
      log.release();
      deadline.resume();
    },
    onAnswer: (dialog, action, summary, reason) => log.answer(dialog, action, summary, reason),
  });

  let agent: Agent;
  try {
    agent = createAgent({
      ...agentOptions,
      mediator,
      // A developer tool reports failures at once; browsers delay them to hide account state.
      rejectionDelay: false,
      popupHost: jsdomPopups({
        console: (level, message, popup) => log.pageConsole(level, `${popup.purpose} page: ${message}`),
        report: (d) => log.pageProblem(d),
        onFetch: (record) => log.request(record, 'popup'),
        // On a terminal the user types the IdP's login form in; elsewhere it runs untouched.
        ...(interactive ? { onPage: (page: PageScripts, popup: Popup) => void fillLoginForm(page, popup, { input, output, log, deadline }) } : {}),
      }),
    });
  } catch (e) {
    if (e instanceof TypeError) throw new UsageError(e.message);
    throw e;
  }

  agent.on('fetch', (record) => log.request(record, 'agent'));
  agent.on('diagnostic', (d) => log.diagnostic(d));
  agent.on('popup', (popup) => log.popup(popup, interactive));
  agent.on('dialogShown', (dialog) => log.dialogShown(dialog, interactive && s.account === undefined));

  let code: number;
  try {
    const outcome = s.direct ? await direct(agent, s, log, deadline.signal) : await pageMode(agent, s, log, deadline.signal);
    code = finish(outcome, log);
  } catch (e) {
    log.report.error = { name: errorName(e), message: errorMessage(e) };
    log.line(`${style.red('✖')} ${errorMessage(e)}`);
    code = 1;
  } finally {
    deadline.end();
    await agent.close();
    log.finish();
  }
  return code;
}
