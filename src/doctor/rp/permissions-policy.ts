// The page's `Permissions-Policy` response header, read for one feature. Permissions Policy
// §"The Permissions-Policy HTTP Header Field": a Structured Fields dictionary (RFC 8941 §3.2)
// whose members are allowlists: `*`, `self`, origins as strings, or an inner list of those; `()`
// allows nobody. A feature the header does not name keeps its default allowlist ('self' for
// identity-credentials-get, FedCM §"Permissions Policy Integration"). The agent does not read this
// header (its top-level documents allow every feature); Chrome does.

/** A declared allowlist: everybody, or the document itself and/or some origins. */
export type HeaderAllowlist = { all: true } | { all: false; self: boolean; origins: ReadonlySet<string> };

/** The allowlist the header declares for `feature`; undefined when the header does not name it. */
export function declaredAllowlist(header: string | null | undefined, feature: string): HeaderAllowlist | undefined {
  if (header === null || header === undefined) return undefined;
  let found: HeaderAllowlist | undefined;
  // RFC 8941 §4.2.2: a repeated key's last value wins.
  for (const memberText of topLevelMembers(header)) {
    const eq = memberText.indexOf('=');
    if (eq === -1) continue; // a bare key is the boolean true, not an allowlist
    if (memberText.slice(0, eq).trim().toLowerCase() !== feature) continue;
    found = allowlist(memberText.slice(eq + 1).trim());
  }
  return found;
}

/** Whether `allowlist` lets a document of `origin` use the feature, `self` being `selfOrigin`. */
export function allowlistMatches(allowlist: HeaderAllowlist, origin: string, selfOrigin: string): boolean {
  return allowlist.all || (allowlist.self && origin === selfOrigin) || allowlist.origins.has(origin);
}

/** An allowlist as it is written: `(self "https://a.example")`, `*`, `self`, `()`. */
function allowlist(value: string): HeaderAllowlist {
  const close = value.indexOf(')');
  const inner = value.startsWith('(') ? value.slice(1, close === -1 ? undefined : close) : value;
  const items = inner.match(/"(?:[^"\\]|\\.)*"|[^\s]+/g) ?? [];
  let self = false;
  const origins = new Set<string>();
  for (const item of items) {
    const token = stripParameters(item);
    if (token === '*') return { all: true };
    if (token === 'self') self = true;
    else if (token.startsWith('"') && token.endsWith('"') && URL.canParse(token.slice(1, -1))) origins.add(new URL(token.slice(1, -1)).origin);
  }
  return { all: false, self, origins };
}

/** An item or list member without its `;key=value` parameters. */
function stripParameters(text: string): string {
  if (text.startsWith('"')) return text.slice(0, text.lastIndexOf('"') + 1);
  const semi = text.indexOf(';');
  return (semi === -1 ? text : text.slice(0, semi)).trim();
}

/** The dictionary's members: split at commas outside strings and inner lists. */
function topLevelMembers(header: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < header.length; i++) {
    const ch = header[i]!;
    if (quoted) {
      if (ch === '\\') {
        current += ch + (header[i + 1] ?? '');
        i++;
        continue;
      }
      if (ch === '"') quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (ch === ',' && depth === 0) {
      out.push(current.trim());
      current = '';
      continue;
    }
    current += ch;
  }
  if (current.trim() !== '') out.push(current.trim());
  return out;
}
