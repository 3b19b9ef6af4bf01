// The command tree. A command either runs or has subcommands; `fedkit demo`, `fedkit signin`,
// `fedkit rp serve` are added by registering more entries in main.ts's tree.

import { formatOptions, parseArgs, UsageError, type OptionSpecs, type Parsed } from './args.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /**
   * Reads one line (a password), hidden when interactive. Undefined on end of input or when the
   * user cancels. On a terminal, `validate` (a message when the value is refused) makes the
   * prompt ask again at once; elsewhere the caller checks the line it gets.
   */
  readSecret: (prompt: string, validate?: (value: string) => string | undefined) => Promise<string | undefined>;
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM), for long-running commands. */
  stopped: Promise<void>;
  /** Whether stdout is a terminal (colour, progress). */
  isTTY?: boolean;
}

export interface Leaf {
  summary: string;
  usage: string;
  options: OptionSpecs;
  /** Returns the exit code. Throws UsageError for bad input (exit 2), anything else is exit 1. */
  run(args: readonly string[], io: Io): Promise<number>;
}

export interface Group {
  summary: string;
  commands: Record<string, Command | Deferred>;
}

export type Command = Leaf | Group;

/**
 * A command whose module is imported only when it runs: `fedkit --help` and `fedkit idp …` do not
 * load the agent, the doctor or the demo (each costs a few hundred ms of module loading).
 */
export interface Deferred {
  summary: string;
  load(): Promise<Command>;
}

export function isDeferred(c: Command | Deferred): c is Deferred {
  return 'load' in c;
}

export function isGroup(c: Command): c is Group {
  return 'commands' in c;
}

/** A command's --help text. */
export function help(usage: string, summary: string, options: OptionSpecs): string {
  return `${summary}\n\nUsage: ${usage}\n\nOptions:\n${formatOptions({ ...options, help: { type: 'boolean', description: 'show this help' } })}\n`;
}

/**
 * A command: parses its options, answers --help (with `moreHelp` after the options), refuses
 * positionals unless it takes them, and hands the rest to `body`.
 */
export function leaf(
  summary: string,
  usage: string,
  options: OptionSpecs,
  body: (p: Parsed, io: Io) => Promise<number>,
  extra: { positionals?: boolean; moreHelp?: string } = {},
): Leaf {
  return {
    summary,
    usage,
    options,
    async run(args, io) {
      const p = parseArgs(args, { ...options, help: { type: 'boolean', description: 'show this help' } });
      if (p.booleans.has('help')) {
        io.stdout(help(usage, summary, options) + (extra.moreHelp ?? ''));
        return 0;
      }
      if (extra.positionals !== true && p.positionals.length > 0) throw new UsageError(`unexpected argument ${p.positionals[0]}`);
      return body(p, io);
    },
  };
}
