// The findings of `fedkit doctor --rp`: the ids it emits, their levels, and the one-sentence fix
// of each (a check may give a more precise fix, naming the values it saw). docs/doctor.md
// lists the same ids with an example line each.

import type { Finding, FindingId, FindingLevel, FindingTarget } from '../finding.js';

/** The level of each id the RP page doctor emits (a page-side diagnostic keeps its own id). */
export const RP_LEVELS = {
  RpPageUnreachable: 'error',
  RpNotSecureContext: 'error',
  RpCspBlocksConfig: 'error',
  RpIframeWithoutAllow: 'warning',
  RpNoFedCmCall: 'info',
  RpScriptError: 'warning',
  NonceInTopLevel: 'warning',
  MissingTransientUserActivation: 'error',
  TooManyRequests: 'error',
  PermissionsPolicyDenied: 'error',
  RelyingPartyOriginIsOpaque: 'error',
  InvalidRequest: 'error',
  DuplicateConfigUrl: 'error',
  IdpNotPotentiallyTrustworthy: 'error',
  ProbeSkipped: 'warning',
} as const satisfies Partial<Record<FindingId, FindingLevel>>;

/** Every id the RP page doctor emits (besides the IdP files' reasons, calls.ts idpFileFindings). */
export type RpFindingId = keyof typeof RP_LEVELS;

/** The default fix of each id. */
export const RP_FIXES: Readonly<Record<RpFindingId, string>> = {
  RpPageUnreachable: 'Serve the page with status 200 at this URL (check the host rules and certificate trust the doctor was given).',
  RpNotSecureContext: 'Serve the page over https (http is a secure context only on localhost): navigator.credentials does not exist elsewhere.',
  RpCspBlocksConfig: "Add the IdP's origin to the page's Content-Security-Policy connect-src (or to default-src when there is no connect-src).",
  RpIframeWithoutAllow: 'If the iframe calls FedCM, give it allow="identity-credentials-get"; otherwise nothing to fix.',
  RpNoFedCmCall: 'Pass the selector of the sign-in button (click) if sign-in starts from a button, or raise settleMs if the page calls get() later.',
  RpScriptError: 'Fix the script error: a script that throws before calling navigator.credentials.get() leaves the page without FedCM.',
  NonceInTopLevel: 'Pass the nonce as params: { nonce } in the provider instead of a top-level nonce, which Chrome will stop sending.',
  MissingTransientUserActivation: "Call get() with mode: 'active' only from a click handler (within 5 s of the click); use mode: 'passive' on page load.",
  TooManyRequests: "Wait for (or abort, with an AbortSignal) the pending get() before calling it again, or use mode: 'active' for the button, which replaces a pending passive request.",
  PermissionsPolicyDenied: 'Allow identity-credentials-get in the Permissions-Policy header for the origins that call FedCM (self, and the iframes that need it).',
  RelyingPartyOriginIsOpaque: 'Call FedCM from a document with a real origin: no CSP sandbox without allow-same-origin, no sandboxed iframe without allow-same-origin.',
  InvalidRequest: 'Fix the get() options named above; the browser refuses them before any request.',
  DuplicateConfigUrl: 'List each IdP once in identity.providers.',
  IdpNotPotentiallyTrustworthy: 'Pass an https configURL (http only on localhost).',
  ProbeSkipped: 'Give the doctor what the skipped check needs (see above) to run it.',
};

/** A finding about the RP page. */
export function rpFinding(id: RpFindingId, seen: string, extra: { url?: string; fix?: string; level?: FindingLevel; target?: FindingTarget } = {}): Finding {
  return {
    id,
    level: extra.level ?? RP_LEVELS[id],
    target: extra.target ?? 'rp page',
    ...(extra.url === undefined ? {} : { url: extra.url }),
    seen,
    fix: extra.fix ?? RP_FIXES[id],
  };
}
