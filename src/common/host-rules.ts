// Host rules: map the host names the agent connects to onto loopback addresses, the way
// Chromium's `--host-resolver-rules="MAP idp.example 127.0.0.1:8443"` does. Only the TCP target
// changes: the URL, the Host header, the TLS SNI and the certificate name check all keep the
// original host, so an IdP at https://idp.example behaves as it would on the web.
import { isIP } from 'node:net';

/** One MAP rule, parsed. */
export interface HostRule {
  /** The pattern as written (`*.example:443`, `idp.example`, `*`). */
  readonly pattern: string;
  /** Lower-cased host part of the pattern: `*`, `*.suffix`, or an exact host. */
  readonly hostPattern: string;
  /** Port the pattern is restricted to, or null for any port. */
  readonly port: number | null;
  /** Replacement host (an IP address, `[v6]`, or a host name that is then resolved normally). */
  readonly targetHost: string;
  /** Replacement port, or null to keep the request's port. */
  readonly targetPort: number | null;
}

/** Where a host rule sends a connection. */
export interface HostRuleTarget {
  host: string;
  port: number;
}

/** What the fetcher and its callers accept: parsed rules, a pattern → target record, or a Chromium rule string. */
export type HostRulesInput = HostRules | Readonly<Record<string, string>> | string;

const LABEL = /^[a-z0-9_](?:[a-z0-9_-]*[a-z0-9_])?$/;

function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 253) return false;
  return host.split('.').every((label) => label.length <= 63 && LABEL.test(label));
}

function parsePort(text: string, rule: string): number {
  if (!/^\d{1,5}$/.test(text)) throw new TypeError(`invalid host rule "${rule}": port "${text}" is not a number`);
  const port = Number(text);
  if (port < 1 || port > 65535) throw new TypeError(`invalid host rule "${rule}": port ${port} is out of range 1-65535`);
  return port;
}

/** Splits `host[:port]` / `[v6][:port]` into its parts. */
function splitHostPort(text: string, rule: string): { host: string; port: number | null } {
  if (text.startsWith('[')) {
    const end = text.indexOf(']');
    if (end === -1) throw new TypeError(`invalid host rule "${rule}": unterminated IPv6 literal "${text}"`);
    const host = text.slice(0, end + 1);
    const rest = text.slice(end + 1);
    if (rest === '') return { host, port: null };
    if (!rest.startsWith(':')) throw new TypeError(`invalid host rule "${rule}": unexpected "${rest}" after "${host}"`);
    return { host, port: parsePort(rest.slice(1), rule) };
  }
  const colon = text.lastIndexOf(':');
  if (colon === -1) return { host: text, port: null };
  if (text.indexOf(':') !== colon) {
    throw new TypeError(`invalid host rule "${rule}": write IPv6 addresses in brackets, as in [::1]:8443`);
  }
  return { host: text.slice(0, colon), port: parsePort(text.slice(colon + 1), rule) };
}

function parseRule(patternText: string, targetText: string): HostRule {
  const pattern = patternText.trim();
  const target = targetText.trim();
  const label = `${pattern} ${target}`;
  if (pattern === '') throw new TypeError(`invalid host rule "${label}": the pattern is empty`);
  if (target === '') throw new TypeError(`invalid host rule "${label}": the target is empty`);

  const p = splitHostPort(pattern.toLowerCase(), label);
  const hostPattern = p.host;
  if (hostPattern.startsWith('[')) {
    if (isIP(hostPattern.slice(1, -1)) !== 6) {
      throw new TypeError(`invalid host rule "${label}": "${hostPattern}" is not an IPv6 address`);
    }
  } else if (hostPattern !== '*') {
    const rest = hostPattern.startsWith('*.') ? hostPattern.slice(2) : hostPattern;
    if (rest.includes('*')) {
      throw new TypeError(`invalid host rule "${label}": a wildcard may only be a leading "*." or the whole pattern "*"`);
    }
    if (isIP(rest) === 0 && !isHostName(rest)) {
      throw new TypeError(`invalid host rule "${label}": "${hostPattern}" is not a host name pattern`);
    }
  }

  const t = splitHostPort(target.toLowerCase(), label);
  if (t.host.startsWith('[')) {
    if (isIP(t.host.slice(1, -1)) !== 6) throw new TypeError(`invalid host rule "${label}": "${t.host}" is not an IPv6 address`);
  } else if (isIP(t.host) === 0 && !isHostName(t.host)) {
    throw new TypeError(`invalid host rule "${label}": target "${t.host}" is neither an IP address nor a host name`);
  }
  return { pattern, hostPattern, port: p.port, targetHost: t.host, targetPort: t.port };
}

