// The command line's arguments: `--name value`, `--name=value`, boolean `--flag`, repeatable
// options, and positionals, split by node:util's parseArgs. Anything unknown is a usage error
// (exit code 2), never silently ignored.

import { parseArgs as nodeParseArgs } from 'node:util';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** May be given several times (values collected in order). */
  multiple?: boolean;
  /** One line for --help. */
  description: string;
  /** Shown in --help, e.g. "<file|postgres://…>". */
  valueName?: string;
}

export type OptionSpecs = Record<string, OptionSpec>;

export interface Parsed {
  strings: Map<string, string[]>;
  booleans: Set<string>;
  positionals: string[];
}

/**
 * Splits argv with node:util's parseArgs (its tokens), then applies fedkit's rules, which are
 * stricter than node's in two ways: an option given twice without `multiple` is an error rather
 * than "the last wins", and a string option followed by another option is missing its value
 * rather than taking the option as its value. Non-strict tokens are used so each error can name
 * the option as the user typed it, in one sentence.
 */
export function parseArgs(argv: readonly string[], specs: OptionSpecs): Parsed {
  const options = Object.fromEntries(Object.entries(specs).map(([name, s]) => [name, { type: s.type }]));
  const { tokens } = nodeParseArgs({ args: [...argv], options, strict: false, allowPositionals: true, tokens: true });
  const strings = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value);
    if (token.kind !== 'option') continue;
    const spec = Object.hasOwn(specs, token.name) && token.rawName.startsWith('--') ? specs[token.name] : undefined;
    if (spec === undefined && !token.rawName.startsWith('--')) {
      // fedkit has no short options, so this is most likely a value that begins with "-" (a key id
      // is base64url and may): say how to pass one rather than only that the option is unknown.
      const arg = argv[token.index] ?? token.rawName;
      throw new UsageError(`unknown option ${arg} (fedkit's options are all --long; to pass a value that begins with "-", put it after --: \`-- ${arg}\`)`);
    }
    if (spec === undefined) throw new UsageError(`unknown option ${token.rawName}`);
    if (spec.type === 'boolean') {
      if (token.value !== undefined) throw new UsageError(`${token.rawName} takes no value`);
      booleans.add(token.name);
      continue;
    }
    const value = token.value;
    if (value === undefined || (token.inlineValue !== true && value.startsWith('--') && value.length > 2)) {
      throw new UsageError(`${token.rawName} needs a value`);
    }
    const list = strings.get(token.name) ?? [];
    if (list.length > 0 && spec.multiple !== true) throw new UsageError(`${token.rawName} was given twice`);
    list.push(value);
    strings.set(token.name, list);
  }
  return { strings, booleans, positionals };
}

export function optionString(p: Parsed, name: string): string | undefined {
  return p.strings.get(name)?.[0];
}

export function requireString(p: Parsed, name: string): string {
  const v = optionString(p, name);
  if (v === undefined || v === '') throw new UsageError(`--${name} is required`);
  return v;
}

export function formatOptions(specs: OptionSpecs): string {
  const rows = Object.entries(specs).map(([name, s]) => [`  --${name}${s.type === 'string' ? ` ${s.valueName ?? '<value>'}` : ''}`, s.description + (s.multiple ? ' (repeatable)' : '')] as const);
  const width = Math.max(0, ...rows.map(([l]) => l.length)) + 2;
  return rows.map(([l, d]) => l.padEnd(width) + d).join('\n');
}
