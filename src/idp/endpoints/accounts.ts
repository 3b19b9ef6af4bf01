import { accountsView } from '../store-steps.js';
import { pictureUrl, sessionIdHash, type IdpContext } from '../context.js';
import { json, type IdpReply, type IdpRequest } from '../http.js';
import { requireWebIdentity } from '../request-checks.js';
import type { User } from '../store/types.js';

/** One entry of the accounts list (FedCM §"IdentityProviderAccount"). */
export interface AccountEntry {
  id: string;
  name: string;
  email: string;
  given_name?: string;
  picture?: string;
  username?: string;
  tel?: string;
  approved_clients: string[];
  login_hints: string[];
  domain_hints: string[];
}

/**
 * The entry for `user`, its members in the order the JSON shows them. Built by assignment, not
 * by spreading optional parts: a spread of an object literal is a slow path in V8 (a new hidden
 * class per shape, every request), and this runs for every accounts request (issue 15 §1).
 */
export function accountEntry(ctx: IdpContext, user: User, approvedClients: string[]): AccountEntry {
  const picture = pictureUrl(ctx, user);
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1);
  const entry: Partial<AccountEntry> & Pick<AccountEntry, 'id' | 'name' | 'email'> = { id: user.id, name: user.name, email: user.email };
  if (user.givenName !== null) entry.given_name = user.givenName;
  if (picture !== null) entry.picture = picture;
  if (user.username !== null) entry.username = user.username;
  if (user.tel !== null) entry.tel = user.tel;
  entry.approved_clients = approvedClients;
  entry.login_hints = user.username === null ? [user.email] : [user.email, user.username];
  entry.domain_hints = domain === '' ? [] : [domain];
  return entry as AccountEntry;
}

/**
 * FedCM §"Fetch the accounts" (checklist §1.6, Chromium §1.6). The request is credentialed and
 * anonymous towards the RP (no Origin, no client id), so the list is the same for every RP and
 * `approved_clients` says which RPs this account already signed in to (from stored grants), which
 * decides sign-in vs sign-up UI. Signed out → an empty list, which the browser turns into
 * "logged-out". `picture` is absolute (Chromium drops relative ones). `login_hints` and
 * `domain_hints` let RPs filter with loginHint / domainHint. Never cached: the answer is per user.
 */
export async function accounts(ctx: IdpContext, request: IdpRequest): Promise<IdpReply> {
  requireWebIdentity(request);
  const headers = { 'cache-control': 'no-store' };
  const idHash = sessionIdHash(ctx, request);
  // One store call (one round trip on PostgreSQL): the session, its user and the granted clients.
  const view = idHash === undefined ? undefined : await accountsView(ctx.store, idHash, ctx.now());
  if (view === undefined) return json({ accounts: [] }, { headers });
  return json({ accounts: [accountEntry(ctx, view.user, view.grantedClients)] }, { headers });
}
