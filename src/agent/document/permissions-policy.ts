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
type Allowlist = { all: true } | { all: false; origins: Set<string> };

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
 * disabled if the parent has it disabled; otherwise the container's declared allowlist decides;
 * without one, a 'self' default allows only origins same-origin with the parent document.
 */
export function inheritedFeatureEnabled(
  feature: PolicyFeature,
  parent: { enabled: (f: PolicyFeature) => boolean; origin: string },
  container: Map<string, Allowlist>,
  childOrigin: string,
  childDeclaredOrigin: string,
): boolean {
  if (!parent.enabled(feature)) return false;
  const declared = container.get(feature);
  if (declared) {
    // A sandboxed child has an opaque origin; its declared (src) origin is what the list names.
    return declared.all || declared.origins.has(childOrigin) || declared.origins.has(childDeclaredOrigin);
  }
  if (defaultAllowlist[feature] === '*') return true;
  return childOrigin !== 'null' && childOrigin === parent.origin;
}
