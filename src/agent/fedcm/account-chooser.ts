// What the FedCM dialogs show (FedCM §2.2.1 "build the UI", in Chromium's words and order): the
// account chooser's accounts and titles, the AutoReauthn sheet, the mismatch dialog and the
// error dialog. The request (request.ts) decides which dialog comes when; this module only
// draws them, in the shapes of DevTools' FedCm.dialogShown.

import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';
import type { DialogAccount, DialogBrandIcon, DialogInit, LoginState } from '../mediation/dialog.js';
import { formatSite } from '../mediation/format-site.js';
import { displayNames } from './accounts.js';
import { lastUsed, loginState } from './connection-status.js';
import type { IdentityCredentialErrorInit } from './identity-credential.js';
import type { Candidate, IdentityRequestOptions, IdentityProviderAccount, IdpState } from './types.js';

const VERB: Record<IdentityRequestOptions['context'], string> = {
  signin: 'Sign in to',
  signup: 'Sign up to',
  use: 'Use',
  continue: 'Continue to',
};

/**
 * Dialog titles as Chromium words them: "Sign in to <rp> with <idp>" (signup: "Sign up to",
 * use: "Use <rp> with <idp>", continue: "Continue to"). For a cross-site iframe whose client
 * metadata says it is a third party to the top frame, the iframe's site is named and the top
 * site becomes the subtitle ("on <top>").
 */
function dialogTitle(
  context: IdentityRequestOptions['context'],
  frame: AgentDocument,
  states: readonly IdpState[],
  single: IdpState | undefined,
): { title: string; subtitle?: string } {
  const thirdParty = states.some((s) => s.clientMetadata?.clientIsThirdPartyToTopFrameOrigin);
  const rp = formatSite(thirdParty ? frame.origin : frame.top.origin);
  const idp = single ? ` with ${formatSite(single.provider.idpOrigin)}` : '';
  const title = `${VERB[context]} ${rp}${idp}`;
  return thirdParty ? { title, subtitle: `on ${formatSite(frame.top.origin)}` } : { title };
}

/** FedCm.Account for one account: display names, picture, and the ToS/privacy links of a sign-up. */
export function dialogAccount(state: IdpState, account: IdentityProviderAccount, login: LoginState): DialogAccount {
  const { name, identifier } = displayNames(account);
  const result: DialogAccount = {
    accountId: account.id,
    email: identifier,
    name,
    givenName: account.given_name ?? '',
    pictureUrl: account.picture ?? '',
    idpConfigUrl: state.provider.options.configURL,
    idpLoginUrl: state.config?.loginUrl.href ?? '',
    loginState: login,
  };
  if (login === 'SignUp') {
    if (state.clientMetadata?.termsOfServiceUrl) result.termsOfServiceUrl = state.clientMetadata.termsOfServiceUrl;
    if (state.clientMetadata?.privacyPolicyUrl) result.privacyPolicyUrl = state.clientMetadata.privacyPolicyUrl;
  }
  return result;
}

/**
 * Chromium's dialog order: accounts that just signed in at the IdP first, then returning
 * (SignIn) accounts, most recently used first; the sign-up accounts as the IdP listed them, even
 * one the browser has a connection for that the IdP's approved_clients overrules (differential
 * "returning user: two accounts, one connected (auto)").
 */
function sortForDisplay(core: AgentCore, frame: AgentDocument, list: readonly Candidate[], newlyLoggedIn: ReadonlySet<string>): Candidate[] {
  const rank = (c: Candidate): number => (newlyLoggedIn.has(c.account.id) ? 0 : loginState(core, frame, c.state, c.account) === 'SignIn' ? 1 : 2);
  const used = (c: Candidate): number => (rank(c) === 1 ? lastUsed(core, frame, c.state, c.account) : 0);
  return [...list].sort((a, b) => rank(a) - rank(b) || used(b) - used(a));
}

/** The brand icons of these IdPs that were fetched, for the dialog. */
function brandIcons(states: readonly IdpState[]): { brandIcons?: DialogBrandIcon[] } {
  const icons = states.flatMap((s) => (s.brandIcon ? [{ idpConfigUrl: s.provider.options.configURL, url: s.brandIcon.url }] : []));
  return icons.length > 0 ? { brandIcons: icons } : {};
}

/** The account chooser: its dialog, and the candidates in the order the dialog lists them. */
export function accountChooser(
  core: AgentCore,
  frame: AgentDocument,
  context: IdentityRequestOptions['context'],
  usable: readonly IdpState[],
  candidates: readonly Candidate[],
  newlyLoggedIn: ReadonlySet<string>,
): { dialog: DialogInit & { accounts: DialogAccount[] }; shown: Candidate[] } {
  const shown = sortForDisplay(core, frame, candidates, newlyLoggedIn);
  const accounts = shown.map((c) => dialogAccount(c.state, c.account, loginState(core, frame, c.state, c.account)));
  const single = usable.length === 1 ? usable[0] : undefined;
  return {
    dialog: {
      dialogType: 'AccountChooser',
      ...dialogTitle(context, frame, usable, single),
      accounts,
      useOtherAccount: single?.config?.supportsUseOtherAccount ?? false,
      ...brandIcons(usable),
    },
    shown,
  };
}

/** Chromium's "Signing you in…" sheet for an auto re-authentication. */
export function autoReauthnDialog(candidate: Candidate): DialogInit {
  return {
    dialogType: 'AutoReauthn',
    title: 'Signing you in…',
    accounts: [dialogAccount(candidate.state, candidate.account, 'SignIn')],
    ...brandIcons([candidate.state]),
  };
}

/** FedCM §2.2.1 "mismatch": the ConfirmIdpLogin dialog, whose Continue opens the IdP's login page. */
export function confirmIdpLoginDialog(context: IdentityRequestOptions['context'], frame: AgentDocument, state: IdpState, loginUrl: URL): DialogInit {
  return {
    dialogType: 'ConfirmIdpLogin',
    ...dialogTitle(context, frame, [state], state),
    accounts: [],
    idpConfigUrl: state.provider.options.configURL,
    idpLoginUrl: loginUrl.href,
    ...brandIcons([state]),
  };
}

/**
 * FedCM §3.5: the error dialog the UA shows before rejecting with an IdentityCredentialError.
 * Chromium's lists the account the user chose, with the fields and login state the chooser (or
 * the AutoReauthn sheet) showed.
 */
export function errorDialog(
  context: IdentityRequestOptions['context'],
  frame: AgentDocument,
  state: IdpState,
  chosen: { account: IdentityProviderAccount; loginState: LoginState },
  init: IdentityCredentialErrorInit,
): DialogInit {
  return {
    dialogType: 'Error',
    ...dialogTitle(context, frame, [state], state),
    accounts: [dialogAccount(state, chosen.account, chosen.loginState)],
    error: init.error ?? '',
    url: init.url ?? '',
    ...brandIcons([state]),
  };
}
