// Diagnostics: what went wrong, in words a developer can act on.
//
// A page sees what a browser shows it (mostly "NetworkError: Error retrieving a token."). Every
// failure also produces a Diagnostic: `reason` is Chromium's issue-reason name where one exists
// (devtools-protocol Audits.FederatedAuthRequestIssueReason, so tools that know Chrome's names
// know ours), `message` is the line Chrome prints to the console, and `detail` says exactly what
// fedkit saw and how to fix it.
//
// `reason` is fedkit's account of each step (several diagnostics per request: an accounts fetch
// that failed, then the dismissed mismatch dialog). `issue` is separate, and narrower: the ONE
// DevTools issue Chromium raises for a failed request (Audits.issueAdded), set only on the
// diagnostic of the request's final result, so tools can compare fedkit with Chrome one to one.

/** Audits.FederatedAuthRequestIssueReason (devtools-protocol pdl/domains/Audits.pdl). */
export type IssueReason =
  | 'ShouldEmbargo'
  | 'TooManyRequests'
  | 'WellKnownHttpNotFound'
  | 'WellKnownNoResponse'
  | 'WellKnownInvalidResponse'
  | 'WellKnownListEmpty'
  | 'WellKnownInvalidContentType'
  | 'ConfigNotInWellKnown'
  | 'WellKnownTooBig'
  | 'ConfigHttpNotFound'
  | 'ConfigNoResponse'
  | 'ConfigInvalidResponse'
  | 'ConfigInvalidContentType'
  | 'IdpNotPotentiallyTrustworthy'
  | 'DisabledInSettings'
  | 'AccountsHttpNotFound'
  | 'AccountsNoResponse'
  | 'AccountsInvalidResponse'
  | 'AccountsListEmpty'
  | 'AccountsInvalidContentType'
  | 'IdTokenHttpNotFound'
  | 'IdTokenNoResponse'
  | 'IdTokenInvalidResponse'
  | 'IdTokenIdpErrorResponse'
  | 'IdTokenCrossSiteIdpErrorResponse'
  | 'IdTokenInvalidContentType'
  | 'ErrorIdToken'
  | 'Canceled'
  | 'SilentMediationFailure'
  | 'NotSignedInWithIdp'
  | 'MissingTransientUserActivation'
  | 'ReplacedByActiveMode'
  | 'RelyingPartyOriginIsOpaque'
  | 'UiDismissedNoEmbargo'
  | 'CorsError';

/** fedkit's own reasons, for things Chromium reports only as a console line or not at all. */
export type FedkitReason =
  | 'PermissionsPolicyDenied' // a credential type's permissions policy feature is not allowed in this frame
  | 'InvalidRequest' // the page's get() options were rejected before any fetch
  | 'DuplicateConfigUrl'
  | 'AccountsFiltered' // accounts came back but no account matched loginHint/domainHint/label
  | 'ConfigWarning' // a non-fatal config problem (branding, well-known shape)
  | 'ClientMetadataFailed' // tolerated: the dialog shows no ToS/privacy links
  | 'PictureFetchFailed' // tolerated: the dialog shows no picture
  | 'BrandIconFetchFailed' // tolerated: the dialog shows no brand icon
  | 'CookieNotSent' // a cookie the IdP may expect was withheld
  | 'NonceInTopLevel' // `nonce` given as a provider member (deprecated, still sent)
  | 'ContinuationPopupClosedByUser'
  | 'LoginPopupClosedWithoutSignin'
  | 'SetLoginIgnored' // a Set-Login header that the Login Status rules ignore
  | 'CredentialRequestRejected' // a password/federated operation from an opaque origin or a cross-origin frame
  | 'CredentialProvided' // a stored credential was given to an origin without the chooser (info)
  | 'OtpMessageIgnored' // an SMS arrived that is not an origin-bound one-time code for the waiting document
  | 'SmsSourceFailed' // the agent's SMS source threw
  | 'NetworkBudgetExhausted'; // a FedCM call spent its fedcmNetworkBudgetMs on IdP requests (Chromium has no overall deadline)

export type DiagnosticReason = IssueReason | FedkitReason;

/**
 * Audits.FederatedAuthUserInfoRequestIssueReason (devtools-protocol pdl/domains/Audits.pdl): the
 * issues of IdentityProvider.getUserInfo().
 */
export type UserInfoIssueReason =
  | 'NotSameOrigin'
  | 'NotIframe'
  | 'NotPotentiallyTrustworthy'
  | 'NoApiPermission'
  | 'NotSignedInWithIdp'
  | 'NoAccountSharingPermission'
  | 'InvalidConfigOrWellKnown'
  | 'InvalidAccountsResponse'
  | 'NoReturningUserFromFetchedAccounts';

/**
 * The DevTools issue Chromium raises for a failed call: a FederatedAuthRequestIssueReason for
 * navigator.credentials.get(), or a FederatedAuthUserInfoRequestIssueReason, prefixed
 * `UserInfo:`, for IdentityProvider.getUserInfo() (the two enums share names).
 */
export type DevToolsIssueReason = IssueReason | `UserInfo:${UserInfoIssueReason}`;

/** The FedCM endpoints, named as Chromium's console messages name them. */
export type Endpoint =
  | 'well-known file'
  | 'config file'
  | 'accounts endpoint'
  | 'client metadata endpoint'
  | 'id assertion endpoint'
  | 'disconnect endpoint'
  | 'account picture'
  | 'brand icon';

