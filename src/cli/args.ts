// A small argument parser: `--name value`, `--name=value`, boolean `--flag`, repeatable options,
// and positionals. Anything unknown is a usage error (exit code 2), never silently ignored.

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

export function parseArgs(argv: readonly string[], specs: OptionSpecs): Parsed {
  const strings = new Map<string, string[]>();
  const booleans = new Set<string>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--') || arg === '--') {
      if (arg.startsWith('-') && arg !== '-') throw new UsageError(`unknown option ${arg}`);
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const spec = specs[name];
    if (spec === undefined) throw new UsageError(`unknown option --${name}`);
    if (spec.type === 'boolean') {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      booleans.add(name);
      continue;
    }
    let value: string;
    if (eq !== -1) value = arg.slice(eq + 1);
    else {
      const next = argv[i + 1];
      if (next === undefined || (next.startsWith('--') && next.length > 2)) throw new UsageError(`--${name} needs a value`);
      value = next;
      i++;
    }
    const list = strings.get(name) ?? [];
    if (list.length > 0 && !spec.multiple) throw new UsageError(`--${name} was given twice`);
    list.push(value);
    strings.set(name, list);
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
