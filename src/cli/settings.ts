// The servers' settings from four sources, in order of precedence: flags > environment
// variables > the --config file > defaults. Every bad value is reported, one line each, naming
// where it came from (`FEDKIT_IDP_PORT=abc: not a port (0-65535)`), before anything is opened,
// so a usage error never creates a database file.

import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { HostRules } from '../common/host-rules.js';
import { isPotentiallyTrustworthy } from '../common/site.js';
import { optionString, UsageError, type OptionSpecs, type Parsed } from './args.js';

/** How a value is checked and what it becomes. */
export type SettingKind =
  | { type: 'string' }
  | { type: 'port' }
  /** An absolute URL; `trustworthy`: https, or http on localhost (what FedCM accepts). */
  | { type: 'url'; trustworthy?: boolean }
  | { type: 'enum'; values: readonly string[] }
  /** A file that must be readable; its contents are the value. */
  | { type: 'file' }
  /** A SQLite file (resolved against the config file's folder) or a postgres:// URL. */
  | { type: 'database' }
  | { type: 'host-rules' };

export interface SettingSpec {
  /** The flag, without `--`; the config file key is its camelCase (`config-url` → `configUrl`). */
  flag: string;
  env: string;
  kind: SettingKind;
  valueName: string;
  description: string;
  /** Used when no source sets it. */
  default?: string | number;
  required?: boolean;
}

export type SettingValues = Record<string, string | number | undefined>;

/** The flags of a server command: its settings, --config and --log. */
export function settingOptions(specs: readonly SettingSpec[]): OptionSpecs {
  const options: OptionSpecs = {};
  for (const s of specs) options[s.flag] = { type: 'string', valueName: s.valueName, description: s.description };
  options['config'] = { type: 'string', valueName: '<file.json>', description: 'read settings from a JSON file (see Environment below; flags win, then the environment, then the file)' };
  return options;
}

export function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** The --help section listing every environment variable and config file key. */
export function settingsHelp(specs: readonly SettingSpec[], section: string): string {
  const rows = [['FEDKIT_CONFIG', '--config', ''], ...specs.map((s) => [s.env, `--${s.flag}`, `${section}.${camel(s.flag)}`])];
  const w0 = Math.max(...rows.map((r) => r[0]!.length)) + 2;
  const w1 = Math.max(...rows.map((r) => r[1]!.length)) + 2;
  return (
    `\nEnvironment and config file (flags win over the environment, the environment over the --config file):\n` +
    rows.map(([env, flag, key]) => `  ${env!.padEnd(w0)}${flag!.padEnd(w1)}${key}`).join('\n') +
    `\n\nThe --config file is JSON: { "${section}": { "${camel(specs[0]!.flag)}": … } }; paths in it are relative to the file.\n`
  );
}

interface Source {
  /** How the value is named in an error: `--port abc`, `FEDKIT_IDP_PORT=abc`, `fedkit.json idp.port: "abc"`. */
  label: string;
  value: unknown;
  /** Relative paths resolve against this folder. */
  base: string;
}

/**
 * Resolves every setting of one server. `section` is its part of the config file (`idp`, `rp`).
 * Throws one UsageError listing every bad value.
 */
export function resolveSettings(specs: readonly SettingSpec[], section: string, p: Parsed, env: NodeJS.ProcessEnv): SettingValues {
  const problems: string[] = [];
  const file = readConfigFile(optionString(p, 'config') ?? env['FEDKIT_CONFIG'], optionString(p, 'config') === undefined ? 'FEDKIT_CONFIG' : '--config', section, specs, problems);
  const values: SettingValues = {};
  for (const spec of specs) {
    const source = pick(spec, p, env, file);
    if (source === undefined) {
      if (spec.required) problems.push(`--${spec.flag} is required (or ${spec.env}, or ${section}.${camel(spec.flag)} in the --config file)`);
      values[spec.flag] = spec.default;
      continue;
    }
    try {
      values[spec.flag] = check(spec.kind, source);
    } catch (e) {
      problems.push(`${source.label}: ${(e as Error).message}`);
    }
  }
  if (problems.length === 1) throw new UsageError(problems[0]!);
  if (problems.length > 1) throw new UsageError(`${problems.length} settings are wrong:\n  ${problems.join('\n  ')}`);
  return values;
}

function pick(spec: SettingSpec, p: Parsed, env: NodeJS.ProcessEnv, file: { name: string; base: string; values: Record<string, unknown> } | undefined): Source | undefined {
  const flag = optionString(p, spec.flag);
  if (flag !== undefined) return { label: `--${spec.flag} ${flag}`, value: flag, base: process.cwd() };
  const fromEnv = env[spec.env];
  if (fromEnv !== undefined && fromEnv !== '') return { label: `${spec.env}=${fromEnv}`, value: fromEnv, base: process.cwd() };
  const key = camel(spec.flag);
  if (file !== undefined && key in file.values) return { label: `${file.name}.${key}: ${JSON.stringify(file.values[key])}`, value: file.values[key], base: file.base };
  return undefined;
}

function check(kind: SettingKind, source: Source): string | number {
  const { value } = source;
  if (kind.type === 'port') {
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : NaN;
    if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error('not a port (0-65535)');
    return n;
  }
  if (typeof value !== 'string') throw new Error('must be a string');
  if (value === '') throw new Error('is empty');
  switch (kind.type) {
    case 'string':
      return value;
    case 'enum':
      if (!kind.values.includes(value)) throw new Error(`must be ${kind.values.join(' or ')}`);
      return value;
    case 'url': {
      if (!URL.canParse(value)) throw new Error('not an absolute URL');
      const url = new URL(value);
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('not an http(s) URL');
      if (kind.trustworthy && !isPotentiallyTrustworthy(url)) throw new Error('must be https (or http on localhost): browsers refuse FedCM anywhere else');
      if (kind.trustworthy && (url.search !== '' || url.hash !== '')) throw new Error('must have no query or fragment');
      return value;
    }
    case 'file': {
      const path = resolve(source.base, value);
      try {
        return readFileSync(path, 'utf8');
      } catch (e) {
        throw new Error(`cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { cause: e });
      }
    }
    case 'database':
      return /^postgres(ql)?:/i.test(value) ? value : resolve(source.base, value);
    case 'host-rules':
      try {
        HostRules.from(value);
      } catch (e) {
        throw new Error((e as Error).message, { cause: e });
      }
      return value;
  }
}

/** The server's section of the --config file; its problems are added to `problems`. */
function readConfigFile(path: string | undefined, via: string, section: string, specs: readonly SettingSpec[], problems: string[]): { name: string; base: string; values: Record<string, unknown> } | undefined {
  if (path === undefined || path === '') return undefined;
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    problems.push(`${via} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    return undefined;
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    problems.push(`${path}: not JSON (${(e as Error).message})`);
    return undefined;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    problems.push(`${path}: must be a JSON object with an "${section}" member`);
    return undefined;
  }
  const part = (parsed as Record<string, unknown>)[section];
  if (part === undefined) return { name: `${path} ${section}`, base: dirname(resolve(path)), values: {} };
  if (typeof part !== 'object' || part === null || Array.isArray(part)) {
    problems.push(`${path}: "${section}" must be an object`);
    return undefined;
  }
  const known = new Set(specs.map((s) => camel(s.flag)));
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(part)) {
    if (!known.has(key)) problems.push(`${path}: ${section}.${key} is not a setting (known: ${[...known].join(', ')})`);
    else values[key] = value;
  }
  return { name: `${path} ${section}`, base: dirname(resolve(path)), values };
}
