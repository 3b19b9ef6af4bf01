// FedCM §3.5 "Fetch an identity assertion" and the error API: the POST to
// id_assertion_endpoint and its response, in Chromium's order (error > token > continue_on).

import { isPotentiallyTrustworthy, isSameOrigin } from '../../common/site.js';
import { isSameSiteCached as isSameSite } from '../net/sites.js';
import { issue, type IssueReason } from '../base/diagnostics.js';
import { checkCors } from '../net/cors.js';
import { parseJsonResponse } from '../net/json.js';
import { NetError } from '../net/types.js';
import { fetchEndpoint, type IdpNetwork } from './idp-network.js';
import type { IdpConfig } from './types.js';
import { FedCmFailure } from './failure.js';
import type { IdentityCredentialErrorInit } from './identity-credential.js';

/** The fields of the POST body, in the order Chromium writes them (ComputeUrlEncodedTokenPostData). */
export interface AssertionRequest {
  clientId: string;
  /** Deprecated top-level nonce, still sent by Chromium when the page gives it. */
  nonce?: string;
  accountId: string;
  disclosureTextShown: boolean;
  isAutoSelected: boolean;
  mode: 'active' | 'passive';
  /** Omitted when the page passed `fields: []`. */
  fields?: string[];
  /** Only for sign-up accounts: the recognised fields the disclosure named. */
  disclosureShownFor?: string[];
  /** JSON of the page's `params`, absent when it gave none. */
  params?: string;
}

export type AssertionResult = { kind: 'token'; token: unknown } | { kind: 'continue_on'; url: URL };

/**
 * Chromium's EscapeUrlEncodedData(use_plus=true) charmap (base/strings/escape.cc kUrlEscape):
 * escapes controls, non-ASCII, space (as '+') and ?>=<;+'&%$#"![\]^`{|}, leaving , : / @ ( ) *
 * literal. IdPs see `params=%7B%22a%22:1%7D`, which standard form parsers accept.
 */
export function chromiumFormEscape(text: string): string {
  // Most fields (client id, account id, booleans, mode) need no escaping: no byte is looked at twice.
  if (LITERAL_ONLY.test(text)) return text;
  let out = '';
  // ASCII text (the params JSON, usually) is its own UTF-8: escaped without encoding it first.
  if (ASCII_ONLY.test(text)) {
    for (let i = 0; i < text.length; i++) out += FORM_ESCAPE[text.charCodeAt(i)]!;
    return out;
  }
  for (const b of ENCODER.encode(text)) out += FORM_ESCAPE[b]!;
  return out;
}

