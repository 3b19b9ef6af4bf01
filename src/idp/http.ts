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
import type { LightReply, LightRequest } from '../common/light-http.js';

/**
 * What an endpoint reads of a request (common/light-http.ts): a `Request` on the web path, the
 * IncomingMessage itself on the Node path, the same values either way.
 */
export type IdpRequest = LightRequest;

/**
 * An endpoint's answer: status, headers and a text body, made into a `Response` on the web path
 * (lightToResponse) and written straight to the ServerResponse on the Node path. Header names
 * are lower-cased and a repeated one is joined with ", " (as Headers does); Set-Cookie is kept
 * apart, one value per cookie.
 */
export class IdpReply implements LightReply {
  readonly status: number;
  readonly body: string | null;
  readonly headers = new Map<string, string>();
  readonly setCookies: string[] = [];

  constructor(body: string | null, status: number, headers: Record<string, string | readonly string[]> = {}) {
    this.body = body;
    this.status = status;
    for (const [name, value] of Object.entries(headers)) {
      for (const v of typeof value === 'string' ? [value] : value) this.append(name, v);
    }
  }

  /** Headers.set: replaces every value of `name` (every cookie, for Set-Cookie). */
  set(name: string, value: string): this {
    const key = name.toLowerCase();
    if (key === 'set-cookie') this.setCookies.splice(0, this.setCookies.length, value);
    else this.headers.set(key, value);
    return this;
  }

  /** Headers.append. */
  append(name: string, value: string): this {
    const key = name.toLowerCase();
    if (key === 'set-cookie') this.setCookies.push(value);
    else {
      const before = this.headers.get(key);
      this.headers.set(key, before === undefined ? value : `${before}, ${value}`);
    }
    return this;
  }

  has(name: string): boolean {
    const key = name.toLowerCase();
    return key === 'set-cookie' ? this.setCookies.length > 0 : this.headers.has(key);
  }
}

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

export function json(body: unknown, init: { status?: number; headers?: Record<string, string> } = {}): IdpReply {
  const reply = new IdpReply(JSON.stringify(body), init.status ?? 200, init.headers);
  if (!reply.has('content-type')) reply.set('content-type', 'application/json');
  return reply;
}

export function errorBody(code: ErrorCode, description: string, url?: string): ErrorBody {
  return { error: { error: code, code, ...(url === undefined ? {} : { url }), error_description: description } };
}

export function errorResponse(error: HttpError, extraHeaders: Record<string, string> = {}, extra: { request_id?: string } = {}): IdpReply {
  const headers = new IdpReply(null, 0, extraHeaders);
  for (const [k, v] of Object.entries(error.headers)) headers.set(k, v);
  headers.set('cache-control', 'no-store');
  const body = errorBody(error.code, error.message);
  return refused(json({ error: { ...body.error, ...extra } }, { status: error.status, headers: Object.fromEntries(headers.headers) }), error);
}

/**
 * Marks a response as the refusal `error` made, for the request log. The reason is the error's
 * code and sentence, which never hold a token, a cookie, a password or a nonce.
 */
export function refused(response: IdpReply, error: HttpError): IdpReply {
  return withReason(response, `${error.code}: ${error.message}`);
}

/** `<` `>` `&` escaped, so JSON can sit inside a <script> element. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026');
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);
}
