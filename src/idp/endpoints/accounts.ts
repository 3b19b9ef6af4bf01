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

export function accountEntry(ctx: IdpContext, user: User, approvedClients: string[]): AccountEntry {
  const picture = pictureUrl(ctx, user);
  const domain = user.email.slice(user.email.lastIndexOf('@') + 1);
  return {
    id: user.id,
    name: user.name,
    email: user.email,
    ...(user.givenName === null ? {} : { given_name: user.givenName }),
    ...(picture === null ? {} : { picture }),
    ...(user.username === null ? {} : { username: user.username }),
    ...(user.tel === null ? {} : { tel: user.tel }),
    approved_clients: approvedClients,
    login_hints: user.username === null ? [user.email] : [user.email, user.username],
    domain_hints: domain === '' ? [] : [domain],
  };
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
