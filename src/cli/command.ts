// The command tree. A command either runs or has subcommands; `fedkit demo`, `fedkit signin`,
// `fedkit rp serve` are added by registering more entries in main.ts's tree.

import type { OptionSpecs } from './args.js';

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Reads one line (a password), hidden when interactive. Undefined on end of input. */
  readSecret: (prompt: string) => Promise<string | undefined>;
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
  commands: Record<string, Command>;
}

export type Command = Leaf | Group;

export function isGroup(c: Command): c is Group {
  return 'commands' in c;
}
