// The signing keys as an administrator sees them: listed with their state, rotated, and retired
// (taken out of the JWKS at once) — what `fedkit idp keys …` does, as functions.

import type { JWK } from 'jose';
import type { KeyRecord, Store } from './store/types.js';
import { KEY_CACHE_MS, KeyManager, type SigningAlgorithm } from './tokens.js';

export type KeyState = 'signing' | 'retired' | 'expired';

/** A key without its private half. */
export interface KeyInfo {
  kid: string;
  alg: SigningAlgorithm;
  /** signing: tokens are signed with it; retired: in the JWKS until `expiresAt`; expired: no longer published. */
  state: KeyState;
  createdAt: number;
  retiredAt: number | null;
  expiresAt: number | null;
  publicJwk: JWK;
}

/** A refused key operation, with a sentence that says what to do instead. */
export class KeyAdminError extends Error {
  override readonly name = 'KeyAdminError';
}

function info(k: KeyRecord, now: number): KeyInfo {
  const state: KeyState = k.retiredAt === null ? 'signing' : k.expiresAt !== null && k.expiresAt <= now ? 'expired' : 'retired';
  return { kid: k.kid, alg: k.alg, state, createdAt: k.createdAt, retiredAt: k.retiredAt, expiresAt: k.expiresAt, publicJwk: JSON.parse(k.publicJwk) as JWK };
}

/** Every stored key, newest first. */
export async function listKeys(store: Store, now: number = Date.now()): Promise<KeyInfo[]> {
  return (await store.listKeys()).map((k) => info(k, now));
}

export interface RotateOptions {
  /** Default: the algorithm of the current signing key, or ES256 when there is none. */
  algorithm?: SigningAlgorithm;
  /**
   * The servers' token lifetime, seconds (createIdp's tokenTtlSeconds, default 600): the old key
   * stays in the JWKS this long plus 60 s of clock skew.
   */
  tokenTtlSeconds?: number;
  now?: () => number;
}

/**
 * Makes a new signing key and retires the current one, as `idp.rotateKeys()` does in a server.
 * Running servers pick the new key up within a minute (they re-read the store every 60 s).
 */
export async function rotateKeys(store: Store, options: RotateOptions = {}): Promise<{ kid: string; retired: string[] }> {
  const before = (await store.listKeys()).filter((k) => k.retiredAt === null);
  const algorithm = options.algorithm ?? before[0]?.alg ?? 'ES256';
  const keys = new KeyManager(store, { algorithm, tokenTtlSeconds: options.tokenTtlSeconds ?? 600, now: options.now ?? Date.now });
  const kid = await keys.rotate();
  return { kid, retired: before.map((k) => k.kid) };
}

/**
 * Deletes a key now, so it leaves the JWKS at once (tokens it signed stop verifying): for a key
 * that leaked, or one not worth keeping until it expires. Refused for the only signing key
 * (rotate first), and — unless `force` — for a key retired less than a minute ago, which a server
 * that has not re-read the store yet may still be signing with.
 */
export async function retireKey(store: Store, kid: string, options: { now?: number; force?: boolean } = {}): Promise<KeyInfo> {
  const now = options.now ?? Date.now();
  const keys = await store.listKeys();
  const key = keys.find((k) => k.kid === kid);
  if (key === undefined) throw new KeyAdminError(`There is no key ${kid}; \`fedkit idp keys list\` shows the keys.`);
  if (key.retiredAt === null && !keys.some((k) => k.kid !== kid && k.retiredAt === null)) {
    throw new KeyAdminError(`${kid} is the only signing key: rotate first (\`fedkit idp keys rotate\`), then retire it.`);
  }
  const since = now - (key.retiredAt ?? now);
  if (options.force !== true && since < KEY_CACHE_MS) {
    const wait = Math.ceil((KEY_CACHE_MS - since) / 1000);
    throw new KeyAdminError(
      `${kid} was ${key.retiredAt === null ? 'signing until now' : `retired ${Math.floor(since / 1000)} s ago`}: a server may sign with it for up to ${KEY_CACHE_MS / 1000} s after a rotation, and its tokens would not verify. Retry in ${wait} s, or pass --force.`,
    );
  }
  await store.deleteKey(kid);
  return info(key, now);
}
