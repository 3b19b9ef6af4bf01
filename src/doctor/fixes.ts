// The fix for each finding id, in one sentence, and the target a diagnostic of the agent is
// about. The agent's diagnostics already say what was seen (with the values); these say what to
// change. docs/doctor.md lists the same ids with examples.

import type { Diagnostic, DiagnosticReason } from '../agent/index.js';
import type { Finding, FindingId, FindingLevel, FindingTarget } from './finding.js';

const FIXES: Partial<Record<FindingId, string>> = {
  WellKnownHttpNotFound: 'Serve /.well-known/web-identity at the root of the IdP\'s registrable domain, with "provider_urls": [<configURL>].',
  WellKnownNoResponse: 'Answer the well-known request with 200 and a JSON body (it is fetched without cookies, with Sec-Fetch-Dest: webidentity).',
  WellKnownInvalidResponse: 'Make the well-known file a JSON object with "provider_urls": [<configURL>] (and "accounts_endpoint" and "login_url").',
  WellKnownListEmpty: 'List the config URL in "provider_urls".',
  WellKnownInvalidContentType: 'Serve the well-known file as application/json.',
  ConfigNotInWellKnown: 'List the config URL in "provider_urls" exactly as RPs pass it (scheme, host, port and path).',
  WellKnownTooBig: 'Keep exactly one config URL in "provider_urls".',
  ConfigHttpNotFound: 'Serve the config file at the configURL RPs pass.',
  ConfigNoResponse: 'Answer the config request with 200 and the JSON config, without a redirect.',
  ConfigInvalidResponse: 'Give the config "accounts_endpoint", "id_assertion_endpoint" and "login_url", as URLs on the config\'s own origin.',
  ConfigInvalidContentType: 'Serve the config file as application/json.',
  ConfigWarning: 'Correct the config (or well-known) member named above; Chrome ignores it today and may refuse it later.',
  IdpNotPotentiallyTrustworthy: 'Serve the IdP over https (http only on localhost).',
  AccountsHttpNotFound: 'Serve the accounts endpoint named in the config.',
  AccountsNoResponse: 'Answer the accounts request of a signed-in user with 200 and {"accounts": [...]}.',
  AccountsInvalidResponse: 'Give every account an "id" and at least one of "name", "email", "username", "tel", each id once.',
  AccountsListEmpty: 'Recognise the signed-in user from the cookies on the accounts request (SameSite=None; Secure cookies are the only ones sent cross-site).',
  AccountsInvalidContentType: 'Serve the accounts list as application/json.',
  IdTokenHttpNotFound: 'Serve the id_assertion_endpoint named in the config.',
  IdTokenNoResponse: 'Answer the assertion POST with 200 and {"token": …} (or {"continue_on": …} or {"error": …}).',
  IdTokenInvalidResponse: 'Answer the assertion with a JSON object holding "token", "continue_on" or "error".',
  IdTokenIdpErrorResponse: 'If the IdP refuses on purpose, nothing to fix; otherwise find why it answered with an error for this account and client.',
  IdTokenCrossSiteIdpErrorResponse: 'Make the error "url" same-site with the IdP.',
  IdTokenInvalidContentType: 'Serve the assertion response as application/json.',
  CorsError: 'Answer the assertion with Access-Control-Allow-Origin: <the RP\'s origin> and Access-Control-Allow-Credentials: true.',
  PictureFetchFailed: 'Serve each account picture at its absolute URL, without cookies (it is fetched uncredentialed).',
  ClientMetadataFailed: 'Serve the client metadata endpoint for this client id (same origin as the config, JSON).',
  CookieNotSent: 'Set the session cookie with SameSite=None; Secure, so that the browser sends it on FedCM\'s cross-site requests.',
  // The doctor's own.
  WellKnownNotChecked: 'Nothing to fix for this RP; test with a cross-site --rp-origin to see what other RPs get.',
  WellKnownRedirected: 'Serve the well-known file at its own URL: Chrome follows the redirect, but it costs a round trip.',
  WellKnownWithoutProviderUrls: 'Add "provider_urls": [<configURL>]: Firefox reads only that form.',
  WellKnownWithoutDirectForm: 'Add "accounts_endpoint" and "login_url" (as in the config) to the well-known file: Chrome will require them when client metadata is used.',
  ConfigRedirected: 'Serve the config file at the configURL itself: browsers do not follow its redirects.',
  ConfigTooLarge: 'Keep the config under 1 MiB: Chrome refuses larger bodies.',
  ConfigRelativeUrls: 'Nothing to fix: relative endpoints are resolved against the config URL (absolute ones read better in logs).',
  ConfigMissingDisconnectEndpoint: 'Add "disconnect_endpoint" so that RPs can let users disconnect (IdentityCredential.disconnect()).',
  ConfigMissingClientMetadataEndpoint: 'Add "client_metadata_endpoint" so that the sign-up dialog can link the RP\'s privacy policy and terms.',
  BrandingIconTooSmall: 'Give branding icons a "size" of at least 25 (pixels): Chrome skips smaller ones.',
  LoginPageUnreachable: 'Serve the login_url as an HTML page with status 200: it opens in a popup when the user is not signed in.',
  AccountsServedWithoutSession: 'Answer accounts requests without the IdP\'s session cookie with 401 or {"accounts": []}: anyone can read them otherwise.',
  AccountsLoggedOutAnswer: 'Nothing to fix.',
  AccountPictureNotImage: 'Serve account pictures with an image/* content type.',
  AccountPictureTooLarge: 'Keep account pictures small (tens of KiB): they are fetched for every account on every request.',
  AccountPictureRelative: 'Make "picture" an absolute URL: Chrome does not resolve relative ones and shows no picture.',
  AccountWithoutApprovedClients: 'Return "approved_clients" with each account, so that returning users are recognised in any browser profile.',
  AccountApprovedClientsExcludesClient: 'Nothing to fix if the user has not used this client yet; otherwise add the client id to "approved_clients".',
  SetLoginMissingOnLogin: 'Send "Set-Login: logged-in" on the response that signs the user in (or call navigator.login.setStatus("logged-in")).',
  SetLoginMissingOnLogout: 'Send "Set-Login: logged-out" on the response that signs the user out.',
  ClientMetadataLinkInvalid: 'Give "privacy_policy_url" and "terms_of_service_url" as absolute https URLs.',
  CorsWildcardOrigin: 'Answer with the RP\'s exact origin in Access-Control-Allow-Origin, never "*" (browsers refuse "*" with credentials).',
  CorsMissingCredentials: 'Add Access-Control-Allow-Credentials: true to the assertion response.',
  AssertionWithoutCacheControl: 'Send Cache-Control: no-store with tokens.',
  TokenNotJwt: 'Nothing to fix if the RP expects this token format; a signed JWT lets RPs verify it with the IdP\'s keys.',
  TokenAlgorithmWeak: 'Sign tokens with an asymmetric algorithm (ES256, EdDSA, RS256) and publish the public keys.',
  TokenIssuerMismatch: 'Set "iss" to the issuer that OpenID discovery publishes (the IdP\'s origin).',
  TokenAudienceMismatch: 'Set "aud" to the client id the RP passed.',
  TokenNonceMismatch: 'Copy the nonce from params.nonce (or the top-level nonce field) into the token\'s "nonce" claim.',
  TokenExpired: 'Give tokens an "exp" in the future (a few minutes).',
  TokenLifetimeLong: 'Keep token lifetimes short (minutes): the token is a sign-in proof, not a session.',
  TokenIssuedInFuture: 'Check the IdP server\'s clock: "iat" is ahead of this machine\'s.',
  TokenSignatureInvalid: 'Sign with a key the JWKS publishes (its "kid" in the header).',
  TokenKeysUnavailable: 'Publish /.well-known/openid-configuration with a "jwks_uri", so that RPs can verify tokens.',
  AssertionAcceptsWithoutWebIdentity: 'Refuse assertion requests without Sec-Fetch-Dest: webidentity (only the browser can send it).',
  AssertionAcceptsUnregisteredOrigin: 'Check the Origin header against the origins registered for client_id and refuse others.',
  AssertionAcceptsReplayedNonce: 'Remember used (client, nonce) pairs for the token lifetime and refuse a second use.',
  DisconnectWithoutCors: 'Answer the disconnect POST with Access-Control-Allow-Origin: <the RP\'s origin> and Access-Control-Allow-Credentials: true.',
  ProbeSkipped: 'Pass what the probe needs (named above) to run it.',
};

