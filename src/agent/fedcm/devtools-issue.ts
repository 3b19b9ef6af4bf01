// The one DevTools issue Chromium raises for a failed FedCM request (Audits.issueAdded, a
// FederatedAuthRequestIssue). Chromium's RequestService completes a request once, with one
// FederatedAuthRequestResult, and reports that result as the issue (federated_auth_request_impl
// CompleteRequestWithError → AddDevToolsIssue); fedkit reports richer diagnostics along the way
// (an accounts fetch that failed before the mismatch dialog, a dropped IdP), so the issue is
// derived from the diagnostic of the request's final result only (request.ts pageError).

import type { DiagnosticInit, DiagnosticReason, IssueReason } from '../base/diagnostics.js';

/**
 * fedkit's own reasons, as the FederatedAuthRequestResult Chromium completes the same request
 * with (null: Chromium raises no issue, because it refuses the call in the renderer or has no
 * such failure). The goldens of test/differential check each mapping that a scenario reaches.
 */
const FEDKIT_REASON_ISSUE: Readonly<Record<Exclude<DiagnosticReason, IssueReason>, IssueReason | null>> = {
  // The renderer refuses these before the browser process sees a request: no issue.
  PermissionsPolicyDenied: null,
  InvalidRequest: null, // CSP connect-src, options the page got wrong
  CredentialRequestRejected: null,
  // Chromium: two providers with one configURL complete with kError (ErrorIdToken).
  DuplicateConfigUrl: 'ErrorIdToken',
  // Chromium closes a continue_on popup the user closed with kError as well.
  ContinuationPopupClosedByUser: 'ErrorIdToken',
  // The login popup closed without a sign-in: the request ends as a dismissed dialog.
  LoginPopupClosedWithoutSignin: 'UiDismissedNoEmbargo',
  // Final only under silent mediation (otherwise the mismatch dialog follows), where Chromium
  // fails the request for want of auto re-authentication.
  AccountsFiltered: 'SilentMediationFailure',
  // Chromium has no overall deadline for a request: nothing to compare with.
  NetworkBudgetExhausted: null,
  // Never the final result of a get() (warnings and information).
  ConfigWarning: null,
  ClientMetadataFailed: null,
  PictureFetchFailed: null,
  BrandIconFetchFailed: null,
  CookieNotSent: null,
  NonceInTopLevel: null,
  SetLoginIgnored: null,
  CredentialProvided: null,
  OtpMessageIgnored: null,
  SmsSourceFailed: null,
};

function isIssueReason(reason: DiagnosticReason): reason is IssueReason {
  return !Object.prototype.hasOwnProperty.call(FEDKIT_REASON_ISSUE, reason);
}

/** The issue Chromium raises for a request that ended with `final` (null: none). */
export function devToolsIssueOf(final: DiagnosticInit): IssueReason | null {
  return isIssueReason(final.reason) ? final.reason : FEDKIT_REASON_ISSUE[final.reason];
}

/** `final` as the request's final diagnostic: with its DevTools issue. */
export function withDevToolsIssue(final: DiagnosticInit): DiagnosticInit {
  return { ...final, issue: devToolsIssueOf(final) };
}