export interface Diagnostic {
  reason: DiagnosticReason;
  level: 'error' | 'warning' | 'info';
  /** The console message Chromium prints for this reason (or fedkit's one-line equivalent). */
  message: string;
  /** What exactly happened, with the values involved, and how to fix it. */
  detail: string;
  endpoint?: Endpoint;
  /** The URL involved (the endpoint fetched, the cookie's URL…). */
  url?: string;
  /** The provider the diagnostic is about. */
  configURL?: string;
  /**
   * The one DevTools issue Chromium raises for this call (Audits.issueAdded), on the diagnostic
   * of the call's final result only; null on every other diagnostic, and when Chromium raises
   * none (a permissions-policy or CSP refusal, a disconnect, a page's own mistake).
   */
  issue: DevToolsIssueReason | null;
}

/** A Diagnostic as the algorithms build it: `issue` defaults to null (AgentCore.report). */
export type DiagnosticInit = Omit<Diagnostic, 'issue'> & { issue?: DevToolsIssueReason | null };

/** The Diagnostic of an init: `issue` null unless given. */
export function diagnostic(init: DiagnosticInit): Diagnostic {
  return { ...init, issue: init.issue ?? null };
}

/** Chromium's console text per reason (webid_utils.cc GetConsoleErrorMessageFromResult). */
export const consoleMessage: Readonly<Record<IssueReason, string>> = {
  ShouldEmbargo: 'User declined or dismissed prompt. API exponential cool down triggered.',
  TooManyRequests: 'Only one navigator.credentials.get request may be outstanding at one time.',
  WellKnownHttpNotFound: "The provider's FedCM well-known file cannot be found.",
  WellKnownNoResponse: "The provider's FedCM well-known file fetch resulted in an error response code.",
  WellKnownInvalidResponse: "Provider's FedCM well-known file is invalid.",
  WellKnownListEmpty: "Provider's FedCM well-known file has no config URLs.",
  WellKnownInvalidContentType: "Provider's FedCM well-known content type must be a JSON content type.",
  ConfigNotInWellKnown: "Provider's FedCM config file not listed in its well-known file.",
  WellKnownTooBig: "Provider's FedCM well-known file contains too many config URLs.",
  ConfigHttpNotFound: "The provider's FedCM config file cannot be found.",
  ConfigNoResponse: "The provider's FedCM config file fetch resulted in an error response code.",
  ConfigInvalidResponse: "Provider's FedCM config file is invalid.",
  ConfigInvalidContentType: "Provider's FedCM config file content type must be a JSON content type.",
  IdpNotPotentiallyTrustworthy: 'The IdP is not potentially trustworthy (are you using HTTP?)',
  DisabledInSettings:
    'FedCM was disabled either temporarily based on previous user action or permanently via site settings. Try manage third-party sign-in via the icon to the left of the URL bar or via site settings.',
  AccountsHttpNotFound: "The provider's accounts list endpoint cannot be found.",
  AccountsNoResponse: "The provider's accounts list fetch resulted in an error response code.",
  AccountsInvalidResponse:
    'Provider\'s accounts list is invalid. Should have received an "accounts" list, where each account must have at least "id", "name", and "email".',
  AccountsListEmpty: "Provider's accounts list is empty.",
  AccountsInvalidContentType: "Provider's accounts list endpoint content type must be a JSON content type.",
  IdTokenHttpNotFound: "The provider's id token endpoint cannot be found.",
  IdTokenNoResponse: "The provider's token fetch resulted in an error response code.",
  IdTokenInvalidResponse: "Provider's token is invalid.",
  IdTokenIdpErrorResponse:
    'Provider is unable to issue a token, but provided details on the error that occurred.',
  IdTokenCrossSiteIdpErrorResponse:
    'Provider is unable to issue a token, but provided details on the error that occurred. The error URL must be same-site with the config URL.',
  IdTokenInvalidContentType: "Provider's token endpoint content type must be a JSON content type.",
  ErrorIdToken: 'Error retrieving a token.',
  Canceled: 'The request has been aborted.',
  SilentMediationFailure:
    'Silent mediation was requested, but the conditions to achieve it were not met.',
  NotSignedInWithIdp: 'Not signed in with the identity provider.',
  MissingTransientUserActivation: 'FedCM active mode requires transient user activation.',
  ReplacedByActiveMode: 'The request is replaced by a new one with active mode.',
  RelyingPartyOriginIsOpaque: 'FedCM is not supported on an opaque origin.',
  UiDismissedNoEmbargo: 'Prompt dismissed. API exponential cool down not triggered.',
  CorsError: 'Server did not send the correct CORS headers.',
};

/**
 * Builds a diagnostic for a Chromium reason, taking the console line from the table. `issue` stays
 * unset: whether Chromium raises the issue depends on whether this is the call's final result.
 */
export function issue(
  reason: IssueReason,
  detail: string,
  extra: Omit<DiagnosticInit, 'reason' | 'message' | 'detail' | 'level'> & { level?: Diagnostic['level'] } = {},
): DiagnosticInit {
  return { reason, level: extra.level ?? 'error', message: consoleMessage[reason], detail, ...stripLevel(extra) };
}

function stripLevel<T extends { level?: unknown }>(x: T): Omit<T, 'level'> {
  const { level: _level, ...rest } = x;
  return rest;
}

/** One line for logs: "AccountsListEmpty: Provider's accounts list is empty. — <detail>". */
export function formatDiagnostic(d: DiagnosticInit): string {
  return `${d.reason}: ${d.message}${d.detail ? ` — ${d.detail}` : ''}`;
}

/**
 * A page-visible DOMException carrying the diagnostic as `cause` (Node's DOMException accepts a
 * cause; the DOM typings do not say so, hence the property).
 */
export function domException<E extends DOMException = DOMException>(error: E | { message: string; name: string }, cause: DiagnosticInit): E {
  const e = (error instanceof DOMException ? error : new DOMException(error.message, error.name)) as E;
  Object.defineProperty(e, 'cause', { value: cause, enumerable: false, configurable: true, writable: true });
  return e;
}
