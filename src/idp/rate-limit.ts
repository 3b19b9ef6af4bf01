// Login attempts rate limited per account and per client address: a fixed number of failures in
// a sliding window. Failures live in the store, so several servers share one count.

import type { Store } from './store/types.js';

export interface RateLimit {
  /** Failures allowed in the window before further attempts are refused. */
  max: number;
  windowSeconds: number;
}

export interface LoginRateLimits {
  /** Default 5 failures per 15 minutes for one email address. */
  perAccount: RateLimit;
  /** Default 20 failures per 15 minutes from one client address. */
  perAddress: RateLimit;
}

export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  perAccount: { max: 5, windowSeconds: 15 * 60 },
  perAddress: { max: 20, windowSeconds: 15 * 60 },
};

export interface LoginKeys {
  account: string;
  address: string;
}

export function loginKeys(email: string, address: string): LoginKeys {
  return { account: `account:${email.trim().toLowerCase()}`, address: `address:${address}` };
}

/** Seconds until an attempt may be made again, or 0 when it may be made now. */
export async function loginBlockedFor(store: Store, keys: LoginKeys, limits: LoginRateLimits, now: number): Promise<number> {
  let wait = 0;
  for (const [key, limit] of [[keys.account, limits.perAccount], [keys.address, limits.perAddress]] as const) {
    const count = await store.countLoginFailures(key, now - limit.windowSeconds * 1000);
    if (count >= limit.max) wait = Math.max(wait, limit.windowSeconds);
  }
  return wait;
}

export async function recordLoginFailure(store: Store, keys: LoginKeys, now: number): Promise<void> {
  await store.recordLoginFailure(keys.account, now);
  await store.recordLoginFailure(keys.address, now);
}

/** A successful sign-in forgives the account's failures (the address keeps its count). */
export async function recordLoginSuccess(store: Store, keys: LoginKeys): Promise<void> {
  await store.clearLoginFailures(keys.account);
}
