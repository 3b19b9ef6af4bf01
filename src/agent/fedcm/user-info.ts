// FedCM §2.4 IdentityProvider.getUserInfo(): an IdP iframe embedded by an RP learns which of its
// users have signed in to that RP before, to personalise its button. Mirrors Chromium's
// user_info_request.cc, whose checks come in this order.

import { isPotentiallyTrustworthy, serializeOrigin } from '../../common/site.js';
import { AbortState } from '../base/abort-state.js';
import type { AgentCore } from '../core.js';
import { domException, type DiagnosticInit, type UserInfoIssueReason } from '../base/diagnostics.js';
import type { AgentDocument } from '../document/document.js';
import { fetchAccounts } from './accounts.js';
import { fetchConfig } from './config.js';
import { createIdpNetwork } from './idp-network.js';
import { FedCmFailure } from './failure.js';

/** FedCM IdentityUserInfo. */
export interface IdentityUserInfo {
  email?: string;
  name?: string;
  givenName?: string;
  picture?: string;
}

/**
 * FedCM #dom-identityprovider-getuserinfo (checklist §1.10), in Chromium's order: convert;
 * permissions policy; the provider; the caller is the IdP's own origin, in an iframe; a
 * trustworthy config; not logged out; a returning user of the embedding RP; then the config and
 * the accounts, returning users first.
 */
export async function getUserInfo(core: AgentCore, frame: AgentDocument, config: { configURL: string; clientId: string }): Promise<IdentityUserInfo[]> {
  if (typeof config !== 'object' || config === null || config.configURL === undefined || config.clientId === undefined) {
    throw new TypeError("Failed to execute 'getUserInfo' on 'IdentityProvider': required members configURL and clientId.");
  }
  const configURLString = String(config.configURL);
  const clientId = String(config.clientId);
  if (!frame.allowsFeature('identity-credentials-get')) {
    throw new DOMException("The 'identity-credentials-get' feature is not enabled in this document.", 'NotAllowedError');
  }
  if (!URL.canParse(configURLString) || clientId === '') {
    throw new DOMException('Provider information is incomplete.', 'InvalidStateError');
  }
  const configURL = new URL(configURLString);
  const idp = serializeOrigin(configURL);
  if (frame.origin !== idp) {
    throw new DOMException('UserInfo request must be initiated from a frame that is the same origin with the provider.', 'InvalidStateError');
  }
  // Each browser-side failure is one FederatedAuthUserInfoRequestIssue in Chromium
  // (user_info_request.cc), reported as `UserInfo:<reason>`.
  const fail = (issue: UserInfoIssueReason, detail: string): DOMException => {
    const diagnostic: DiagnosticInit = { reason: 'InvalidRequest', level: 'error', message: 'Error retrieving user info.', detail, configURL: configURL.href, issue: `UserInfo:${issue}` };
    core.report(diagnostic);
    return domException({ message: 'Error retrieving user info.', name: 'NetworkError' }, diagnostic);
  };
  const parent = frame.parent;
  if (!parent) throw fail('NotIframe', 'getUserInfo() caller is not an iframe: call it from an IdP iframe embedded in the RP page.');
  if (!isPotentiallyTrustworthy(configURL)) throw fail('NotPotentiallyTrustworthy', `${configURL.href} is not potentially trustworthy (use https).`);
  if (core.profile.getLoginStatus(idp) === 'logged-out') throw fail('NotSignedInWithIdp', `The login status of ${idp} is logged-out.`);
  const key = { embedder: frame.top.origin, rp: parent.origin, idp };
  const connected = core.profile.connections(key);
  if (connected.length === 0) {
    throw fail('NoAccountSharingPermission', `The user has not signed in to ${parent.origin} with ${idp} in this browser, so the IdP may not learn who they are.`);
  }
  // The iframe is the IdP's own document: its requests are first-party, so all cookies go.
  const ctx = { ...createIdpNetwork(core, frame, new AbortState()), rpOrigin: frame.origin };
  let idpConfig;
  try {
    idpConfig = await fetchConfig(ctx, configURL, { strictWellKnown: core.settings.strictWellKnown });
  } catch (e) {
    if (e instanceof FedCmFailure) throw fail('InvalidConfigOrWellKnown', `${e.diagnostic.message} ${e.diagnostic.detail}`);
    throw e;
  }
  let result;
  try {
    result = await fetchAccounts(ctx, idpConfig);
  } catch (e) {
    // The call's network budget ran out (idp-network.ts fetchEndpoint).
    if (e instanceof FedCmFailure) throw fail('InvalidAccountsResponse', `${e.diagnostic.message} ${e.diagnostic.detail}`);
    throw e;
  }
  if (!result.ok) throw fail('InvalidAccountsResponse', `${result.failure.diagnostic.message} ${result.failure.diagnostic.detail}`);
  const returning = (a: { id: string; approved_clients?: string[] }): boolean =>
    connected.some((c) => c.accountId === a.id) && (a.approved_clients === undefined || a.approved_clients.includes(clientId));
  if (!result.accounts.some(returning)) {
    throw fail('NoReturningUserFromFetchedAccounts', `None of the accounts ${idpConfig.accountsEndpoint.href} returned has signed in to ${parent.origin} before.`);
  }
  const ordered = [...result.accounts.filter(returning), ...result.accounts.filter((a) => !returning(a))];
  return ordered.map((a) => {
    const info: IdentityUserInfo = {};
    if (a.email !== undefined) info.email = a.email;
    if (a.name !== undefined) info.name = a.name;
    if (a.given_name !== undefined) info.givenName = a.given_name;
    if (a.picture !== undefined) info.picture = a.picture;
    return info;
  });
}