/** Every finding id the IdP probes can report (docs/doctor.md documents each). */
export const IDP_FINDING_IDS: readonly FindingId[] = Object.freeze(Object.keys(FIXES) as FindingId[]);

/** The one-sentence fix for `id`. */
export function fixFor(id: FindingId): string {
  return FIXES[id] ?? 'See docs/doctor.md for this finding.';
}

/** The target of an agent diagnostic, from its endpoint and reason. */
function targetOf(d: Diagnostic): FindingTarget {
  if (d.reason === 'CookieNotSent') return 'cookies';
  if (d.reason === 'PictureFetchFailed') return 'account picture';
  switch (d.endpoint) {
    case 'well-known file':
    case 'config file':
    case 'accounts endpoint':
    case 'client metadata endpoint':
    case 'id assertion endpoint':
    case 'disconnect endpoint':
      return d.endpoint;
    case 'account picture':
      return 'account picture';
    default:
      break;
  }
  const r: DiagnosticReason = d.reason;
  if (r.startsWith('WellKnown') || r === 'ConfigNotInWellKnown') return 'well-known file';
  if (r.startsWith('Config') || r === 'IdpNotPotentiallyTrustworthy') return 'config file';
  if (r.startsWith('Accounts')) return 'accounts endpoint';
  if (r.startsWith('IdToken') || r === 'CorsError') return 'id assertion endpoint';
  if (r === 'ClientMetadataFailed') return 'client metadata endpoint';
  return 'config file';
}

/** A finding from a diagnostic of the agent (its reason is the finding's id). */
export function findingFrom(d: Diagnostic, level: FindingLevel = d.level, fix: string = fixFor(d.reason)): Finding {
  return {
    id: d.reason,
    level,
    target: targetOf(d),
    ...(d.url === undefined ? {} : { url: d.url }),
    seen: `${d.message} ${d.detail}`.trim(),
    fix,
  };
}

/** A finding of the doctor's own. */
export function finding(id: FindingId, level: FindingLevel, target: FindingTarget, seen: string, url?: string, fix: string = fixFor(id)): Finding {
  return { id, level, target, ...(url === undefined ? {} : { url }), seen, fix };
}
