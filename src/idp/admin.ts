// Adding users and clients: what `fedkit idp user add` / `client add` do, as functions.

import { randomBytes } from 'node:crypto';
import { isPotentiallyTrustworthy, serializeOrigin } from '../common/site.js';
import { hashPassword, type ScryptParams } from './passwords.js';
import type { Client, Store, User } from './store/types.js';

export interface AddUserInput {
  email: string;
  name: string;
  password: string;
  /** Default: a random opaque id (it becomes the token's `sub`, so it must never change). */
  id?: string;
  givenName?: string;
  /** Absolute URL, or a path on the issuer. */
  picture?: string;
  username?: string;
  tel?: string;
  /** For tests that create many users; the default cost is right for real ones. */
  scrypt?: ScryptParams;
}

const EMAIL = /^[^\s@]{1,64}@[^\s@]{1,255}$/;

export async function addUser(store: Store, input: AddUserInput): Promise<User> {
  const email = input.email.trim();
  if (!EMAIL.test(email)) throw new TypeError(`Not an email address: ${JSON.stringify(input.email)}`);
  if (input.name.trim() === '') throw new TypeError('The name must not be empty.');
  if (input.password.length < 8) throw new TypeError('The password must be at least 8 characters.');
  if (input.id !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(input.id)) {
    throw new TypeError('A user id is 1-128 characters from A-Z a-z 0-9 . _ ~ -');
  }
  return store.createUser({
    id: input.id ?? `u_${randomBytes(12).toString('base64url')}`,
    email,
    name: input.name.trim(),
    givenName: input.givenName ?? null,
    picture: input.picture ?? null,
    username: input.username ?? null,
    tel: input.tel ?? null,
    passwordHash: await hashPassword(input.password, input.scrypt),
  });
}

export interface AddClientInput {
  id: string;
  /** The RP origins allowed to request tokens for this client, e.g. `https://rp.example`. */
  origins: string[];
  privacyPolicyUrl?: string;
  termsOfServiceUrl?: string;
}

/** An origin exactly as browsers serialize it in the Origin header (no path, no trailing slash). */
export function normalizeOrigin(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`Not an origin: ${JSON.stringify(value)}`);
  }
  if ((url.pathname !== '/' && url.pathname !== '') || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new TypeError(`An origin has no path, query or credentials: ${JSON.stringify(value)} (did you mean ${url.origin}?)`);
  }
  if (!isPotentiallyTrustworthy(url)) throw new TypeError(`FedCM needs a secure origin (https, or http on localhost): ${JSON.stringify(value)}`);
  return serializeOrigin(url);
}

function absoluteHttpUrl(value: string, what: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new TypeError(`The ${what} must be an absolute URL: ${JSON.stringify(value)}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new TypeError(`The ${what} must be an http(s) URL: ${JSON.stringify(value)}`);
  return url.href;
}

export async function addClient(store: Store, input: AddClientInput): Promise<Client> {
  if (!/^[\x21-\x7e]{1,256}$/.test(input.id) || input.id.includes('&')) {
    throw new TypeError('A client id is 1-256 printable ASCII characters without spaces or "&".');
  }
  if (input.origins.length === 0) throw new TypeError('A client needs at least one origin.');
  return store.createClient({
    id: input.id,
    origins: [...new Set(input.origins.map(normalizeOrigin))],
    privacyPolicyUrl: input.privacyPolicyUrl === undefined ? null : absoluteHttpUrl(input.privacyPolicyUrl, 'privacy policy URL'),
    termsOfServiceUrl: input.termsOfServiceUrl === undefined ? null : absoluteHttpUrl(input.termsOfServiceUrl, 'terms of service URL'),
  });
}
