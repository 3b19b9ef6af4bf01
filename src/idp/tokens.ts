// Signed ID tokens (an OpenID Connect Core §2 ID Token profile) and the keys that sign them.
//
// FedCM leaves the token format to the IdP (§"ID assertion endpoint": `token` is any value); an
// OIDC-shaped JWT is what RPs already know how to verify. Keys are asymmetric (ES256 by
// default, EdDSA on request) and published as a JWKS, unlike the HS256 shared secrets of the
// public samples (ecosystem-and-peers §1.2-1.3). Times are in seconds (RFC 7519 NumericDate).

import { createPrivateKey, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, exportJWK, generateKeyPair, importJWK, jwtVerify, type JWK, type JWTPayload } from 'jose';
import type { KeyRecord, Store, User } from './store/types.js';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

/** The FedCM fields (§"fields") this IdP can disclose, and the claim each becomes. */
export const RECOGNIZED_FIELDS = ['name', 'email', 'picture', 'tel', 'username'] as const;
export type Field = (typeof RECOGNIZED_FIELDS)[number];

export function isField(value: string): value is Field {
  return (RECOGNIZED_FIELDS as readonly string[]).includes(value);
}

/** The fields this user has a value for (name and email always). */
export function availableFields(user: User): Field[] {
  return RECOGNIZED_FIELDS.filter((f) => {
    switch (f) {
      case 'name':
      case 'email':
        return true;
      case 'picture':
        return user.picture !== null;
      case 'tel':
        return user.tel !== null;
      case 'username':
        return user.username !== null;
    }
  });
}

/** OIDC Core §5.1 standard claims for the disclosed fields only. */
export function claimsFor(user: User, fields: readonly Field[], pictureUrl: string | null): Record<string, string> {
  const claims: Record<string, string> = {};
  for (const f of fields) {
    if (f === 'name') {
      claims.name = user.name;
      if (user.givenName !== null) claims.given_name = user.givenName;
    } else if (f === 'email') claims.email = user.email;
    else if (f === 'picture' && pictureUrl !== null) claims.picture = pictureUrl;
    else if (f === 'tel' && user.tel !== null) claims.phone_number = user.tel;
    else if (f === 'username' && user.username !== null) claims.preferred_username = user.username;
  }
  return claims;
}

export interface KeyManagerOptions {
  algorithm: SigningAlgorithm;
  /** Lifetime of the tokens these keys sign, seconds: a retired key stays published this long (+ skew). */
  tokenTtlSeconds: number;
  now: () => number;
  /** How long a server trusts its cached copy of the keys before re-reading the store (ms). */
  cacheMs?: number;
}

/** How long a server signs with its cached key before re-reading the store (KeyManagerOptions.cacheMs). */
export const KEY_CACHE_MS = 60_000;

/** Clock skew RPs commonly allow; a retired key outlives its last token by this much. */
const SKEW_SECONDS = 60;

interface LoadedKey {
  record: KeyRecord;
  /**
   * node:crypto's key, not a WebCrypto CryptoKey: a synchronous sign() takes ~50 µs, while
   * WebCrypto's (jose's SignJWT) goes through the thread pool and back, several times that under load.
   */
  privateKey: KeyObject;
  /**
   * The encoded JWS header (RFC 7515 §7.1, the first part of the compact form) by `typ`: it
   * depends only on the key and the typ, and making it (JSON, a Buffer, base64url) is ~1.5 µs a
   * token. The IdP signs with two typs; a caller of KeyManager.sign may pass others, so at most
   * HEADER_CACHE_SIZE are kept.
   */
  headers: Map<string, string>;
}

/** How many encoded headers (typs) a loaded key keeps (LoadedKey.headers). */
const HEADER_CACHE_SIZE = 8;

function loadKey(record: KeyRecord): LoadedKey {
  return { record, privateKey: createPrivateKey({ key: JSON.parse(record.privateJwk) as JWK & { kty: string }, format: 'jwk' }), headers: new Map() };
}

/**
 * Signing keys: generated on first use and stored, rotated on request. A rotation retires the
 * old key but keeps its public half in the JWKS until every token it signed has expired, so RPs
 * holding such a token can still verify it.
 */
export class KeyManager {
  readonly #store: Store;
  readonly #options: KeyManagerOptions;
  #cache: { key: LoadedKey; loadedAt: number } | undefined;
  #pending: Promise<LoadedKey> | undefined;

  constructor(store: Store, options: KeyManagerOptions) {
    this.#store = store;
    this.#options = options;
  }

