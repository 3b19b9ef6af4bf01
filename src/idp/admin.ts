// Administering users and clients: what `fedkit idp user …` / `client …` do, as functions.
// Input is checked before the store is touched (check* functions, usable without a store), so a
// mistake changes nothing and the CLI can refuse it before it opens, or creates, a database.

import { randomBytes } from 'node:crypto';
import { isPotentiallyTrustworthy, serializeOrigin } from '../common/site.js';
import { hashPassword, type ScryptParams } from './passwords.js';
import { StoreConflictError, type Client, type Store, type User } from './store/types.js';

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

/**
 * Throws a TypeError saying what is wrong with `input`; the store is not needed. Without a
 * password, everything else is checked (a CLI does so before asking for one).
 */
export function checkNewUser(input: Omit<AddUserInput, 'password'> & { password?: string }): void {
  if (!EMAIL.test(input.email.trim())) throw new TypeError(`Not an email address: ${JSON.stringify(input.email)}`);
  if (input.name.trim() === '') throw new TypeError('The name must not be empty.');
  if (input.password !== undefined) checkPassword(input.password);
  if (input.id !== undefined && !/^[A-Za-z0-9._~-]{1,128}$/.test(input.id)) {
    throw new TypeError('A user id is 1-128 characters from A-Z a-z 0-9 . _ ~ -');
  }
}

export function checkPassword(password: string): void {
  if (password.length < 8) throw new TypeError('The password must be at least 8 characters.');
}

/**
 * Adds a user. A taken email or id is a StoreConflictError naming the user who has it (not the
 * id this call would have given the new one).
 */
export async function addUser(store: Store, input: AddUserInput): Promise<User> {
  checkNewUser(input);
  const email = input.email.trim();
  try {
    return await store.createUser({
      id: input.id ?? `u_${randomBytes(12).toString('base64url')}`,
      email,
      name: input.name.trim(),
      givenName: input.givenName ?? null,
      picture: input.picture ?? null,
      username: input.username ?? null,
      tel: input.tel ?? null,
      passwordHash: await hashPassword(input.password, input.scrypt),
    });
  } catch (e) {
    if (!(e instanceof StoreConflictError)) throw e;
    const byEmail = await store.getUserByEmail(email);
    if (byEmail !== undefined) throw new StoreConflictError(`a user with email ${byEmail.email} already exists: ${byEmail.id} (${byEmail.name})`, { cause: e });
    const byId = input.id === undefined ? undefined : await store.getUser(input.id);
    if (byId !== undefined) throw new StoreConflictError(`a user with id ${byId.id} already exists: ${byId.email} (${byId.name})`, { cause: e });
    throw e;
  }
}

/** A user named by id or by email (an argument with "@" is an email: ids cannot hold one). */
export async function findUser(store: Store, idOrEmail: string): Promise<User | undefined> {
  return idOrEmail.includes('@') ? store.getUserByEmail(idOrEmail) : store.getUser(idOrEmail);
}

/** Removes a user, with their sessions and grants. Undefined when there is no such user. */
export async function removeUser(store: Store, idOrEmail: string): Promise<User | undefined> {
  const user = await findUser(store, idOrEmail);
  if (user === undefined || !(await store.deleteUser(user.id))) return undefined;
  return user;
}

/**
 * Sets a user's password and ends every session they have: whoever changes a password usually
 * wants anyone who knew the old one out. Undefined when there is no such user.
 */
