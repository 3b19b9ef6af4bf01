// Responses and errors shared by every endpoint.
//
// Error bodies: FedCM §"ID assertion endpoint" (IdentityAssertionResponse.error) defines
// `{error: {error, url}}`; Chromium before the FedCmErrorAttribute change read `error.code`
// instead, and current Chromium reads `error` first and falls back to `code`
// (chromium-firefox-behaviour §1.8, w3c-fedid/FedCM#780). We send BOTH keys with the same RFC 6749
// value, so every browser generation surfaces the same IdentityCredentialError.error; unknown
// members are ignored by all of them. `error_description` is the OAuth member for a human
// sentence; browsers ignore it, developers reading the response do not.

import { withReason } from '../common/logger.js';

/** The RFC 6749 §4.1.2.1 codes FedCM recommends for IdentityCredentialError.error. */
export type ErrorCode =
  | 'invalid_request'
  | 'unauthorized_client'
  | 'access_denied'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'server_error'
  | 'temporarily_unavailable';

export interface ErrorBody {
  /** `request_id`: on a 500 only, the id the IdP logged the failure under. */
  error: { error: ErrorCode; code: ErrorCode; url?: string; error_description: string; request_id?: string };
}

/** A request the IdP refuses: thrown by checks, turned into a JSON error response by the router. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  readonly status: number;
  readonly code: ErrorCode;
  readonly headers: Record<string, string>;

  constructor(status: number, code: ErrorCode, description: string, headers: Record<string, string> = {}) {
    super(description);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export function json(body: unknown, init: { status?: number; headers?: HeadersInit } = {}): Response {
  const headers = new Headers(init.headers);
  if (!headers.has('content-type')) headers.set('content-type', 'application/json');
  return new Response(JSON.stringify(body), { status: init.status ?? 200, headers });
}

export function errorBody(code: ErrorCode, description: string, url?: string): ErrorBody {
  return { error: { error: code, code, ...(url === undefined ? {} : { url }), error_description: description } };
}

export function errorResponse(error: HttpError, extraHeaders: HeadersInit = {}, extra: { request_id?: string } = {}): Response {
  const headers = new Headers(extraHeaders);
  for (const [k, v] of Object.entries(error.headers)) headers.set(k, v);
  headers.set('cache-control', 'no-store');
  const body = errorBody(error.code, error.message);
  return refused(json({ error: { ...body.error, ...extra } }, { status: error.status, headers }), error);
}

/**
 * Marks a response as the refusal `error` made, for the request log. The reason is the error's
 * code and sentence, which never hold a token, a cookie, a password or a nonce.
 */
export function refused(response: Response, error: HttpError): Response {
  return withReason(response, `${error.code}: ${error.message}`);
}

/** `<` `>` `&` escaped, so JSON can sit inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
