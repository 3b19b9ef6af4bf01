// Server-side verification of the token an RP receives from FedCM (fedcm-spec-checklist, PART 4
// "RP kit"): the IdP's keys are discovered and cached, only asymmetric algorithms are accepted,
// and every claim check that fails is named, so a developer knows which one.

import type { KeyObject } from 'node:crypto';
import { createRemoteJWKSet, customFetch, errors, type JWTHeaderParameters, type JWTPayload } from 'jose';
import { HostRules, type HostRulesInput } from '../common/host-rules.js';
import { asciiBytes, checkHeader, decodeBase64url, decodeBase64urlAt, decodeJsonObject, decodeJsonObjectAt, importJwk, jwkFits, verifySignature } from './jws.js';
import { dispatcherFetch, fetchBounded, IdpFetchError, type FetchFailure, type FetchLike, type FetchLimits } from './idp-fetch.js';

export type { FetchFailure, FetchLike } from './idp-fetch.js';

/** Defaults of the discovery and JWKS fetches (VerifierOptions). */
export const DEFAULT_FETCH_TIMEOUT_MS = 5_000;
export const DEFAULT_MAX_RESPONSE_BYTES = 1024 * 1024;
export const DEFAULT_FAILURE_COOLDOWN_MS = 10_000;

/** Asymmetric JWS algorithms (RFC 7518 §3, RFC 8037). Symmetric and `none` never verify. */
export const ASYMMETRIC_ALGORITHMS = ['ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

export type TokenErrorCode =
  | 'not_a_jwt' // the token is not a string, or not a compact JWS
  | 'algorithm_not_allowed'
  | 'discovery_failed' // the issuer's OpenID configuration could not be used
  | 'jwks_unavailable'
  | 'unknown_key' // no key in the JWKS matches the token's kid (after a refresh)
  | 'bad_signature'
  | 'issuer_mismatch'
  | 'audience_mismatch'
  | 'nonce_mismatch'
  | 'expired'
  | 'not_yet_valid'
  | 'issued_in_future'
  | 'missing_claim';

/** Says which check failed, and why, in words. */
export class TokenVerificationError extends Error {
  override readonly name = 'TokenVerificationError';
  /** For `discovery_failed` and `jwks_unavailable`: what went wrong with the fetch. */
  readonly failure: FetchFailure | undefined;
  constructor(
    readonly code: TokenErrorCode,
    message: string,
    options?: { cause?: unknown; failure?: FetchFailure },
  ) {
    super(message, options);
    this.failure = options?.failure;
  }
}

export interface VerifierOptions {
  /**
   * The expected `iss`. The keys are found through OpenID Connect discovery at
   * `<issuer>/.well-known/openid-configuration` unless `jwksUri` is given.
   * With only `configURL`, the issuer is the config URL's origin.
   */
  issuer?: string;
  configURL?: string;
  jwksUri?: string;
  /** The expected `aud`: the RP's client id at the IdP. */
  clientId: string;
  /** Allowed clock skew for exp/nbf/iat, seconds (default 60). */
  clockToleranceSec?: number;
  /** Current time in ms (default Date.now). */
  now?: () => number;
  /** For discovery and the JWKS (default: global fetch, or one with `hostRules` / `ca`). */
  fetch?: FetchLike;
  /**
   * Without `fetch`: host rules for discovery and the JWKS, as Chromium's
   * `--host-resolver-rules` (`"MAP idp.test 127.0.0.1:8443"`), for an IdP on a test host name.
   */
  hostRules?: HostRulesInput;
  /** Without `fetch`: extra trusted root certificates (PEM), e.g. `fedkit cert`'s local CA. */
  ca?: string | string[];
  /** The longest a discovery or JWKS fetch may take, body included, ms (default 5000). */
  fetchTimeoutMs?: number;
  /** The largest discovery document or JWKS read, bytes (default 1 MiB). */
  maxResponseBytes?: number;
  /**
   * After a discovery or JWKS fetch fails, how long verifications fail at once with that error
   * (`failure: 'cooling_down'`) instead of asking the IdP again, ms (default 10000): a down IdP
   * costs each sign-in nothing, and is not hammered.
   */
  failureCooldownMs?: number;
  /**
   * After a JWKS fetch, how long a token with an unknown key id waits before it may trigger
   * another fetch (default 30 s, jose's default: a flood of bad tokens cannot hammer the IdP).
   */
  jwksRefreshCooldownMs?: number;
}

export interface VerifiedIdentity {
  /** The token's claims (sub, email, name… as the IdP disclosed them). */
  claims: JWTPayload & Record<string, unknown>;
  /** The algorithm and key id it was signed with. */
  alg: string;
  kid: string | undefined;
}

/**
 * Verifies FedCM tokens for one (issuer, client) pair. Keep one per IdP: it caches discovery and
 * the JWKS, and refreshes the JWKS when a token names a key it does not know (key rotation).
 */
export class IdentityTokenVerifier {
  readonly issuer: string;
  readonly #options: VerifierOptions;
  #keys: Promise<KeySet> | undefined;

  constructor(options: VerifierOptions) {
    const issuer = options.issuer ?? (options.configURL === undefined ? undefined : new URL(options.configURL).origin);
    if (issuer === undefined) throw new TypeError('IdentityTokenVerifier needs `issuer` or `configURL`.');
    if (typeof options.clientId !== 'string' || options.clientId === '') throw new TypeError('IdentityTokenVerifier needs a non-empty `clientId`.');
    this.issuer = issuer;
    this.#options = options;
  }

  /**
   * Verifies `token` (the IdentityCredential's `token`, which FedCM allows to be any JSON value:
   * the RP MUST check it is the string it expects) and, when given, that it carries `nonce`.
   * RFC 7519 §7.2 (validating a JWT) over RFC 7515 §5.2 (validating a JWS), in that order: the
   * header, the key, the signature, then the claims.
   */
  async verify(token: unknown, expected: { nonce?: string } = {}): Promise<VerifiedIdentity> {
    // RFC 7515 §7.1: a compact JWS is exactly three base64url parts joined by dots.
    const firstDot = typeof token === 'string' ? token.indexOf('.') : -1;
    const secondDot = firstDot < 0 ? -1 : (token as string).indexOf('.', firstDot + 1);
    if (typeof token !== 'string' || secondDot < 0 || token.indexOf('.', secondDot + 1) >= 0) {
      throw new TokenVerificationError('not_a_jwt', `Expected a JWT (a string of three dot-separated parts), got ${describe(token)}.`);
    }
    const { header, alg, kid } = this.#header(token.slice(0, firstDot));
    // One UTF-8 copy of the token, when it is ASCII (a compact JWS is): its bytes up to the second
    // dot are the signing input, and the signature, then (once verified) the payload, are decoded
    // in place, so a token costs one Buffer, not one per part (issue 15 §2). A token that is not
    // ASCII fails as it did before, part by part.
    const bytes = asciiBytes(token);
    const signature = bytes === undefined ? decodeBase64url(token.slice(secondDot + 1)) : decodeBase64urlAt(bytes, secondDot + 1, bytes.length);
    const now = this.#options.now?.() ?? Date.now();
    const tolerance = this.#options.clockToleranceSec ?? 60;
    let claims: JWTPayload & Record<string, unknown>;
    try {
      // The keys already made for this (alg, kid), without a wait; else discovery and the JWKS.
      const keys = this.#ready?.cached(alg, kid) ?? (await (await this.#keySet()).keys(header, alg, kid));
      // RFC 7515 §5.2 step 8: the signature is checked over the token's own ASCII, before the
      // payload is decoded, so a mangled payload is a bad signature, as with jose.
      const signingInput = bytes === undefined ? Buffer.from(token.slice(0, secondDot), 'utf8') : bytes.subarray(0, secondDot);
      if (signature === undefined || !anyVerifies(alg, keys, signingInput, signature)) throw new errors.JWSSignatureVerificationFailed();
      claims = validateClaims(decodePayload(token, bytes, firstDot + 1, secondDot), this.issuer, this.#options.clientId, tolerance, Math.floor(now / 1000));
    } catch (e) {
      throw this.#explain(e);
    }
    if (typeof claims.iat === 'number' && claims.iat > now / 1000 + tolerance) {
      throw new TokenVerificationError('issued_in_future', `The token was issued at ${iso(claims.iat)}, after now (${iso(now / 1000)}) beyond the ${tolerance} s tolerance.`);
    }
    if (expected.nonce !== undefined && claims['nonce'] !== expected.nonce) {
      throw new TokenVerificationError(
        'nonce_mismatch',
        claims['nonce'] === undefined
          ? "The token has no nonce, but this sign-in sent one (pass it in get()'s params: { nonce })."
          : // Neither nonce is named: messages end up in logs, and a nonce has no place there.
            "The token's nonce is not the one this sign-in sent (a token from another sign-in, or a replay).",
      );
    }
    return { claims, alg, kid };
  }

  /**
   * The protected header (RFC 7515 §4, §5.2 steps 2-4), its `alg` on the allow-list and its
   * `crit`/`b64`/`kid` acceptable (checkHeader). An IdP's tokens share one header, so the last
   * one that passed is kept with its text: the same bytes always parse and check the same.
   */
  #header(segment: string): { header: Record<string, unknown>; alg: string; kid: string | undefined } {
    const last = this.#lastHeader;
    if (last !== undefined && last.segment === segment) return last;
    let header;
    try {
      header = decodeJsonObject(segment, 'protected header');
    } catch (e) {
      throw new TokenVerificationError('not_a_jwt', `The token's header is not valid: ${(e as Error).message}`, { cause: e });
    }
    const alg = header['alg'];
    if (typeof alg !== 'string' || !(ASYMMETRIC_ALGORITHMS as readonly string[]).includes(alg)) {
      throw new TokenVerificationError('algorithm_not_allowed', `The token is signed with ${JSON.stringify(alg)}; only asymmetric algorithms are accepted (${ASYMMETRIC_ALGORITHMS.join(', ')}).`);
    }
    try {
      checkHeader(header);
    } catch (e) {
      throw new TokenVerificationError('not_a_jwt', `The token's header is not valid: ${(e as Error).message}`, { cause: e });
    }
    const checked = { segment, header, alg, kid: header['kid'] as string | undefined };
    this.#lastHeader = checked;
    return checked;
  }

  #lastHeader: { segment: string; header: Record<string, unknown>; alg: string; kid: string | undefined } | undefined;
  /** The key set, once discovery has given one. */
  #ready: KeySet | undefined;

  #keySet(): Promise<KeySet> {
    const failed = this.#discoveryFailure;
    if (failed !== undefined) {
      const cooling = this.#coolingDown(failed);
      if (cooling !== undefined) return Promise.reject(cooling);
      this.#discoveryFailure = undefined;
    }
    // One discovery at a time: concurrent verifications share it (and its bounded wait).
    this.#keys ??= this.#discover().then(
      (keys) => (this.#ready = keys),
      (e: unknown) => {
        this.#keys = undefined; // try discovery again, after the cool-down
        if (e instanceof TokenVerificationError) this.#discoveryFailure = { error: e, at: this.#now() };
        throw e;
      },
    );
    return this.#keys;
  }

  #discoveryFailure: { error: TokenVerificationError; at: number } | undefined;
  #jwksFailure: { error: TokenVerificationError; at: number } | undefined;

  #now(): number {
    return this.#options.now?.() ?? Date.now();
  }

  /** The error to fail with while a recent failure cools down, or undefined once it has. */
  #coolingDown(failed: { error: TokenVerificationError; at: number }): TokenVerificationError | undefined {
    const cooldown = this.#options.failureCooldownMs ?? DEFAULT_FAILURE_COOLDOWN_MS;
    const waited = this.#now() - failed.at;
    if (waited >= cooldown || waited < 0) return undefined;
    return new TokenVerificationError(
      failed.error.code,
      `${failed.error.message} (not retried: that was ${(waited / 1000).toFixed(1)} s ago; the next attempt is in ${((cooldown - waited) / 1000).toFixed(1)} s)`,
      { cause: failed.error, failure: 'cooling_down' },
    );
  }

  #fetchImpl(): FetchLike {
    if (this.#options.fetch !== undefined) return this.#options.fetch;
    if (this.#options.hostRules !== undefined || this.#options.ca !== undefined) {
      return (this.#routedFetch ??= dispatcherFetch({
        ...(this.#options.hostRules === undefined ? {} : { hostRules: this.#options.hostRules }),
        ...(this.#options.ca === undefined ? {} : { ca: this.#options.ca }),
      }));
    }
    return globalThis.fetch as FetchLike;
  }

  #routedFetch: FetchLike | undefined;

  #limits(): FetchLimits {
    return { timeoutMs: this.#options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, maxBytes: this.#options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES };
  }

  async #discover(): Promise<KeySet> {
    const fetchImpl = this.#fetchImpl();
    let jwksUri = this.#options.jwksUri;
    if (jwksUri === undefined) {
      // OpenID Connect Discovery 1.0 §4: the configuration at <issuer>/.well-known/openid-configuration.
      const url = `${this.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
      const fail = (failure: FetchFailure, why: string, cause?: unknown) =>
        new TokenVerificationError('discovery_failed', `Could not read the IdP's OpenID configuration: ${why}.`, { failure, ...(cause === undefined ? {} : { cause }) });
      let body: unknown;
      try {
        const res = await fetchBounded(fetchImpl, url, { headers: { accept: 'application/json' }, redirect: 'error' }, this.#limits());
        if (res.status !== 200) {
          // A 404 is an IdP without discovery, which jwksUri is for; any other status is the IdP's trouble.
          const hint = res.status === 404 ? ' Pass `jwksUri` (fedkit rp serve --jwks-uri) if the IdP publishes no OpenID configuration' : '';
          throw fail('status', `${url} answered ${res.status}, not 200.${hint}`.replace(/\.$/, ''));
        }
        body = JSON.parse(new TextDecoder().decode(res.body));
      } catch (e) {
        if (e instanceof TokenVerificationError) throw e;
        if (e instanceof IdpFetchError) throw fail(e.failure, e.message, e);
        throw fail('invalid', `${url} is not JSON`, e);
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw fail('invalid', `${url} is not a JSON object`);
      const config = body as Record<string, unknown>;
      if (config['issuer'] !== this.issuer) {
        throw fail('invalid', `${url} says its issuer is ${JSON.stringify(config['issuer'])}, not ${this.issuer} (OpenID Connect Discovery §4.3)`);
      }
      if (typeof config['jwks_uri'] !== 'string' || !URL.canParse(config['jwks_uri'])) throw fail('invalid', `${url} has no absolute "jwks_uri"`);
      jwksUri = config['jwks_uri'];
    }
    const remote = createRemoteJWKSet(new URL(jwksUri), {
      cooldownDuration: this.#options.jwksRefreshCooldownMs ?? 30_000,
      // Ours is the timeout that counts (fetchBounded); jose's only backs it up.
      timeoutDuration: this.#limits().timeoutMs + 1_000,
      [customFetch]: (url: string, init: { headers: Headers; method: 'GET'; redirect: 'manual'; signal: AbortSignal }) => this.#fetchJwks(fetchImpl, url, init),
    });
    return keySet(remote);
  }

  /** jose's JWKS fetch, bounded, its failures named, and not retried while one cools down. */
  async #fetchJwks(fetchImpl: FetchLike, url: string, init: { headers: Headers; redirect: 'manual' }): Promise<Response> {
    const failed = this.#jwksFailure;
    if (failed !== undefined) {
      const cooling = this.#coolingDown(failed);
      if (cooling !== undefined) throw cooling;
      this.#jwksFailure = undefined;
    }
    try {
      const res = await fetchBounded(fetchImpl, url, { headers: init.headers, redirect: init.redirect }, this.#limits());
      if (res.status !== 200) throw new TokenVerificationError('jwks_unavailable', `The IdP's JWKS could not be read: ${url} answered ${res.status}, not 200.`, { failure: 'status' });
      return new Response(res.body as Uint8Array<ArrayBuffer>, { status: 200, headers: { 'content-type': 'application/json' } });
    } catch (e) {
      const error = e instanceof TokenVerificationError ? e : e instanceof IdpFetchError ? new TokenVerificationError('jwks_unavailable', `The IdP's JWKS could not be read: ${e.message}.`, { cause: e, failure: e.failure }) : new TokenVerificationError('jwks_unavailable', `The IdP's JWKS could not be read: ${String(e)}.`, { cause: e, failure: 'network' });
      this.#jwksFailure = { error, at: this.#now() };
      throw error;
    }
  }

  #explain(e: unknown): TokenVerificationError {
    if (e instanceof TokenVerificationError) return e;
    if (e instanceof errors.JWTExpired) return new TokenVerificationError('expired', `The token expired (${e.message}).`, { cause: e });
    if (e instanceof errors.JWTClaimValidationFailed) {
      const claim = e.claim;
      if (claim === 'iss') return new TokenVerificationError('issuer_mismatch', `The token's issuer is not ${this.issuer} (${e.message}).`, { cause: e });
      if (claim === 'aud') return new TokenVerificationError('audience_mismatch', `The token is not for client ${JSON.stringify(this.#options.clientId)} (${e.message}).`, { cause: e });
      if (claim === 'nbf') return new TokenVerificationError('not_yet_valid', `The token is not valid yet (${e.message}).`, { cause: e });
      if (claim === 'iat') return new TokenVerificationError('issued_in_future', `The token's iat is not acceptable (${e.message}).`, { cause: e });
      return new TokenVerificationError('missing_claim', `The token's "${claim}" claim is missing or wrong (${e.message}).`, { cause: e });
    }
    if (e instanceof errors.JWKSNoMatchingKey) return new TokenVerificationError('unknown_key', `No key in the IdP's JWKS matches the token, even after refreshing it (${e.message}).`, { cause: e });
    if (e instanceof errors.JWSSignatureVerificationFailed) return new TokenVerificationError('bad_signature', 'The token\'s signature does not verify with the IdP\'s key.', { cause: e });
    if (e instanceof errors.JOSEAlgNotAllowed) return new TokenVerificationError('algorithm_not_allowed', e.message, { cause: e });
    if (e instanceof errors.JWKSTimeout) return new TokenVerificationError('jwks_unavailable', `The IdP's JWKS could not be read: ${e.message}`, { cause: e, failure: 'timeout' });
    if (e instanceof errors.JWKSInvalid || e instanceof errors.JOSEError && e.code === 'ERR_JOSE_GENERIC') {
      return new TokenVerificationError('jwks_unavailable', `The IdP's JWKS could not be used: ${(e as Error).message}`, { cause: e, failure: 'invalid' });
    }
    if (e instanceof errors.JWSInvalid || e instanceof errors.JWTInvalid) return new TokenVerificationError('not_a_jwt', e.message, { cause: e });
    return new TokenVerificationError('jwks_unavailable', `Verification failed: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
}

/**
 * What tells one cached verifier's options from another's, past the issuer (or config URL) and
 * client id that pick its list: every other option a verifier reads, with its default applied (so
 * leaving one out and passing its default share a verifier).
 */
interface CachedVerifier {
  jwksUri: string | undefined;
  clockToleranceSec: number;
  fetchTimeoutMs: number;
  maxResponseBytes: number;
  failureCooldownMs: number;
  jwksRefreshCooldownMs: number;
  /** Host rules and CA (only without `fetch`: the verifier builds its fetch from them), as keyPart text. */
  routing: string;
  verifier: IdentityTokenVerifier;
}

/** The verifiers made for one fetch implementation, by issuer (or by configURL when there is no issuer), then client id. */
interface FetchVerifiers {
  byIssuer: Map<string, Map<string, CachedVerifier[]>>;
  byConfigURL: Map<string, Map<string, CachedVerifier[]>>;
}

/**
 * The one-call form's verifiers: by fetch implementation (a WeakMap, so a dropped fetch drops its
 * verifiers), by issuer or configURL, by client id, then a short list told apart by the other
 * options (CachedVerifier). Issue 15 §2: this runs on every one-call verification, so it is three
 * map lookups on strings the caller already has (their hashes are cached) and a few comparisons,
 * not a key built per call (an object spread, a URL parse and a JSON.stringify cost ~10 µs). Option
 * sets that differ in anything a verifier reads never share a verifier (test/rp/verify.test.ts).
 * A configURL alone is kept as written, so two config URLs of one origin get two verifiers (each
 * discovers once), never one for two issuers.
 */
const verifiers = new WeakMap<object, FetchVerifiers>();
const DEFAULT_FETCH = {};

/**
 * Host rules or CA as text, unambiguously: a type letter, then the value length-prefixed (so no
 * value can run into the next); a record or list as its JSON, a HostRules as its (frozen) rules'.
 * Only when one is given without `fetch`, which is not the hot path.
 */
function keyPart(value: unknown): string {
  if (value === undefined) return '~';
  if (typeof value === 'string') return `s${value.length}:${value}`;
  const json = JSON.stringify(value instanceof HostRules ? value.rules : value) ?? String(value);
  return `${value instanceof HostRules ? 'h' : 'j'}${json.length}:${json}`;
}

/**
 * The options a cached verifier keeps: a copy taken when it is made (the nonce left out, a host
 * rules record and a CA list copied too), so a caller that reuses and then changes its options
 * object cannot change what a verifier cached under the old values does.
 */
function snapshot(options: VerifierOptions & { nonce?: string }): VerifierOptions {
  const { nonce: _nonce, ...copy } = options;
  const rules = copy.hostRules;
  if (typeof rules === 'object' && !(rules instanceof HostRules)) copy.hostRules = { ...rules };
  if (Array.isArray(copy.ca)) copy.ca = [...(copy.ca as string[])];
  return copy;
}

/**
 * One call: `verifyIdentityToken(credential.token, { configURL, clientId, nonce })`. Verifiers
 * (and so discovery and the JWKS) are cached per fetch implementation and the options that shape
 * verification (CachedVerifier); pass `now` only in tests (it bypasses the cache).
 */
export function verifyIdentityToken(token: unknown, options: VerifierOptions & { nonce?: string }): Promise<VerifiedIdentity> {
  // The options are the expected values too: verify() reads only their `nonce`.
  if (options.now !== undefined) return new IdentityTokenVerifier(snapshot(options)).verify(token, options);
  const first = options.issuer ?? options.configURL;
  // Neither: the constructor says what is missing.
  if (first === undefined) return new IdentityTokenVerifier(snapshot(options)).verify(token, options);
  const byFetch = options.fetch ?? DEFAULT_FETCH;
  let perFetch = verifiers.get(byFetch);
  if (!perFetch) verifiers.set(byFetch, (perFetch = { byIssuer: new Map(), byConfigURL: new Map() }));
  const level = options.issuer !== undefined ? perFetch.byIssuer : perFetch.byConfigURL;
  const list = level.get(first)?.get(options.clientId);
  const clockToleranceSec = options.clockToleranceSec ?? 60;
  const fetchTimeoutMs = options.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const failureCooldownMs = options.failureCooldownMs ?? DEFAULT_FAILURE_COOLDOWN_MS;
  const jwksRefreshCooldownMs = options.jwksRefreshCooldownMs ?? 30_000;
  const routing = options.fetch === undefined && (options.hostRules !== undefined || options.ca !== undefined) ? keyPart(options.hostRules) + keyPart(options.ca) : '';
  // Object.is: a NaN matches itself (one verifier, not one per call), 0 and -0 apart (two: harmless).
  for (const c of list ?? []) {
    if (
      Object.is(c.clockToleranceSec, clockToleranceSec) &&
      c.jwksUri === options.jwksUri &&
      Object.is(c.fetchTimeoutMs, fetchTimeoutMs) &&
      Object.is(c.maxResponseBytes, maxResponseBytes) &&
      Object.is(c.failureCooldownMs, failureCooldownMs) &&
      Object.is(c.jwksRefreshCooldownMs, jwksRefreshCooldownMs) &&
      c.routing === routing
    ) {
      return c.verifier.verify(token, options);
    }
  }
  // Made before anything is stored: options the constructor refuses leave no entry behind.
  const verifier = new IdentityTokenVerifier(snapshot(options));
  let byClient = level.get(first);
  if (!byClient) level.set(first, (byClient = new Map()));
  let entries = byClient.get(options.clientId);
  if (!entries) byClient.set(options.clientId, (entries = []));
  entries.push({ jwksUri: options.jwksUri, clockToleranceSec, fetchTimeoutMs, maxResponseBytes, failureCooldownMs, jwksRefreshCooldownMs, routing, verifier });
  return verifier.verify(token, options);
}

/**
 * The claims set (RFC 7519 §7.2 step 10): strict base64url UTF-8 JSON, one object, in
 * token[start, end), read from the token's bytes (in place) when it has them.
 */
function decodePayload(token: string, bytes: Buffer | undefined, start: number, end: number): Record<string, unknown> {
  try {
    return bytes === undefined ? decodeJsonObject(token.slice(start, end), 'payload') : decodeJsonObjectAt(bytes, start, end, 'payload');
  } catch (e) {
    throw new errors.JWTInvalid('JWT Claims Set must be a top-level JSON object', { cause: e });
  }
}

/** Whether one of the keys (one, unless the JWKS has several that fit) verifies the signature. */
function anyVerifies(alg: string, keys: readonly KeyObject[], signingInput: Buffer, signature: Buffer): boolean {
  for (const key of keys) if (verifySignature(alg, key, signingInput, signature)) return true;
  return false;
}

/** The claims an ID token must carry (RFC 7519 §7.2 with jose's requiredClaims as jwtVerify was given them). */
const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'iat', 'exp'] as const;

/**
 * RFC 7519 §4.1 claim checks, in jose's jwtVerify order and with its errors (so the codes and
 * messages #explain gives are those of before): the required claims present (iss, aud, sub, iat,
 * exp), `iss` (§4.1.1) the issuer, `aud` (§4.1.3) the client or an array holding it, `iat`
 * (§4.1.6) and `nbf` (§4.1.5) and `exp` (§4.1.4) NumericDates, `nbf` not after now and `exp`
 * not at or before now, both within the tolerance. `iat` in the future is checked by the caller.
 * Positional arguments and no closure: this runs once per token (issue 15 §2).
 */
function validateClaims(claims: Record<string, unknown>, issuer: string, audience: string, toleranceSec: number, nowSec: number): JWTPayload & Record<string, unknown> {
  for (const claim of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(claims, claim)) throw new errors.JWTClaimValidationFailed(`missing required "${claim}" claim`, claims, claim, 'missing');
  }
  if (claims['iss'] !== issuer) throw new errors.JWTClaimValidationFailed('unexpected "iss" claim value', claims, 'iss', 'check_failed');
  const aud = claims['aud'];
  if (!(typeof aud === 'string' ? aud === audience : Array.isArray(aud) && aud.includes(audience))) {
    throw new errors.JWTClaimValidationFailed('unexpected "aud" claim value', claims, 'aud', 'check_failed');
  }
  numericDate(claims, 'iat');
  const nbf = numericDate(claims, 'nbf');
  if (nbf !== undefined && nbf > nowSec + toleranceSec) throw new errors.JWTClaimValidationFailed('"nbf" claim timestamp check failed', claims, 'nbf', 'check_failed');
  const exp = numericDate(claims, 'exp');
  if (exp !== undefined && exp <= nowSec - toleranceSec) throw new errors.JWTExpired('"exp" claim timestamp check failed', claims, 'exp', 'check_failed');
  return claims as JWTPayload & Record<string, unknown>;
}

/** RFC 7519 §2 NumericDate: a claim, when present, must be a number. */
function numericDate(claims: Record<string, unknown>, claim: string): number | undefined {
  const value = claims[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number') throw new errors.JWTClaimValidationFailed(`"${claim}" claim must be a number`, claims, claim, 'invalid');
  return value;
}

type RemoteKeySet = ReturnType<typeof createRemoteJWKSet>;

/** The IdP's keys: jose's remote JWKS, and a node:crypto KeyObject per JWK it holds. */
interface KeySet {
  /** The keys made before for (alg, kid), while jose's copy of the JWKS is fresh; else undefined. */
  cached(alg: string, kid: string | undefined): KeyObject[] | undefined;
  /** The keys that may verify a token with this header: one, unless the JWKS has several that fit. */
  keys(header: Record<string, unknown>, alg: string, kid: string | undefined): Promise<KeyObject[]>;
}

/**
 * jose fetches the JWKS, keeps it fresh (cacheMaxAge), refreshes it for an unknown kid (with its
 * cooldown) and says when no key matches; the keys themselves are node:crypto KeyObjects made
 * once from the JWKs (jwkFits, importJwk) and kept by (alg, kid) while jose's copy of the JWKS is
 * fresh. Every lookup that reaches jose (a new kid, a stale JWKS, which may reload it) empties the
 * cache first, so a key the IdP removed stops verifying exactly when it would with jose alone.
 */
function keySet(remote: RemoteKeySet): KeySet {
  const cache = new Map<string, KeyObject[]>();
  const id = (alg: string, kid: string | undefined): string => (kid === undefined ? alg : `${alg} ${kid}`);
  // The last (alg, kid) found, so the usual case (an IdP's tokens share one) builds no id and hashes no string per token.
  let last: { alg: string; kid: string | undefined; keys: KeyObject[] } | undefined;
  return {
    cached: (alg, kid) => {
      if (!remote.fresh) return undefined;
      if (last !== undefined && last.alg === alg && last.kid === kid) return last.keys;
      const keys = cache.get(id(alg, kid));
      if (keys !== undefined) last = { alg, kid, keys };
      return keys;
    },
    keys: async (header, alg, kid) => {
      cache.clear();
      last = undefined;
      try {
        // jose's selection (the same rules as jwkFits) decides whether the JWKS is reloaded and
        // whether any key matches; the key it imports (a CryptoKey) is not used.
        await remote(header as JWTHeaderParameters);
      } catch (e) {
        // Several fitting keys: each is tried, as jwtVerify does.
        if (!(e instanceof errors.JWKSMultipleMatchingKeys)) throw e;
      }
      const jwks = remote.jwks()?.keys ?? [];
      const found: KeyObject[] = [];
      for (const jwk of jwks) {
        if (!jwkFits(jwk as Record<string, unknown>, alg, kid)) continue;
        try {
          found.push(importJwk(jwk as Record<string, unknown>, alg));
        } catch (e) {
          throw new errors.JWKSInvalid(`a key in the JWKS cannot verify ${alg}: ${(e as Error).message}`, { cause: e });
        }
      }
      if (found.length === 0) throw new errors.JWKSNoMatchingKey();
      cache.set(id(alg, kid), found);
      return found;
    },
  };
}

function describe(value: unknown): string {
  if (typeof value === 'string') return `a string of ${value.split('.').length} part(s)`;
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}