/**
 * Parses Chromium's `--host-resolver-rules` syntax: comma-separated `MAP <pattern> <target>`
 * entries (net/dns/mapped_host_resolver.cc, net/base/host_mapping_rules.cc). Only MAP is
 * supported; EXCLUDE and `~NOTFOUND` targets are rejected with a TypeError rather than ignored.
 */
function parseRuleString(text: string): HostRule[] {
  const rules: HostRule[] = [];
  for (const raw of text.split(',')) {
    const entry = raw.trim();
    if (entry === '') continue;
    const parts = entry.split(/\s+/);
    if (parts.length !== 3 || parts[0]?.toUpperCase() !== 'MAP') {
      throw new TypeError(`invalid host rule "${entry}": expected "MAP <host pattern> <ip[:port]>"`);
    }
    rules.push(parseRule(parts[1] ?? '', parts[2] ?? ''));
  }
  return rules;
}

function hostMatches(hostPattern: string, host: string): boolean {
  if (hostPattern === '*') return true;
  if (hostPattern.startsWith('*.')) return host.endsWith(hostPattern.slice(1));
  return host === hostPattern;
}

/**
 * An ordered list of MAP rules. The first rule whose pattern matches wins, in insertion order,
 * like Chromium's `HostMappingRules::RewriteHost`. A `*.suffix` pattern matches subdomains only,
 * not `suffix` itself (as with Chromium's glob).
 */
export class HostRules {
  readonly rules: readonly HostRule[];

  constructor(rules: readonly HostRule[] = []) {
    this.rules = Object.freeze([...rules]);
  }

  /**
   * Accepts `{ '*.example:443': '127.0.0.1:8443', 'idp.test': '127.0.0.1' }`, a Chromium string
   * `'MAP *.example:443 127.0.0.1:8443, MAP foo 127.0.0.1'`, or an existing HostRules.
   * @throws TypeError naming the first bad rule.
   */
  static from(input: HostRulesInput | undefined): HostRules {
    if (input === undefined) return new HostRules();
    if (input instanceof HostRules) return input;
    if (typeof input === 'string') return new HostRules(parseRuleString(input));
    return new HostRules(Object.entries(input).map(([pattern, target]) => parseRule(pattern, target)));
  }

  get size(): number {
    return this.rules.length;
  }

  /**
   * The address to connect to for `host:port`, or null when no rule matches (resolve normally).
   * `host` may be given as URL.hostname gives it (lower-case, `[v6]`).
   */
  resolve(host: string, port: number): HostRuleTarget | null {
    const h = host.toLowerCase().replace(/\.$/, '');
    for (const rule of this.rules) {
      if (rule.port !== null && rule.port !== port) continue;
      if (!hostMatches(rule.hostPattern, h)) continue;
      return { host: rule.targetHost, port: rule.targetPort ?? port };
    }
    return null;
  }

  /** The Chromium `--host-resolver-rules` spelling of these rules, for logs and for launching Chromium. */
  toString(): string {
    return this.rules
      .map((r) => `MAP ${r.pattern} ${r.targetHost}${r.targetPort === null ? '' : `:${r.targetPort}`}`)
      .join(', ');
  }
}

/** Parses host rules in any accepted form (see {@link HostRules.from}). */
export function parseHostRules(input: HostRulesInput | undefined): HostRules {
  return HostRules.from(input);
}

/** Resolves `host:port` through `rules`: the mapped `{host, port}`, or null when no rule matches. */
export function resolveHostRule(rules: HostRules, host: string, port: number): HostRuleTarget | null {
  return rules.resolve(host, port);
}
