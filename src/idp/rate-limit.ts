// Sign-in throttling (docs/idp.md "Sign-in attempts"; docs/decisions.md). Failures live in the
// store, so several servers share the counts. Three limits, each keyed so that one attacker
// cannot use it to lock a user out from somewhere else:
//
// - per (account, client address), with exponential back-off: the guessing limit. The first
//   failures are free (typos), then each further attempt from that address for that account waits
//   twice as long after the latest failure, up to a cap. The real user at another address is not
//   affected, however many wrong passwords arrive from this one.
// - per client address, across accounts: one address trying many accounts (credential stuffing).
//   It bars that address only.
// - per account, from every address together: a ceiling for a guesser with many addresses. It is
//   high, and once reached it bars only the addresses that have already failed for this account,
//   so a first attempt from a new address (the user's own browser) is still judged on its password.

import type { Store } from './store/types.js';

export interface RateLimit {
  /** Failures allowed in the window before further attempts are refused. */
  max: number;
  windowSeconds: number;
}

export interface BackOff {
  /** Failures allowed before any waiting (default 5). */
  freeFailures: number;
  /** The wait after the first failure beyond the free ones; it doubles with each further failure (default 1 s). */
  baseDelaySeconds: number;
  /** The longest wait (default 15 minutes). */
  maxDelaySeconds: number;
  /** How long a failure counts (default 24 hours); a successful sign-in forgives them at once. */
  windowSeconds: number;
}

export interface LoginRateLimits {
  /** One account from one client address: 5 free failures, then 1 s, 2 s, 4 s … up to 15 min. */
  perAccountAndAddress: BackOff;
  /** One client address, any accounts: default 20 failures per 15 minutes. */
  perAddress: RateLimit;
  /**
   * One account, every address together: default 100 failures per hour. Reaching it bars only the
   * addresses that have failed for this account (within perAccountAndAddress.windowSeconds).
   */
  perAccount: RateLimit;
}

export const DEFAULT_LOGIN_RATE_LIMITS: LoginRateLimits = {
  perAccountAndAddress: { freeFailures: 5, baseDelaySeconds: 1, maxDelaySeconds: 15 * 60, windowSeconds: 24 * 3600 },
  perAddress: { max: 20, windowSeconds: 15 * 60 },
  perAccount: { max: 100, windowSeconds: 3600 },
};

export interface LoginKeys {
  pair: string;
  account: string;
  address: string;
}

export function loginKeys(email: string, address: string): LoginKeys {
  const account = email.trim().toLowerCase();
  return { pair: `pair:${JSON.stringify([account, address])}`, account: `account:${account}`, address: `address:${address}` };
}

/** The back-off's wait after `failures` failures, seconds (0 while they are free). */
export function backOffSeconds(failures: number, b: BackOff): number {
  if (failures < b.freeFailures) return 0;
  return Math.min(b.maxDelaySeconds, b.baseDelaySeconds * 2 ** (failures - b.freeFailures));
}

/** Seconds until an attempt may be made again, or 0 when it may be made now. */
export async function loginBlockedFor(store: Store, keys: LoginKeys, limits: LoginRateLimits, now: number): Promise<number> {
  let wait = 0;
  const b = limits.perAccountAndAddress;
  const pairSince = now - b.windowSeconds * 1000;
  const failures = await store.countLoginFailures(keys.pair, pairSince);
  const delay = backOffSeconds(failures, b);
  if (delay > 0) {
    const last = (await store.lastLoginFailure(keys.pair, pairSince)) ?? now;
    wait = Math.max(wait, Math.ceil((last + delay * 1000 - now) / 1000));
  }
  const address = limits.perAddress;
  if ((await store.countLoginFailures(keys.address, now - address.windowSeconds * 1000)) >= address.max) wait = Math.max(wait, address.windowSeconds);
  const account = limits.perAccount;
  if (failures > 0 && (await store.countLoginFailures(keys.account, now - account.windowSeconds * 1000)) >= account.max) wait = Math.max(wait, account.windowSeconds);
  return wait;
}

export async function recordLoginFailure(store: Store, keys: LoginKeys, now: number): Promise<void> {
  await store.recordLoginFailure(keys.pair, now);
  await store.recordLoginFailure(keys.account, now);
  await store.recordLoginFailure(keys.address, now);
}

/**
 * A successful sign-in forgives this address's failures for the account. The account-wide and
 * address-wide counts age out instead: a guesser elsewhere must not get a fresh ceiling because
 * the real user signed in.
 */
export async function recordLoginSuccess(store: Store, keys: LoginKeys): Promise<void> {
  await store.clearLoginFailures(keys.pair);
}

/** The longest a failure is kept for any limit, seconds (what purgeExpired may delete before). */
export function longestWindowSeconds(limits: LoginRateLimits): number {
  return Math.max(limits.perAccountAndAddress.windowSeconds, limits.perAddress.windowSeconds, limits.perAccount.windowSeconds);
}