  /** The current signing key, created when the store has none. */
  async signingKey(): Promise<LoadedKey> {
    const now = this.#options.now();
    if (this.#cache && now - this.#cache.loadedAt < (this.#options.cacheMs ?? KEY_CACHE_MS)) return this.#cache.key;
    // One load at a time per server: concurrent first requests must not each generate a key.
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #load(): Promise<LoadedKey> {
    const now = this.#options.now();
    let active = (await this.#store.listKeys()).find((k) => k.retiredAt === null && k.alg === this.#options.algorithm);
    if (active === undefined) {
      // First start (or a change of algorithm): make a key and retire any other signing key.
      active = await this.#generate(now);
      await this.#store.insertKey(active);
      await this.#store.retireKeys(active.kid, now, this.#retiredUntil(now));
    }
    const key = loadKey(active);
    this.#cache = { key, loadedAt: now };
    return key;
  }

  #retiredUntil(now: number): number {
    return now + (this.#options.tokenTtlSeconds + SKEW_SECONDS) * 1000;
  }

  async #generate(now: number): Promise<KeyRecord> {
    const alg = this.#options.algorithm;
    const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'EdDSA' ? { crv: 'Ed25519' } : {}) });
    const publicJwk = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(publicJwk);
    const privateJwk = await exportJWK(privateKey);
    return {
      kid,
      alg,
      publicJwk: JSON.stringify({ ...publicJwk, kid, alg, use: 'sig' }),
      privateJwk: JSON.stringify({ ...privateJwk, kid, alg }),
      createdAt: now,
      retiredAt: null,
      expiresAt: null,
    };
  }

  /** Makes a new signing key; the previous one stays in the JWKS until its tokens expire. Returns the new kid. */
  async rotate(): Promise<string> {
    const now = this.#options.now();
    const record = await this.#generate(now);
    await this.#store.insertKey(record);
    await this.#store.retireKeys(record.kid, now, this.#retiredUntil(now));
    const key = loadKey(record);
    this.#cache = { key, loadedAt: now };
    return record.kid;
  }

  /** RFC 7517 JWK Set of every key whose tokens may still be valid; expired retired keys are deleted. */
  async jwks(): Promise<{ keys: JWK[] }> {
    await this.signingKey();
    const now = this.#options.now();
    await this.#store.deleteExpiredKeys(now);
    const keys = (await this.#store.listKeys()).filter((k) => k.expiresAt === null || k.expiresAt > now);
    return { keys: keys.map((k) => JSON.parse(k.publicJwk) as JWK) };
  }

  /** Signs `payload` as a JWT (RFC 7515 compact JWS) with the current key (`typ` as given). */
  async sign(payload: JWTPayload, typ: string): Promise<string> {
    const { record, privateKey, headers } = await this.signingKey();
    let header = headers.get(typ);
    if (header === undefined) {
      header = base64url({ alg: record.alg, kid: record.kid, typ });
      if (headers.size < HEADER_CACHE_SIZE) headers.set(typ, header);
    }
    const input = `${header}.${base64url(payload)}`;
    // RFC 7518 §3.4: ES256 signatures are R || S (IEEE P1363), not DER; EdDSA hashes internally.
    const signature =
      record.alg === 'ES256' ? cryptoSign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }) : cryptoSign(null, Buffer.from(input), privateKey);
    return `${input}.${signature.toString('base64url')}`;
  }

  /**
   * Verifies a JWT this IdP signed (any published key), with `typ`, issuer and audience checked.
   * A token that does not verify is an InvalidTokenError; a failure to load the keys is not one.
   */
  async verify(token: string, expected: { typ: string; issuer: string; audience: string }): Promise<JWTPayload> {
    const { keys } = await this.jwks();
    const now = this.#options.now();
    try {
      const { payload } = await jwtVerify(
        token,
        async (header) => {
          const jwk = keys.find((k) => k.kid === header.kid);
          if (jwk === undefined) throw new Error('unknown key');
          return importJWK(jwk, header.alg);
        },
        { typ: expected.typ, issuer: expected.issuer, audience: expected.audience, currentDate: new Date(now) },
      );
      return payload;
    } catch (e) {
      // Everything in here works on the token alone (its encoding, header, key choice, signature, claims).
      throw new InvalidTokenError(e);
    }
  }
}

/** A token KeyManager.verify refused; `cause` says why. */
export class InvalidTokenError extends Error {
  override readonly name = 'InvalidTokenError';
  constructor(cause: unknown) {
    super(`The token does not verify: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

export interface IdTokenInput {
  issuer: string;
  user: User;
  clientId: string;
  nonce: string | undefined;
  fields: readonly Field[];
  pictureUrl: string | null;
  now: number;
  ttlSeconds: number;
}

/** The ID token: iss, sub, aud = client id, iat/exp in seconds, nonce when given, disclosed claims only. */
export async function issueIdToken(keys: KeyManager, input: IdTokenInput): Promise<string> {
  const iat = Math.floor(input.now / 1000);
  const payload: JWTPayload = {
    ...claimsFor(input.user, input.fields, input.pictureUrl),
    iss: input.issuer,
    sub: input.user.id,
    aud: input.clientId,
    iat,
    exp: iat + input.ttlSeconds,
    ...(input.nonce === undefined ? {} : { nonce: input.nonce }),
  };
  return keys.sign(payload, 'JWT');
}