export async function setPassword(store: Store, idOrEmail: string, password: string, scrypt?: ScryptParams): Promise<{ user: User; sessionsEnded: number } | undefined> {
  checkPassword(password);
  const user = await findUser(store, idOrEmail);
  if (user === undefined) return undefined;
  const updated = await store.updateUser(user.id, { passwordHash: await hashPassword(password, scrypt) });
  if (updated === undefined) return undefined;
  return { user: updated, sessionsEnded: await store.deleteUserSessions(user.id) };
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

export interface ClientUpdate {
  /** Replaces the origins. */
  origins?: string[];
  addOrigins?: string[];
  removeOrigins?: string[];
  /** A URL, or null to clear it. */
  privacyPolicyUrl?: string | null;
  termsOfServiceUrl?: string | null;
}

function checkClientId(id: string): void {
  if (!/^[\x21-\x7e]{1,256}$/.test(id) || id.includes('&')) {
    throw new TypeError('A client id is 1-256 printable ASCII characters without spaces or "&".');
  }
}

/** The client as it will be stored; throws a TypeError saying what is wrong. No store needed. */
export function checkNewClient(input: AddClientInput): Omit<Client, 'createdAt'> {
  checkClientId(input.id);
  if (input.origins.length === 0) throw new TypeError('A client needs at least one origin.');
  return {
    id: input.id,
    origins: [...new Set(input.origins.map(normalizeOrigin))],
    privacyPolicyUrl: input.privacyPolicyUrl === undefined ? null : absoluteHttpUrl(input.privacyPolicyUrl, 'privacy policy URL'),
    termsOfServiceUrl: input.termsOfServiceUrl === undefined ? null : absoluteHttpUrl(input.termsOfServiceUrl, 'terms of service URL'),
  };
}

export async function addClient(store: Store, input: AddClientInput): Promise<Client> {
  return store.createClient(checkNewClient(input));
}

/** Throws a TypeError when an update's origins or URLs are not right. No store needed. */
export function checkClientUpdate(update: ClientUpdate): void {
  for (const origin of [...(update.origins ?? []), ...(update.addOrigins ?? []), ...(update.removeOrigins ?? [])]) normalizeOrigin(origin);
  if (update.origins !== undefined && update.origins.length === 0) throw new TypeError('A client needs at least one origin.');
  if (typeof update.privacyPolicyUrl === 'string') absoluteHttpUrl(update.privacyPolicyUrl, 'privacy policy URL');
  if (typeof update.termsOfServiceUrl === 'string') absoluteHttpUrl(update.termsOfServiceUrl, 'terms of service URL');
}

/**
 * Changes a client: origins replaced, added or removed (in that order), policy URLs set or
 * cleared. A client left without origins is refused (TypeError), changing nothing. Undefined when
 * there is no such client.
 */
export async function updateClient(store: Store, id: string, update: ClientUpdate): Promise<Client | undefined> {
  checkClientUpdate(update);
  const client = await store.getClient(id);
  if (client === undefined) return undefined;
  let origins = update.origins === undefined ? client.origins : update.origins.map(normalizeOrigin);
  origins = [...new Set([...origins, ...(update.addOrigins ?? []).map(normalizeOrigin)])];
  const removing = new Set((update.removeOrigins ?? []).map(normalizeOrigin));
  for (const origin of removing) {
    if (!origins.includes(origin)) throw new TypeError(`${origin} is not an origin of client ${id} (it has ${client.origins.join(', ')}).`);
  }
  origins = origins.filter((o) => !removing.has(o));
  if (origins.length === 0) throw new TypeError(`Client ${id} would be left without origins; remove the client instead.`);
  const url = (value: string | null, what: string): string | null => (value === null ? null : absoluteHttpUrl(value, what));
  return store.updateClient(id, {
    origins,
    ...(update.privacyPolicyUrl === undefined ? {} : { privacyPolicyUrl: url(update.privacyPolicyUrl, 'privacy policy URL') }),
    ...(update.termsOfServiceUrl === undefined ? {} : { termsOfServiceUrl: url(update.termsOfServiceUrl, 'terms of service URL') }),
  });
}

/** Removes a client and every grant users gave it. Undefined when there is no such client. */
export async function removeClient(store: Store, id: string): Promise<Client | undefined> {
  const client = await store.getClient(id);
  if (client === undefined || !(await store.deleteClient(id))) return undefined;
  return client;
}
