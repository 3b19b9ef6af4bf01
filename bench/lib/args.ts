// The command line of a bench entry point (run, signin, throughput, net, soak): node:util
// parseArgs in strict mode, so a misspelt or unknown flag stops the run with a message instead of
// being ignored (a ten-minute run with the wrong settings), `--help` / `-h` prints the usage, and a
// number must be one.

import { parseArgs } from 'node:util';

type Spec = Record<string, { type: 'string' | 'boolean'; short?: string }>;

export interface BenchArgs {
  /** Whether a boolean flag was given. */
  flag(name: string): boolean;
  /** A string option, or undefined. */
  text(name: string): string | undefined;
  /** A number option (at least `min`, default 0), or `fallback` when absent. */
  number(name: string, fallback: number, min?: number): number;
  /** A number above 0, or undefined when absent. */
  positive(name: string): number | undefined;
  /** One of `choices`, or `fallback` when absent. */
  choice<C extends string>(name: string, choices: readonly C[], fallback: C): C;
  /** The flags as given, for the report's command line. */
  readonly given: readonly string[];
  /** Stops with `message` and the usage (exit status 2). */
  fail(message: string): never;
}

/**
 * Parses `argv` against `spec`. `command` names the entry point in messages; `usage` is its
 * synopsis (what follows the command), printed with --help and with every error.
 */
export function benchArgs(command: string, usage: string, spec: Spec, argv: readonly string[] = process.argv.slice(2)): BenchArgs {
  const fail = (message: string): never => {
    process.stderr.write(`${command}: ${message}\nUsage: ${command} ${usage}\n`);
    process.exit(2);
  };
  let values: Record<string, string | boolean | undefined> = {};
  try {
    ({ values } = parseArgs({ args: [...argv], options: { ...spec, help: { type: 'boolean', short: 'h' } }, strict: true, allowPositionals: false }));
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
  if (values['help'] === true) {
    process.stdout.write(`Usage: ${command} ${usage}\n`);
    process.exit(0);
  }
  const text = (name: string): string | undefined => {
    const v = values[name];
    return typeof v === 'string' ? v : undefined;
  };
  return {
    given: argv,
    fail,
    flag: (name) => values[name] === true,
    text,
    number: (name, fallback, min = 0) => {
      const raw = text(name);
      if (raw === undefined) return fallback;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n < min) fail(`--${name} must be a number of at least ${min}, got "${raw}"`);
      return n;
    },
    positive: (name) => {
      const raw = text(name);
      if (raw === undefined) return undefined;
      const n = Number(raw);
      if (raw.trim() === '' || !Number.isFinite(n) || n <= 0) fail(`--${name} must be a number above 0, got "${raw}"`);
      return n;
    },
    choice: (name, choices, fallback) => {
      const raw = text(name);
      if (raw === undefined) return fallback;
      if (!(choices as readonly string[]).includes(raw)) fail(`--${name} must be one of ${choices.join(', ')}, got "${raw}"`);
      return raw as (typeof choices)[number];
    },
  };
}
