// Permissions Policy (w3c/webappsec-permissions-policy) for the features the agent gates:
// `identity-credentials-get` (FedCM §"Permissions Policy Integration", default allowlist 'self').

export type PolicyFeature = 'identity-credentials-get' | 'publickey-credentials-get' | 'publickey-credentials-create' | 'otp-credentials';

/** Features the agent knows, with their default allowlists. */
export const defaultAllowlist: Readonly<Record<PolicyFeature, 'self' | '*'>> = {
  'identity-credentials-get': 'self',
  'publickey-credentials-get': 'self',
  'publickey-credentials-create': 'self',
  'otp-credentials': 'self',
};

/** One declared allowlist: `*`, or a set of origins ('self'/'src' already resolved). */
export type Allowlist = { all: true } | { all: false; origins: Set<string> };

/**
 * Permissions Policy §"parse policy directive" for an iframe `allow` attribute:
 * `feature [allowlist]; feature2 ...`. An empty allowlist means 'src'. Unknown features are kept
 * (they simply never match a check).
 */
export function parseAllowAttribute(value: string, selfOrigin: string, srcOrigin: string): Map<string, Allowlist> {
  const policy = new Map<string, Allowlist>();
  for (const directive of value.split(';')) {
    const tokens = directive.trim().split(/\s+/).filter(Boolean);
    const feature = tokens.shift();
    if (feature === undefined || policy.has(feature)) continue;
    if (tokens.length === 0) tokens.push("'src'");
    if (tokens.includes('*')) {
      policy.set(feature, { all: true });
      continue;
    }
    const origins = new Set<string>();
    for (const t of tokens) {
      const lower = t.toLowerCase();
      if (lower === "'self'") origins.add(selfOrigin);
      else if (lower === "'src'") origins.add(srcOrigin);
      else if (lower === "'none'") continue;
      else if (URL.canParse(t)) origins.add(new URL(t).origin);
    }
    policy.set(feature, { all: false, origins });
  }
  return policy;
}

/**
 * Permissions Policy §"define an inherited policy for feature in container at origin":
 * disabled if the parent has it disabled, or if the parent's own declared policy (its
 * Permissions-Policy header) names the feature without the child's origin; otherwise the
 * container's declared allowlist decides; without one, a 'self' default allows only origins
 * same-origin with the parent document.
 */
export function inheritedFeatureEnabled(
  feature: PolicyFeature,
  parent: { enabled: (f: PolicyFeature) => boolean; origin: string; declared?: Map<string, Allowlist> },
  container: Map<string, Allowlist>,
  childOrigin: string,
  childDeclaredOrigin: string,
): boolean {
  if (!parent.enabled(feature)) return false;
  const parentList = parent.declared?.get(feature);
  if (parentList && !parentList.all && !parentList.origins.has(childOrigin) && !parentList.origins.has(childDeclaredOrigin)) return false;
  const declared = container.get(feature);
  if (declared) {
    // A sandboxed child has an opaque origin; its declared (src) origin is what the list names.
    return declared.all || declared.origins.has(childOrigin) || declared.origins.has(childDeclaredOrigin);
  }
  if (defaultAllowlist[feature] === '*') return true;
  return childOrigin !== 'null' && childOrigin === parent.origin;
}

/**
 * Permissions Policy §"process response policy": the `Permissions-Policy` header, a structured
 * field dictionary (RFC 8941) of feature → allowlist: `*`, `self`, a quoted origin, or an inner
 * list of those (`()` allows no one). Members that do not parse are ignored, as the spec says;
 * several headers (joined with commas) are one dictionary, the last member of a name winning.
 */
export function parsePermissionsPolicyHeader(value: string | null | undefined, selfOrigin: string): Map<string, Allowlist> {
  const policy = new Map<string, Allowlist>();
  if (value === null || value === undefined) return policy;
  for (const member of splitTopLevel(value)) {
    const m = /^\s*([a-z*][a-z0-9_\-.*]*)\s*=\s*(.*?)\s*$/.exec(member);
    if (!m) continue;
    const [, feature, raw] = m as unknown as [string, string, string];
    const itemText = raw.replace(/;[^()"]*$/, ''); // parameters are ignored
    const items = itemText.startsWith('(') ? /^\((.*)\)$/.exec(itemText)?.[1]?.trim().split(/\s+/).filter(Boolean) : [itemText];
    if (items === undefined) continue;
    const origins = new Set<string>();
    let all = false;
    for (const item of items) {
      if (item === '*') all = true;
      else if (item === 'self') origins.add(selfOrigin);
      else if (item.startsWith('"') && item.endsWith('"') && URL.canParse(item.slice(1, -1))) origins.add(new URL(item.slice(1, -1)).origin);
    }
    policy.set(feature, all ? { all: true } : { all: false, origins });
  }
  return policy;
}

/** The members of a structured-field dictionary: split on commas outside quotes and parentheses. */
function splitTopLevel(value: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (c === ',' && depth === 0) {
      out.push(value.slice(start, i));
      start = i + 1;
    }
  }
  out.push(value.slice(start));
  return out;
}

/**
 * Permissions Policy §"is feature enabled in document for origin", for the document itself: the
 * inherited policy (true for a top-level document), then the document's own declared policy
 * (its header) when it names the feature, else the default allowlist ('self': the document's own
 * origin; `*`: everyone).
 */
export function documentFeatureEnabled(feature: PolicyFeature, inherited: boolean, declared: Map<string, Allowlist>, origin: string): boolean {
  if (!inherited) return false;
  const list = declared.get(feature);
  if (list) return list.all || list.origins.has(origin);
  return true;
}
