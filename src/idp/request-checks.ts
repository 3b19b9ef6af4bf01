// The checks every FedCM endpoint applies before it looks at a request's meaning.

import { BodyReadError, BodyTooLargeError } from '../common/body.js';
import { HttpError, type IdpRequest } from './http.js';
import type { Client } from './store/types.js';

/**
 * FedCM §"Fetch the config file" / §"Fetch the accounts" / §"Fetch an identity assertion" /
 * §"disconnect": the user agent fetches every endpoint with destination "webidentity", so the
 * request carries `Sec-Fetch-Dest: webidentity`; no page can set that header (it is forbidden),
 * which is what protects the credentialed endpoints from cross-site request forgery
 * (Chromium dropped its `Sec-FedCM-CSRF` header for exactly this, chromium-firefox-behaviour §1.3).
 * The kit requires it on all six FedCM endpoints, the public ones included, so that a
 * misconfigured proxy that strips it shows up on the first fetch rather than on the credentialed ones.
 */
export function requireWebIdentity(request: IdpRequest): void {
  const dest = request.headers.get('sec-fetch-dest');
  if (dest !== 'webidentity') {
    throw new HttpError(
      400,
      'invalid_request',
      `This FedCM endpoint answers only the browser's FedCM requests, which carry "Sec-Fetch-Dest: webidentity" (got ${dest === null ? 'no Sec-Fetch-Dest' : JSON.stringify(dest)}).`,
    );
  }
}

/**
 * FedCM §7 "Security" (IdP-side MUST, spec L2456-2462): the ID assertion endpoint — and, by the
 * same reasoning, disconnect — must check that the `Origin` header is one of the origins
 * registered for `client_id`; the user agent cannot check this for the IdP.
 */
export function requireClientOrigin(request: IdpRequest, client: Client): string {
  const origin = request.headers.get('origin');
  if (origin === null || origin === '' || origin === 'null') {
    throw new HttpError(403, 'unauthorized_client', `The request has no Origin; the browser sends the relying party's origin, which must be registered for client ${JSON.stringify(client.id)}.`);
  }
  if (!client.origins.includes(origin)) {
    throw new HttpError(403, 'unauthorized_client', `Origin ${origin} is not registered for client ${JSON.stringify(client.id)}.`);
  }
  return origin;
}

/**
 * Fetch §3.2.5 CORS protocol for a credentialed request: the exact origin (never `*`, which
 * browsers refuse together with credentials) and `Access-Control-Allow-Credentials: true`.
 * `Vary: Origin` keeps shared caches from serving one RP's answer to another.
 */
export function corsHeaders(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true', vary: 'Origin' };
}

/**
 * CORS for a refusal made before the client is known (an unknown client_id, a malformed body):
 * the requesting origin, exposed only to the error body. Once the client is known, an origin it
 * does not list gets no CORS (fedkit doctor's AssertionAcceptsUnregisteredOrigin). Without it Chromium reports a CORS failure ("Server did not send the correct CORS
 * headers", IdentityCredentialError.error "") instead of the IdP's error, and the developer
 * never learns the client is the problem (chromium-firefox-behaviour §1.8; docs/decisions.md).
 * The body names only the client and the origin, never anything about the user: the session is
 * looked at after the origin check. Called after requireWebIdentity, so no page's own fetch()
 * (which cannot send `Sec-Fetch-Dest: webidentity`) ever reads one of these answers.
 */
export function refusalCors(request: IdpRequest): Record<string, string> {
  const origin = request.headers.get('origin');
  if (origin === null || origin === 'null' || !/^https?:\/\/[^/?#\s]+$/.test(origin)) return {};
  return corsHeaders(origin);
}

/** The parsed body of a form POST. */
export interface FormBody {
  /** Decoded as application/x-www-form-urlencoded. */
  params: URLSearchParams;
  /** The body text as received, for parsers that must not decode (Chromium's disconnect body). */
  raw: string;
}

/**
 * Reads an `application/x-www-form-urlencoded` body, at most `maxBytes` (the Content-Length is
 * checked first, then the bytes as they stream in, so an oversize body is never buffered whole).
 * Chromium's encoder leaves `,` and `:` unescaped (`EscapeUrlEncodedData`, use_plus=true); a
 * standard parser reads that exactly like the fully escaped form, so both are accepted.
 */
export async function readForm(request: IdpRequest, maxBytes: number): Promise<FormBody> {
  const type = (request.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new HttpError(415, 'invalid_request', `The body must be application/x-www-form-urlencoded (got ${type === '' ? 'no Content-Type' : JSON.stringify(type)}).`);
  }
  const raw = await readText(request, maxBytes);
  return { params: new URLSearchParams(raw), raw };
}

export async function readText(request: IdpRequest, maxBytes: number): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await request.bytes(maxBytes);
  } catch (e) {
    if (e instanceof BodyTooLargeError) throw new HttpError(413, 'invalid_request', `${e.message} This endpoint accepts at most ${maxBytes}.`);
    // The client broke off or misframed the body: its fault, answered (if it still listens) as such.
    if (e instanceof BodyReadError) throw new HttpError(400, 'invalid_request', e.message);
    throw e;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new HttpError(400, 'invalid_request', 'The body is not valid UTF-8.');
  }
}

/**
 * Refuses a value holding U+0000. No parameter of the IdP means one, and PostgreSQL cannot store
 * one in TEXT (SQLite can): refused here, a NUL is the same 400 on both stores, not a 500 on one.
 */
export function withoutNul(value: string, name: string): string {
  if (value.includes('\u0000')) throw new HttpError(400, 'invalid_request', `The parameter ${name} contains a NUL character.`);
  return value;
}

/**
 * One form value: absent → undefined; present twice → an error (two `client_id`s would let a
 * front-end proxy and this kit disagree on which one counts); longer than `maxLength` or holding
 * a NUL → an error.
 */
export function single(params: URLSearchParams, name: string, maxLength = 2048): string | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  if (values.length > 1) throw new HttpError(400, 'invalid_request', `The parameter ${name} appears ${values.length} times; send it once.`);
  const value = values[0]!;
  if (value.length > maxLength) throw new HttpError(400, 'invalid_request', `The parameter ${name} is longer than ${maxLength} characters.`);
  return withoutNul(value, name);
}

export function required(params: URLSearchParams, name: string, maxLength?: number): string {
  const value = single(params, name, maxLength);
  if (value === undefined || value === '') throw new HttpError(400, 'invalid_request', `The parameter ${name} is missing.`);
  return value;
}
