// What the RP's verification middleware does, whatever the framework (express.ts, fastify.ts,
// hono.ts): take the token from the request body, check it with IdentityTokenVerifier against the
// nonce the session expects, and either hand back the verified identity or a failure that names
// the check, with the status it is answered with.

import { IdentityTokenVerifier, TokenVerificationError, type TokenErrorCode, type VerifiedIdentity, type VerifierOptions } from './verify.js';

/** Every check the middleware names in a refusal: the verifier's, and its own three about the request. */
export type FedcmCheckCode =
  | TokenErrorCode
  | 'no_token' // the body has no token member
  | 'no_nonce' // the session expects no nonce: no sign-in is in progress
  | 'bad_body'; // the body is not JSON or a form, or not one the middleware can read

/** The verification middleware's options: the verifier's, and where the session keeps its nonce. */
export interface FedcmMiddlewareOptions<Req> extends VerifierOptions {
  /**
   * The nonce this session's sign-in passed to `get()` (`params: { nonce }`), which the token
   * must carry: typically read from the session or a cookie set with the page. `undefined`
   * means no sign-in is in progress, and the request is refused with 400 `no_nonce`.
   */
  nonce: (request: Req) => string | undefined | Promise<string | undefined>;
  /** The body member that holds the token (default `token`): JSON `{"token": "…"}` or a form field. */
  field?: string;
  /** The largest body the middleware reads itself, when no body parser ran (default 16 KiB). */
  maxBodyBytes?: number;
}

/** A refusal: the HTTP status, the check that failed and a sentence a developer can act on. */
export interface FedcmFailure {
  /** 400: the request is not a sign-in; 401: the token failed a check; 413: a body over maxBodyBytes; 415: a body of another type; 503: the IdP's keys could not be had. */
  status: 400 | 401 | 413 | 415 | 503;
  code: FedcmCheckCode;
  message: string;
}

/** The JSON body of a refusal (the reference RP's shape): `{ error: { code, message } }`. */
export function failureBody(failure: FedcmFailure): { error: { code: FedcmCheckCode; message: string } } {
  return { error: { code: failure.code, message: failure.message } };
}

/** The verifier could not reach the IdP's keys: the IdP's trouble (or the network's), not the client's. */
const UNAVAILABLE: ReadonlySet<TokenErrorCode> = new Set(['discovery_failed', 'jwks_unavailable']);

export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/**
 * A body the middleware read itself, as the object a parser would have made: a JSON object, or
 * a form whose names each appear once (a repeated token is refused, so a proxy in front and this
 * middleware cannot disagree on which one counts). Other types are a 415.
 */
export function parseBody(bytes: Uint8Array, contentType: string | null | undefined): { body: Record<string, unknown> } | { failure: FedcmFailure } {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { failure: { status: 400, code: 'bad_body', message: 'The body is not valid UTF-8.' } };
  }
  if (type === 'application/json') {
    try {
      const parsed: unknown = JSON.parse(text);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return { body: parsed as Record<string, unknown> };
    } catch {
      // answered below
    }
    return { failure: { status: 400, code: 'bad_body', message: 'The body is not a JSON object; send {"token": "…"}.' } };
  }
  if (type === 'application/x-www-form-urlencoded') {
    const body: Record<string, unknown> = {};
    for (const [name, value] of new URLSearchParams(text)) {
      if (name in body) return { failure: { status: 400, code: 'bad_body', message: `The form has ${JSON.stringify(name)} more than once; send it once.` } };
      body[name] = value;
    }
    return { body };
  }
  return { failure: { status: 415, code: 'bad_body', message: `Send the token as application/json ({"token": "…"}) or as a form field (got ${type === '' ? 'no Content-Type' : type}).` } };
}

/** The checks of one middleware: one verifier, so discovery and the JWKS are fetched once and cached. */
export class FedcmCheck<Req> {
  readonly #verifier: IdentityTokenVerifier;
  readonly #nonce: FedcmMiddlewareOptions<Req>['nonce'];
  readonly field: string;
  readonly maxBodyBytes: number;

  constructor(options: FedcmMiddlewareOptions<Req>) {
    const { nonce, field, maxBodyBytes, ...verifier } = options;
    if (typeof nonce !== 'function') throw new TypeError('fedcmMiddleware needs `nonce: (request) => the nonce this session expects`.');
    this.#verifier = new IdentityTokenVerifier(verifier);
    this.#nonce = nonce;
    this.field = field ?? 'token';
    this.maxBodyBytes = maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  }

  /**
   * The token from `body` (the parsed request body), verified with the session's nonce. Errors
   * other than a failed check (the nonce function throwing, a bug) are thrown, for the framework
   * to log and answer.
   */
  async run(request: Req, body: unknown): Promise<{ identity: VerifiedIdentity } | { failure: FedcmFailure }> {
    const token = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>)[this.field] : undefined;
    if (token === undefined) {
      return { failure: { status: 400, code: 'no_token', message: `The body has no ${JSON.stringify(this.field)}: send the IdentityCredential's token as {"${this.field}": "…"} (JSON) or as the form field ${this.field}.` } };
    }
    const nonce = await this.#nonce(request);
    if (nonce === undefined) {
      return { failure: { status: 400, code: 'no_nonce', message: 'No sign-in is in progress for this session (it holds no nonce to check the token against); reload the sign-in page.' } };
    }
    try {
      return { identity: await this.#verifier.verify(token, { nonce }) };
    } catch (e) {
      if (!(e instanceof TokenVerificationError)) throw e;
      return { failure: { status: UNAVAILABLE.has(e.code) ? 503 : 401, code: e.code, message: e.message } };
    }
  }
}
