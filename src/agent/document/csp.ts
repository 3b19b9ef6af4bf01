// Content Security Policy (CSP3), the parts the agent enforces: `connect-src` (falling back
// to `default-src`) of the document's `Content-Security-Policy` response headers, which FedCM
// applies to the configURL before any fetch (Chromium IsRejectingPromiseDueToCSP; WPT fedcm-csp),
// and `sandbox`, which can make a document's origin opaque.
// Redirects need no handling: FedCM refuses them on its endpoints. Report-only policies, <meta>
// policies and every other directive are not modelled.

/** Why a URL is blocked: the directive that blocked it and the policy it came from. */
export interface CspViolation {
  /** The effective directive as written, e.g. "default-src 'none'". */
  directive: string;
  /** True when connect-src was absent and default-src decided. */
  fallback: boolean;
}

/**
 * CSP3 §6.7.2.x for a `connect-src` request: every enforced policy of the document must allow
 * `url`. `headers` are the document's response headers; `documentUrl` gives 'self'.
 * Returns null when allowed, else the first violated directive.
 */
export function connectSrcViolation(headers: Headers | undefined, documentUrl: URL, url: URL): CspViolation | null {
  const value = headers?.get('content-security-policy');
  if (value === null || value === undefined) return null;
  // Several headers (or one with commas) are several policies, all enforced.
  for (const policy of value.split(',')) {
    const directives = parsePolicy(policy);
    const connect = directives.get('connect-src');
    const effective = connect ?? directives.get('default-src');
    if (effective === undefined) continue;
    if (!matchesSourceList(url, effective.sources, documentUrl)) {
      return { directive: effective.text, fallback: connect === undefined };
    }
  }
  return null;
}

/**
 * CSP3 §6.3.2 `sandbox` (HTML "parse a sandboxing directive"): a policy with a sandbox directive
 * that lacks `allow-same-origin` gives the document an opaque origin (the "sandboxed origin
 * browsing context flag").
 */
export function sandboxesOrigin(headers: Headers | undefined): boolean {
  const value = headers?.get('content-security-policy');
  if (value === null || value === undefined) return false;
  for (const policy of value.split(',')) {
    const sandbox = parsePolicy(policy).get('sandbox');
    if (sandbox && !sandbox.sources.map((t) => t.toLowerCase()).includes('allow-same-origin')) return true;
  }
  return false;
}

interface Directive {
  text: string;
  sources: string[];
}

/** CSP3 §2.2.1 "parse a serialized CSP": the first occurrence of a directive wins. */
function parsePolicy(policy: string): Map<string, Directive> {
  const out = new Map<string, Directive>();
  for (const token of policy.split(';')) {
    const parts = token.trim().split(/[\t\n\f\r ]+/).filter(Boolean);
    const name = parts.shift()?.toLowerCase();
    if (name === undefined || out.has(name)) continue;
    out.set(name, { text: [name, ...parts].join(' '), sources: parts });
  }
  return out;
}

const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:']);

/** CSP3 §6.7.2.5 "Does url match source list in origin with redirect count" (redirect count 0). */
function matchesSourceList(url: URL, sources: string[], self: URL): boolean {
  // An empty list, or 'none' alone, matches nothing; 'none' next to other sources is ignored.
  return sources.some((expression) => matchesExpression(url, expression, self));
}

/** CSP3 §6.7.2.6 "Does url match expression in origin with redirect count". */
function matchesExpression(url: URL, expression: string, self: URL): boolean {
  const lower = expression.toLowerCase();
  if (lower === '*') {
    return NETWORK_SCHEMES.has(url.protocol) || url.protocol === self.protocol;
  }
  if (lower === "'self'") {
    if (url.origin === self.origin) return true;
    // 'self' also matches the secure upgrade of the document's own host and port.
    const upgrade =
      url.hostname === self.hostname &&
      ((self.protocol === 'http:' && (url.protocol === 'https:' || url.protocol === 'wss:')) ||
        (self.protocol === 'https:' && url.protocol === 'wss:'));
    // Ports: the same explicit port, or both on their scheme's default.
    return upgrade && url.port === self.port;
  }
  // Keywords, nonces and hashes never match a URL.
  if (lower.startsWith("'")) return false;
  const scheme = /^([a-z][a-z0-9+.-]*):$/.exec(lower);
  if (scheme) return schemePartMatches(scheme[1] ?? '', url.protocol.slice(0, -1));
  return hostSourceMatches(url, lower, self);
}

/** CSP3 §6.7.2.8 "scheme-part match": http: also allows https:, ws: allows wss:. */
function schemePartMatches(expression: string, scheme: string): boolean {
  if (expression === scheme) return true;
  if (expression === 'http' && scheme === 'https') return true;
  if (expression === 'ws' && (scheme === 'wss' || scheme === 'http' || scheme === 'https')) return true;
  if (expression === 'wss' && scheme === 'https') return true;
  return false;
}

/** host-source: [scheme "://"] host [":" port] [path]. */
function hostSourceMatches(url: URL, expression: string, self: URL): boolean {
  const m = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\*|(?:\*\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*)(?::(\*|[0-9]+))?(\/[^?#]*)?$/.exec(expression);
  if (!m) return false;
  const [, schemePart, hostPart = '', portPart, pathPart] = m;
  const urlScheme = url.protocol.slice(0, -1);
  if (schemePart !== undefined) {
    if (!schemePartMatches(schemePart, urlScheme)) return false;
  } else {
    // No scheme: the document's scheme, or its secure upgrade.
    const selfScheme = self.protocol.slice(0, -1);
    if (!schemePartMatches(selfScheme, urlScheme)) return false;
  }
  if (!hostPartMatches(hostPart, url.hostname)) return false;
  if (!portPartMatches(portPart, url, schemePart ?? self.protocol.slice(0, -1))) return false;
  if (pathPart !== undefined && pathPart !== '/') {
    const path = decodeURIComponent(url.pathname);
    const wanted = decodeURIComponent(pathPart);
    if (wanted.endsWith('/') ? !path.startsWith(wanted) : path !== wanted) return false;
  }
  return true;
}

/** CSP3 §6.7.2.9 "host-part match". */
function hostPartMatches(pattern: string, host: string): boolean {
  if (pattern === '*') return true;
  if (pattern.startsWith('*.')) return host.endsWith(pattern.slice(1));
  return pattern === host;
}

/** CSP3 §6.7.2.10 "port-part match": an omitted port is the scheme's default (80 also allows 443). */
function portPartMatches(port: string | undefined, url: URL, expressionScheme: string): boolean {
  const urlPort = url.port === '' ? defaultPort(url) : Number(url.port);
  if (port === '*') return true;
  if (port === undefined) {
    const expected = expressionScheme === 'https' || expressionScheme === 'wss' ? 443 : 80;
    return urlPort === expected || (expected === 80 && urlPort === 443);
  }
  const n = Number(port);
  return n === urlPort || (n === 80 && urlPort === 443);
}

function defaultPort(url: URL): number {
  return url.protocol === 'https:' || url.protocol === 'wss:' ? 443 : 80;
}
