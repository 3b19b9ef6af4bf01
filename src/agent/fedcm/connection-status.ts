// FedCM §3 "connected accounts": which accounts the user has used on this RP before, as the
// profile remembers them and as the IdP's approved_clients says. Sign-in vs sign-up (the
// disclosure), auto re-authentication and the chooser's order all follow from it.

import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';
import type { LoginState } from '../mediation/dialog.js';
import type { IdentityProviderAccount, IdpState } from './types.js';

/** The profile's connection of `account` with this RP in this embedder, if any. */
function connection(core: AgentCore, frame: AgentDocument, state: IdpState, account: IdentityProviderAccount): { lastUsed: number } | undefined {
  return core.profile.connections({ embedder: frame.top.origin, rp: frame.origin, idp: state.provider.idpOrigin }).find((c) => c.accountId === account.id);
}

/**
 * FedCM §"compute the connection status" (Chromium ComputeLoginStates): the IdP's
 * approved_clients decides when present; otherwise the agent's connected accounts set.
 */
export function loginState(core: AgentCore, frame: AgentDocument, state: IdpState, account: IdentityProviderAccount): LoginState {
  if (account.approved_clients !== undefined) {
    return account.approved_clients.includes(state.provider.options.clientId) ? 'SignIn' : 'SignUp';
  }
  return connection(core, frame, state, account) ? 'SignIn' : 'SignUp';
}

/** FedCM §"eligible for auto reauthentication": connected, and approved_clients (if any) names the client. */
export function eligibleForAutoReauthn(core: AgentCore, frame: AgentDocument, state: IdpState, account: IdentityProviderAccount): boolean {
  if (account.approved_clients !== undefined && !account.approved_clients.includes(state.provider.options.clientId)) return false;
  return connection(core, frame, state, account) !== undefined;
}

/** When the account was last used on this RP (-1: never), for the chooser's order. */
export function lastUsed(core: AgentCore, frame: AgentDocument, state: IdpState, account: IdentityProviderAccount): number {
  return connection(core, frame, state, account)?.lastUsed ?? -1;
}
