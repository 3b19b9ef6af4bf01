// What a document of the RP page decides for FedCM before it calls anything: whether it is a
// secure context, what its Permissions-Policy header allows, whether its cross-origin iframes are
// allowed `identity-credentials-get`, and whether its Content-Security-Policy (the header, and
// <meta> policies, which Chrome enforces and the agent does not) lets FedCM fetch a config URL.

import { connectSrcViolation, parseAllowAttribute, type Frame } from '../../agent/index.js';
import type { Finding } from '../finding.js';
import { rpFinding } from './findings.js';
import type { ObservedDocument } from './observe.js';
import { allowlistMatches, declaredAllowlist } from './permissions-policy.js';

const FEATURE = 'identity-credentials-get';
/** Chrome's answer to get() where the feature is disabled (the agent's PermissionsPolicyDenied line). */
const POLICY_REFUSAL = `NotAllowedError ("The '${FEATURE}' feature is not enabled in this document.")`;

/**
 * HTML "secure context" (navigator.credentials is [SecureContext], CM §2.3): https, or http on
 * localhost and loopback addresses.
 */
export function secureContextFinding(frame: Frame): Finding | undefined {
  if (frame.isSecureContext) return undefined;
  return rpFinding(
    'RpNotSecureContext',
    `${frame.url.href} is not a secure context (${frame.url.protocol.slice(0, -1)} on ${frame.url.hostname}): navigator.credentials and IdentityCredential do not exist there, so the page cannot call FedCM.`,
    { url: frame.url.href },
  );
}

/** The Permissions-Policy header against the document itself (Permissions Policy §"is feature enabled"). */
export function permissionsPolicyFinding(frame: Frame): Finding | undefined {
  const header = frame.response?.headers.get('permissions-policy');
  const declared = declaredAllowlist(header, FEATURE);
  if (declared === undefined || allowlistMatches(declared, frame.origin, frame.origin)) return undefined;
  return rpFinding(
    'PermissionsPolicyDenied',
    `The page's Permissions-Policy header "${header}" does not allow ${FEATURE} for the page itself (${frame.origin}): Chrome refuses its navigator.credentials.get({ identity }) with ${POLICY_REFUSAL}.`,
    { url: frame.url.href, fix: `Allow the page in the header (${FEATURE}=(self), or list the origins that need it), or remove the ${FEATURE} member.` },
  );
}

/**
 * Permissions Policy §"define an inherited policy for feature in container at origin": a
 * cross-origin iframe gets `identity-credentials-get` only if the parent's header allows its
 * origin and its `allow` attribute names the feature for it (the default allowlist is 'self').
 * Only iframes that call FedCM are hurt, so these are warnings.
 */
export function iframeFindings(doc: ObservedDocument): Finding[] {
  const { frame } = doc;
  const findings: Finding[] = [];
  const declared = declaredAllowlist(frame.response?.headers.get('permissions-policy'), FEATURE);
  for (const iframe of doc.iframes.values()) {
    if (iframe.src.trim() === '' || !URL.canParse(iframe.src, frame.url)) continue;
    const src = new URL(iframe.src, frame.url);
    if (src.protocol !== 'https:' && src.protocol !== 'http:') continue;
    const tag = `<iframe src="${iframe.src}"${iframe.allow === null ? '' : ` allow="${iframe.allow}"`}${iframe.sandbox === null ? '' : ` sandbox="${iframe.sandbox}"`}>`;
    const sandboxTokens = iframe.sandbox?.toLowerCase().split(/\s+/) ?? [];
    if (iframe.sandbox !== null && !sandboxTokens.includes('allow-same-origin')) {
      findings.push(
        rpFinding('RelyingPartyOriginIsOpaque', `${tag} is sandboxed without allow-same-origin, so its document has an opaque origin: if it calls FedCM, Chrome refuses ("FedCM is not supported on an opaque origin."). Only an iframe that calls FedCM is hurt.`, {
          url: src.href,
          level: 'warning',
          fix: 'If the iframe calls FedCM, add allow-same-origin to its sandbox attribute; otherwise nothing to fix.',
        }),
      );
    }
    if (src.origin === frame.origin) continue;
    if (declared !== undefined && !allowlistMatches(declared, src.origin, frame.origin)) {
      findings.push(
        rpFinding(
          'RpIframeWithoutAllow',
          `${tag} is cross-origin (${src.origin}) and the page's Permissions-Policy header does not allow ${FEATURE} for that origin, so no allow attribute can enable it: if the iframe calls FedCM, Chrome refuses with ${POLICY_REFUSAL}. Only an iframe that calls FedCM is hurt.`,
          { url: src.href, fix: `If the iframe calls FedCM, add "${src.origin}" to ${FEATURE} in the page's Permissions-Policy header and allow="${FEATURE}" to the <iframe>; otherwise nothing to fix.` },
        ),
      );
      continue;
    }
    const entry = parseAllowAttribute(iframe.allow ?? '', frame.origin, src.origin).get(FEATURE);
    if (entry !== undefined && (entry.all || entry.origins.has(src.origin))) continue;
    const why =
      iframe.allow === null
        ? 'has no allow attribute'
        : entry === undefined
          ? `has allow="${iframe.allow}" without ${FEATURE}`
          : `has allow="${iframe.allow}", whose ${FEATURE} allowlist does not include ${src.origin}`;
    findings.push(
      rpFinding(
        'RpIframeWithoutAllow',
        `${tag} is cross-origin (${src.origin}) and ${why}: if it calls navigator.credentials.get({ identity }), Chrome refuses with ${POLICY_REFUSAL}. Only an iframe that calls FedCM is hurt.`,
        { url: src.href, fix: `If the iframe calls FedCM, give it allow="${FEATURE}"; otherwise nothing to fix.` },
      ),
    );
  }
  return findings;
}

/** A config URL the document's CSP refuses: the directive, and where the policy came from. */
export interface CspRefusal {
  directive: string;
  /** connect-src was absent and default-src decided. */
  fallback: boolean;
  source: 'header' | 'meta';
}

/**
 * CSP3 §6.7.2 for FedCM's config fetch (a `connect-src` request; Chromium checks it before any
 * FedCM fetch): every enforced policy must allow the URL, the header's and the <meta> ones
 * (HTML §4.2.5.3 "Content security policy state": a <meta http-equiv> in <head>).
 */
export function cspRefusal(frame: Frame, configURL: URL): CspRefusal | null {
  const header = connectSrcViolation(frame.response?.headers, frame.url, configURL);
  if (header) return { ...header, source: 'header' };
  for (const policy of metaPolicies(frame)) {
    const meta = connectSrcViolation(new Headers({ 'content-security-policy': policy }), frame.url, configURL);
    if (meta) return { ...meta, source: 'meta' };
  }
  return null;
}

/** The document's <meta http-equiv="Content-Security-Policy"> policies, from its HTML. */
function metaPolicies(frame: Frame): string[] {
  const out: string[] = [];
  for (const meta of Array.from(frame.document.querySelectorAll('head > meta[http-equiv]'))) {
    if (meta.getAttribute('http-equiv')?.trim().toLowerCase() !== 'content-security-policy') continue;
    const content = meta.getAttribute('content');
    if (content !== null && content.trim() !== '') out.push(content);
  }
  return out;
}
