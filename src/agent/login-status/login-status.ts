// The Login Status API (w3c-fedid/login-status): the per-origin login status, the `Set-Login`
// response header, and navigator.login.setStatus().

import { isPotentiallyTrustworthy, isSameSite, serializeOrigin } from '../../common/site.js';
import type { DiagnosticInit } from '../base/diagnostics.js';
import type { LoginStatus, Profile } from '../profile/profile.js';

export type { LoginStatus } from '../profile/profile.js';

/**
 * Login Status §"Set-Login header": a Structured Field Item whose bare item is the token
 * `logged-in` or `logged-out` (parameters allowed and ignored). Anything else is ignored, as
 * Chromium's identity_url_loader_throttle does. Returns null when the value is not valid.
 */
export function parseSetLogin(value: string | null | undefined): LoginStatus | null {
  if (value === null || value === undefined) return null;
  // RFC 8941 §4.2: leading/trailing SP are discarded; the item is a token, then ;parameters.
  const item = value.replace(/^ +| +$/g, '');
  const match = /^([A-Za-z*][A-Za-z0-9!#$%&'*+\-.^_`|~:/]*)((?:;[ ]*[a-z*][a-z0-9_\-.*]*(?:=[^;]*)?)*)$/.exec(item);
  if (!match) return null;
  const token = match[1];
  return token === 'logged-in' || token === 'logged-out' ? token : null;
}

/** Where a response carrying Set-Login came from, for the spec's same-site checks. */
export interface SetLoginContext {
  /** The response URL (the status applies to its origin). */
  responseUrl: URL;
  /** True for a navigation response (the new document of a frame). */
  navigation: boolean;
  /**
   * The origin of the request's client (the document that fetched), or null when there is none
   * (FedCM's own fetches have a null client, so they never set the status).
   */
  clientOrigin: string | null;
  /** Origins of the frame's ancestors, nearest first (empty for a top-level document). */
  ancestorOrigins: string[];
}

/**
 * Login Status §"process the Set-Login header": applies `value` to the profile, or explains why
 * it is ignored. Returns a diagnostic when the header is present but ignored.
 */
export function processSetLogin(profile: Profile, value: string | null, ctx: SetLoginContext): DiagnosticInit | undefined {
  if (value === null) return undefined;
  const ignored = (why: string): DiagnosticInit => ({
    reason: 'SetLoginIgnored',
    level: 'warning',
    message: 'A Set-Login header was ignored.',
    detail: `Set-Login: ${value} from ${ctx.responseUrl.href} was ignored: ${why}`,
    url: ctx.responseUrl.href,
  });
  const status = parseSetLogin(value);
  if (status === null) return ignored('the value must be the token logged-in or logged-out.');
  if (!isPotentiallyTrustworthy(ctx.responseUrl)) return ignored('the response is not from a potentially trustworthy origin (use https).');
  const origin = serializeOrigin(ctx.responseUrl);
  if (!ctx.navigation) {
    if (ctx.clientOrigin === null) return ignored('the request had no document as its client.');
    if (ctx.clientOrigin === 'null' || !isSameSite(ctx.clientOrigin, origin)) {
      return ignored(`it came from a subresource request of ${ctx.clientOrigin}, which is not same-site with ${origin}.`);
    }
  }
  // WPT cross-origin-status: ignored in cross-site iframes, for documents and subresources alike.
  const frameOrigin = ctx.navigation ? origin : ctx.clientOrigin;
  const crossSiteAncestor = ctx.ancestorOrigins.find((a) => a === 'null' || frameOrigin === null || !isSameSite(a, frameOrigin));
  if (crossSiteAncestor !== undefined) {
    return ignored(`the document is in a frame that is not same-site with its ancestor ${crossSiteAncestor}.`);
  }
  profile.setLoginStatus(origin, status);
  return undefined;
}
