// The store's part of an ID assertion in one call (store/types.ts AssertionStepInput): the
// store's own `assertionStep` (one transaction on SQLite, one statement on PostgreSQL), or, for
// a store that has none, the same reads, checks and writes made call by call.

import { stepDisclosure } from './disclosure.js';
import type { AccountsView, AssertionStepInput, AssertionStepResult, Store } from './store/types.js';

async function sessionUser(store: Store, idHash: string, now: number): Promise<AssertionStepResult['session']> {
  if (store.getSessionUser) return store.getSessionUser(idHash, now);
  const session = await store.getSession(idHash, now);
  if (session === undefined) return undefined;
  const user = await store.getUser(session.userId);
  return user === undefined ? undefined : { session, user };
}

/** Store.assertionStep, or its call-by-call equivalent (each write its own commit: nonce first, then the grant). */
export async function assertionStep(store: Store, input: AssertionStepInput): Promise<AssertionStepResult> {
  if (store.assertionStep) return store.assertionStep(input);
  const client = await store.getClient(input.clientId);
  const session = input.sessionIdHash === undefined ? undefined : await sessionUser(store, input.sessionIdHash, input.now);
  const grant = client === undefined || session === undefined ? undefined : await store.getGrant(session.user.id, client.id);
  const c = input.complete;
  const disclose = stepDisclosure(c, client, session, grant);
  if (disclose === undefined || c === undefined || client === undefined || session === undefined) return { client, session, grant, outcome: 'not-completed' };
  if (c.nonce !== undefined && !(await store.useNonce(client.id, c.nonce, input.now, c.nonceExpiresAt))) return { client, session, grant, outcome: 'replay' };
  await store.upsertGrant(session.user.id, client.id, disclose, input.now);
  return { client, session, grant, outcome: 'completed' };
}

/** Store.accountsView, or the session, its user and the granted clients call by call. */
export async function accountsView(store: Store, idHash: string, now: number): Promise<AccountsView | undefined> {
  if (store.accountsView) return store.accountsView(idHash, now);
  const found = await sessionUser(store, idHash, now);
  if (found === undefined) return undefined;
  return { ...found, grantedClients: await store.grantedClients(found.user.id) };
}