/** What each byte becomes (kUrlEscape with use_plus): made once, not decided per byte per call. */
const FORM_ESCAPE: readonly string[] = Array.from({ length: 256 }, (_, b) => {
  if (b === 0x20) return '+';
  if (b < 0x20 || b >= 0x7f || `?>=<;+'&%$#"![\\]^\`{|}`.includes(String.fromCharCode(b))) return `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return String.fromCharCode(b);
});
/** Text made only of bytes FORM_ESCAPE leaves as they are: ( ) * , - . / 0-9 : @ A-Z _ a-z ~. */
const LITERAL_ONLY = /^[()*,\-./0-9:@A-Z_a-z~]*$/;
const ASCII_ONLY = /^[\0-\x7f]*$/;
const ENCODER = new TextEncoder();

/** Builds the application/x-www-form-urlencoded body. */
export function assertionBody(r: AssertionRequest): string {
  const pairs: [string, string][] = [['client_id', r.clientId]];
  if (r.nonce !== undefined) pairs.push(['nonce', r.nonce]);
  pairs.push(['account_id', r.accountId]);
  pairs.push(['disclosure_text_shown', String(r.disclosureTextShown)]);
  pairs.push(['is_auto_selected', String(r.isAutoSelected)]);
  pairs.push(['mode', r.mode]);
  if (r.fields !== undefined && r.fields.length > 0) pairs.push(['fields', r.fields.join(',')]);
  if (r.disclosureShownFor !== undefined && r.disclosureShownFor.length > 0) {
    pairs.push(['disclosure_shown_for', r.disclosureShownFor.join(',')]);
  }
  if (r.params !== undefined) pairs.push(['params', r.params]);
  return pairs.map(([k, v]) => `${chromiumFormEscape(k)}=${chromiumFormEscape(v)}`).join('&');
}

/**
 * POSTs the assertion request (credentialed, CORS, Origin: RP, no redirects) and interprets the
 * response. Every failure here is an ID-assertion failure: the page gets an
 * IdentityCredentialError, after the Error dialog (the request module shows it).
 */
export async function requestIdentityAssertion(
  ctx: IdpNetwork,
  config: IdpConfig,
  request: AssertionRequest,
): Promise<AssertionResult> {
  const url = config.idAssertionEndpoint;
  const extra = { url: url.href, configURL: config.configURL.href, endpoint: 'id assertion endpoint' as const };
  const tokenError = (reason: IssueReason, detail: string, init: IdentityCredentialErrorInit = {}): FedCmFailure =>
    new FedCmFailure(issue(reason, detail, extra), { page: { kind: 'IdentityCredentialError', init } });

  const res = await fetchEndpoint(ctx, 'id assertion endpoint', {
    url,
    method: 'POST',
    headers: {
      accept: 'application/json',
      'content-type': 'application/x-www-form-urlencoded',
      origin: ctx.rpOrigin,
    },
    body: assertionBody(request),
    credentials: 'include',
    initiator: ctx.rpOrigin,
    siteForCookies: url,
    mode: 'cors',
    destination: 'webidentity',
    redirect: 'error',
  });
  if (res instanceof NetError) {
    throw tokenError('IdTokenNoResponse', `The ID assertion endpoint ${url.href} could not be fetched: ${res.message}`);
  }

  // Chromium parses the body even for non-2xx answers, so an error object wins over the status
  // (and over CORS: WPT fedcm-error-basic expects the error of a 401 without CORS headers).
  const json = parseJsonResponse(res, { allowNon2xx: true });
  const body = json.ok ? (json.value as Record<string, unknown>) : undefined;
  const errorValue = body?.['error'];
  if (errorValue !== undefined && errorValue !== null && typeof errorValue === 'object' && !Array.isArray(errorValue)) {
    throw idpError(errorValue as Record<string, unknown>, url, extra);
  }

  const cors = checkCors(res, ctx.rpOrigin, 'include');
  if (!cors.ok) {
    throw tokenError(
      'CorsError',
      `The ID assertion response from ${url.href} failed the CORS check: ${cors.message}. Answer with Access-Control-Allow-Origin: ${ctx.rpOrigin} and Access-Control-Allow-Credentials: true.`,
    );
  }
  if (!json.ok) {
    const reason: IssueReason = json.kind === 'invalid-content-type' ? 'IdTokenInvalidContentType' : 'IdTokenInvalidResponse';
    throw tokenError(reason, `The ID assertion endpoint ${url.href}: ${json.message}`, synthesizedError(res.status));
  }
  if (res.status < 200 || res.status > 299) {
    // Chromium: a 404 is IdTokenHttpNotFound; any other non-2xx answer that is JSON is an
    // invalid response (the endpoints golden "token: 500 with JSON"), not "no response".
    throw tokenError(
      res.status === 404 ? 'IdTokenHttpNotFound' : 'IdTokenInvalidResponse',
      `The ID assertion endpoint ${url.href} answered ${res.status}. Answer 200 with {"token": …}, or {"error": {"error": "<code>", "url": "<page>"}} to explain a refusal.`,
      synthesizedError(res.status),
    );
  }
  const b = body ?? {};
  if ('token' in b) return { kind: 'token', token: b['token'] };
  if (typeof b['continue_on'] === 'string') {
    const target = URL.canParse(b['continue_on'], url) ? new URL(b['continue_on'], url) : null;
    if (target === null || !isSameOrigin(target, config.configURL)) {
      // Chromium 156 rejects with NetworkError and shows no Error dialog here (differential
      // "continue_on: cross-origin URL"): an invalid response, not an IdP error.
      throw new FedCmFailure(
        issue('IdTokenInvalidResponse', `continue_on ${JSON.stringify(b['continue_on'])} must be a URL on the IdP's origin ${config.configURL.origin}.`, extra),
      );
    }
    return { kind: 'continue_on', url: target };
  }
  throw tokenError(
    'IdTokenInvalidResponse',
    `The ID assertion response from ${url.href} has none of "token", "continue_on" or "error": ${truncate(JSON.stringify(b))}.`,
  );
}

/**
 * FedCM §3.5 error branch: `error.error` (Chromium also reads the older `code`) and `error.url`
 * resolved against the assertion URL; the URL must be same-site with it and potentially
 * trustworthy, or it is dropped (IdTokenCrossSiteIdpErrorResponse).
 */
function idpError(
  error: Record<string, unknown>,
  tokenUrl: URL,
  extra: { url: string; configURL: string; endpoint: 'id assertion endpoint' },
): FedCmFailure {
  const code = typeof error['error'] === 'string' ? error['error'] : typeof error['code'] === 'string' ? error['code'] : '';
  let url = '';
  let reason: IssueReason = 'IdTokenIdpErrorResponse';
  let detail = `The IdP refused to issue a token: error ${JSON.stringify(code)}.`;
  if (typeof error['url'] === 'string' && error['url'] !== '') {
    const resolved = URL.canParse(error['url'], tokenUrl) ? new URL(error['url'], tokenUrl) : null;
    if (resolved && isPotentiallyTrustworthy(resolved) && (isSameOrigin(resolved, tokenUrl) || isSameSite(resolved, tokenUrl))) {
      url = resolved.href;
      detail += ` Details: ${url}.`;
    } else {
      reason = 'IdTokenCrossSiteIdpErrorResponse';
      detail += ` Its error url ${JSON.stringify(error['url'])} was dropped: it must be same-site with ${tokenUrl.origin} and use https.`;
    }
  }
  return new FedCmFailure(issue(reason, detail, extra), {
    page: { kind: 'IdentityCredentialError', init: { error: code, url } },
  });
}

/** Chromium maps a bare 500 to server_error and 503 to temporarily_unavailable (RFC 6749 codes). */
function synthesizedError(status: number): IdentityCredentialErrorInit {
  if (status === 500) return { error: 'server_error' };
  if (status === 503) return { error: 'temporarily_unavailable' };
  return {};
}

function truncate(s: string): string {
  return s.length > 200 ? `${s.slice(0, 200)}…` : s;
}
