// When FedCM holds back: the dismissal cooldown (Chromium's embargo after the user closes a
// dialog), the quiet period after an auto re-authentication, and what silent mediation and
// auto re-authentication need (FedCM §2.2.1 "auto reauthentication"). None of this is in the
// spec's text beyond "the user agent MAY"; the durations and rules are Chromium's
// (federated_identity_api_permission_context, federated_auth_request_impl.cc).

import { siteOfCached as siteOf } from '../net/sites.js';
import { issue } from '../base/diagnostics.js';
import type { CredentialMediationRequirement } from '../credentials/contract/credential-type.js';
import type { AgentCore } from '../core.js';
import type { AgentDocument } from '../document/document.js';
import { eligibleForAutoReauthn } from './connection-status.js';
import { FedCmFailure } from './failure.js';
import type { Candidate, Provider } from './types.js';

/** Chromium kFederatedIdentityAutoReauthnEmbargoDuration: one auto re-authentication per 10 minutes per site. */
export const AUTO_REAUTHN_QUIET_MS = 10 * 60 * 1000;

/** Chromium kFederatedIdentityApiEmbargoDurationDismiss: 2 h, 1 day, 7 days, 28 days. */
export const DISMISS_COOLDOWN_MS = [2 * 3600e3, 24 * 3600e3, 7 * 24 * 3600e3, 28 * 24 * 3600e3] as const;

/** Chromium RequestService step "embargo": a passive request from a site in its cooldown is refused. */
export function cooldownFailure(core: AgentCore, frame: AgentDocument, mode: 'active' | 'passive'): FedCmFailure | null {
  const site = siteOf(frame.top.origin);
  const embargo = core.profile.getDismissEmbargo(site);
  if (mode !== 'passive' || !embargo || embargo.until <= core.clock.now()) return null;
  return new FedCmFailure(
    issue(
      'DisabledInSettings',
      `The user closed a FedCM dialog on ${site} with its close button; passive requests are refused until ${new Date(embargo.until).toISOString()}. Active mode (a button) still works; automation.resetCooldown() lifts it.`,
    ),
    { delayed: true },
  );
}

/** Whether the embedder site had an auto re-authentication in the last 10 minutes. */
export function inQuietPeriod(core: AgentCore, frame: AgentDocument): boolean {
  const last = core.profile.getLastAutoReauthn(siteOf(frame.top.origin));
  return last !== undefined && core.clock.now() - last < AUTO_REAUTHN_QUIET_MS;
}

/** Chromium ShouldFailBeforeFetchingAccounts: why silent mediation cannot work, or null. */
export function silentMediationObstacle(core: AgentCore, frame: AgentDocument, provider: Provider): string | null {
  if (core.profile.preventsSilentAccess(frame.origin)) {
    return 'Silent mediation issue: preventSilentAccess() has been invoked on the site.';
  }
  if (inQuietPeriod(core, frame)) {
    return 'Silent mediation issue: auto re-authn is in quiet period because it was recently used on this site.';
  }
  const connections = core.profile.connections({ embedder: frame.top.origin, rp: frame.origin, idp: provider.idpOrigin });
  if (connections.length === 0) {
    return `Silent mediation issue: the user has not used FedCM on this site with this identity provider (${provider.idpOrigin}).`;
  }
  return null;
}

/** What auto re-authentication makes of a request's accounts (Chromium MaybeShowAccountsDialog). */
export type AutoReauthnDecision =
  /** Sign this account in without asking. */
  | { kind: 'auto'; candidate: Candidate }
  /** Ask the user (or, under silent mediation, fail with `why`). */
  | { kind: 'ask'; why: string };

/**
 * FedCM §2.2.1 "auto reauthentication": exactly one returning account, mediation not
 * `required`, no IdP in mismatch, prevent-silent-access not set and no quiet period. Reports the
 * quiet period when it is what stood in the way.
 */
export function decideAutoReauthn(
  core: AgentCore,
  frame: AgentDocument,
  candidates: readonly Candidate[],
  mediation: CredentialMediationRequirement,
  anyMismatch: boolean,
): AutoReauthnDecision {
  const returning = candidates.filter((c) => eligibleForAutoReauthn(core, frame, c.state, c.account));
  const quiet = inQuietPeriod(core, frame);
  const only = returning[0];
  if (mediation !== 'required' && returning.length === 1 && only && !anyMismatch && !core.profile.preventsSilentAccess(frame.origin) && !quiet) {
    return { kind: 'auto', candidate: only };
  }
  if (quiet && returning.length === 1 && mediation !== 'required') {
    core.report({
      ...issue('SilentMediationFailure', 'Auto re-authn was previously triggered less than 10 minutes ago. Only one auto re-authn request can be made every 10 minutes.'),
      level: 'info',
    });
  }
  const why = quiet
    ? 'Silent mediation issue: auto re-authn is in quiet period because it was recently used on this site.'
    : returning.length > 1
      ? 'Silent mediation issue: the user has used FedCM with multiple accounts on this site.'
      : core.profile.preventsSilentAccess(frame.origin)
        ? 'Silent mediation issue: preventSilentAccess() has been invoked on the site.'
        : 'Silent mediation issue: no account the IdP returned is one the user has signed in to this site with before (or approved_clients excludes this clientId).';
  return { kind: 'ask', why };
}

/** The auto re-authentication happened: the embedder site's quiet period starts now. */
export function startQuietPeriod(core: AgentCore, frame: AgentDocument): void {
  core.profile.setLastAutoReauthn(siteOf(frame.top.origin), core.clock.now());
}

/** An explicit choice in the chooser lifts the cooldown and the auto re-authentication quiet period. */
export function liftEmbargo(core: AgentCore, frame: AgentDocument): void {
  core.profile.setDismissEmbargo(siteOf(frame.top.origin), undefined);
  core.profile.setLastAutoReauthn(siteOf(frame.top.origin), undefined);
}

/**
 * The user closed a dialog. The close button of a passive dialog starts Chromium's exponential
 * cooldown for the embedder site; other dismissals do not.
 */
export function dismissal(core: AgentCore, frame: AgentDocument, mode: 'active' | 'passive', closeButton: boolean): FedCmFailure {
  if (!closeButton || mode === 'active') {
    return new FedCmFailure(issue('UiDismissedNoEmbargo', 'The user closed the dialog (automation cancelDialog, or the mediator answered cancel).'));
  }
  const site = siteOf(frame.top.origin);
  const previous = core.profile.getDismissEmbargo(site);
  const count = Math.min((previous?.count ?? 0) + 1, DISMISS_COOLDOWN_MS.length);
  const duration: number = DISMISS_COOLDOWN_MS[count - 1] ?? DISMISS_COOLDOWN_MS[3];
  core.profile.setDismissEmbargo(site, { until: core.clock.now() + duration, count });
  return new FedCmFailure(
    issue(
      'ShouldEmbargo',
      `The user closed the dialog with its close button; passive FedCM requests from ${site} are refused for ${duration / 3600e3} h (dismissal ${count}). automation.resetCooldown() lifts it.`,
    ),
  );
}
