// The options every command that reaches a server takes: host rules (`--host-rules`, repeatable
// `--host-rule`), extra trusted roots (`--ca`), `--insecure`, and a `--profile` file, read into
// the agent's connection options. A mistake is a UsageError (exit 2).

import { readFileSync } from 'node:fs';
import { optionString, UsageError, type OptionSpecs, type Parsed } from './args.js';

/** The option specs, for a command's table. */
export const CONNECTION_OPTIONS: OptionSpecs = {
  'host-rules': { type: 'string', valueName: '<rules>', description: `Chromium-style host mapping, e.g. 'MAP *.example:443 127.0.0.1:8443'` },
  'host-rule': { type: 'string', multiple: true, valueName: '<pattern=target>', description: 'one host mapping, e.g. idp.example=127.0.0.1:8443' },
  ca: { type: 'string', valueName: '<pem file>', description: 'extra trusted root certificate(s)' },
  insecure: { type: 'boolean', description: 'accept any TLS certificate (prefer --ca)' },
};

/** --host-rules and every --host-rule, as one Chromium-style rule list. */
function hostRules(p: Parsed): string | undefined {
  const rules: string[] = [];
  const text = optionString(p, 'host-rules');
  if (text !== undefined && text.trim() !== '') rules.push(text);
  for (const rule of p.strings.get('host-rule') ?? []) {
    const eq = rule.indexOf('=');
    if (eq <= 0 || eq === rule.length - 1) throw new UsageError(`--host-rule ${rule}: expected <pattern>=<target>, e.g. idp.example=127.0.0.1:8443`);
    rules.push(`MAP ${rule.slice(0, eq).trim()} ${rule.slice(eq + 1).trim()}`);
  }
  return rules.length > 0 ? rules.join(', ') : undefined;
}

/** The agent's network and storage options: host rules, trusted roots, TLS checks, the profile. */
export interface Connection {
  hostRules?: string;
  ca?: string;
  insecureTLS?: true;
  profile?: string;
}

export function connection(p: Parsed): Connection {
  const out: Connection = {};
  const rules = hostRules(p);
  if (rules !== undefined) out.hostRules = rules;
  const caFile = optionString(p, 'ca');
  if (caFile !== undefined) {
    try {
      out.ca = readFileSync(caFile, 'utf8');
    } catch (e) {
      throw new UsageError(`--ca ${caFile}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  if (p.booleans.has('insecure')) out.insecureTLS = true;
  const profile = optionString(p, 'profile');
  if (profile !== undefined) out.profile = profile;
  return out;
}
